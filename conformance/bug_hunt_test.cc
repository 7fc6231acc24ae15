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

// Every seeded bug has a saved catch (traces/bugs/<bug>.jsonl, written by the benchmark
// with KDC_BUG_TRACES), and its recipe, run again, is caught with the switch on and clean
// with it off, on the channel that caught it, so the catch is the bug's and not the
// harness's or the replay's.
class SavedCatch : public ::testing::TestWithParam<std::string> {};

TEST_P(SavedCatch, IsTheBugsAndOnlyTheBugs) {
  const std::string bug = GetParam();
  const std::filesystem::path file =
      std::filesystem::path(KDC_SOURCE_DIR) / "traces" / "bugs" / (bug + ".jsonl");
  ASSERT_TRUE(std::filesystem::exists(file))
      << file << " is missing: KDC_BUG_TRACES=traces/bugs build/kdc_bench --benchmark_filter=SeededBug";
  Trace t;
  std::string error;
  ASSERT_TRUE(read_trace(file.string(), &t, &error)) << error;
  EXPECT_EQ(t.header.source, "impl");
  HuntRecipe recipe;
  ASSERT_TRUE(recipe_from_note(t.header.note, &recipe, &error)) << error;
  EXPECT_EQ(recipe.bug, bug);
  auto loaded = config_of(t.header);
  ASSERT_TRUE(std::holds_alternative<Config>(loaded));
  const Config& config = std::get<Config>(loaded);
  const Allowed allowed = allowed_effects(config);
  ASSERT_TRUE(allowed.complete);
  // A catch by a forbidden effect names it in the header; a catch by the replay does not.
  const bool by_effect = !t.header.effect.empty();
  RecipeRun on = run_recipe(config, recipe, /*bug_on=*/true, allowed.effects, /*replay=*/!by_effect);
  EXPECT_TRUE(on.caught()) << "shows " << effects_names(on.shown) << ", the model allows "
                           << effects_names(allowed.effects);
  // The saved trace is the run the recipe makes (the implementation is deterministic).
  EXPECT_TRUE(on.events == t.events) << "the recipe no longer makes the saved run";
  RecipeRun off = run_recipe(config, recipe, /*bug_on=*/false, allowed.effects, /*replay=*/!by_effect);
  EXPECT_TRUE(off.report.quiesced);
  EXPECT_EQ(off.forbidden, 0) << "without the bug the recipe shows " << effects_names(off.forbidden);
  EXPECT_FALSE(off.unexplained);
  if (by_effect) {
    Effect e;
    ASSERT_TRUE(parse_effect(t.header.effect, &e));
    EXPECT_TRUE(on.forbidden & bit(e)) << "no longer shows " << t.header.effect;
  } else {
    EXPECT_TRUE(on.diverged) << "its trace now replays on the model";
    EXPECT_TRUE(divergence_is_the_bugs(on, off))
        << "without the bug the recipe diverges too, at event " << off.diverged_at
        << " (with it: " << on.diverged_at << "): " << off.divergence;
  }
}

INSTANTIATE_TEST_SUITE_P(EverySeededBug, SavedCatch, ::testing::ValuesIn(impl::seeded_bug_names()),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

// The judgement of a divergence: the bug's only where the run without it shares every
// earlier event and replays past that one.
TEST(BugHunt, ADivergenceIsTheBugsOnlyWhereTheRunWithoutItGetsFurther) {
  RecipeRun on, off;
  Event a, b, c;
  a.type = EventType::kSend;
  b.type = EventType::kHandleProduce;
  c.type = EventType::kPoll;
  on.events = {a, b, c};
  on.diverged = true;
  on.diverged_at = 2;
  off.events = {a, c, c};
  EXPECT_TRUE(divergence_is_the_bugs(on, off));  // off replays
  off.diverged = true;
  off.diverged_at = 3;
  EXPECT_TRUE(divergence_is_the_bugs(on, off));  // off gets past event 2
  off.diverged_at = 2;
  EXPECT_FALSE(divergence_is_the_bugs(on, off));  // off stops there too
  off.diverged_at = 3;
  off.events = {c, c, c};
  EXPECT_FALSE(divergence_is_the_bugs(on, off));  // not the same run before it
  on.diverged = false;
  EXPECT_FALSE(divergence_is_the_bugs(on, off));
}

}  // namespace
}  // namespace kdc
