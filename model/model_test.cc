// Individual steps of the model on hand-built states and short runs, the loss ledger, the
// sink, and the invariants (model/invariants.h) on every reachable state of small
// configurations.
#include "model/testing/config_for_test.h"
#include "model/model.h"

#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "conformance/model_replay.h"
#include "model/checker/explicit_checker.h"
#include "model/invariants.h"
#include "model/sink.h"

namespace kdc {
namespace {

using Pred = std::function<bool(const Event&)>;

// Matches an event by type and, when given (>= 0), broker and message.
Pred Is(EventType type, int broker = -1, int msg = -1) {
  return [=](const Event& e) {
    return e.type == type && (broker < 0 || e.broker == broker) && (msg < 0 || e.msg == msg);
  };
}

std::vector<Step> Steps(const Config& c, const State& s) {
  std::vector<Step> steps;
  successors(c, s, &steps);
  return steps;
}

std::vector<Step> Matching(const Config& c, const State& s, const Pred& pred) {
  std::vector<Step> out;
  for (Step& step : Steps(c, s))
    if (pred(step.event)) out.push_back(step);
  return out;
}

std::string Listing(const Config& c, const State& s) {
  std::string out;
  for (const Step& step : Steps(c, s)) out += "\n    " + describe(step.event);
  return out.empty() ? " (none)" : out;
}

// A run driven step by step: each Take() applies the first enabled step matching the
// predicate, and checks the invariants in the state it leads to.
struct Walk {
  Config config;
  State state;
  std::vector<Event> events;
  Event last;

  explicit Walk(const Config& c) : config(c), state(initial_state(c)) {}
  Walk(const Config& c, const State& s) : config(c), state(s) {}

  testing::AssertionResult Take(const Pred& pred) {
    for (const Step& step : Steps(config, state)) {
      if (!pred(step.event)) continue;
      state = step.next;
      last = step.event;
      events.push_back(step.event);
      if (auto why = check_invariants(config, state))
        return testing::AssertionFailure() << "after " << describe(step.event) << ": " << *why;
      return testing::AssertionSuccess();
    }
    return testing::AssertionFailure() << "no such step; the model allows:"
                                       << Listing(config, state);
  }
  bool Offers(const Pred& pred) const { return !Matching(config, state, pred).empty(); }
};

std::string ReplayStory(const std::vector<Event>& events) {
  std::string out;
  for (const Event& e : events) out += "\n    " + describe(e);
  return out;
}

// Every counterexample of a check replays on the model and shows its effect.
void ExpectCounterexamplesReplay(const Config& c, const CheckResult& r) {
  for (const Counterexample& cx : r.counterexamples) {
    ReplayResult replay = replay_on_model(c, cx.events);
    EXPECT_TRUE(replay.ok) << replay.error;
    EXPECT_TRUE(replay.effects & bit(cx.effect)) << name(cx.effect) << ReplayStory(cx.events);
  }
}

std::vector<EventType> Types(const std::vector<Step>& steps) {
  std::vector<EventType> out;
  for (const Step& s : steps) out.push_back(s.event.type);
  return out;
}

// ---- Initial state and the successor contract ----

TEST(InitialStateTest, AllReplicasInSyncBrokerZeroLeadsEpochOne) {
  Config c = Cfg({"replication.factor=2"});
  State s = initial_state(c);
  EXPECT_EQ(s.partition.leader, 0);
  EXPECT_EQ(s.partition.leader_epoch, 1);
  EXPECT_EQ(s.partition.isr, 0b11);
  EXPECT_EQ(s.partition.elr, 0);
  EXPECT_EQ(s.partition.follower_leo[0], 0);
  EXPECT_EQ(s.partition.follower_leo[1], 0);
  EXPECT_EQ(s.partition.follower_leo[2], kNoOffset);
  EXPECT_EQ(s.replica[0].flags, Replica::kUp | Replica::kLeader);
  EXPECT_EQ(s.replica[1].flags, Replica::kUp);
  EXPECT_EQ(s.replica[1].known_epoch, 1);
  EXPECT_EQ(s.replica[2].flags, 0);
  EXPECT_EQ(s.producer.metadata_leader, 0);
  EXPECT_EQ(s.producer.producer_id, 1);
  EXPECT_EQ(s.consumer.position, 0);
  EXPECT_EQ(s.consumer.committed, 0);
  EXPECT_EQ(s.consumer.pending_commit, kNoOffset);
  EXPECT_EQ(s.sink.highest_first, -1);
  EXPECT_EQ(s.effects, 0);
  EXPECT_EQ(check_invariants(c, s), std::nullopt);
}

TEST(SuccessorsTest, InitialStepsInContractOrder) {
  Config c = Cfg({});  // RF 1; faults: one of each default kind
  std::vector<Step> steps = Steps(c, initial_state(c));
  EXPECT_EQ(Types(steps), (std::vector<EventType>{
                              EventType::kSend,
                              EventType::kConsumerRebalance,
                              EventType::kBrokerCrash,
                              EventType::kBrokerPowerLoss,
                              EventType::kNetworkPartition,
                          }));
  ASSERT_EQ(steps.size(), 5u);
  EXPECT_EQ(steps[0].event.msg, 0);
  EXPECT_EQ(steps[0].event.gen, 0);
  EXPECT_EQ(steps[0].next.producer.queued, 1);
  EXPECT_EQ(steps[0].next.producer.next_msg, 1);
  EXPECT_EQ(steps[3].event.offset, 0);  // the (empty) surviving prefix
}

TEST(SuccessorsTest, NoFaultBudgetNoFaultSteps) {
  Config c = Cfg({"fault.max.total=0"});
  EXPECT_EQ(Types(Steps(c, initial_state(c))), (std::vector<EventType>{EventType::kSend}));
}

TEST(SuccessorsTest, PureAndDeterministic) {
  Config c = Cfg({"replication.factor=2", "model.messages=1"});
  Walk w(c);
  ASSERT_TRUE(w.Take(Is(EventType::kSend)));
  ASSERT_TRUE(w.Take(Is(EventType::kProduceRequest)));
  const State before = w.state;
  std::vector<Step> a = Steps(c, w.state), b = Steps(c, w.state);
  EXPECT_TRUE(w.state == before);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].event, b[i].event);
    EXPECT_TRUE(a[i].next == b[i].next);
  }
}

// While the sync consumer has records to process, only its local steps are offered
// (partial-order reduction, model.cc).
TEST(SuccessorsTest, SyncConsumerWithLocalWorkTakesOnlyLocalSteps) {
  Config c = Cfg({"model.messages=2", "fault.max.total=0"});
  Walk w(c);
  ASSERT_TRUE(w.Take(Is(EventType::kSend)));
  ASSERT_TRUE(w.Take(Is(EventType::kProduceRequest)));
  ASSERT_TRUE(w.Take(Is(EventType::kHandleProduce)));
  ASSERT_TRUE(w.Take(Is(EventType::kPoll)));
  EXPECT_EQ(w.state.consumer.polled, 1);
  EXPECT_EQ(Types(Steps(c, w.state)), (std::vector<EventType>{EventType::kProcess}));
}

// ---- Produce ----

