// The command-line contract (issue 2): JSON fields, exit codes, errors naming file and line.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/cli_test_support.h"
#include "cli/commands.h"

namespace kdc {
namespace {

using testing::kSource;
using testing::temp_dir;
using testing::write_file;



struct CliRun {
  int code;
  std::string out, err;
};

CliRun check(CheckArgs args) {
  args.quiet = true;
  std::ostringstream out, err;
  int code = run_check(args, out, err);
  return {code, out.str(), err.str()};
}

TEST(CheckCommandTest, JsonHasTheContractFields) {
  CheckArgs a;
  a.files = {kSource + "/examples/at-most-once/producer.properties",
             kSource + "/examples/at-most-once/server.properties",
             kSource + "/examples/at-most-once/consumer.properties",
             kSource + "/examples/at-most-once/app.properties"};
  a.json = true;
  a.out_dir = temp_dir("json");
  CliRun r = check(a);
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["guarantee"], "at-most-once");
  EXPECT_EQ(j["ordering"], "preserved");
  EXPECT_EQ(j["effects"], (nlohmann::json{"L_ack", "L_fail", "L_unsent", "L_skip"}));
  ASSERT_EQ(j["counterexamples"].size(), 4u);
  for (const auto& cx : j["counterexamples"]) {
    EXPECT_TRUE(std::filesystem::exists(cx["trace"].get<std::string>())) << cx;
    EXPECT_EQ(std::filesystem::path(cx["trace"].get<std::string>()).stem().string(), cx["effect"].get<std::string>());
  }
  EXPECT_TRUE(j["not_modelled"].is_array());
  EXPECT_NE(std::find(j["not_modelled"].begin(), j["not_modelled"].end(), "bootstrap.servers"),
            j["not_modelled"].end());
  EXPECT_GT(j["stats"]["states"].get<uint64_t>(), 1000u);
  EXPECT_TRUE(j["stats"]["seconds"].is_number());
  EXPECT_EQ(j["stats"]["complete"], true);
}

TEST(CheckCommandTest, RequireDecidesTheExitCode) {
  std::string dir = temp_dir("require");
  std::string f = write_file(dir, "p.properties", "acks=0\nreplication.factor=1\n");
  CheckArgs a;
  a.files = {f};
  a.out_dir = dir + "/out";
  a.require = "at-least-once";
  EXPECT_EQ(check(a).code, 1);  // acks=0 loses acknowledged messages
  a.require = "none";
  EXPECT_EQ(check(a).code, 0);
  a.require = "at-least-twice";
  CliRun bad = check(a);
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("at-least-twice"), std::string::npos);
}

TEST(CheckCommandTest, MisspeltKeyNamesFileLineAndSuggestion) {
  std::string dir = temp_dir("misspelt");
  std::string f = write_file(dir, "producer.properties", "# comment\nacks=all\nenable.idempotance=true\n");
  CheckArgs a;
  a.files = {f};
  CliRun r = check(a);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("producer.properties:3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("enable.idempotence"), std::string::npos) << r.err;
}

TEST(CheckCommandTest, BadValueAndMissingFileAreUsageErrors) {
  std::string dir = temp_dir("badvalue");
  std::string f = write_file(dir, "server.properties", "min.insync.replicas=two\n");
  CheckArgs a;
  a.files = {f};
  CliRun r = check(a);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("server.properties:1"), std::string::npos) << r.err;
  a.files = {dir + "/does-not-exist.properties"};
  r = check(a);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("does-not-exist.properties"), std::string::npos) << r.err;
}

TEST(CheckCommandTest, SetOverridesFilesAndMessagesBoundsTheModel) {
  std::string dir = temp_dir("set");
  std::string f = write_file(dir, "p.properties", "acks=0\n");
  CheckArgs a;
  a.files = {f};
  a.overrides = {"acks=all", "replication.factor=1", "fault.max.total=0"};
  a.messages = 1;
  a.json = true;
  a.out_dir = dir + "/out";
  CliRun r = check(a);
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["guarantee"], "exactly-once");  // no faults at all: nothing can go wrong
  EXPECT_TRUE(j["counterexamples"].empty());
}

TEST(CheckCommandTest, TextReportTellsTheStory) {
  std::string dir = temp_dir("text");
  std::string f = write_file(dir, "p.properties", "acks=1\nreplication.factor=1\nfault.broker.power.loss=1\n");
  CheckArgs a;
  a.files = {f};
  a.messages = 1;
  a.out_dir = dir + "/out";
  CliRun r = check(a);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Guarantee: "), std::string::npos);
  EXPECT_NE(r.out.find("L_ack — m0: acknowledged to the producer application, then lost"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("FAULT: broker 0 loses power"), std::string::npos) << r.out;
}

TEST(ReplayCommandTest, ReplaysAWrittenCounterexample) {
  std::string dir = temp_dir("replay");
  std::string f = write_file(dir, "p.properties", "acks=0\nreplication.factor=1\n");
  CheckArgs a;
  a.files = {f};
  a.messages = 1;
  a.out_dir = dir + "/out";
  ASSERT_EQ(check(a).code, 0);
  ReplayArgs ra;
  ra.trace = dir + "/out/L_ack.jsonl";
  std::ostringstream out, err;
  EXPECT_EQ(run_replay(ra, out, err), 0) << err.str() << out.str();
  EXPECT_NE(out.str().find("Every step is a legal model step"), std::string::npos) << out.str();
}

TEST(ReplayCommandTest, BrokenTraceNamesTheLine) {
  std::string dir = temp_dir("replay_bad");
  std::string t = write_file(dir, "t.jsonl",
                             "{\"format\":\"kdc-trace\",\"version\":1,\"source\":\"model\",\"effect\":null,\"config\":{}}\n"
                             "{\"step\":1,\"event\":\"send\",\"msg\":0,\"gen\":0}\n"
                             "{\"step\":2,\"event\":\"sned\"}\n");
  ReplayArgs ra;
  ra.trace = t;
  std::ostringstream out, err;
  EXPECT_EQ(run_replay(ra, out, err), 2);
  EXPECT_NE(err.str().find("t.jsonl:3"), std::string::npos) << err.str();
}

// The binary itself: --help teaches, usage errors exit 2.
int run_binary(const std::string& args, std::string* output) {
  std::string cmd = std::string(KDC_BINARY) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) output->append(buf, n);
  return WEXITSTATUS(pclose(p));
}

TEST(BinaryTest, HelpAndUsage) {
  std::string out;
  EXPECT_EQ(run_binary("check --help", &out), 0);
  EXPECT_NE(out.find("Exit status"), std::string::npos);
  EXPECT_NE(out.find("L_ack"), std::string::npos);
  out.clear();
  EXPECT_EQ(run_binary("check --no-such-flag", &out), 2);
  out.clear();
  EXPECT_EQ(run_binary("", &out), 2);
  out.clear();
  EXPECT_EQ(run_binary("check --messages 9", &out), 2);
}

}  // namespace
}  // namespace kdc
