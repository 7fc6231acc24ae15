// The contract of kdc run (issue 5): flags, JSON fields, trace file, exit codes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/cli_test_support.h"
#include "cli/commands.h"

namespace kdc {
namespace {

using testing::kSource;
std::vector<std::string> Example(const std::string& name) { return testing::example_files(name); }
std::string Read(const std::string& path) { return testing::read_file(path); }




RunArgs Deterministic(const std::string& example, uint64_t seed) {
  RunArgs a;
  a.files = Example(example);
  a.deterministic = true;
  a.seed = seed;
  a.quiet = true;
  return a;
}

TEST(RunCommandTest, JsonReportsTheRunAndTheTraceIsReproducible) {
  const auto dir = std::filesystem::temp_directory_path() / "kdc_run_cli_test";
  std::filesystem::create_directories(dir);
  RunArgs a = Deterministic("textbook-at-least-once", 9);
  a.json = true;
  a.messages = 3;
  a.trace = (dir / "a.jsonl").string();
  std::ostringstream out, err;
  ASSERT_EQ(run_run(a, out, err), 0) << err.str();
  auto j = nlohmann::json::parse(out.str());
  for (const char* key : {"seed", "deterministic", "quiesced", "stop_reason", "run_ms", "events",
                          "faults", "messages", "sent", "acknowledged", "delivered", "lost",
                          "duplicated", "effects", "unexplained_losses", "guarantee_shown",
                          "fates", "trace", "messages_per_second", "ack_latency_p50_ms",
                          "ack_latency_p99_ms"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["messages"], 3);
  EXPECT_EQ(j["sent"], 3);
  EXPECT_TRUE(j["quiesced"].get<bool>());
  // Same seed, same trace file, byte for byte.
  RunArgs b = a;
  b.trace = (dir / "b.jsonl").string();
  std::ostringstream out2, err2;
  ASSERT_EQ(run_run(b, out2, err2), 0);
  const std::string ta = Read(a.trace), tb = Read(b.trace);
  EXPECT_FALSE(ta.empty());
  EXPECT_EQ(ta, tb);
  EXPECT_NE(ta.find("\"source\":\"impl\""), std::string::npos);
}

TEST(RunCommandTest, BadInputExitsTwoNamingTheProblem) {
  RunArgs a = Deterministic("hardened", 1);
  a.duration = "ten seconds";
  std::ostringstream out, err;
  EXPECT_EQ(run_run(a, out, err), 2);
  EXPECT_NE(err.str().find("--duration"), std::string::npos);

  RunArgs b = Deterministic("hardened", 1);
  b.overrides = {"ackz=1"};
  std::ostringstream out2, err2;
  EXPECT_EQ(run_run(b, out2, err2), 2);
  EXPECT_NE(err2.str().find("did you mean 'acks'"), std::string::npos) << err2.str();

  RunArgs d = Deterministic("hardened", 1);
  d.data_dir = "/proc/kdc-no-such-dir";
  std::ostringstream out4, err4;
  EXPECT_EQ(run_run(d, out4, err4), 2);
  EXPECT_NE(err4.str().find("--data-dir"), std::string::npos) << err4.str();

  RunArgs t = Deterministic("hardened", 1);
  t.trace = "/proc/kdc-no-such-dir/run.jsonl";
  std::ostringstream out5, err5;
  EXPECT_EQ(run_run(t, out5, err5), 2);
  EXPECT_NE(err5.str().find("--trace"), std::string::npos) << err5.str();
  EXPECT_EQ(out5.str(), "") << "the run must not start";

  RunArgs c = Deterministic("hardened", 1);
  c.require = "twice-only";
  std::ostringstream out3, err3;
  EXPECT_EQ(run_run(c, out3, err3), 2);
}

TEST(RunCommandTest, RequireGatesOnWhatTheRunShowed) {
  // A fault-free run of the hardened pipeline shows nothing: at-least-once holds for it.
  RunArgs a = Deterministic("hardened", 1);
  a.faults = false;
  a.require = "exactly-once";
  std::ostringstream out, err;
  EXPECT_EQ(run_run(a, out, err), 0) << out.str();
  // naive-defaults (auto-commit) processes records again after a consumer crash
  // (ImplReproduction shows it on the D_proc counterexample); among the first seeds one run
  // shows D_proc, and --require at-most-once then exits 1.
  bool failed_once = false;
  for (uint64_t seed = 1; seed <= 15 && !failed_once; ++seed) {
    RunArgs b = Deterministic("naive-defaults", seed);
    b.require = "at-most-once";
    std::ostringstream o, e;
    failed_once = run_run(b, o, e) == 1;
  }
  EXPECT_TRUE(failed_once);
}

}  // namespace
}  // namespace kdc