TEST(ProduceTest, AcksAllWaitsInPurgatoryUntilTheHighWatermarkPasses) {
  Config c = Cfg({"replication.factor=2", "model.messages=1", "fault.max.total=0"});
  ASSERT_EQ(c.acks, Acks::kAll);
  Walk w(c);
  ASSERT_TRUE(w.Take(Is(EventType::kSend)));
  ASSERT_TRUE(w.Take(Is(EventType::kProduceRequest, 0)));
  ASSERT_TRUE(w.Take(Is(EventType::kHandleProduce, 0)));
  EXPECT_EQ(w.last.result, Result::kAppended);
  EXPECT_EQ(w.last.offset, 0);
  EXPECT_EQ(w.last.leader_epoch, 1);
  const Batch& req = w.state.producer.flight[0];
  EXPECT_EQ(req.stage, Batch::kInPurgatory);
  EXPECT_EQ(req.offset, 0);
  EXPECT_EQ(w.state.replica[0].log_end_offset, 1);
  EXPECT_EQ(w.state.replica[0].high_watermark, 0);
  EXPECT_FALSE(w.Offers(Is(EventType::kProduceComplete)));

  // The first fetch copies the record; the leader learns of it only with the next one.
  ASSERT_TRUE(w.Take(Is(EventType::kFetch, 1)));
  EXPECT_EQ(w.last.count, 1);
  EXPECT_EQ(w.state.replica[1].log_end_offset, 1);
  EXPECT_EQ(w.state.partition.follower_leo[1], 0);
  EXPECT_EQ(w.state.replica[0].high_watermark, 0);
  EXPECT_FALSE(w.Offers(Is(EventType::kProduceComplete)));

  ASSERT_TRUE(w.Take(Is(EventType::kFetch, 1)));
  EXPECT_EQ(w.last.count, 0);
  EXPECT_EQ(w.state.partition.follower_leo[1], 1);
  EXPECT_EQ(w.state.replica[0].high_watermark, 1);
  // The response carries the HW from before this fetch counted; the follower learns the
  // new HW with the next fetch.
  EXPECT_EQ(w.state.replica[1].high_watermark, 0);
  ASSERT_TRUE(w.Take(Is(EventType::kProduceComplete, 0)));
  EXPECT_EQ(w.last.result, Result::kAppended);
  EXPECT_EQ(w.state.producer.flight[0].stage, Batch::kResponded);
  ASSERT_TRUE(w.Take(Is(EventType::kProduceResponse, 0)));
  EXPECT_EQ(w.last.outcome, Result::kAcked);
  EXPECT_EQ(w.state.producer.acked, 0b1);
  EXPECT_EQ(w.state.producer.in_flight, 0);
  ASSERT_TRUE(w.Take(Is(EventType::kFetch, 1)));
  EXPECT_EQ(w.last.count, 0);
  EXPECT_EQ(w.state.replica[1].high_watermark, 1);
  EXPECT_FALSE(w.Offers(Is(EventType::kFetch, 1)));  // nothing left to learn
}

TEST(ProduceTest, AcksOneAnswersAtOnce) {
  Config c = Cfg({"replication.factor=2", "acks=1", "enable.idempotence=false",
                  "model.messages=1", "fault.max.total=0"});
  Walk w(c);
  ASSERT_TRUE(w.Take(Is(EventType::kSend)));
  ASSERT_TRUE(w.Take(Is(EventType::kProduceRequest)));
  EXPECT_EQ(w.last.seq, -1);  // not idempotent: no sequence number
  ASSERT_TRUE(w.Take(Is(EventType::kHandleProduce)));
  EXPECT_EQ(w.state.producer.flight[0].stage, Batch::kResponded);
  EXPECT_EQ(w.state.producer.flight[0].result, uint8_t(Result::kAppended));
  EXPECT_EQ(w.state.replica[0].high_watermark, 0);
  EXPECT_EQ(w.state.replica[0].log[0], Record::make(0, 0, 1, 0, 0));
  ASSERT_TRUE(w.Take(Is(EventType::kProduceResponse)));
  EXPECT_EQ(w.state.producer.acked, 0b1);
}

TEST(ProduceTest, AcksZeroAcknowledgesWhenTheRequestIsWritten) {
  Config c = Cfg({"acks=0", "enable.idempotence=false", "model.messages=1",
                  "fault.max.total=0"});
  Walk w(c);
  ASSERT_TRUE(w.Take(Is(EventType::kSend)));
  ASSERT_TRUE(w.Take(Is(EventType::kProduceRequest)));
  EXPECT_EQ(w.last.outcome, Result::kAcked);
  EXPECT_EQ(w.state.producer.acked, 0b1);
  EXPECT_EQ(w.state.producer.flight[0].stage, Batch::kOrphan);
  ASSERT_TRUE(w.Take(Is(EventType::kHandleProduce)));
  EXPECT_EQ(w.state.producer.in_flight, 0);  // nobody waits for the response
  EXPECT_EQ(w.state.replica[0].log_end_offset, 1);
}

TEST(ProduceTest, NotEnoughReplicasWhenIsrBelowMinInsyncIsRetried) {
  Config c = Cfg({"replication.factor=2", "min.insync.replicas=2", "model.messages=1",
                  "fault.max.total=0"});
  State s = initial_state(c);
  s.partition.isr = 0b01;  // broker 1 dropped out of the ISR
  Walk w(c, s);
  ASSERT_TRUE(w.Take(Is(EventType::kSend)));
  ASSERT_TRUE(w.Take(Is(EventType::kProduceRequest)));
  ASSERT_TRUE(w.Take(Is(EventType::kHandleProduce)));
  EXPECT_EQ(w.last.result, Result::kNotEnoughReplicas);
  EXPECT_EQ(w.last.offset, -1);
  EXPECT_EQ(w.state.replica[0].log_end_offset, 0);  // checked before the append
  EXPECT_EQ(w.state.producer.flight[0].stage, Batch::kResponded);
  ASSERT_TRUE(w.Take(Is(EventType::kProduceResponse)));
  EXPECT_EQ(w.last.result, Result::kNotEnoughReplicas);
  EXPECT_EQ(w.last.outcome, Result::kRetry);
  ASSERT_EQ(w.state.producer.queued, 1);
  EXPECT_EQ(w.state.producer.queue[0].retries, 1);
  EXPECT_EQ(w.state.producer.queue[0].seq, 0);  // keeps its sequence number
  EXPECT_EQ(w.state.producer.in_flight, 0);
}

TEST(ProduceTest, NotEnoughReplicasWithAcksOneIsNotChecked) {
  Config c = Cfg({"replication.factor=2", "min.insync.replicas=2", "acks=1",
                  "enable.idempotence=false", "model.messages=1", "fault.max.total=0"});
  State s = initial_state(c);
  s.partition.isr = 0b01;
  Walk w(c, s);
  ASSERT_TRUE(w.Take(Is(EventType::kSend)));
  ASSERT_TRUE(w.Take(Is(EventType::kProduceRequest)));
  ASSERT_TRUE(w.Take(Is(EventType::kHandleProduce)));
  EXPECT_EQ(w.last.result, Result::kAppended);
}

// Appended with ISR {0,1}; the ISR then shrinks below min.insync.replicas. Before 3.7 the
// HW still advances and the purgatory answers NOT_ENOUGH_REPLICAS_AFTER_APPEND; from 3.7
// (KAFKA-15583) the HW stops and the request waits.
TEST(ProduceTest, IsrShrinkWhileInPurgatoryDependsOnVersion) {
  for (const char* version : {"2.8", "3.7"}) {
    SCOPED_TRACE(version);
    Config c = Cfg({std::string("kafka.version=") + version, "replication.factor=2",
                    "min.insync.replicas=2", "acks=all", "enable.idempotence=true",
                    "model.messages=1", "fault.max.total=0"});
    Walk w(c);
    ASSERT_TRUE(w.Take(Is(EventType::kSend)));
    ASSERT_TRUE(w.Take(Is(EventType::kProduceRequest)));
    ASSERT_TRUE(w.Take(Is(EventType::kHandleProduce)));
    ASSERT_EQ(w.state.producer.flight[0].stage, Batch::kInPurgatory);
    ASSERT_TRUE(w.Take(Is(EventType::kIsrShrink, 0)));
    EXPECT_EQ(w.last.peer, 1);
    EXPECT_EQ(w.state.partition.isr, 0b01);
    if (std::string(version) == "2.8") {
      EXPECT_EQ(w.state.replica[0].high_watermark, 1);
      ASSERT_TRUE(w.Take(Is(EventType::kProduceComplete)));
      EXPECT_EQ(w.last.result, Result::kNotEnoughReplicasAfterAppend);
      ASSERT_TRUE(w.Take(Is(EventType::kProduceResponse)));
      EXPECT_EQ(w.last.outcome, Result::kRetry);
    } else {
      EXPECT_EQ(w.state.replica[0].high_watermark, 0);
      EXPECT_FALSE(w.Offers(Is(EventType::kProduceComplete)));
    }
  }
}

