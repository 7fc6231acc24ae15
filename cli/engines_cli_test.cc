// The contracts of kdc prove, kdc matrix and kdc advise (issue 4): check's JSON and exit
// codes for prove, the generated guarantee table, advise's verified proposals.
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




TEST(ProveCommandTest, SameJsonFieldsAsCheckAndReplayableTraces) {
  const std::string out_dir = (std::filesystem::temp_directory_path() / "kdc_prove_test").string();
  std::filesystem::remove_all(out_dir);
  CheckArgs a;
  a.files = Example("naive-defaults");
  a.messages = 1;
  a.json = true;
  a.quiet = true;
  a.out_dir = out_dir;
  CheckArgs p = a;
  p.z3 = true;
  p.depth = 3;
  p.unbounded = false;
  std::ostringstream out, err;
  ASSERT_EQ(run_check(p, out, err), 0) << err.str();
  auto j = nlohmann::json::parse(out.str());
  for (const char* key : {"guarantee", "effects", "ordering", "counterexamples", "not_modelled", "notes", "stats"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["stats"]["engine"], "z3");
  EXPECT_EQ(j["stats"]["depth"], 3);
  EXPECT_EQ(j["stats"]["complete"], false);  // a bounded proof
  // Runs of 3 steps already lose a message: the send fails and is dropped, or the producer
  // crashes with it buffered. Both are 2 steps long, as check's shortest runs are.
  EXPECT_EQ(j["effects"], (nlohmann::json{"L_fail", "L_unsent"}));
  for (const auto& cx : j["counterexamples"]) {
    EXPECT_EQ(cx["steps"], 2);
    ReplayArgs r;
    r.trace = cx["trace"];
    r.json = true;
    std::ostringstream rout, rerr;
    EXPECT_EQ(run_replay(r, rout, rerr), 0) << rerr.str();
  }
  // --require at a bounded depth cannot pass: like check's incomplete search.
  p.require = "at-most-once";
  std::ostringstream out2, err2;
  EXPECT_EQ(run_check(p, out2, err2), 1);
}

TEST(ProveCommandTest, BadInputIsExitTwo) {
  CheckArgs p;
  p.z3 = true;
  p.quiet = true;
  p.overrides = {"acks=two"};
  std::ostringstream out, err;
  EXPECT_EQ(run_check(p, out, err), 2);
  EXPECT_NE(err.str().find("kdc prove"), std::string::npos) << err.str();
}

// docs/guarantees.md is the output of `kdc matrix --md`, never edited by hand.
TEST(MatrixCommandTest, GuaranteesDocIsTheGeneratedTable) {
  MatrixArgs m;
  m.markdown = true;
  m.quiet = true;
  std::ostringstream out, err;
  ASSERT_EQ(run_matrix(m, out, err), 0) << err.str();
  auto strip_timing = [](std::string s) {
    const size_t at = s.find("\nClassified in ");
    return at == std::string::npos ? s : s.substr(0, at);
  };
  EXPECT_EQ(strip_timing(out.str()), strip_timing(Read(kSource + "/docs/guarantees.md")))
      << "regenerate with: build/kdc matrix --md > docs/guarantees.md";
}

TEST(MatrixCommandTest, UnknownFaultIsExitTwo) {
  MatrixArgs m;
  m.faults = "broker.explosion";
  std::ostringstream out, err;
  EXPECT_EQ(run_matrix(m, out, err), 2);
  EXPECT_NE(err.str().find("broker.explosion"), std::string::npos);
}

TEST(AdviseCommandTest, ProposalsReachTheGuaranteeAndAreVerified) {
  AdviseArgs a;
  a.files = Example("naive-defaults");
  a.require = "at-least-once";
  a.json = true;
  a.quiet = true;
  a.z3_depth = 3;
  a.max_changes = 2;
  std::ostringstream out, err;
  ASSERT_EQ(run_advise(a, out, err), 0) << err.str();
  auto j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j["current"]["guarantee"], "none");
  ASSERT_FALSE(j["proposals"].empty());
  int last_cost = 0;
  for (const auto& p : j["proposals"]) {
    EXPECT_TRUE(p["guarantee"] == "at-least-once" || p["guarantee"] == "exactly-once") << p;
    EXPECT_TRUE(p["verified"]["z3"]["holds"].get<bool>()) << p;
    EXPECT_GE(p["cost"].get<int>(), last_cost);  // ranked by cost
    last_cost = p["cost"];
    // Each proposal really gives the guarantee: check it again through kdc check.
    CheckArgs c;
    c.files = a.files;
    c.messages = 1;
    c.quiet = true;
    c.require = "at-least-once";
    c.out_dir = (std::filesystem::temp_directory_path() / "kdc_advise_test").string();
    for (const auto& change : p["changes"])
      for (const auto& s : change["set"]) c.overrides.push_back(s);
    std::ostringstream cout_, cerr_;
    EXPECT_EQ(run_check(c, cout_, cerr_), 0) << p;
  }
}

TEST(AdviseCommandTest, CatalogTableInDocsMatchesTheCode) {
  const std::string doc = Read(kSource + "/docs/advise.md");
  for (const auto& [first_setting, cost] : advise_catalog())
    EXPECT_NE(doc.find("`" + first_setting + "`"), std::string::npos) << first_setting;
  EXPECT_EQ(advise_catalog().size(), 17u) << "update docs/advise.md's table";
}

TEST(AdviseCommandTest, UnknownGuaranteeIsExitTwo) {
  AdviseArgs a;
  a.require = "twice";
  std::ostringstream out, err;
  EXPECT_EQ(run_advise(a, out, err), 2);
}

}  // namespace
}  // namespace kdc
