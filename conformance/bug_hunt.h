// The seeded-bug hunt: does the conformance suite catch a bug planted in the
// implementation (impl/cluster/seeded_bugs.h)?
//
// For one configuration the model's allowed effects are computed once (the explicit
// checker: exactly what `kdc check` prints). Then the deterministic implementation runs
// with the bug switched on, over seeds, with either the configuration's own seeded fault
// plan or the faults of a model counterexample placed at the same step (directed faults,
// conformance/impl_reproduction.h) — counterexamples of the configuration itself and of a
// neighbouring configuration whose anomaly lies where the bug does (the pre-0.11 release
// for a truncation bug, acks=1 for a high-watermark bug, ...). A run is caught when it
// shows an effect the model does not allow for the configuration, or a loss no rule
// explains. The catch is then minimised (fewer messages, fewer faults, a smaller seed)
// while it stays caught, and the minimal run is written as a replayable trace whose note
// holds its recipe, so that tests can run it again with the switch on and off.
//
// Why effects and not the replay: the model's replayer of implementation traces
// (conformance/model_replay.h) is optional here (HuntOptions::replay); a run the replayer
// rejects is also reported as caught, but only when the same replayer accepts the runs
// without the bug, else the catch would be the replayer's.
#ifndef KDC_CONFORMANCE_BUG_HUNT_H_
#define KDC_CONFORMANCE_BUG_HUNT_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "impl/cluster/cluster.h"
#include "model/effects.h"
#include "model/vocabulary/config.h"
#include "model/vocabulary/trace.h"

namespace kdc {

// One seeded bug and where to hunt it.
struct BugHuntSpec {
  std::string bug;                        // a name from impl::seeded_bug_names()
  std::string breaks;                     // what the bug should break, for people
  std::vector<std::string> settings;      // "key=value": the configuration under test
  std::vector<std::string> neighbour;     // overrides on top ("key=" removes the key)
  int messages = 2;
};

// The catalogue: one entry per seeded bug, in impl::seeded_bug_names() order.
const std::vector<BugHuntSpec>& seeded_bug_catalogue();
const BugHuntSpec* find_bug_spec(std::string_view bug);

// What reproduces one run exactly (with the same configuration).
struct HuntRecipe {
  std::string bug;
  int messages = 2;
  uint64_t seed = 1;
  bool directed = false;                  // false: the configuration's seeded fault plan
  std::vector<impl::DirectedFault> faults;
};
std::string recipe_to_json(const HuntRecipe& r);
bool recipe_from_json(std::string_view text, HuntRecipe* out, std::string* error);
// The recipe in a trace note ("... recipe: {json}"); false if none.
bool recipe_from_note(const std::string& note, HuntRecipe* out, std::string* error);

// One run of a recipe, with the recipe's bug on or off.
struct RecipeRun {
  impl::RunReport report;
  std::vector<Event> events;
  EffectSet shown = 0;       // effects the run shows
  EffectSet forbidden = 0;   // shown and not in `allowed`
  bool unexplained = false;  // a loss the ledger cannot explain (never allowed)
  // The run's trace does not replay on the model (conformance/model_replay.h): the first
  // event no model state allows. Set only when asked for (run_recipe's `replay`).
  bool diverged = false;
  int diverged_at = 0;
  std::string divergence;
  bool caught() const { return forbidden != 0 || unexplained || diverged; }
};
// Runs drain one record per request, the model's batching (docs/conformance.md, F1), so
// that their traces can replay on the model.
RecipeRun run_recipe(const Config& config, const HuntRecipe& recipe, bool bug_on,
                     EffectSet allowed, bool replay = false);

// Whether the divergence of `on` (a run with the bug) is the bug's: the same recipe without
// the bug, `off`, either replays, or logged the same events before the one `on` diverges at
// and replays past it, diverging only later (at one of the replay's own gaps,
// docs/conformance.md §5). With the same events before it both replays stand in the same
// model states, so the event they differ in is where the bug changed the run, and the model
// accepts what the implementation does without the bug there and not what it does with it.
bool divergence_is_the_bugs(const RecipeRun& on, const RecipeRun& off);

// The model's allowed effects for `config` (the explicit checker, every core).
struct Allowed {
  EffectSet effects = 0;
  bool complete = true;  // false: the search stopped at its state limit
  double seconds = 0;
  std::vector<std::vector<Event>> counterexamples;  // one per effect
};
Allowed allowed_effects(const Config& config);

struct HuntOptions {
  int max_runs = 600;           // runs with the bug on before giving up
  int max_minimise_runs = 600;  // runs spent minimising
  int seeds_per_shrink = 25;    // seeds tried for each smaller candidate
  impl::Millis heal_after = 5000;
  bool minimise = true;
  bool check_without_bug = true;  // run the minimal recipe with the switch off too
  // Also catch a run whose trace the model's replayer rejects, when the same recipe with
  // the switch off replays (else the divergence is the replayer's, not the bug's).
  bool replay = true;
  bool verbose = false;           // one line per hunting run on stderr
};

struct HuntResult {
  std::string bug;
  std::string error;            // unreadable settings, unknown bug, ...
  Config config;                // the configuration under test (minimal messages)
  EffectSet allowed = 0;        // the model's, for `config`
  bool model_complete = true;
  double model_seconds = 0;     // every check() the hunt ran
  int directed_plans = 0;       // counterexample fault placements tried

  bool caught = false;
  std::string caught_by;        // "forbidden effect L_ack", "unexplained loss"
  std::string effect;           // the forbidden effect's name (or "unexplained")
  int runs = 0;                 // runs until the first catch (or all of them)
  double hunt_seconds = 0;
  HuntRecipe first;             // the first catch

  HuntRecipe minimal;           // the minimised catch
  int minimise_runs = 0;
  double minimise_seconds = 0;
  RecipeRun minimal_run;        // bug on
  bool without_bug_clean = false;  // the minimal recipe, switch off: nothing forbidden
  EffectSet without_bug_forbidden = 0;
  Trace trace;                  // the minimal run, header source "impl", recipe in the note
};

HuntResult hunt_seeded_bug(const BugHuntSpec& spec, const HuntOptions& options);

// The spec's configuration (settings, then `extra` overrides, then model.messages).
std::variant<Config, ConfigError> spec_config(const BugHuntSpec& spec,
                                              const std::vector<std::string>& extra, int messages);

std::string effects_names(EffectSet s);  // "L_ack, D_int" ("none")

}  // namespace kdc

#endif  // KDC_CONFORMANCE_BUG_HUNT_H_
