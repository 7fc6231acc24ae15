// Implementation traces replayed on the model (docs/conformance.md): real runs of impl/
// made in the test, hand-corrupted runs that must diverge at the corrupted event, and the
// regression traces of the divergences found (traces/impl/).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "conformance/model_replay.h"
#include "impl/cluster/cluster.h"
#include "model/vocabulary/config.h"
#include "model/vocabulary/trace.h"

namespace kdc {
namespace {

namespace fs = std::filesystem;

Config ExampleConfig(const std::string& example, int messages) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(fs::path(KDC_SOURCE_DIR) / "examples" / example))
    if (e.path().extension() == ".properties") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<std::string> overrides;
  // The header of a trace the implementation writes must say how many messages it sent:
  // the model's quiescence and the harmless-fault rule depend on it.
  if (messages > 0) overrides.push_back("model.messages=" + std::to_string(messages));
  auto loaded = load_config(files, overrides);
  EXPECT_TRUE(std::holds_alternative<Config>(loaded)) << example;
  return std::get<Config>(loaded);
}

// One deterministic run of the implementation, as `kdc run --deterministic` makes it.
Trace ImplTrace(const std::string& example, uint64_t seed, bool faults, int messages = 0) {
  const Config config = ExampleConfig(example, messages);
  impl::RunOptions options;
  options.seed = seed;
  options.deterministic = true;
  options.inject_faults = faults;
  options.messages = messages;
  Trace t;
  t.header.source = "impl";
  for (const auto& kv : effective_settings(config)) t.header.config.push_back(kv);
  impl::Cluster cluster(config, options);
  cluster.run();
  t.events = cluster.trace().events();
  return t;
}

ReplayResult Replay(const Trace& t) {
  auto loaded = config_of(t.header);
  EXPECT_TRUE(std::holds_alternative<Config>(loaded));
  return replay_trace(std::get<Config>(loaded), t);
}

struct ImplRun {
  const char* example;
  uint64_t seed;
  bool faults;
  int messages;  // 0: the example's model.messages
};

// Runs that replay: the examples and seeds docs/conformance.md lists as conforming. The
// acks=all examples run one message: with two, the producer batches them into one request
// and the model cannot append a batch whole (finding F1).
class ImplRunReplays : public ::testing::TestWithParam<ImplRun> {};

TEST_P(ImplRunReplays, EveryEventIsExplainedByTheModel) {
  const ImplRun& run = GetParam();
  Trace t = ImplTrace(run.example, run.seed, run.faults, run.messages);
  ASSERT_GT(t.events.size(), 5u);
  ReplayResult r = Replay(t);
  EXPECT_TRUE(r.ok) << run.example << " seed " << run.seed << ": " << r.error << "\n"
                    << r.state_diff;
  EXPECT_EQ(r.steps, int(t.events.size()));
  EXPECT_EQ(r.how.size(), t.events.size());
  // Most events are model steps, not excuses.
  int steps = int(std::count(r.how.begin(), r.how.end(), Match::kStep));
  EXPECT_GT(steps, 5);
}

INSTANTIATE_TEST_SUITE_P(
    Examples, ImplRunReplays,
    ::testing::Values(ImplRun{"at-most-once", 1, true, 0}, ImplRun{"at-most-once", 2, true, 0},
                      ImplRun{"at-most-once", 4, true, 0}, ImplRun{"at-most-once", 3, false, 0},
                      ImplRun{"exactly-once-pipeline", 1, true, 0},
                      ImplRun{"exactly-once-pipeline", 3, true, 0},
                      ImplRun{"exactly-once-pipeline", 2, false, 0},
                      ImplRun{"eos-producer-app-zombie", 5, true, 0},
                      ImplRun{"eos-kafka-3.5-late-write", 4, true, 0},
                      ImplRun{"textbook-at-least-once", 1, true, 1},
                      ImplRun{"textbook-at-least-once", 4, true, 1},
                      ImplRun{"hardened", 6, true, 1}, ImplRun{"naive-defaults", 4, true, 1},
                      ImplRun{"naive-defaults", 6, true, 1}),
    [](const ::testing::TestParamInfo<ImplRun>& info) {
      std::string n = std::string(info.param.example) + "_seed" + std::to_string(info.param.seed) +
                      (info.param.faults ? "" : "_nofaults");
      std::replace_if(n.begin(), n.end(), [](char ch) { return !isalnum(ch); }, '_');
      return n;
    });

