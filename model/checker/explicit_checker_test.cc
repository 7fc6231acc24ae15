// Known verdicts of the exhaustive checker on small configurations: the exact effect set,
// one shortest counterexample per effect, each of which replays on the model (conformance
// replay) and shows its effect.
#include "model/testing/config_for_test.h"
#include "model/checker/explicit_checker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "conformance/model_replay.h"
#include "model/invariants.h"
#include "model/verdict.h"

namespace kdc {
namespace {

// Every fault kind off; a case turns on the ones it is about.
std::vector<std::string> NoFaults(std::vector<std::string> more) {
  std::vector<std::string> out = {
      "fault.request.timeout=0",  "fault.delivery.timeout=0",  "fault.producer.crash=0",
      "fault.broker.crash=0",     "fault.broker.power.loss=0", "fault.cluster.power.loss=0",
      "fault.network.partition=0", "fault.consumer.crash=0",   "fault.consumer.rebalance=0",
      "fault.offset.loss=0"};
  out.insert(out.end(), more.begin(), more.end());
  return out;
}

std::string Names(EffectSet effects) {
  std::string out;
  for (int e = 0; e < int(Effect::kCount); ++e)
    if (effects & (1u << e)) out += (out.empty() ? "" : " ") + std::string(name(Effect(e)));
  return out;
}

std::string Story(const std::vector<Event>& events) {
  std::string out;
  for (const Event& e : events) out += "\n    " + describe(e);
  return out;
}

// The checker's result is internally consistent and every counterexample replays.
void ExpectCounterexamplesReplay(const Config& c, const CheckResult& r) {
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.unexplained, 0u) << Story(r.unexplained_trace);
  EffectSet listed = 0;
  int previous = -1;
  for (const Counterexample& cx : r.counterexamples) {
    SCOPED_TRACE(std::string(name(cx.effect)) + Story(cx.events));
    EXPECT_GT(int(cx.effect), previous) << "one counterexample per effect, in Effect order";
    previous = int(cx.effect);
    listed |= bit(cx.effect);
    EXPECT_FALSE(cx.events.empty());
    EXPECT_GE(cx.message, 0);
    EXPECT_LT(cx.message, c.messages);
    ReplayResult replay = replay_on_model(c, cx.events);
    ASSERT_TRUE(replay.ok) << replay.error;
    EXPECT_EQ(replay.steps, int(cx.events.size()));
    EXPECT_TRUE(replay.effects & bit(cx.effect)) << "replay shows " << Names(replay.effects);
    bool final_in_frontier = false;
    for (const State& s : replay.frontier) final_in_frontier |= s == cx.final_state;
    EXPECT_TRUE(final_in_frontier);
    EXPECT_EQ(check_invariants(c, cx.final_state), std::nullopt);
    if (cx.effect == Effect::kLostAcked || cx.effect == Effect::kLostFailed ||
        cx.effect == Effect::kLostUnsent || cx.effect == Effect::kLostSkipped) {
      // Losses are judged at quiescence: the run ends there and names that message.
      EXPECT_TRUE(replay.quiesced);
      LossReport losses = losses_at_quiescence(c, cx.final_state);
      EXPECT_TRUE(losses.lost[cx.message]);
      EXPECT_EQ(losses.per_message[cx.message], cx.effect);
    } else {
      EXPECT_TRUE(cx.final_state.effects & bit(cx.effect));
      EXPECT_EQ(cx.events.back().type, EventType::kProcess);  // shortest: ends at the sink
      EXPECT_EQ(cx.events.back().msg, cx.message);
    }
  }
  EXPECT_EQ(listed, r.effects);
}

struct Known {
  const char* what;
  std::vector<std::string> config;
  const char* effects;  // Names() of the exact effect set
  Guarantee guarantee;
};

void ExpectVerdict(const Known& k) {
  SCOPED_TRACE(k.what);
  Config c = Cfg(k.config);
  CheckResult r = check(c);
  EXPECT_EQ(Names(r.effects), k.effects);
  EXPECT_EQ(guarantee_of(r.effects), k.guarantee);
  ExpectCounterexamplesReplay(c, r);
}

TEST(KnownVerdictsTest, NoFaultsIsExactlyOnce) {
  for (const char* rf : {"1", "2", "3"}) {
    ExpectVerdict({"no faults", {"fault.max.total=0", "model.messages=1",
                                 std::string("replication.factor=") + rf},
                   "", Guarantee::kExactlyOnce});
  }
  ExpectVerdict({"no faults, acks=0", NoFaults({"acks=0", "enable.idempotence=false"}), "",
                 Guarantee::kExactlyOnce});
}

TEST(KnownVerdictsTest, SingleReplicaAcksOneLosesAcknowledgedRecordsOnPowerLoss) {
  ExpectVerdict({"RF 1 acks=1 power loss, 1 message",
                 NoFaults({"replication.factor=1", "acks=1", "enable.idempotence=false",
                           "fault.broker.power.loss=1", "model.messages=1"}),
                 "L_ack D_int", Guarantee::kNone});
  // D_int: the power loss can also take the response to an append that survived on disk; the
  // producer retries it (docs/conformance.md, F10). With two messages in flight, m1's retry
  // can also overtake m0's.
  ExpectVerdict({"RF 1 acks=1 power loss, 2 messages",
                 NoFaults({"replication.factor=1", "acks=1", "enable.idempotence=false",
                           "fault.broker.power.loss=1"}),
                 "L_ack D_int R", Guarantee::kNone});
}

TEST(KnownVerdictsTest, AcksZeroLosesWhatTheBrokerNeverAppended) {
  ExpectVerdict({"acks=0 broker crash",
                 NoFaults({"acks=0", "enable.idempotence=false", "fault.broker.crash=1"}),
                 "L_ack", Guarantee::kAtMostOnce});
}

TEST(KnownVerdictsTest, RetriesWithoutIdempotenceDuplicateOnRequestTimeout) {
  ExpectVerdict({"retries, no idempotence, request timeout",
                 NoFaults({"acks=1", "enable.idempotence=false", "retries=3",
                           "fault.request.timeout=1"}),
                 "D_int R", Guarantee::kAtLeastOnce});
  ExpectVerdict({"idempotence, request timeout", NoFaults({"fault.request.timeout=1"}), "",
                 Guarantee::kExactlyOnce});
  // Without retries the timed-out batch fails and the app drops it; if the broker had not
  // yet read the request, it died with the closed connection: lost (L_fail).
  ExpectVerdict({"no retries, request timeout",
                 NoFaults({"acks=1", "enable.idempotence=false", "retries=0",
                           "fault.request.timeout=1", "model.messages=1"}),
                 "L_fail", Guarantee::kAtMostOnce});
}

// A request timeout fails every request on the connection; a non-idempotent producer
// re-enqueues each failed batch with addFirst, which reverses them: reordering. A leader
// failover reorders too.
TEST(KnownVerdictsTest, InFlightFiveWithoutIdempotenceReorders) {
  ExpectVerdict({"in flight 5, request timeout",
                 NoFaults({"acks=1", "enable.idempotence=false", "retries=3",
                           "max.in.flight.requests.per.connection=5", "fault.request.timeout=1",
                           "model.messages=2"}),
                 "D_int R", Guarantee::kAtLeastOnce});
  ExpectVerdict({"in flight 5, leader crash",
                 NoFaults({"acks=1", "enable.idempotence=false", "retries=3",
                           "max.in.flight.requests.per.connection=5", "replication.factor=2",
                           "fault.broker.crash=1", "model.messages=2"}),
                 "L_ack L_fail D_int R", Guarantee::kNone});
  // A leader crash can take the response to an append the follower already fetched; the
  // retry appends it again on the new leader (F10).
  ExpectVerdict({"in flight 1, leader crash",
                 NoFaults({"acks=1", "enable.idempotence=false", "retries=3",
                           "max.in.flight.requests.per.connection=1", "replication.factor=2",
                           "fault.broker.crash=1", "model.messages=2"}),
                 "L_ack L_fail D_int", Guarantee::kNone});
}

// From 2.5 a leader with no state for a producer id accepts any sequence number
// (ProducerAppendInfo.checkSequence), so after a failover m1 (seq 1) can land before m0
// (seq 0). m0 then fails OUT_OF_ORDER_SEQUENCE forever: it is not the next expected
// sequence, so the producer retries it without an epoch bump (TransactionManager.canRetry)
// until delivery.timeout.ms expires it (apache/kafka PR 13608) and the app drops it.
// Before 2.5 the new leader refuses seq 1 (UNKNOWN_PRODUCER_ID) and order holds.
TEST(KnownVerdictsTest, IdempotentProducerLosesTheFirstBatchAfterFailoverFrom25) {
  ExpectVerdict({"2.4", NoFaults({"kafka.version=2.4", "enable.idempotence=true",
                                  "replication.factor=2", "fault.broker.crash=1"}),
                 "", Guarantee::kExactlyOnce});
  ExpectVerdict({"2.5", NoFaults({"kafka.version=2.5", "enable.idempotence=true",
                                  "replication.factor=2", "fault.broker.crash=1"}),
                 "L_fail", Guarantee::kAtMostOnce});
}

TEST(KnownVerdictsTest, AppResendOnDeliveryTimeoutDuplicates) {
  ExpectVerdict({"resend, delivery timeout",
                 NoFaults({"app.on.send.error=resend", "fault.delivery.timeout=1"}),
                 "D_app R", Guarantee::kAtLeastOnce});
  ExpectVerdict({"drop, delivery timeout", NoFaults({"fault.delivery.timeout=1"}), "L_fail",
                 Guarantee::kAtMostOnce});
}

TEST(KnownVerdictsTest, ProducerCrashLosesOrResendsBufferedRecords) {
  ExpectVerdict({"skip", NoFaults({"fault.producer.crash=1"}), "L_unsent",
                 Guarantee::kAtMostOnce});
  ExpectVerdict({"replay-unacked",
                 NoFaults({"fault.producer.crash=1", "app.on.producer.restart=replay-unacked"}),
                 "D_app", Guarantee::kAtLeastOnce});
}

TEST(KnownVerdictsTest, ConsumerCommitPolicies) {
  ExpectVerdict({"commit-then-process, crash",
                 NoFaults({"app.commit=commit-then-process", "enable.auto.commit=false",
                           "fault.consumer.crash=1"}),
                 "L_skip", Guarantee::kAtMostOnce});
  ExpectVerdict({"process-then-commit-sync, crash",
                 NoFaults({"app.commit=process-then-commit-sync", "enable.auto.commit=false",
                           "fault.consumer.crash=1"}),
                 "D_proc", Guarantee::kAtLeastOnce});
  ExpectVerdict({"process-then-commit-async, crash",
                 NoFaults({"app.commit=process-then-commit-async", "enable.auto.commit=false",
                           "fault.consumer.crash=1"}),
                 "D_proc", Guarantee::kAtLeastOnce});
  ExpectVerdict({"auto commit, async processing, crash",
                 NoFaults({"app.processing=async", "fault.consumer.crash=1"}),
                 "L_skip D_proc", Guarantee::kNone});
  ExpectVerdict({"commit-then-process, rebalance",
                 NoFaults({"app.commit=commit-then-process", "enable.auto.commit=false",
                           "fault.consumer.rebalance=1"}),
                 "", Guarantee::kExactlyOnce});
}

TEST(KnownVerdictsTest, UncleanElectionLosesAcknowledgedRecords) {
  const std::vector<std::string> base = {"kafka.version=3.7", "replication.factor=2",
                                         "fault.broker.crash=2", "fault.max.total=2",
                                         "model.messages=1"};
  ExpectVerdict({"clean only", NoFaults(base), "", Guarantee::kExactlyOnce});
  std::vector<std::string> unclean = base;
  unclean.push_back("unclean.leader.election.enable=true");
  ExpectVerdict({"unclean", NoFaults(unclean), "L_ack D_int D_proc", Guarantee::kNone});
}

// ---- The checker itself ----

TEST(CheckerTest, CountsAndBoundsOfASmallRun) {
  Config c = Cfg({"fault.max.total=0", "model.messages=1"});
  CheckResult r = check(c);
  EXPECT_TRUE(r.complete);
  EXPECT_GT(r.states, 5u);
  EXPECT_GE(r.transitions, r.states - 1);
  EXPECT_GE(r.quiescent_states, 1u);
  EXPECT_EQ(r.bound_hits, 0u);
  EXPECT_GT(r.depth, 3);
  EXPECT_EQ(r.effects, 0);
  EXPECT_TRUE(r.counterexamples.empty());
  // Same answer every time.
  CheckResult again = check(c);
  EXPECT_EQ(again.states, r.states);
  EXPECT_EQ(again.transitions, r.transitions);
  EXPECT_EQ(again.depth, r.depth);
}

TEST(CheckerTest, MaxStatesStopsTheSearchIncomplete) {
  Config c = Cfg({"replication.factor=2"});
  CheckOptions options;
  options.max_states = 100;
  CheckResult r = check(c, options);
  EXPECT_FALSE(r.complete);
  for (const Counterexample& cx : r.counterexamples) {  // found before the stop: still real
    ReplayResult replay = replay_on_model(c, cx.events);
    EXPECT_TRUE(replay.ok) << replay.error;
    EXPECT_TRUE(replay.effects & bit(cx.effect));
  }
  EXPECT_GT(r.states, 100u);
  EXPECT_LT(r.states, 5'000u);
}

TEST(CheckerTest, CounterexamplesAreShortest) {
  // acks=0 + broker crash: the loss needs send, produce, crash, restart, election... and
  // nothing shorter shows it; the checker must return exactly the BFS depth of the first
  // quiesced lossy state. Cross-check by an independent BFS over the same successors.
  Config c = Cfg(NoFaults({"acks=0", "enable.idempotence=false", "fault.broker.crash=1",
                           "model.messages=1"}));
  CheckResult r = check(c);
  ExpectCounterexamplesReplay(c, r);
  ASSERT_EQ(r.counterexamples.size(), 1u);
  const size_t found = r.counterexamples[0].events.size();
  std::vector<State> level{initial_state(c)}, next;
  std::vector<uint64_t> seen{fingerprint(level[0])};
  std::vector<Step> steps;
  size_t depth = 0;
  size_t shortest = 0;
  while (!level.empty() && shortest == 0) {
    for (const State& s : level) {
      successors(c, s, &steps);
      if (steps.empty() && losses_at_quiescence(c, s).effects & bit(Effect::kLostAcked)) {
        shortest = depth;
        break;
      }
      for (const Step& st : steps) {
        uint64_t f = fingerprint(st.next);
        if (std::find(seen.begin(), seen.end(), f) != seen.end()) continue;
        seen.push_back(f);
        next.push_back(st.next);
      }
    }
    level.swap(next);
    next.clear();
    ++depth;
  }
  EXPECT_EQ(found, shortest);
}

TEST(CheckerTest, ReplayChoices) {
  Config c = Cfg({"model.messages=1"});
  std::vector<Event> events;
  State s;
  ASSERT_TRUE(replay_choices(c, {0, 0}, &events, &s));  // send, then produce
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, EventType::kSend);
  EXPECT_EQ(events[1].type, EventType::kProduceRequest);
  EXPECT_EQ(s.producer.in_flight, 1);
  EXPECT_FALSE(replay_choices(c, {0, 200}, &events, &s));
  ASSERT_TRUE(replay_choices(c, {}, &events, &s));
  EXPECT_TRUE(events.empty());
  EXPECT_TRUE(s == initial_state(c));
}

TEST(CheckerTest, FingerprintIsTheStateBytes) {
  Config c = Cfg({"replication.factor=2"});
  State a = initial_state(c), b = initial_state(c);
  EXPECT_EQ(fingerprint(a), fingerprint(b));
  b.consumer.position = 1;
  EXPECT_NE(fingerprint(a), fingerprint(b));
  EXPECT_FALSE(a == b);
}

TEST(CheckerTest, ProgressIsReported) {
  Config c = Cfg({"replication.factor=2", "model.messages=1"});
  CheckOptions options;
  options.progress_interval = 0;
  int calls = 0;
  uint64_t last_states = 0;
  options.on_progress = [&](const CheckProgress& p) {
    ++calls;
    EXPECT_GE(p.states, last_states);
    last_states = p.states;
  };
  CheckResult r = check(c, options);
  ExpectCounterexamplesReplay(c, r);
  EXPECT_GT(calls, 0);
  EXPECT_LE(last_states, r.states);
}

}  // namespace
}  // namespace kdc

