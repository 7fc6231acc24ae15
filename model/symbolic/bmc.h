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
// also looks for a loop-free run one step longer than the depth reached; when none
// exists, every reachable state is reachable within that depth (the recurrence
// diameter), and the answer holds for runs of any length within the model's bounds.
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
  double timeout_seconds = 0;  // 0: none. Beyond it the answer covers the depths finished.
  std::function<void(const ProveProgress&)> on_progress;  // after each depth
};

struct ProveResult {
  EffectSet effects = 0;
  std::vector<Counterexample> counterexamples;  // one per effect, shortest, in Effect order
  int depth = 0;               // runs up to this length were covered
  bool unbounded = false;      // the diameter was reached: the answer holds for any length
  int diameter = -1;           // when unbounded: every reachable state is this close to the start
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