TEST(ProduceTest, RequestTimeoutOrphansTheRequestAndRetries) {
  Config c = Cfg({"acks=1", "enable.idempotence=false", "retries=3", "model.messages=1",
                  "fault.request.timeout=1"});
  Walk w(c);
  ASSERT_TRUE(w.Take(Is(EventType::kSend)));
  ASSERT_TRUE(w.Take(Is(EventType::kProduceRequest)));
  // The variant in which the broker had already read the request (count 1): it becomes an
  // orphan that may still be appended. (count 0: it died with the connection.)
  ASSERT_TRUE(w.Take([](const Event& e) {
    return e.type == EventType::kRequestTimeout && e.broker == 0 && e.count == 1;
  }));
  EXPECT_EQ(w.last.result, Result::kRequestTimedOut);
  EXPECT_EQ(w.last.outcome, Result::kRetry);
  EXPECT_EQ(w.last.count, 1);
  EXPECT_EQ(w.state.faults_total, 1);
  EXPECT_EQ(w.state.faults_used[int(FaultKind::kRequestTimeout)], 1);
  ASSERT_EQ(w.state.producer.in_flight, 1);
  EXPECT_EQ(w.state.producer.flight[0].stage, Batch::kOrphan);
  ASSERT_EQ(w.state.producer.queued, 1);
  EXPECT_EQ(w.state.producer.queue[0].retries, 1);
  // Both copies reach the log: a duplicate the client made (D_int once consumed).
  ASSERT_TRUE(w.Take(Is(EventType::kHandleProduce)));
  ASSERT_TRUE(w.Take(Is(EventType::kProduceRequest)));
  ASSERT_TRUE(w.Take(Is(EventType::kHandleProduce)));
  EXPECT_EQ(w.last.result, Result::kAppended);
  EXPECT_EQ(w.state.replica[0].log_end_offset, 2);
}

TEST(ProduceTest, IdempotentRetryOfAnAppendedBatchIsADuplicate) {
  Config c = Cfg({"model.messages=1", "fault.request.timeout=1"});
  ASSERT_TRUE(c.idempotence);
  Walk w(c);
  ASSERT_TRUE(w.Take(Is(EventType::kSend)));
  ASSERT_TRUE(w.Take(Is(EventType::kProduceRequest)));
  EXPECT_EQ(w.last.seq, 0);
  EXPECT_EQ(w.last.producer_id, 1);
  ASSERT_TRUE(w.Take([](const Event& e) {
    return e.type == EventType::kRequestTimeout && e.count == 1;  // the broker had read it
  }));
  ASSERT_TRUE(w.Take(Is(EventType::kHandleProduce)));  // the orphan lands at offset 0
  ASSERT_TRUE(w.Take(Is(EventType::kProduceRequest)));
  EXPECT_EQ(w.last.seq, 0);  // the retry keeps its sequence number
  ASSERT_TRUE(w.Take(Is(EventType::kHandleProduce)));
  EXPECT_EQ(w.last.result, Result::kDuplicate);
  EXPECT_EQ(w.last.offset, 0);
  EXPECT_EQ(w.state.replica[0].log_end_offset, 1);
}

// ---- Broker faults ----

TEST(BrokerFaultTest, PowerLossOffersOneSuccessorPerSurvivingPrefix) {
  Config c = Cfg({"kafka.version=3.7", "replication.factor=1", "model.messages=3"});
  State s = initial_state(c);
  Replica& r = s.replica[0];
  for (int i = 0; i < 3; ++i) r.log[i] = Record::make(i, 0, 1, 1, i);
  r.log_end_offset = 3;
  r.high_watermark = 3;
  r.flushed = 1;
  std::vector<Step> losses = Matching(c, s, Is(EventType::kBrokerPowerLoss, 0));
  ASSERT_EQ(losses.size(), 3u);
  for (int k = 0; k < 3; ++k) {
    const int survivor = 1 + k;
    const Step& step = losses[k];
    EXPECT_EQ(step.event.offset, survivor);
    const Replica& n = step.next.replica[0];
    EXPECT_EQ(n.log_end_offset, survivor);
    EXPECT_EQ(n.flushed, survivor);
    EXPECT_EQ(n.high_watermark, survivor);
    EXPECT_EQ(n.flags, Replica::kFenced | Replica::kUncleanShutdown);
    EXPECT_EQ(step.next.partition.leader, kNoBroker);
    EXPECT_EQ(step.next.partition.isr, 0b1);  // the last replica standing stays in the ISR
    EXPECT_EQ(step.next.faults_used[int(FaultKind::kBrokerPowerLoss)], 1);
    for (int o = survivor; o < kMaxLog; ++o) EXPECT_EQ(n.log[o], Record{});
  }
  // A stopped broker whose log is all on disk has nothing left to lose.
  State down = losses[2].next;
  Config more = Cfg({"kafka.version=3.7", "replication.factor=1", "model.messages=3",
                     "fault.broker.power.loss=2", "fault.max.total=2"});
  EXPECT_TRUE(Matching(more, down, Is(EventType::kBrokerPowerLoss)).empty());
}

// F10 (docs/conformance.md): a response the leader produced may still die with the
// connection when its process stops: the client then fails the appended request as
// disconnected. One crash step keeps the response, one loses it; both with the same event.
TEST(BrokerFaultTest, CrashMayLoseAResponseTheLeaderHadProduced) {
  Config c = Cfg({"replication.factor=2", "model.messages=1", "acks=1", "enable.idempotence=false"});
  Walk w(c);
  ASSERT_TRUE(w.Take(Is(EventType::kSend)));
  ASSERT_TRUE(w.Take(Is(EventType::kProduceRequest)));
  ASSERT_TRUE(w.Take(Is(EventType::kHandleProduce)));
  ASSERT_EQ(w.state.producer.flight[0].stage, Batch::kResponded);
  std::vector<Step> crashes = Matching(c, w.state, Is(EventType::kBrokerCrash, 0));
  ASSERT_EQ(crashes.size(), 2u);
  EXPECT_EQ(crashes[0].event, crashes[1].event);
  EXPECT_EQ(crashes[0].next.producer.flight[0].result, uint8_t(Result::kAppended));
  EXPECT_EQ(crashes[1].next.producer.flight[0].result, uint8_t(Result::kNetworkException));
  EXPECT_EQ(crashes[1].next.replica[0].log_end_offset, 1);  // appended all the same
  // Without a response produced there is only one crash.
  Walk before(c);
  ASSERT_TRUE(before.Take(Is(EventType::kSend)));
  ASSERT_TRUE(before.Take(Is(EventType::kProduceRequest)));
  EXPECT_EQ(Matching(c, before.state, Is(EventType::kBrokerCrash, 0)).size(), 1u);
}

TEST(BrokerFaultTest, CrashKeepsThePageCacheAndFencesTheLeader) {
  Config c = Cfg({"replication.factor=2", "model.messages=1"});
  Walk w(c);
  ASSERT_TRUE(w.Take(Is(EventType::kSend)));
  ASSERT_TRUE(w.Take(Is(EventType::kProduceRequest)));
  ASSERT_TRUE(w.Take(Is(EventType::kHandleProduce)));
  ASSERT_TRUE(w.Take(Is(EventType::kBrokerCrash, 0)));
  EXPECT_EQ(w.state.replica[0].log_end_offset, 1);
  // Kafka counts a restart without a clean-shutdown marker as unclean (KIP-966).
  EXPECT_EQ(w.state.replica[0].flags, Replica::kFenced | Replica::kUncleanShutdown);
  EXPECT_EQ(w.state.partition.leader, kNoBroker);
  EXPECT_EQ(w.state.partition.isr, 0b10);
  // The request in purgatory fails with a network error.
  EXPECT_EQ(w.state.producer.flight[0].stage, Batch::kResponded);
  EXPECT_EQ(w.state.producer.flight[0].result, uint8_t(Result::kNetworkException));
  ASSERT_TRUE(w.Take(Is(EventType::kElectLeader, 1)));
  EXPECT_EQ(w.last.result, Result::kClean);
  EXPECT_EQ(w.last.leader_epoch, 2);
}