// The index of the first event of `type` with `pred`.
template <typename Pred>
size_t FindEvent(const Trace& t, EventType type, Pred pred) {
  for (size_t i = 0; i < t.events.size(); ++i)
    if (t.events[i].type == type && pred(t.events[i])) return i;
  ADD_FAILURE() << "no such " << name(type) << " event";
  return 0;
}

TEST(ImplReplayRejects, AnAppendAtAWrongOffsetDivergesThere) {
  Trace t = ImplTrace("at-most-once", 1, false);
  ASSERT_TRUE(Replay(t).ok);
  const size_t i = FindEvent(t, EventType::kHandleProduce, [](const Event& e) { return e.msg == 1; });
  ASSERT_EQ(t.events[i].offset, 1);
  t.events[i].offset = 3;
  ReplayResult r = Replay(t);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.failed_step, int(i) + 1);
  EXPECT_EQ(r.steps, int(i));
  EXPECT_NE(r.error.find("appends m1 at offset 3"), std::string::npos) << r.error;
  // The report names the model's nearest step and the field that differs.
  EXPECT_NE(r.state_diff.find("appends m1 at offset 1"), std::string::npos) << r.state_diff;
  EXPECT_NE(r.state_diff.find("offset: trace 3, model 1"), std::string::npos) << r.state_diff;
  EXPECT_NE(r.state_diff.find("+   broker 0"), std::string::npos) << r.state_diff;
  EXPECT_GE(r.frontier_size, 1);
}

TEST(ImplReplayRejects, AnAckBeforeTheAppendDivergesAtTheAck) {
  Trace t = ImplTrace("at-most-once", 1, false);
  const size_t append =
      FindEvent(t, EventType::kHandleProduce, [](const Event& e) { return e.msg == 0; });
  const size_t ack =
      FindEvent(t, EventType::kProduceResponse, [](const Event& e) { return e.msg == 0; });
  ASSERT_LT(append, ack);
  Event moved = t.events[ack];
  t.events.erase(t.events.begin() + ack);
  t.events.insert(t.events.begin() + append, moved);
  ReplayResult r = Replay(t);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.failed_step, int(append) + 1) << r.error;
  EXPECT_NE(r.error.find("response for m0"), std::string::npos) << r.error;
}

TEST(ImplReplayRejects, AMissingSendIsNotInferred) {
  // send is logged by the implementation, so the search never supplies it.
  Trace t = ImplTrace("at-most-once", 1, false);
  const size_t send = FindEvent(t, EventType::kSend, [](const Event& e) { return e.msg == 1; });
  t.events.erase(t.events.begin() + send);
  ReplayResult r = Replay(t);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(t.events[r.failed_step - 1].msg, 1) << r.error;
}

TEST(ImplReplayRejects, AFenceOfABrokerThatNeverFailedDiverges) {
  Trace t = ImplTrace("at-most-once", 1, false);
  Event fence;
  fence.type = EventType::kFenceBroker;
  fence.broker = 2;
  t.events.insert(t.events.begin() + 3, fence);
  ReplayResult r = Replay(t);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.failed_step, 4);
}