namespace kdc {
namespace {

// The parallel search numbers states exactly as one thread does, so any thread count
// yields the same states, the same effects and the very same counterexamples.
TEST(ParallelCheckTest, AnyThreadCountGivesIdenticalResults) {
  Config c = Cfg({"replication.factor=2", "acks=1", "enable.idempotence=false", "retries=3",
                  "model.messages=2"});
  CheckOptions one, two, three;
  one.threads = 1;
  two.threads = 2;
  three.threads = 3;
  CheckResult a = check(c, one), b = check(c, two), d = check(c, three);
  ASSERT_GT(a.states, 10000u);
  for (const CheckResult* r : {&b, &d}) {
    EXPECT_EQ(r->states, a.states);
    EXPECT_EQ(r->transitions, a.transitions);
    EXPECT_EQ(r->depth, a.depth);
    EXPECT_EQ(r->effects, a.effects);
    ASSERT_EQ(r->counterexamples.size(), a.counterexamples.size());
    for (size_t i = 0; i < a.counterexamples.size(); ++i) {
      EXPECT_EQ(r->counterexamples[i].effect, a.counterexamples[i].effect);
      EXPECT_EQ(r->counterexamples[i].events, a.counterexamples[i].events);
      EXPECT_EQ(r->counterexamples[i].message, a.counterexamples[i].message);
    }
  }
}

}  // namespace
}  // namespace kdc
