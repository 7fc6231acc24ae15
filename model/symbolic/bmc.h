// Bounded model checking of the model with Z3: is there a run of at most `depth` steps
// that shows an effect? The transition relation is the symbolic encoding
// (model/symbolic/encoding.h), unrolled one step at a time on one incremental solver, so
// the first depth at which an effect is satisfiable is the length of a shortest run.
//
// Every satisfying run is replayed on the executable model before it is reported: each
// step must be one of model::successors() with the same next state, and the effect must
// show in the final state as the explicit checker would judge it. A run that does not
// replay is an encoding bug and is reported as such (ProveResult::replay_failures),
// never as a counterexample.
//
// Completeness: a bounded answer covers runs up to `depth`. With `unbounded`, the engine
// also tries to close it for runs of any length within the model's bounds, two ways:
//   - per effect, by induction (induction.h): an inductive invariant found and proven
//     before the unrolling (k = 1), then k-induction after depth k - 1, whose bounded
//     answer is the base case. An effect closed this way is not asked again.
//   - for the whole answer, by the recurrence diameter: the engine looks for a loop-free
//     run one step longer than the depth reached; when none exists, every reachable state
//     is reachable within that depth.
// When every effect is found or closed, and so is "some step is cut", the answer is
// complete and the unrolling stops there.
#ifndef KDC_MODEL_SYMBOLIC_BMC_H_
#define KDC_MODEL_SYMBOLIC_BMC_H_

#include <functional>
#include <string>
#include <vector>

#include "model/checker/explicit_checker.h"
#include "model/symbolic/sym_config.h"

namespace kdc {

struct ProveProgress {
  int depth = 0;
  double seconds = 0;
  EffectSet found = 0;
};

struct ProveOptions {
  int depth = 30;           // the bound on run length
  bool unbounded = false;   // also try to close the proof (recurrence diameter)
  // With unbounded: first search an inductive invariant and try k-induction per effect.
  // Off by default: on the bundled examples the search has not finished in ten minutes
  // (docs/symbolic-engine.md, "Induction").
  bool induction = false;
  double timeout_seconds = 0;  // 0: none. Beyond it the answer covers the depths finished.
  int max_k = 2;               // with unbounded: k-induction up to this k (1: invariant only)
  double induction_query_seconds = 60;  // with unbounded: per induction query (unknown: not proven)
  bool induction_mine_fields = true;    // also per-field candidates mined from reachable states
  double induction_budget_seconds = 600;  // the invariant search as a whole (beyond: none proven)
  std::function<void(const ProveProgress&)> on_progress;  // after each depth
};

struct ProveResult {
  EffectSet effects = 0;
  std::vector<Counterexample> counterexamples;  // one per effect, shortest, in Effect order
  int depth = 0;               // runs up to this length were covered
  bool unbounded = false;      // every effect's answer holds for any length (diameter or induction)
  int diameter = -1;           // when the diameter closed it: every reachable state is this close
  // Per effect (Effect order): the k of the k-induction that proved it absent in runs of any
  // length (1: its absence is part of the proven inductive invariant); 0: not proven so.
  int induction_k[int(Effect::kCount)] = {};
  EffectSet unbounded_absent = 0;  // the effects with induction_k > 0
  int cut_induction_k = 0;         // likewise for "no step is cut by a capacity bound"
  std::vector<std::string> invariant;  // the proven invariant, by candidate family
  int induction_candidates = 0;    // candidates tried (the invariant keeps invariant_size)
  int invariant_size = 0;
  double induction_seconds = 0;    // solver time spent on induction
  bool induction_timed_out = false;  // the invariant search hit induction_query_seconds
  std::vector<double> seconds_per_depth;  // cumulative solver time after each depth
  double seconds = 0;
  uint64_t solver_queries = 0;
  bool cut_reachable = false;  // some run reaches a step a capacity bound cuts
  bool timed_out = false;      // stopped by timeout_seconds (depth says how far it got)
  std::vector<std::string> replay_failures;  // encoding bugs (must stay empty)
};

ProveResult prove(const Config& config, const ProveOptions& options = {});

namespace sym { class Unrolling; }
// Replays the run a model of `u`'s solver describes on the executable model for
// `config`, as a counterexample for effect e. Returns "" on success, else what failed.
std::string replay_run(const Config& config, const sym::Unrolling& u, const z3::model& m, Effect e,
                       Counterexample* cx);

}  // namespace kdc

#endif  // KDC_MODEL_SYMBOLIC_BMC_H_