// ---- Leader election ----

// Broker 1 left the ISR, then broker 0 (the last ISR member) crashed: only an unclean
// election can give the partition a leader, and only if it is enabled.
State LeaderlessWithOnlyAnOutOfSyncReplica(const Config& c) {
  Walk w(c);
  EXPECT_TRUE(w.Take(Is(EventType::kBrokerCrash, 1)));
  EXPECT_TRUE(w.Take(Is(EventType::kBrokerRestart, 1)));
  EXPECT_TRUE(w.Take(Is(EventType::kBrokerCrash, 0)));
  EXPECT_EQ(w.state.partition.leader, kNoBroker);
  EXPECT_EQ(w.state.partition.isr, 0b01);
  return w.state;
}

TEST(ElectionTest, UncleanOnlyWhenEnabledAndNoIsrMemberIsEligible) {
  const std::vector<std::string> base = {"kafka.version=3.7", "replication.factor=2",
                                         "fault.broker.crash=2", "fault.max.total=2"};
  {
    Config c = Cfg(base);
    ASSERT_FALSE(c.unclean_leader_election);
    State s = LeaderlessWithOnlyAnOutOfSyncReplica(c);
    EXPECT_FALSE(Walk(c, s).Offers(Is(EventType::kElectLeader)));
  }
  std::vector<std::string> unclean = base;
  unclean.push_back("unclean.leader.election.enable=true");
  Config c = Cfg(unclean);
  State s = LeaderlessWithOnlyAnOutOfSyncReplica(c);
  std::vector<Step> elections = Matching(c, s, Is(EventType::kElectLeader));
  ASSERT_EQ(elections.size(), 1u);
  EXPECT_EQ(elections[0].event.broker, 1);
  EXPECT_EQ(elections[0].event.result, Result::kUnclean);
  EXPECT_EQ(elections[0].event.leader_epoch, 2);
  EXPECT_EQ(elections[0].next.partition.isr, 0b10);
  EXPECT_EQ(elections[0].next.partition.leader, 1);

  // Once the ISR member is back, the election is clean and only it may win.
  Walk w(c, s);
  ASSERT_TRUE(w.Take(Is(EventType::kBrokerRestart, 0)));
  elections = Matching(c, w.state, Is(EventType::kElectLeader));
  ASSERT_EQ(elections.size(), 1u);
  EXPECT_EQ(elections[0].event.broker, 0);
  EXPECT_EQ(elections[0].event.result, Result::kClean);
}

// KIP-966: broker 1 lags and leaves the ISR while it is below min.insync.replicas, so it
// joins the ELR; then the leader crashes. Broker 1 (which never shut down uncleanly) is
// an eligible leader replica and may lead.
TEST(ElectionTest, EligibleLeaderReplicaElection) {
  for (const char* elr : {"1", "0"}) {
    SCOPED_TRACE(std::string("eligible.leader.replicas.version=") + elr);
    Config c = Cfg({"kafka.version=4.1", std::string("eligible.leader.replicas.version=") + elr,
                    "replication.factor=2", "min.insync.replicas=2", "model.messages=1"});
    ASSERT_EQ(c.eligible_leader_replicas, std::string(elr) == "1");
    Walk w(c);
    ASSERT_TRUE(w.Take(Is(EventType::kSend)));
    ASSERT_TRUE(w.Take(Is(EventType::kProduceRequest)));
    ASSERT_TRUE(w.Take(Is(EventType::kHandleProduce)));
    ASSERT_TRUE(w.Take(Is(EventType::kIsrShrink, 0)));
    EXPECT_EQ(w.state.partition.isr, 0b01);
    ASSERT_TRUE(w.Take(Is(EventType::kBrokerCrash, 0)));
    EXPECT_EQ(w.state.partition.leader, kNoBroker);
    if (c.eligible_leader_replicas) {
      EXPECT_EQ(w.state.partition.isr, 0);  // with ELR the ISR may empty
      EXPECT_EQ(w.state.partition.elr, 0b11);
      std::vector<Step> elections = Matching(c, w.state, Is(EventType::kElectLeader));
      ASSERT_EQ(elections.size(), 1u);
      EXPECT_EQ(elections[0].event.broker, 1);
      EXPECT_EQ(elections[0].event.result, Result::kEligibleLeaderReplica);
      EXPECT_EQ(elections[0].event.leader_epoch, 2);
      EXPECT_EQ(elections[0].next.partition.isr, 0b10);
      EXPECT_EQ(elections[0].next.partition.elr, 0b01);
      // Back from its crash (an unclean shutdown), broker 0 leaves the ELR.
      Walk after(c, elections[0].next);
      ASSERT_TRUE(after.Take(Is(EventType::kBrokerRestart, 0)));
      EXPECT_EQ(after.state.partition.elr, 0);
      EXPECT_EQ(after.state.partition.isr, 0b10);
    } else {
      // Broker 0 stays the last ISR member and broker 1 cannot lead.
      EXPECT_EQ(w.state.partition.isr, 0b01);
      EXPECT_EQ(w.state.partition.elr, 0);
      EXPECT_FALSE(w.Offers(Is(EventType::kElectLeader)));
    }
  }
}

// ---- Follower truncation ----

// m0 reached both followers but not the HW; the leader crashes and broker 1 takes over.
// Before 0.11 broker 2 truncates to its own HW at once (dropping m0); from 0.11 it asks
// the leader (Truncate step) and keeps m0, which the new leader has.
TEST(TruncationTest, ToHighWatermarkBefore011ByLeaderEpochAfter) {
  for (const char* version : {"0.10.2", "2.8"}) {
    SCOPED_TRACE(version);
    Config c = Cfg({std::string("kafka.version=") + version, "replication.factor=3",
                    "acks=1", "model.messages=1"});
    Walk w(c);
    ASSERT_TRUE(w.Take(Is(EventType::kSend)));
    ASSERT_TRUE(w.Take(Is(EventType::kProduceRequest)));
    ASSERT_TRUE(w.Take(Is(EventType::kHandleProduce)));
    ASSERT_TRUE(w.Take(Is(EventType::kFetch, 1)));
    ASSERT_TRUE(w.Take(Is(EventType::kFetch, 2)));
    ASSERT_EQ(w.state.replica[2].log_end_offset, 1);
    ASSERT_EQ(w.state.replica[2].high_watermark, 0);
    ASSERT_TRUE(w.Take(Is(EventType::kBrokerCrash, 0)));
    ASSERT_TRUE(w.Take(Is(EventType::kElectLeader, 1)));
    const Replica& f = w.state.replica[2];
    EXPECT_EQ(f.known_epoch, 2);
    if (std::string(version) == "0.10.2") {
      EXPECT_EQ(f.log_end_offset, 0);
      EXPECT_FALSE(f.has(Replica::kNeedsTruncation));
      EXPECT_FALSE(w.Offers(Is(EventType::kTruncate)));
      EXPECT_TRUE(w.Offers(Is(EventType::kFetch, 2)));
    } else {
      EXPECT_EQ(f.log_end_offset, 1);
      EXPECT_TRUE(f.has(Replica::kNeedsTruncation));
      EXPECT_FALSE(w.Offers(Is(EventType::kFetch, 2)));
      ASSERT_TRUE(w.Take(Is(EventType::kTruncate, 2)));
      EXPECT_EQ(w.last.offset, 1);
      EXPECT_EQ(w.last.peer, 1);
      EXPECT_EQ(w.state.replica[2].log_end_offset, 1);
      EXPECT_FALSE(w.state.replica[2].has(Replica::kNeedsTruncation));
    }
  }
}

