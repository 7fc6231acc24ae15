// Whole runs of the implementation: reproducibility of the deterministic scheduler, and the
// end-to-end outcome of runs whose result is known.
#include "impl/cluster/cluster.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model/vocabulary/config.h"
#include "model/vocabulary/event.h"

namespace kdc::impl {
namespace {

Config example(const std::string& name, const std::vector<std::string>& overrides = {}) {
  std::string dir = std::string(KDC_SOURCE_DIR) + "/examples/" + name + "/";
  std::vector<std::string> files;
  for (const char* f : {"producer.properties", "server.properties", "consumer.properties",
                        "app.properties", "faults.properties"}) {
    if (std::filesystem::exists(dir + f)) files.push_back(dir + f);
  }
  auto loaded = load_config(files, overrides);
  if (auto* e = std::get_if<ConfigError>(&loaded)) {
    ADD_FAILURE() << e->str();
    return Config{};
  }
  return std::get<Config>(loaded);
}

std::string trace_text(const TraceRecorder& t) {
  std::string s;
  int step = 0;
  for (const Event& e : t.events()) s += to_json_line(e, ++step) + "\n";
  return s;
}

struct Outcome {
  RunReport report;
  std::string trace;
};

Outcome run(const Config& c, uint64_t seed, int messages, bool faults) {
  RunOptions o;
  o.seed = seed;
  o.deterministic = true;
  o.messages = messages;
  o.inject_faults = faults;
  Cluster cluster(c, o);
  Outcome out;
  out.report = cluster.run();
  out.trace = trace_text(cluster.trace());
  return out;
}

TEST(DeterministicRun, SameSeedSameTraceByteForByte) {
  Config c = example("textbook-at-least-once");
  Outcome a = run(c, 42, 5, true);
  Outcome b = run(c, 42, 5, true);
  ASSERT_FALSE(a.trace.empty());
  EXPECT_EQ(a.trace, b.trace);
  EXPECT_EQ(a.report.faults, b.report.faults);
}

TEST(DeterministicRun, SeedsGiveDifferentRuns) {
  Config c = example("textbook-at-least-once");
  std::set<std::string> traces;
  for (uint64_t seed = 1; seed <= 4; ++seed) traces.insert(run(c, seed, 5, true).trace);
  EXPECT_GT(traces.size(), 1u);
}

TEST(DeterministicRun, FaultFreeRunDeliversEveryMessageOnce) {
  Config c = example("hardened");
  Outcome o = run(c, 3, 20, false);
  EXPECT_TRUE(o.report.quiesced) << o.report.stop_reason;
  EXPECT_EQ(o.report.sent, 20);
  EXPECT_EQ(o.report.acknowledged, 20);
  EXPECT_EQ(o.report.delivered, 20);
  EXPECT_EQ(o.report.duplicated, 0);
  EXPECT_TRUE(o.report.effects.empty());
  EXPECT_EQ(o.report.unexplained_losses, 0);
}

TEST(DeterministicRun, EveryRunSettlesWithEveryLossExplained) {
  for (const char* name : {"naive-defaults", "at-most-once", "textbook-at-least-once", "hardened"}) {
    Config c = example(name);
    for (uint64_t seed = 1; seed <= 3; ++seed) {
      Outcome o = run(c, seed, 4, true);
      EXPECT_TRUE(o.report.quiesced) << name << " seed " << seed << ": " << o.report.stop_reason;
      EXPECT_EQ(o.report.unexplained_losses, 0) << name << " seed " << seed;
    }
  }
}

}  // namespace
}  // namespace kdc::impl
