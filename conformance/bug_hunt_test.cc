// The seeded-bug hunt and its saved catches (traces/bugs/<bug>.jsonl).
#include "conformance/bug_hunt.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "conformance/model_replay.h"
#include "impl/cluster/seeded_bugs.h"

namespace kdc {
namespace {

TEST(BugHunt, EveryBugHasACatalogueEntryWithAValidConfiguration) {
  ASSERT_EQ(seeded_bug_catalogue().size(), impl::seeded_bug_names().size());
  for (const std::string& bug : impl::seeded_bug_names()) {
    const BugHuntSpec* s = find_bug_spec(bug);
    ASSERT_NE(s, nullptr) << bug;
    auto c = spec_config(*s, {}, s->messages);
    EXPECT_TRUE(std::holds_alternative<Config>(c)) << bug << ": " << std::get<ConfigError>(c).str();
    auto n = spec_config(*s, s->neighbour, s->messages);
    EXPECT_TRUE(std::holds_alternative<Config>(n)) << bug << " (neighbour): " << std::get<ConfigError>(n).str();
  }
}

TEST(BugHunt, RecipeRoundTripsThroughATraceNote) {
  HuntRecipe r;
  r.bug = "hw_before_isr";
  r.messages = 1;
  r.seed = 42;
  r.directed = true;
  impl::DirectedFault f;
  f.fault = EventType::kBrokerCrash;
  f.broker = 0;
  f.after.type = EventType::kProduceResponse;
  f.after.msg = 0;
  f.after.outcome = Result::kAcked;
  f.occurrence = 2;
  r.faults.push_back(f);
  HuntRecipe back;
  std::string error;
  ASSERT_TRUE(recipe_from_note("seeded bug x: ...; recipe: " + recipe_to_json(r), &back, &error)) << error;
  EXPECT_EQ(recipe_to_json(back), recipe_to_json(r));
  EXPECT_FALSE(recipe_from_note("no recipe here", &back, &error));
}

// The hunt itself, on the cheapest bug: caught, minimised, and clean without the switch.
TEST(BugHunt, CommitBeforeProcessIsCaughtAsASkippedRecord) {
  HuntOptions o;
  o.max_runs = 60;
  o.max_minimise_runs = 60;
  o.replay = false;  // by its effect alone (the replay catches it sooner: the benchmark)
  HuntResult r = hunt_seeded_bug(*find_bug_spec("commit_before_process"), o);
  ASSERT_EQ(r.error, "");
  ASSERT_TRUE(r.caught) << "not caught in " << r.runs << " runs";
  EXPECT_EQ(r.effect, "L_skip");
  EXPECT_TRUE(r.without_bug_clean) << "without the bug: " << effects_names(r.without_bug_forbidden);
  EXPECT_LE(r.minimal.messages, r.first.messages);
  EXPECT_EQ(r.trace.header.source, "impl");
}

// Every saved catch: its recipe, run again, is caught with the bug on and shows nothing
// the model forbids with it off (so the catch is the bug's, not the harness's).
TEST(BugHunt, SavedCatchesAreTheBugsAndOnlyTheBugs) {
  const std::filesystem::path dir = std::filesystem::path(KDC_SOURCE_DIR) / "traces" / "bugs";
  int checked = 0;
  for (const std::string& bug : impl::seeded_bug_names()) {
    const std::filesystem::path file = dir / (bug + ".jsonl");
    if (!std::filesystem::exists(file)) continue;  // not caught yet: the benchmark says so
    ++checked;
    Trace t;
    std::string error;
    ASSERT_TRUE(read_trace(file.string(), &t, &error)) << error;
    EXPECT_EQ(t.header.source, "impl") << bug;
    HuntRecipe recipe;
    ASSERT_TRUE(recipe_from_note(t.header.note, &recipe, &error)) << bug << ": " << error;
    EXPECT_EQ(recipe.bug, bug);
    auto loaded = config_of(t.header);
    ASSERT_TRUE(std::holds_alternative<Config>(loaded)) << bug;
    const Config& config = std::get<Config>(loaded);
    const Allowed allowed = allowed_effects(config);
    ASSERT_TRUE(allowed.complete) << bug;
    // A catch by a forbidden effect names it in the header; a catch by the replay does not.
    const bool by_effect = !t.header.effect.empty();
    RecipeRun on = run_recipe(config, recipe, /*bug_on=*/true, allowed.effects, /*replay=*/!by_effect);
    EXPECT_TRUE(on.caught()) << bug << ": shows " << effects_names(on.shown) << ", the model allows "
                             << effects_names(allowed.effects);
    if (by_effect) {
      Effect e;
      ASSERT_TRUE(parse_effect(t.header.effect, &e));
      EXPECT_TRUE(on.forbidden & bit(e)) << bug << ": no longer shows " << t.header.effect;
    } else {
      EXPECT_TRUE(on.diverged) << bug << ": its trace now replays on the model";
    }
    RecipeRun off = run_recipe(config, recipe, /*bug_on=*/false, allowed.effects, /*replay=*/!by_effect);
    EXPECT_TRUE(off.report.quiesced) << bug;
    EXPECT_FALSE(off.caught()) << bug << ": without the bug the recipe shows "
                               << effects_names(off.forbidden)
                               << (off.diverged ? ", and its trace diverges: " + off.divergence : "");
  }
  EXPECT_GT(checked, 0) << "no saved catch in traces/bugs/";
}

}  // namespace
}  // namespace kdc