// ---- Consumer ----

// RF 1: the consumer read m0 and m1 (position 2, epoch 1); a power loss keeps only m0;
// the broker leads again in epoch 2 and appends m2 at offset 1. From 2.1 (KIP-320) the
// consumer validates its position and rewinds to 1, reading m2; before, position 2 is
// within the log, so it waits there and m2 is skipped.
State AfterTruncationBelowThePosition(const Config& c) {
  Walk w(c);
  EXPECT_TRUE(w.Take(Is(EventType::kSend, -1, 0)));
  EXPECT_TRUE(w.Take(Is(EventType::kSend, -1, 1)));
  for (int m = 0; m < 2; ++m) {
    EXPECT_TRUE(w.Take(Is(EventType::kProduceRequest, 0, m)));
    EXPECT_TRUE(w.Take(Is(EventType::kHandleProduce, 0, m)));
    EXPECT_TRUE(w.Take(Is(EventType::kProduceResponse, 0, m)));
  }
  EXPECT_TRUE(w.Take(Is(EventType::kPoll, 0)));
  EXPECT_EQ(w.last.count, 2);
  EXPECT_TRUE(w.Take(Is(EventType::kProcess)));
  EXPECT_TRUE(w.Take(Is(EventType::kProcess)));
  EXPECT_TRUE(w.Take([](const Event& e) {
    return e.type == EventType::kBrokerPowerLoss && e.offset == 1;
  }));
  EXPECT_TRUE(w.Take(Is(EventType::kBrokerRestart, 0)));
  EXPECT_TRUE(w.Take(Is(EventType::kElectLeader, 0)));
  EXPECT_TRUE(w.Take(Is(EventType::kSend, -1, 2)));
  EXPECT_TRUE(w.Take(Is(EventType::kProduceRequest, 0, 2)));
  EXPECT_TRUE(w.Take(Is(EventType::kHandleProduce, 0, 2)));
  EXPECT_EQ(w.last.offset, 1);
  EXPECT_EQ(w.state.replica[0].high_watermark, 2);
  EXPECT_EQ(w.state.consumer.position, 2);
  return w.state;
}

TEST(ConsumerTest, Kip320ValidationRewindsAfterTruncation) {
  Config c = Cfg({"kafka.version=2.8", "acks=1", "enable.idempotence=false",
                  "model.messages=3", "fault.max.total=1"});
  State s = AfterTruncationBelowThePosition(c);
  EXPECT_EQ(s.consumer.leader_epoch, 1);
  EXPECT_EQ(s.consumer.position_epoch, 1);
  EXPECT_FALSE(Walk(c, s).Offers(Is(EventType::kPoll)));  // broker 0 is in a newer epoch
  Walk w(c, s);
  ASSERT_TRUE(w.Take(Is(EventType::kValidatePosition, 0)));
  EXPECT_EQ(w.last.offset, 1);
  EXPECT_EQ(w.last.leader_epoch, 2);
  EXPECT_EQ(w.state.consumer.position, 1);
  EXPECT_EQ(w.state.consumer.position_epoch, 1);
  EXPECT_EQ(w.state.consumer.leader_epoch, 2);
  ASSERT_TRUE(w.Take(Is(EventType::kPoll, 0)));
  EXPECT_EQ(w.last.offset, 1);
  EXPECT_EQ(w.last.count, 1);
  ASSERT_TRUE(w.Take(Is(EventType::kProcess)));
  EXPECT_EQ(w.last.msg, 2);
  EXPECT_EQ(w.state.sink.count[2], 1);
}

TEST(ConsumerTest, WithoutKip320ThePositionPastTheTruncationSkipsRecords) {
  Config c = Cfg({"kafka.version=2.0", "acks=1", "enable.idempotence=false",
                  "model.messages=3", "fault.max.total=1"});
  State s = AfterTruncationBelowThePosition(c);
  Walk w(c, s);
  EXPECT_FALSE(w.Offers(Is(EventType::kValidatePosition)));
  EXPECT_FALSE(w.Offers(Is(EventType::kPoll)));         // position 2 = HW 2
  EXPECT_FALSE(w.Offers(Is(EventType::kOffsetReset)));  // position 2 <= LEO 2
  // Let everything else settle: m2 stays unprocessed, a skip.
  while (w.Offers([](const Event&) { return true; })) ASSERT_TRUE(w.Take([](const Event&) { return true; }));
  LossReport losses = losses_at_quiescence(c, w.state);
  EXPECT_TRUE(losses.lost[2]);
  EXPECT_EQ(losses.per_message[2], Effect::kLostSkipped);
  EXPECT_EQ(w.state.sink.count[2], 0);
}

TEST(ConsumerTest, AutoCommitWithAsyncProcessingCommitsUnprocessedRecords) {
  Config c = Cfg({"app.processing=async", "model.messages=1", "fault.max.total=0"});
  ASSERT_TRUE(c.enable_auto_commit);
  Walk w(c);
  ASSERT_TRUE(w.Take(Is(EventType::kSend)));
  ASSERT_TRUE(w.Take(Is(EventType::kProduceRequest)));
  ASSERT_TRUE(w.Take(Is(EventType::kHandleProduce)));
  ASSERT_TRUE(w.Take(Is(EventType::kPoll)));
  ASSERT_EQ(w.state.consumer.polled, 1);
  ASSERT_TRUE(w.Take([](const Event& e) {
    return e.type == EventType::kCommit && e.result == Result::kAutoCommit;
  }));
  EXPECT_EQ(w.last.offset, 1);
  EXPECT_EQ(w.state.consumer.committed, 1);
  EXPECT_EQ(w.state.consumer.polled, 1);  // still unprocessed
  EXPECT_EQ(w.state.sink.count[0], 0);
}

TEST(ConsumerTest, AutoCommitInTheSyncLoopWaitsForProcessing) {
  Config c = Cfg({"model.messages=1", "fault.max.total=0"});
  Walk w(c);
  ASSERT_TRUE(w.Take(Is(EventType::kSend)));
  ASSERT_TRUE(w.Take(Is(EventType::kProduceRequest)));
  ASSERT_TRUE(w.Take(Is(EventType::kHandleProduce)));
  ASSERT_TRUE(w.Take(Is(EventType::kPoll)));
  EXPECT_FALSE(w.Offers(Is(EventType::kCommit)));
  ASSERT_TRUE(w.Take(Is(EventType::kProcess)));
  ASSERT_TRUE(w.Take(Is(EventType::kCommit)));
  EXPECT_EQ(w.last.result, Result::kAutoCommit);
  EXPECT_EQ(w.state.consumer.committed, 1);
}

TEST(ConsumerTest, CommitThenProcessCommitsBeforeProcessing) {
  Config c = Cfg({"app.commit=commit-then-process", "enable.auto.commit=false",
                  "model.messages=1", "fault.max.total=0"});
  Walk w(c);
  ASSERT_TRUE(w.Take(Is(EventType::kSend)));
  ASSERT_TRUE(w.Take(Is(EventType::kProduceRequest)));
  ASSERT_TRUE(w.Take(Is(EventType::kHandleProduce)));
  ASSERT_TRUE(w.Take(Is(EventType::kPoll)));
  EXPECT_EQ(Types(Steps(c, w.state)), (std::vector<EventType>{EventType::kCommit}));
  ASSERT_TRUE(w.Take(Is(EventType::kCommit)));
  EXPECT_EQ(w.last.result, Result::kCommitSync);
  EXPECT_EQ(w.state.consumer.committed, 1);
  EXPECT_EQ(Types(Steps(c, w.state)), (std::vector<EventType>{EventType::kProcess}));
}

