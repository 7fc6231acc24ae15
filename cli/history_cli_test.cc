// kdc history's contract: exit codes 0 / 1 / 2, the --json shape, errors naming the file
// and line, --from-trace and --export-edn.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>

#include "cli/cli_test_support.h"
#include "cli/commands.h"

namespace kdc {
namespace {

using testing::kSource;
using testing::write_file;

std::string temp_dir(const std::string& name) { return testing::temp_dir("history_" + name); }



struct HistoryRun {
  int code;
  std::string out, err;
};

HistoryRun history(HistoryArgs a) {
  std::ostringstream out, err;
  int code = run_history(a, out, err);
  return {code, out.str(), err.str()};
}

const char* kValid =
    "{:index 0, :time 0, :process 0, :type :invoke, :f :send, :value [[:send :x 1]]}\n"
    "{:index 1, :time 1, :process 0, :type :ok, :f :send, :value [[:send :x [0 1]]]}\n"
    "{:index 2, :time 2, :process 1, :type :invoke, :f :poll, :value [[:poll]]}\n"
    "{:index 3, :time 3, :process 1, :type :ok, :f :poll, :value [[:poll {:x [[0 1]]}]]}\n";

// The same run, but the poll reaches offset 1 while the acknowledged offset 0 was never read.
const char* kLost =
    "{\"index\":0,\"process\":0,\"type\":\"ok\",\"f\":\"send\",\"value\":[[\"send\",\"x\",[0,1]],[\"send\",\"x\",[1,2]]]}\n"
    "{\"index\":1,\"process\":1,\"type\":\"ok\",\"f\":\"poll\",\"value\":[[\"poll\",{\"x\":[[1,2]]}]]}\n";

TEST(HistoryCommandTest, ValidExitsZeroWithTheJsonShape) {
  std::string dir = temp_dir("valid");
  HistoryArgs a;
  a.file = write_file(dir, "h.edn", kValid);
  a.json = true;
  HistoryRun r = history(a);
  EXPECT_EQ(r.code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j, nlohmann::json::parse(R"({"valid": true, "anomalies": {}})"));
}

TEST(HistoryCommandTest, AnomaliesExitOne) {
  std::string dir = temp_dir("lost");
  HistoryArgs a;
  a.file = write_file(dir, "h.jsonl", kLost);  // JSONL by extension
  a.json = true;
  HistoryRun r = history(a);
  EXPECT_EQ(r.code, 1) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j["valid"], false);
  ASSERT_TRUE(j["anomalies"].contains("lost-write")) << r.out;
  EXPECT_TRUE(j["anomalies"]["lost-write"].is_array());
  EXPECT_EQ(j["anomalies"]["lost-write"][0]["value"], 1);
  // Forced to EDN, the same file does not parse: exit 2, naming file and line.
  a.format = "edn";
  HistoryRun bad = history(a);
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find(a.file + ":1:"), std::string::npos) << bad.err;
  // The text report names the anomaly and the verdict.
  a.format = "";
  a.json = false;
  HistoryRun text = history(a);
  EXPECT_EQ(text.code, 1);
  EXPECT_NE(text.out.find("lost-write (1)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("Valid: no (lost-write, unseen)"), std::string::npos) << text.out;
}

TEST(HistoryCommandTest, UnreadableInputAndUsageExitTwo) {
  std::string dir = temp_dir("bad");
  HistoryArgs a;
  a.file = write_file(dir, "h.edn", std::string(kValid) + "{:index 4, :type :ok, :f :poll, :value [[:poll {:x [[1]]}]]}\n");
  HistoryRun r = history(a);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(a.file + ":5:"), std::string::npos) << r.err;
  HistoryArgs missing;
  missing.file = dir + "/nope.edn";
  EXPECT_EQ(history(missing).code, 2);
  HistoryArgs none;
  EXPECT_EQ(history(none).code, 2);  // neither FILE nor --from-trace
  HistoryArgs both = a;
  both.from_trace = a.file;
  EXPECT_EQ(history(both).code, 2);
}

TEST(HistoryCommandTest, FromTraceAndExport) {
  std::string dir = temp_dir("trace");
  HistoryArgs a;
  a.from_trace = kSource + "/traces/at-most-once/L_ack.jsonl";
  a.export_edn = dir + "/run.edn";
  a.json = true;
  HistoryRun r = history(a);
  EXPECT_EQ(r.code, 1) << r.err;  // m0 was acknowledged and never polled
  EXPECT_TRUE(nlohmann::json::parse(r.out)["anomalies"].contains("unseen")) << r.out;
  // The exported EDN checks the same.
  HistoryArgs again;
  again.file = a.export_edn;
  again.json = true;
  HistoryRun r2 = history(again);
  EXPECT_EQ(r2.code, 1) << r2.err;
  EXPECT_EQ(r2.out, r.out);
}

TEST(HistoryCommandTest, BinaryExitCodes) {
  std::string dir = temp_dir("binary");
  std::string valid = write_file(dir, "ok.edn", kValid);
  std::string lost = write_file(dir, "lost.jsonl", kLost);
  auto status = [](const std::string& args) {
    std::string cmd = std::string(KDC_BINARY) + " " + args + " >/dev/null 2>&1";
    return WEXITSTATUS(system(cmd.c_str()));
  };
  EXPECT_EQ(status("history " + valid), 0);
  EXPECT_EQ(status("history " + lost + " --json"), 1);
  EXPECT_EQ(status("history " + valid + " --format yaml"), 2);
  EXPECT_EQ(status("history"), 2);
}

}  // namespace
}  // namespace kdc
