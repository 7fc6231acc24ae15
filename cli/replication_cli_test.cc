// The replication-safety contracts of issue 8: kdc check's "replication" JSON with
// --replicas and --max-leader-epoch, kdc replay's report of the step that breaks it, and
// the kdc replication table command.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "cli/cli_test_support.h"
#include "cli/commands.h"

namespace kdc {
namespace {

// examples/replication/<name>/*.properties, in a shell glob's order.
std::vector<std::string> ReplicationExample(const std::string& name) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(testing::kSource + "/examples/replication/" + name))
    if (e.path().extension() == ".properties") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

std::string OutDir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("kdc_replication_test_" + name);
  std::filesystem::remove_all(dir);
  return dir.string();
}

TEST(ReplicationCliTest, CheckReportsTheBrokenPropertyWithAReplayableTrace) {
  CheckArgs a;
  a.files = ReplicationExample("kip-279-fast-leader-changes");
  a.json = true;
  a.quiet = true;
  a.out_dir = OutDir("check");
  std::ostringstream out, err;
  ASSERT_EQ(run_check(a, out, err), 0) << err.str();
  auto j = nlohmann::json::parse(out.str());
  ASSERT_TRUE(j.contains("replication"));
  EXPECT_EQ(j["replication"]["holds"], false);
  ASSERT_TRUE(j["replication"]["counterexample"].is_string());
  EXPECT_EQ(j["replication"]["violations"][0]["property"], "log divergence");

  ReplayArgs r;
  r.trace = j["replication"]["counterexample"];
  r.json = true;
  std::ostringstream rout, rerr;
  ASSERT_EQ(run_replay(r, rout, rerr), 0) << rerr.str();
  auto rj = nlohmann::json::parse(rout.str());
  EXPECT_EQ(rj["replication"]["holds"], false);
  EXPECT_EQ(rj["replication"]["broken_at"], j["replication"]["violations"][0]["steps"]);
}

TEST(ReplicationCliTest, ReplicasAndMaxLeaderEpochOverrideTheFiles) {
  // The same example on one broker cannot diverge; --replicas 1 must reach the model.
  CheckArgs a;
  a.files = ReplicationExample("kip-279-fast-leader-changes");
  a.json = true;
  a.quiet = true;
  a.out_dir = OutDir("replicas");
  a.replicas = 1;
  std::ostringstream out, err;
  ASSERT_EQ(run_check(a, out, err), 0) << err.str();
  auto j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j["replication"]["holds"], true);
  EXPECT_TRUE(j["replication"]["counterexample"].is_null());

  // Two elections are needed for KIP-279's divergence: with leader epochs cut at 2 it
  // cannot show, and the cut is reported as bound hits.
  a.replicas = 0;
  a.max_leader_epoch = 2;
  std::ostringstream out2, err2;
  ASSERT_EQ(run_check(a, out2, err2), 0) << err2.str();
  auto j2 = nlohmann::json::parse(out2.str());
  EXPECT_EQ(j2["replication"]["holds"], true);
  EXPECT_GT(j2["stats"]["bound_hits"].get<int>(), 0);
}

TEST(ReplicationCliTest, ProveSaysItDoesNotCheckReplication) {
  CheckArgs p;
  p.files = ReplicationExample("kip-279-fast-leader-changes");
  p.z3 = true;
  p.depth = 1;
  p.unbounded = false;
  p.json = true;
  p.quiet = true;
  p.out_dir = OutDir("prove");
  std::ostringstream out, err;
  ASSERT_EQ(run_check(p, out, err), 0) << err.str();
  EXPECT_TRUE(nlohmann::json::parse(out.str())["replication"].is_null());
}

TEST(ReplicationCliTest, TableCommandJsonAndErrors) {
  ReplicationArgs a;
  a.versions = "0.11,2.0";
  a.replicas = "2";
  a.workloads = "crash";
  a.json = true;
  a.quiet = true;
  a.out_dir = OutDir("table");
  std::ostringstream out, err;
  ASSERT_EQ(run_replication(a, out, err), 0) << err.str();
  auto j = nlohmann::json::parse(out.str());
  ASSERT_EQ(j["cells"].size(), 2u);
  EXPECT_EQ(j["cells"][0]["version"], "0.11");
  EXPECT_EQ(j["cells"][1]["version"], "2.0");
  for (const auto& c : j["cells"]) {
    EXPECT_EQ(c["replicas"], 2);
    EXPECT_EQ(c["faults"], "crash");
    EXPECT_EQ(c["holds"], true);
    EXPECT_EQ(c["complete"], true);
    EXPECT_GT(c["states"].get<int>(), 0);
  }

  ReplicationArgs md = a;
  md.json = false;
  md.markdown = true;
  std::ostringstream mout, merr;
  ASSERT_EQ(run_replication(md, mout, merr), 0);
  EXPECT_NE(mout.str().find("| 0.11 |"), std::string::npos) << mout.str();
  EXPECT_NE(mout.str().find("KIP-279"), std::string::npos);

  for (auto [field, value] : {std::pair{"versions", "0.9"}, {"replicas", "4"}, {"faults", "meteor"}}) {
    ReplicationArgs bad = a;
    if (std::string(field) == "versions") bad.versions = value;
    if (std::string(field) == "replicas") bad.replicas = value;
    if (std::string(field) == "faults") bad.workloads = value;
    std::ostringstream bout, berr;
    EXPECT_EQ(run_replication(bad, bout, berr), 2) << field;
    EXPECT_NE(berr.str().find(value), std::string::npos) << berr.str();
  }
}

}  // namespace
}  // namespace kdc