TEST(ConsumerTest, CrashRestartsFromTheCommittedOffset) {
  Config c = Cfg({"app.commit=process-then-commit-sync", "enable.auto.commit=false",
                  "model.messages=1", "fault.consumer.crash=1"});
  Walk w(c);
  ASSERT_TRUE(w.Take(Is(EventType::kSend)));
  ASSERT_TRUE(w.Take(Is(EventType::kProduceRequest)));
  ASSERT_TRUE(w.Take(Is(EventType::kHandleProduce)));
  ASSERT_TRUE(w.Take(Is(EventType::kPoll)));
  ASSERT_TRUE(w.Take(Is(EventType::kProcess)));
  ASSERT_TRUE(w.Take(Is(EventType::kConsumerCrash)));
  EXPECT_EQ(w.last.offset, 0);
  EXPECT_EQ(w.state.consumer.position, 0);
  EXPECT_EQ(w.state.consumer.flags, 0);
  EXPECT_EQ(w.state.consumer.leader_epoch, 0);  // 4.3: validates before fetching again
  ASSERT_TRUE(w.Take(Is(EventType::kValidatePosition)));
  ASSERT_TRUE(w.Take(Is(EventType::kPoll)));
  ASSERT_TRUE(w.Take(Is(EventType::kProcess)));
  EXPECT_EQ(w.state.sink.count[0], 2);
  EXPECT_EQ(w.state.effects, bit(Effect::kDupProcessed));
}

// ---- Sink and loss ledger ----

TEST(SinkTest, NamesEachKindOfSecondApplication) {
  State s;
  PolledRecord m1 = polled_record(Record::make(1, 0, 1, 0, 0), 0);
  apply_to_sink(&s, m1);
  EXPECT_EQ(s.effects, 0);
  EXPECT_EQ(s.sink.highest_first, 1);
  PolledRecord m0 = polled_record(Record::make(0, 0, 1, 0, 0), 1);
  apply_to_sink(&s, m0);
  EXPECT_EQ(s.effects, bit(Effect::kReordered));
  apply_to_sink(&s, m1);  // the same record again
  EXPECT_EQ(s.effects, bit(Effect::kReordered) | bit(Effect::kDupProcessed));
  apply_to_sink(&s, polled_record(Record::make(1, 0, 1, 0, 0), 2));  // another copy
  EXPECT_TRUE(s.effects & bit(Effect::kDupInternal));
  apply_to_sink(&s, polled_record(Record::make(0, 1, 1, 0, 0), 3));  // a re-send
  EXPECT_TRUE(s.effects & bit(Effect::kDupApp));
  EXPECT_EQ(s.sink.count[1], 3);
  apply_to_sink(&s, m1);
  EXPECT_EQ(s.sink.count[1], 3);  // saturates
  EXPECT_EQ(s.sink.first[1], m1);
  // The same offset rewritten in another epoch is another copy, not the same record.
  State t;
  apply_to_sink(&t, polled_record(Record::make(0, 0, 1, 0, 0), 0));
  apply_to_sink(&t, polled_record(Record::make(0, 0, 2, 0, 0), 0));
  EXPECT_EQ(t.effects, bit(Effect::kDupInternal));
}

TEST(LossLedgerTest, ClassifiesEveryUnprocessedMessage) {
  Config c = Cfg({"model.messages=4"});
  State s = initial_state(c);
  s.producer.next_msg = 4;
  s.replica[0].log[0] = Record::make(3, 0, 1, 0, 0);  // m3 in the log, never processed
  s.replica[0].log_end_offset = 1;
  s.producer.acked = 0b1001;  // m0 acknowledged, not in the log
  s.producer.dropped = 0b0010;
  s.producer.abandoned = 0b0100;
  LossReport r = losses_at_quiescence(c, s);
  EXPECT_EQ(r.effects, kLossEffects);
  EXPECT_EQ(r.per_message[0], Effect::kLostAcked);
  EXPECT_EQ(r.per_message[1], Effect::kLostFailed);
  EXPECT_EQ(r.per_message[2], Effect::kLostUnsent);
  EXPECT_EQ(r.per_message[3], Effect::kLostSkipped);
  EXPECT_TRUE(r.unexplained.empty());

  s.sink.count[0] = 1;  // processed: not lost, whatever the ledger says
  s.sink.applied_gens[0] = 1;
  s.producer.acked = 0b1000;
  s.producer.dropped = s.producer.abandoned = 0;
  r = losses_at_quiescence(c, s);
  EXPECT_FALSE(r.lost[0]);
  EXPECT_EQ(r.unexplained, (std::vector<int>{1, 2}));
  EXPECT_EQ(r.effects, bit(Effect::kLostSkipped));
}

// ---- Invariants ----

TEST(InvariantsTest, DetectHandBuiltViolations) {
  Config c = Cfg({"replication.factor=2", "model.messages=2"});
  const State good = initial_state(c);
  ASSERT_EQ(check_invariants(c, good), std::nullopt);
  struct Case {
    const char* what;
    std::function<void(State*)> breakit;
  } cases[] = {
      {"HW > LEO", [](State* s) { s->replica[1].high_watermark = 1; }},
      {"flushed > LEO", [](State* s) { s->replica[0].flushed = 1; }},
      {"leader outside ISR", [](State* s) { s->partition.isr = 0b10; }},
      {"ISR beyond RF", [](State* s) { s->partition.isr = 0b111; }},
      {"ELR without ELR", [](State* s) { s->partition.elr = 0b10; }},
      {"fenced leader", [](State* s) { s->replica[0].set(Replica::kFenced, true); }},
      {"two leaders", [](State* s) { s->replica[1].set(Replica::kLeader, true); }},
      {"queue count", [](State* s) { s->producer.queued = 1; s->producer.next_msg = 0; }},
      {"stale queue slot", [](State* s) { s->producer.queue[2].msg = 1; }},
      {"flight without broker", [](State* s) { s->producer.next_msg = 1; s->producer.in_flight = 1; }},
      {"sink count", [](State* s) { s->sink.count[0] = 4; }},
      {"sink beyond messages", [](State* s) { s->sink.count[3] = 1; }},
      {"position", [](State* s) { s->consumer.position = kMaxLog + 1; }},
      {"buffer slot", [](State* s) { s->consumer.buffer[0].offset = 1; }},
      {"fault total", [](State* s) { s->faults_total = 1; }},
      {"loss effect", [](State* s) { s->effects = bit(Effect::kLostAcked); }},
      {"record past LEO", [](State* s) { s->replica[0].log[3] = Record::make(1, 0, 1, 0, 0); }},
      {"epoch order", [](State* s) {
         for (Replica* r : {&s->replica[0], &s->replica[1]}) {
           r->log[0] = Record::make(0, 0, 1, 1, 0);
           r->log[1] = Record::make(1, 0, 1, 1, 1);
           r->log_end_offset = 2;
         }
         s->replica[0].log[0] = Record::make(0, 0, 2, 1, 0);
         s->partition.leader_epoch = 2;
         s->replica[0].known_epoch = s->replica[1].known_epoch = 2;
       }},
      {"log matching", [](State* s) {
         s->replica[0].log[0] = Record::make(0, 0, 1, 1, 0);
         s->replica[1].log[0] = Record::make(1, 0, 1, 1, 0);
         s->replica[0].log_end_offset = s->replica[1].log_end_offset = 1;
         s->replica[0].high_watermark = s->replica[1].high_watermark = 1;
         s->partition.follower_leo[1] = 1;
       }},
  };
  for (const Case& k : cases) {
    State bad = good;
    k.breakit(&bad);
    EXPECT_NE(check_invariants(c, bad), std::nullopt) << k.what;
  }
}

struct SweepCase {
  std::vector<std::string> config;
  uint64_t min_states;  // a floor, so that a silently shrunken state space is noticed
};