// Rule 3, a zombie's send: the model puts the record a zombie's application had queued on
// the wire as an orphan in the producer_zombie step; the zombie's sender logs that send
// later. The saved catch of seeded bug no_epoch_fencing has one (event 10, after the new
// instance's InitProducerId and the ABORT marker), and diverges only at the bug's append.
TEST(ImplReplayMatching, AZombiesSendOfItsOrphanIsTheZombieStep) {
  Trace t;
  std::string error;
  ASSERT_TRUE(read_trace((fs::path(KDC_SOURCE_DIR) / "traces" / "bugs" / "no_epoch_fencing.jsonl").string(),
                         &t, &error)) << error;
  const size_t zombie = FindEvent(t, EventType::kProducerZombie, [](const Event&) { return true; });
  const size_t send = FindEvent(t, EventType::kProduceRequest, [](const Event&) { return true; });
  ASSERT_LT(zombie, send);
  ReplayResult r = Replay(t);
  ASSERT_FALSE(r.ok);
  ASSERT_GT(r.failed_step, int(send) + 1) << r.error;
  EXPECT_EQ(r.how[send], Match::kStutter);
  EXPECT_EQ(t.events[r.failed_step - 1].type, EventType::kHandleProduce) << r.error;
  // Only that orphan: the same send with another sequence number is no step of the model.
  t.events[send].seq = 1;
  ReplayResult other = Replay(t);
  ASSERT_FALSE(other.ok);
  EXPECT_EQ(other.failed_step, int(send) + 1) << other.error;
  // Nor from the application's own instance before the zombie exists.
  Trace early;
  early.header = t.header;
  early.events.assign(t.events.begin(), t.events.begin() + zombie);
  Event s = t.events[send];
  s.seq = 0;
  early.events.push_back(s);
  early.events.push_back(s);  // the instance's one request, sent twice
  ReplayResult twice = Replay(early);
  ASSERT_FALSE(twice.ok);
  EXPECT_EQ(twice.failed_step, int(zombie) + 2) << twice.error;
}

TEST(ImplReplayMatching, AbsentFieldsAreWildcardsAndPresentOnesAreCompared) {
  Event step;
  step.type = EventType::kRequestTimeout;
  step.broker = 0;
  step.msg = 0;
  step.gen = 0;
  step.count = 1;
  step.result = Result::kRequestTimedOut;
  step.outcome = Result::kRetry;
  Event logged = step;
  logged.count = -1;  // the implementation cannot know how many requests the broker read
  EXPECT_TRUE(event_matches(logged, step));
  logged.count = 2;
  EXPECT_FALSE(event_matches(logged, step));
  logged = step;
  logged.outcome = Result::kNone;
  EXPECT_TRUE(event_matches(logged, step));
  logged.type = EventType::kDeliveryTimeout;
  EXPECT_FALSE(event_matches(logged, step));
}

TEST(ImplReplayMatching, ModelTracesStayExact) {
  // A model trace with one field dropped is not exact any more: the exact mode refuses it,
  // the matching mode (for implementation traces only) would accept it.
  Trace t;
  std::string error;
  ASSERT_TRUE(read_trace(std::string(KDC_SOURCE_DIR) + "/traces/at-most-once/L_ack.jsonl", &t,
                         &error))
      << error;
  auto c = std::get<Config>(config_of(t.header));
  ASSERT_TRUE(replay_trace(c, t).ok);
  t.events[4].leader_epoch = -1;
  EXPECT_FALSE(replay_trace(c, t).ok);
  t.header.source = "impl";
  EXPECT_TRUE(replay_trace(c, t).ok);
}

// The divergences found so far (docs/conformance.md, "Findings"). Each regression trace
// diverges at the event the document names. When the model or the implementation is
// changed to agree, the expectation here changes with it, deliberately.
struct Finding {
  const char* file;
  int step;
  EventType type;
};

class ImplFinding : public ::testing::TestWithParam<Finding> {};

TEST_P(ImplFinding, DivergesWhereTheDocumentSays) {
  Trace t;
  std::string error;
  ASSERT_TRUE(read_trace(std::string(KDC_SOURCE_DIR) + "/traces/impl/" + GetParam().file, &t,
                         &error))
      << error;
  ReplayResult r = Replay(t);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.failed_step, GetParam().step) << r.error;
  EXPECT_EQ(t.events[r.failed_step - 1].type, GetParam().type);
}

INSTANTIATE_TEST_SUITE_P(
    Regressions, ImplFinding,
    ::testing::Values(Finding{"F1-acks-all-batch-appended-whole.jsonl", 8, EventType::kHandleProduce},
                      Finding{"F3-partition-healed-before-fencing.jsonl", 19, EventType::kFetch},
                      Finding{"F4-consumer-crash-in-processor-pipeline.jsonl", 38,
                              EventType::kConsumerCrash},
                      Finding{"F5-zombie-after-last-transaction.jsonl", 44,
                              EventType::kProducerZombie}));

}  // namespace
}  // namespace kdc
