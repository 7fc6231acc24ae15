// Every trace under traces/ must still be a legal run of the model and still show the
// effect its header claims.
#include <gtest/gtest.h>

#include <filesystem>

#include "conformance/model_replay.h"
#include "model/checker/explicit_checker.h"
#include "model/replication_safety.h"

namespace kdc {
namespace {

std::vector<std::filesystem::path> canonical_traces() {
  std::vector<std::filesystem::path> out;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(std::string(KDC_SOURCE_DIR) + "/traces"))
    // traces/impl/ and traces/bugs/ hold implementation traces: regression traces of
    // conformance findings and of seeded bugs (docs/conformance.md), which diverge on
    // purpose; impl_replay_test.cc and bug_hunt_test.cc replay them. traces/replication/
    // holds runs that break replication safety, not a delivery effect (tested below).
    if (entry.path().extension() == ".jsonl" &&
        entry.path().parent_path().filename() != "impl" &&
        entry.path().parent_path().filename() != "bugs" &&
        entry.path().parent_path().filename() != "replication")
      out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(CanonicalTracesTest, ThereAreTraces) { EXPECT_GE(canonical_traces().size(), 10u); }

TEST(CanonicalTracesTest, EveryTraceReplaysAndShowsItsEffect) {
  for (const auto& path : canonical_traces()) {
    SCOPED_TRACE(path.string());
    Trace trace;
    std::string error;
    ASSERT_TRUE(read_trace(path.string(), &trace, &error)) << error;
    auto config = config_of(trace.header);
    ASSERT_TRUE(std::holds_alternative<Config>(config)) << std::get<ConfigError>(config).str();
    ReplayResult r = replay_on_model(std::get<Config>(config), trace.events);
    ASSERT_TRUE(r.ok) << r.error;
    Effect claimed;
    ASSERT_TRUE(parse_effect(trace.header.effect, &claimed)) << trace.header.effect;
    EXPECT_TRUE(r.effects & bit(claimed)) << "the run no longer shows " << trace.header.effect;
    EXPECT_EQ(path.stem().string(), trace.header.effect);
  }
}

// traces/replication/<example>-<property>.jsonl (scripts/regenerate-traces.sh): each is a
// legal run that breaks the property its name gives at its last step and no earlier, and
// is as short as the checker's shortest for its configuration.
TEST(CanonicalTracesTest, ReplicationTracesBreakTheirPropertyInAShortestRun) {
  int seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(KDC_SOURCE_DIR) +
                                                               "/traces/replication")) {
    const auto& path = entry.path();
    SCOPED_TRACE(path.string());
    ++seen;
    Trace trace;
    std::string error;
    ASSERT_TRUE(read_trace(path.string(), &trace, &error)) << error;
    EXPECT_TRUE(trace.header.effect.empty());
    auto loaded = config_of(trace.header);
    ASSERT_TRUE(std::holds_alternative<Config>(loaded)) << std::get<ConfigError>(loaded).str();
    const Config& config = std::get<Config>(loaded);
    const bool divergence = path.stem().string().ends_with("log-divergence");
    ASSERT_TRUE(divergence || path.stem().string().ends_with("committed-record-loss"));
    const ReplicationViolation kind =
        divergence ? ReplicationViolation::kDivergence : ReplicationViolation::kCommittedLoss;
    ReplayResult r = replay_on_model(config, trace.events);
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_EQ(r.after.size(), trace.events.size());
    for (size_t i = 0; i + 1 < r.after.size(); ++i)
      EXPECT_FALSE(check_replication_safety(config, r.after[i], kind)) << "already at step " << i + 1;
    EXPECT_TRUE(check_replication_safety(config, r.after.back(), kind));
    CheckResult shortest = check(config);
    ASSERT_TRUE(shortest.replication[int(kind)]);
    EXPECT_EQ(shortest.replication[int(kind)]->events.size(), trace.events.size());
  }
  EXPECT_GE(seen, 4);
}

TEST(CanonicalTracesTest, AMutatedTraceDiverges) {
  // A replay that accepted anything would pass the test above; this one must fail.
  const auto traces = canonical_traces();
  ASSERT_FALSE(traces.empty());
  Trace trace;
  std::string error;
  ASSERT_TRUE(read_trace(traces.front().string(), &trace, &error)) << error;
  ASSERT_GE(trace.events.size(), 3u);
  std::swap(trace.events[0], trace.events[2]);
  ReplayResult r = replay_on_model(std::get<Config>(config_of(trace.header)), trace.events);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.failed_step, 1);
}

}  // namespace
}  // namespace kdc