// Every reachable state of small configurations satisfies the invariants, and the
// exhaustive checker explores exactly the same states.
TEST(InvariantsTest, HoldInEveryReachableStateOfSmallConfigurations) {
  const SweepCase cases[] = {
      {{"replication.factor=1", "model.messages=2"}, 10'000},
      {{"replication.factor=2", "model.messages=1"}, 10'000},
      {{"replication.factor=3", "model.messages=1", "kafka.version=2.8", "acks=1",
        "enable.idempotence=false", "unclean.leader.election.enable=true"},
       50'000},
      {{"replication.factor=2", "model.messages=1", "kafka.version=0.10.2",
        "fault.max.total=2"},
       20'000},
      {{"replication.factor=2", "model.messages=1", "kafka.version=4.1",
        "min.insync.replicas=2", "flush.messages=1", "fault.cluster.power.loss=1",
        "fault.offset.loss=1"},
       5'000},
      {{"replication.factor=1", "model.messages=2", "acks=0", "enable.idempotence=false",
        "app.processing=async", "app.commit=process-then-commit-async",
        "enable.auto.commit=false", "fault.max.total=2"},
       5'000},
      {{"replication.factor=1", "model.messages=2", "acks=1", "enable.idempotence=false",
        "retries=3", "app.on.send.error=resend", "app.on.producer.restart=replay-unacked",
        "auto.offset.reset=earliest", "app.commit=commit-then-process",
        "enable.auto.commit=false", "fault.max.total=1"},
       5'000},
  };
  for (const SweepCase& k : cases) {
    std::string name;
    for (const std::string& o : k.config) name += o + " ";
    SCOPED_TRACE(name);
    Config c = Cfg(k.config);
    InvariantSweep sweep = sweep_invariants(c, 2'000'000);
    ASSERT_TRUE(sweep.complete);
    std::string trace;
    for (const Event& e : sweep.trace) trace += "\n  " + describe(e);
    ASSERT_EQ(sweep.violation, std::nullopt) << trace << "\n" << describe_state(c, sweep.state);
    EXPECT_GE(sweep.states, k.min_states);
    CheckResult check_result = check(c);
    EXPECT_TRUE(check_result.complete);
    EXPECT_EQ(check_result.states, sweep.states);
    EXPECT_EQ(check_result.transitions, sweep.transitions);
    EXPECT_EQ(check_result.unexplained, 0u);
    ExpectCounterexamplesReplay(c, check_result);
  }
}

// A random walk (fixed seed) through a larger configuration than the sweeps cover.
TEST(InvariantsTest, HoldAlongLongWalks) {
  Config c = Cfg({"replication.factor=3", "model.messages=3", "fault.max.total=3",
                  "kafka.version=3.7", "flush.messages=2", "fault.cluster.power.loss=1",
                  "unclean.leader.election.enable=true"});
  uint64_t seed = 12345;
  auto next = [&] { return seed = seed * 6364136223846793005ull + 1442695040888963407ull; };
  int states = 0;
  for (int run = 0; run < 300; ++run) {
    State s = initial_state(c);
    std::vector<Step> steps;
    for (int depth = 0; depth < 80; ++depth) {
      successors(c, s, &steps);
      if (steps.empty()) break;
      s = steps[(next() >> 33) % steps.size()].next;
      ++states;
      auto why = check_invariants(c, s);
      ASSERT_EQ(why, std::nullopt) << describe_state(c, s);
    }
  }
  EXPECT_GT(states, 10'000);
}

// Log matching below the HW is no invariant before 2.0: a reachable state breaks it.
TEST(InvariantsTest, LogMatchingFailsBefore20) {
  struct Case {
    std::vector<std::string> config;
    bool diverges;
  } cases[] = {
      // Truncation to the HW (KIP-101's motivating bug).
      {{"kafka.version=0.10.2", "replication.factor=2", "model.messages=2"}, true},
      // One OffsetsForLeaderEpoch round (KIP-279's motivating bug) needs two faults.
      {{"kafka.version=0.11", "replication.factor=2", "model.messages=2",
        "unclean.leader.election.enable=true"}, false},
      {{"kafka.version=1.1", "replication.factor=2", "model.messages=2",
        "unclean.leader.election.enable=true", "fault.max.total=2"}, true},
      {{"kafka.version=2.0", "replication.factor=2", "model.messages=2",
        "unclean.leader.election.enable=true", "fault.max.total=2"}, false},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.config[0]);
    Config c = Cfg(k.config);
    InvariantSweep sweep = sweep_invariants(c, 3'000'000, check_log_matching);
    ASSERT_TRUE(sweep.complete);
    EXPECT_EQ(sweep.violation.has_value(), k.diverges) << sweep.violation.value_or("");
    if (sweep.violation) {
      // The shortest divergence ends in a state every other invariant accepts.
      EXPECT_EQ(check_invariants(c, sweep.state), std::nullopt);
    }
  }
}

TEST(InvariantsTest, Kip101DivergenceExample) {
  // The shortest 0.11-1.1 divergence: broker 1 keeps m1@e2 at offset 0 where the new
  // leader 0 has m0@e1, both below HW 1.
  Config c = Cfg({"kafka.version=1.1", "replication.factor=2", "model.messages=2",
                  "unclean.leader.election.enable=true", "fault.max.total=2"});
  InvariantSweep sweep = sweep_invariants(c, 3'000'000, check_log_matching);
  ASSERT_TRUE(sweep.violation.has_value());
  const State& s = sweep.state;
  EXPECT_EQ(s.partition.leader, 0);
  EXPECT_EQ(s.replica[0].log[0].msg(), 0);
  EXPECT_EQ(s.replica[0].log[0].epoch(), 1);
  EXPECT_EQ(s.replica[1].log[0].msg(), 1);
  EXPECT_EQ(s.replica[1].log[0].epoch(), 2);
  ASSERT_FALSE(sweep.trace.empty());
  EXPECT_EQ(sweep.trace.back().type, EventType::kTruncate);
  EXPECT_EQ(sweep.trace.back().offset, 1);  // KIP-279 would truncate to 0
}

// ---- Regressions: model bugs found by these tests, fixed, and pinned ----

// Was: PartitionState::follower_leo was not forgotten when a follower loses records (power
// loss, or truncation to the HW before 0.11), and IsrExpand reads it as if the follower
// had just fetched. Kafka expands the ISR only while handling a fetch
// (Partition.updateFollowerFetchState → maybeExpandIsr), with the fetch offset.
// Consequence: a follower missing an acknowledged record rejoins the ISR, is elected
// cleanly after a leader crash, and the record is lost (spurious L_ack with acks=all,
// min.insync.replicas=2).
TEST(ModelRegressions, IsrExpandUsesAStaleFollowerLeoAfterPowerLoss) {
  Config c = Cfg({"kafka.version=3.7", "replication.factor=2", "min.insync.replicas=2",
                  "model.messages=1", "fault.request.timeout=0", "fault.delivery.timeout=0",
                  "fault.producer.crash=0", "fault.network.partition=0",
                  "fault.consumer.crash=0", "fault.consumer.rebalance=0", "fault.max.total=2"});
  Walk w(c);
  ASSERT_TRUE(w.Take(Is(EventType::kSend)));
  ASSERT_TRUE(w.Take(Is(EventType::kProduceRequest)));
  ASSERT_TRUE(w.Take(Is(EventType::kHandleProduce)));
  ASSERT_TRUE(w.Take(Is(EventType::kFetch, 1)));
  ASSERT_TRUE(w.Take(Is(EventType::kFetch, 1)));
  ASSERT_TRUE(w.Take(Is(EventType::kProduceComplete)));
  ASSERT_TRUE(w.Take(Is(EventType::kProduceResponse)));
  ASSERT_EQ(w.state.producer.acked, 0b1);  // on both replicas, HW 1: committed
  ASSERT_TRUE(w.Take([](const Event& e) {
    return e.type == EventType::kBrokerPowerLoss && e.broker == 1 && e.offset == 0;
  }));
  ASSERT_TRUE(w.Take(Is(EventType::kBrokerRestart, 1)));
  ASSERT_EQ(w.state.replica[1].log_end_offset, 0);
  // Fixed: the leader forgets a restarted replica's LEO until that replica fetches again.
  ASSERT_EQ(w.state.partition.follower_leo[1], kNoOffset);
  EXPECT_FALSE(w.Offers([](const Event& e) {
    return e.type == EventType::kIsrExpand && e.peer == 1;
  })) << "broker 1 (LEO 0) must not rejoin an ISR whose HW is 1";

  // The consequence, to quiescence.
  if (!w.Offers(Is(EventType::kIsrExpand))) return;
  ASSERT_TRUE(w.Take(Is(EventType::kIsrExpand)));
  ASSERT_TRUE(w.Take(Is(EventType::kBrokerCrash, 0)));
  ASSERT_TRUE(w.Take(Is(EventType::kElectLeader, 1)));
  EXPECT_EQ(w.last.result, Result::kClean);
  for (int i = 0; i < 200 && w.Offers([](const Event&) { return true; }); ++i)
    ASSERT_TRUE(w.Take([](const Event&) { return true; }));
  ASSERT_FALSE(w.Offers([](const Event&) { return true; }));
  LossReport losses = losses_at_quiescence(c, w.state);
  EXPECT_FALSE(losses.effects & bit(Effect::kLostAcked))
      << "an acks=all, min.insync=2 record lost to one power loss and one crash:"
      << ReplayStory(w.events);
}

// Was: BrokerRestart unfenced a broker that is still cut off by a network partition
// (broker_faults.cc broker_restart → unfence, without looking at kIsolated), so the
// controller "hears" a broker it cannot reach. NetworkHeal then finds it unfenced and
// skips unfence/learn_leadership: a leader elected meanwhile is never learned, and the
// broker can never fetch, truncate or rejoin the ISR.
TEST(ModelRegressions, BrokerRestartedWhileIsolatedIsUnfencedAndNeverLearnsTheEpoch) {
  Config c = Cfg({"kafka.version=3.7", "replication.factor=2", "model.messages=1",
                  "fault.max.total=2"});
  Walk w(c);
  ASSERT_TRUE(w.Take(Is(EventType::kNetworkPartition, 0)));
  ASSERT_TRUE(w.Take(Is(EventType::kBrokerCrash, 0)));
  ASSERT_TRUE(w.Take(Is(EventType::kBrokerRestart, 0)));
  EXPECT_TRUE(w.state.replica[0].has(Replica::kFenced))
      << "restarted while isolated: the controller cannot have unfenced it";
  ASSERT_TRUE(w.Take(Is(EventType::kElectLeader, 1)));
  ASSERT_TRUE(w.Take(Is(EventType::kNetworkHeal, 0)));
  EXPECT_EQ(w.state.replica[0].known_epoch, 2) << "healed broker never learns epoch 2";
  EXPECT_EQ(check_invariants_model_breaks(c, w.state), std::nullopt);
}

// Was: producer.cc fail_attempt → bump_producer_epoch saturated the producer id at
// kMaxProducerId and still resets next_seq to 0, so the saturated producer numbers new
// batches with (producer id, seq) pairs its earlier records already have: the broker
// answers DUPLICATE and the message is acknowledged without being written (a spurious
// L_ack; with 2.0, RF 2, min.insync 2, retries 3, resend, 2 messages the checker finds one
// with no fault at all, via NOT_ENOUGH_REPLICAS failures). The other bump site
// (OUT_OF_ORDER_SEQUENCE, produce_response) cuts at the bound instead.
TEST(ModelRegressions, SaturatedProducerIdReusesSequenceNumbers) {
  Config c = Cfg({"replication.factor=1", "model.messages=2", "app.on.send.error=resend",
                  "fault.delivery.timeout=1"});
  ASSERT_TRUE(c.idempotence);
  State s = initial_state(c);
  s.replica[0].log[0] = Record::make(0, 0, 1, kMaxProducerId, 0);  // m0, pid 7, seq 0
  s.replica[0].log_end_offset = 1;
  s.replica[0].high_watermark = 1;
  ProducerState& p = s.producer;
  p.producer_id = kMaxProducerId;
  p.next_seq = 1;
  p.next_msg = 2;
  p.acked = 0b01;
  p.queue[0].msg = 1;  // m1 was numbered (seq 1) and is waiting for its retry
  p.queue[0].seq = 1;
  p.queue[0].producer_id = kMaxProducerId;
  p.queued = 1;
  ASSERT_EQ(check_invariants(c, s), std::nullopt);
  // Fixed: a bump past the producer-id bound is cut (counted as a bound hit), never
  // done by reusing the id with fresh sequence numbers.
  std::vector<Step> steps;
  const int cut = successors(c, s, &steps);
  EXPECT_GT(cut, 0);
  for (const Step& step : steps) {
    EXPECT_NE(step.event.type, EventType::kDeliveryTimeout) << describe(step.event);
    EXPECT_EQ(check_invariants_model_breaks(c, step.next), std::nullopt) << describe(step.event);
  }
}

// Kafka invariants the model breaks, over every reachable state of a small configuration
// (model/invariants.h, check_invariants_model_breaks).
TEST(ModelRegressions, KafkaInvariantsTheModelBreaks) {
  for (const std::vector<std::string>& config : std::vector<std::vector<std::string>>{
           {"replication.factor=2", "model.messages=1"},
           {"replication.factor=2", "model.messages=1", "fault.max.total=2",
            "fault.broker.power.loss=0"}}) {
    Config c = Cfg(config);
    InvariantSweep sweep = sweep_invariants(c, 2'000'000, check_invariants_model_breaks);
    EXPECT_EQ(sweep.violation, std::nullopt) << ReplayStory(sweep.trace) << "\n"
                                             << describe_state(c, sweep.state);
  }
}

}  // namespace
}  // namespace kdc

namespace kdc {
namespace {

// Found by ModelWalk.InvariantsHoldInEveryReachableStateOfSmallConfigurations (RapidCheck
// seed 13358490141989775692): a transactional producer's callback succeeds before its
// transaction commits, so before KIP-447 a processor that rejoins while its commit is
// pending re-reads the input, re-sends m0 and, after an abort with app.on.txn.abort=continue,
// gives that copy up: m0 is then both acknowledged and given up on, legitimately. Every
// reachable state of that configuration must satisfy the invariants.
TEST(ModelRegressions, ProcessorMayGiveUpAMessageItHadAcknowledged) {
  const Config c = Cfg({"kafka.version=0.11", "replication.factor=2", "min.insync.replicas=2",
                        "model.messages=1", "acks=all", "retries=3",
                        "max.in.flight.requests.per.connection=1", "unclean.leader.election.enable=true",
                        "enable.auto.commit=false", "auto.offset.reset=earliest", "app.processing=async",
                        "app.on.send.error=drop", "app.on.producer.restart=skip", "fault.max.total=1",
                        "enable.idempotence=true", "fault.request.timeout=0", "fault.delivery.timeout=0",
                        "fault.producer.crash=0", "fault.broker.crash=0", "fault.broker.power.loss=0",
                        "fault.cluster.power.loss=0", "fault.network.partition=0", "fault.consumer.crash=0",
                        "fault.consumer.rebalance=1", "fault.offset.loss=0", "transactional.id=t",
                        "app.commit=transactional", "app.on.txn.abort=continue",
                        "app.output.isolation.level=read_committed", "isolation.level=read_committed",
                        "fault.transaction.timeout=0", "fault.producer.zombie=0"});
  std::vector<State> frontier{initial_state(c)};
  std::set<std::string> seen;
  bool both = false;
  std::vector<Step> steps;
  while (!frontier.empty()) {
    State s = frontier.back();
    frontier.pop_back();
    if (!seen.insert(std::string(reinterpret_cast<const char*>(&s), sizeof(State))).second) continue;
    ASSERT_EQ(check_invariants(c, s), std::nullopt) << describe_state(c, s);
    if (s.producer.acked & s.producer.dropped) both = true;
    successors(c, s, &steps);
    for (const Step& st : steps) frontier.push_back(st.next);
  }
  EXPECT_TRUE(both) << "the state that once failed the invariant is no longer reachable";
}

}  // namespace
}  // namespace kdc
