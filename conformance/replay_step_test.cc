// `kdc replay --step` and `--json` on an implementation trace (cli/replay_command.cc).
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "cli/commands.h"
#include "conformance/model_replay.h"
#include "impl/cluster/cluster.h"
#include "model/vocabulary/config.h"
#include "model/vocabulary/trace.h"

namespace kdc {
namespace {

namespace fs = std::filesystem;

// A fault-free at-most-once run of the implementation, written where the CLI reads it.
std::string WriteImplTrace(const std::string& file, bool corrupt) {
  auto loaded = load_config({std::string(KDC_SOURCE_DIR) + "/examples/at-most-once/producer.properties",
                             std::string(KDC_SOURCE_DIR) + "/examples/at-most-once/server.properties",
                             std::string(KDC_SOURCE_DIR) + "/examples/at-most-once/consumer.properties",
                             std::string(KDC_SOURCE_DIR) + "/examples/at-most-once/app.properties"},
                            {});
  EXPECT_TRUE(std::holds_alternative<Config>(loaded));
  const Config& config = std::get<Config>(loaded);
  impl::RunOptions options;
  options.seed = 1;
  options.deterministic = true;
  options.inject_faults = false;
  Trace t;
  t.header.source = "impl";
  for (const auto& kv : effective_settings(config)) t.header.config.push_back(kv);
  {
    impl::Cluster cluster(config, options);
    cluster.run();
    t.events = cluster.trace().events();
  }
  if (corrupt) {
    for (Event& e : t.events)
      if (e.type == EventType::kHandleProduce && e.msg == 1) {
        e.offset = 5;
        break;
      }
  }
  const std::string path = (fs::temp_directory_path() / file).string();
  std::string error;
  EXPECT_TRUE(write_trace(path, t, &error)) << error;
  return path;
}

TEST(ReplayStepTest, PrintsTheStateAfterEveryEventWhenStdinIsNotATerminal) {
  ReplayArgs args;
  args.trace = WriteImplTrace("kdc_replay_step_test.jsonl", false);
  args.step = true;
  std::ostringstream out, err;
  EXPECT_EQ(run_replay(args, out, err), 0) << err.str() << out.str();
  const std::string s = out.str();
  for (const char* want : {"   0  initial state", "partition: leader 0, leader epoch 1, ISR {0,1,2}",
                           "broker 0 [acts as leader] epoch 1 log [m0@e1 m1@e1] LEO 2 HW 2",
                           "accumulator: [", "in flight: [", "consumer: position 2, committed 2",
                           "sink: m0×1 m1×1", "consumer fetches in epoch 1",
                           "Every event is explained by the model"}) {
    EXPECT_NE(s.find(want), std::string::npos) << "missing: " << want << "\n" << s.substr(0, 3000);
  }
  EXPECT_EQ(s.find("\033["), std::string::npos) << "no colours when not on a terminal";
}

TEST(ReplayStepTest, JsonReportsTheDivergence) {
  ReplayArgs args;
  args.trace = WriteImplTrace("kdc_replay_json_test.jsonl", true);
  args.json = true;
  std::ostringstream out, err;
  EXPECT_EQ(run_replay(args, out, err), 1) << err.str();
  auto j = nlohmann::json::parse(out.str());
  EXPECT_FALSE(j["legal"].get<bool>());
  const int at = j["diverged_at"].get<int>();
  EXPECT_EQ(j["failed_step"].get<int>(), at);
  EXPECT_GE(j["frontier_size"].get<int>(), 1);
  EXPECT_GE(j["silent_steps"].get<int>(), 0);
  EXPECT_NE(j["state_diff"].get<std::string>().find("offset: trace 5, model 1"), std::string::npos)
      << j.dump(2);
  EXPECT_NE(j["error"].get<std::string>().find("appends m1 at offset 5"), std::string::npos);
}

TEST(ReplayStepTest, StepStopsAtTheDivergenceAndExplainsIt) {
  ReplayArgs args;
  args.trace = WriteImplTrace("kdc_replay_step_bad_test.jsonl", true);
  args.step = true;
  std::ostringstream out, err;
  EXPECT_EQ(run_replay(args, out, err), 1);
  EXPECT_NE(out.str().find("DIVERGES at step"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("closest model step"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace kdc
