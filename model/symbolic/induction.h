// Unbounded proofs for the Z3 engine: an effect shown absent for runs of any length (within
// the model's capacity bounds), by induction rather than by exhausting the recurrence
// diameter.
//
// 1. Strengthening (Houdini). Candidates: the model's invariants (invariant_encoding.h),
//    per-field facts mined from reachable states (a field is constant, within a range, a
//    bit never set), and the properties themselves ("effect E never shows", "no step is
//    cut"). A candidate false in the initial state is dropped; then, while some state
//    satisfying all remaining candidates has a step to a state violating one, Z3 names that
//    step and the violated candidates are dropped. What remains is inductive: it holds
//    initially and every step preserves it, so it holds in every reachable state. A property
//    that remains is proven (k = 1).
// 2. k-induction. For a property not closed by 1, from any state satisfying the proven
//    invariant: no loop-free run of k steps has the property in its first k states and not
//    in the last. Together with a bounded proof that no run of at most k - 1 steps from the
//    initial state breaks it (the base case, supplied by the caller), the property holds for
//    every run.
//
// Mined candidates are guesses; only Z3's answers make them facts. Nothing is assumed that
// was not proven inductive in the same configuration. The proofs are about the encoding's
// transition relation, which agrees with the executable model on every state the agreement
// tests reach (encoding_agreement_test.cc): the same trust as a bounded answer.
#ifndef KDC_MODEL_SYMBOLIC_INDUCTION_H_
#define KDC_MODEL_SYMBOLIC_INDUCTION_H_

#include <memory>
#include <string>
#include <vector>

#include "model/model.h"
#include "model/symbolic/sym_config.h"

namespace kdc {

// What induction decides: an effect, or (kCut) "some step is cut by a capacity bound".
inline constexpr int kCutProperty = int(Effect::kCount);
inline constexpr int kInductionProperties = int(Effect::kCount) + 1;

struct InductionOptions {
  size_t samples = 3000;        // reachable states mined for candidates
  bool mine_fields = true;      // per-field candidates (many, each non-inductive one costs a round)
  double timeout_seconds = 0;   // per solver query; 0: none. Unknown counts as not proven.
  double budget_seconds = 0;    // the invariant search as a whole; 0: none. Beyond: nothing proven.
};

// Reachable states of `config`: a quarter breadth first, the rest from seeded random walks
// of up to 120 steps. Shared by candidate mining and the tests.
std::vector<State> sample_reachable(const Config& config, size_t cap, uint32_t seed = 20261122);

class Induction {
 public:
  explicit Induction(const Config& config, const InductionOptions& options = {});
  ~Induction();

  // Runs Houdini. Afterwards invariant() holds in every reachable state, and closed(p) is 1
  // for each property the invariant includes. `extra` are candidates added by tests (a
  // candidate false in some reachable state must be dropped). False when a query timed out:
  // then nothing is proven and the invariant is "true".
  using Candidate = std::function<z3::expr(const sym::SymState&)>;
  bool strengthen(const std::vector<std::pair<std::string, Candidate>>& extra = {});

  // The k-induction step case for property p, from states satisfying the proven invariant:
  // true when no loop-free run of k steps keeps p in its first k states and breaks it in the
  // last. The caller must have the base case (no run of at most k - 1 steps breaks p) before
  // it calls p proven. Records k in closed(p) when true.
  bool step_case(int p, int k);

  int closed(int p) const { return closed_[p]; }       // 0: not proven, else k
  int candidates() const { return candidates_; }
  const std::vector<std::string>& invariant() const { return kept_; }  // candidate names
  std::vector<std::string> kept_families() const;      // the invariant, grouped by name prefix
  int houdini_rounds() const { return rounds_; }
  bool timed_out() const { return timed_out_; }
  double seconds() const { return seconds_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int closed_[kInductionProperties] = {};
  int candidates_ = 0;
  int rounds_ = 0;
  bool timed_out_ = false;
  double seconds_ = 0;
  std::vector<std::string> kept_;
};

}  // namespace kdc

#endif  // KDC_MODEL_SYMBOLIC_INDUCTION_H_
