#include "model/testing/config_for_test.h"
#include "conformance/model_replay.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model/checker/explicit_checker.h"

namespace kdc {
namespace {

// The events of the first enabled step of each given type, from the initial state.
std::vector<Event> RunOf(const Config& c, const std::vector<EventType>& types) {
  std::vector<Event> events;
  State s = initial_state(c);
  std::vector<Step> steps;
  for (EventType t : types) {
    successors(c, s, &steps);
    bool found = false;
    for (const Step& step : steps) {
      if (step.event.type != t) continue;
      events.push_back(step.event);
      s = step.next;
      found = true;
      break;
    }
    EXPECT_TRUE(found) << "no " << name(t) << " step after " << events.size() << " events";
    if (!found) break;
  }
  return events;
}

TEST(ModelReplayTest, EmptyTraceIsTheInitialState) {
  Config c = Cfg({});
  ReplayResult r = replay_on_model(c, {});
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.steps, 0);
  ASSERT_EQ(r.frontier.size(), 1u);
  EXPECT_TRUE(r.frontier[0] == initial_state(c));
  EXPECT_FALSE(r.quiesced);
  EXPECT_EQ(r.effects, 0);
}

TEST(ModelReplayTest, ALegalRunReplaysStepByStep) {
  Config c = Cfg({"model.messages=1", "fault.max.total=0"});
  std::vector<Event> events =
      RunOf(c, {EventType::kSend, EventType::kProduceRequest, EventType::kHandleProduce,
              EventType::kProduceComplete, EventType::kProduceResponse, EventType::kPoll,
              EventType::kProcess, EventType::kCommit});
  ASSERT_EQ(events.size(), 8u);
  ReplayResult r = replay_on_model(c, events);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.steps, 8);
  ASSERT_EQ(r.frontier.size(), 1u);
  EXPECT_EQ(r.frontier[0].sink.count[0], 1);
  EXPECT_EQ(r.frontier[0].consumer.committed, 1);
  EXPECT_TRUE(r.quiesced);
  EXPECT_EQ(r.effects, 0);
}

TEST(ModelReplayTest, AnEventTheModelDoesNotAllowFailsWithAnExplanation) {
  Config c = Cfg({"model.messages=1", "fault.max.total=0"});
  std::vector<Event> events = RunOf(c, {EventType::kSend, EventType::kProduceRequest});
  Event bogus = events[1];
  bogus.broker = 1;  // RF 1: there is no broker 1
  events.push_back(bogus);
  ReplayResult r = replay_on_model(c, events);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.failed_step, 3);
  EXPECT_EQ(r.steps, 2);
  EXPECT_NE(r.error.find("step 3"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("is not a step the model allows"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find(describe(RunOf(c, {EventType::kSend, EventType::kProduceRequest,
                                          EventType::kHandleProduce})[2])),
            std::string::npos)
      << "the error lists what the model allows: " << r.error;
  // The frontier is where the replay stopped.
  ASSERT_EQ(r.frontier.size(), 1u);
  EXPECT_EQ(r.frontier[0].producer.in_flight, 1);

  // Swapping two events of a legal run breaks it at the first one out of place.
  std::vector<Event> swapped = RunOf(c, {EventType::kSend, EventType::kProduceRequest});
  std::swap(swapped[0], swapped[1]);
  ReplayResult s = replay_on_model(c, swapped);
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.failed_step, 1);
}

TEST(ModelReplayTest, AfterQuiescenceNothingIsAllowed) {
  Config c = Cfg({"model.messages=1", "fault.max.total=0"});
  std::vector<Event> events =
      RunOf(c, {EventType::kSend, EventType::kProduceRequest, EventType::kHandleProduce,
              EventType::kProduceComplete, EventType::kProduceResponse, EventType::kPoll,
              EventType::kProcess, EventType::kCommit});
  events.push_back(events[0]);
  ReplayResult r = replay_on_model(c, events);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.failed_step, 9);
  EXPECT_NE(r.error.find("nothing (the run had quiesced)"), std::string::npos) << r.error;
}

// A cluster power loss does not say how much of each log survived, nor whether the acks=1
// response broker 0 had produced still reached the producer (F10): the frontier holds one
// state per combination.
TEST(ModelReplayTest, ClusterPowerLossLeavesSeveralCandidateStates) {
  Config c = Cfg({"kafka.version=3.7", "replication.factor=2", "model.messages=1",
                  "acks=1", "enable.idempotence=false", "fault.cluster.power.loss=1"});
  std::vector<Event> events =
      RunOf(c, {EventType::kSend, EventType::kProduceRequest, EventType::kHandleProduce,
              EventType::kFetch, EventType::kClusterPowerLoss});
  ASSERT_EQ(events.size(), 5u);
  ReplayResult r = replay_on_model(c, events);
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.frontier.size(), 8u);  // each broker keeps 0 or 1 record; the response lives or not
  int kept[2] = {0, 0}, lost_responses = 0;
  for (const State& s : r.frontier) {
    kept[0] += s.replica[0].log_end_offset;
    kept[1] += s.replica[1].log_end_offset;
    EXPECT_EQ(s.partition.leader, kNoBroker);
    ASSERT_EQ(s.producer.in_flight, 1);
    EXPECT_EQ(s.producer.flight[0].stage, Batch::kResponded);
    lost_responses += s.producer.flight[0].result == uint8_t(Result::kNetworkException);
  }
  EXPECT_EQ(kept[0], 4);
  EXPECT_EQ(kept[1], 4);
  EXPECT_EQ(lost_responses, 4);
}

// Loss effects count only when some frontier state has quiesced.
TEST(ModelReplayTest, LossesAreJudgedOnlyAtQuiescence) {
  Config c = Cfg({"acks=0", "enable.idempotence=false", "model.messages=1",
                  "fault.request.timeout=0", "fault.delivery.timeout=0", "fault.producer.crash=0",
                  "fault.broker.power.loss=0", "fault.network.partition=0",
                  "fault.consumer.crash=0", "fault.consumer.rebalance=0"});
  CheckResult result = check(c);
  ASSERT_EQ(result.counterexamples.size(), 1u);
  const Counterexample& cx = result.counterexamples[0];
  ASSERT_EQ(cx.effect, Effect::kLostAcked);
  ReplayResult full = replay_on_model(c, cx.events);
  ASSERT_TRUE(full.ok) << full.error;
  EXPECT_TRUE(full.quiesced);
  EXPECT_EQ(full.effects, bit(Effect::kLostAcked));
  std::vector<Event> prefix(cx.events.begin(), cx.events.end() - 1);
  ReplayResult partial = replay_on_model(c, prefix);
  ASSERT_TRUE(partial.ok);
  EXPECT_FALSE(partial.quiesced);
  EXPECT_EQ(partial.effects, 0);
}

TEST(ModelReplayTest, ConfigOfAHeaderReproducesTheConfig) {
  Config c = Cfg({"kafka.version=2.8", "acks=1", "replication.factor=3",
                  "min.insync.replicas=2", "app.commit=commit-then-process",
                  "enable.auto.commit=false", "fault.max.total=2", "model.messages=3"});
  TraceHeader header;
  header.config = effective_settings(c);
  auto again = config_of(header);
  ASSERT_TRUE(std::holds_alternative<Config>(again)) << std::get<ConfigError>(again).str();
  EXPECT_EQ(effective_settings(std::get<Config>(again)), header.config);
  header.config.push_back({"acks", "2"});
  EXPECT_TRUE(std::holds_alternative<ConfigError>(config_of(header)));
}

}  // namespace
}  // namespace kdc
