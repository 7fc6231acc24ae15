// The model's transition relation unrolled on one incremental Z3 solver: s_0 is the
// initial state, and step t picks ch_t, one of the encoding's steps at s_t or, where no
// step is enabled, "stay" (s_{t+1} = s_t). Effects are never cleared and a quiesced state
// stays quiesced, so s_t covers every run of at most t steps. Used by the bounded
// proofs (bmc.h) and the configuration-space search (config_space.h); the configuration
// may be constants or terms. With Start::kAny, s_0 is unconstrained: the induction step
// (induction.h) starts from any state its invariants allow.
#ifndef KDC_MODEL_SYMBOLIC_UNROLLING_H_
#define KDC_MODEL_SYMBOLIC_UNROLLING_H_

#include <string>
#include <vector>

#include "model/symbolic/encoding.h"

namespace kdc::sym {

inline bool is_loss(Effect e) { return (bit(e) & kLossEffects) != 0; }

class Unrolling {
 public:
  enum class Start { kInitial, kAny };
  explicit Unrolling(const SymConfig& sc, Start start = Start::kInitial, const std::string& prefix = "")
      : sc_(sc), solver_(ctx(), "QF_BV"), prefix_(prefix) {
    states_.push_back(fresh(prefix_ + "s0"));
    if (start == Start::kInitial) solver_.add(equal(states_[0], initial_state(sc_)));
    open_state();
  }

  int depth() const { return int(states_.size()) - 1; }
  z3::solver& solver() { return solver_; }
  const SymState& state(int t) const { return states_[t]; }

  // "Effect e is witnessed at s_t": in the state's safety effects, or, at a quiescent
  // state, among its losses.
  expr target(int t, Effect e) const {
    if (is_loss(e)) return quiescent_[t] && in_set(losses_[t], int(e));
    return in_set(states_[t].effects, int(e));
  }

  // Some step is cut by a capacity bound at s_t.
  expr cut_at(int t) const {
    z3::expr_vector any(ctx());
    for (const expr& g : sinks_[t].cuts) any.push_back(g);
    return any.empty() ? truth(false) : z3::mk_or(any);
  }

  // A loop-free run: no "stay" step and no state repeated (guarded by loop_free()).
  const expr& loop_free() const { return loop_free_; }

  void extend() {
    const int t = depth();
    const SymState& s = states_[t];
    const std::vector<SymStep>& steps = sinks_[t].steps;
    SymState n = fresh(prefix_ + "s" + std::to_string(t + 1));
    expr ch = ctx().bv_const((prefix_ + "ch" + std::to_string(t)).c_str(), kWidth);
    const int stay = int(steps.size());
    solver_.add(z3::ule(ch, num(stay)));
    for (int i = 0; i < stay; ++i) solver_.add(z3::implies(ch == num(i), steps[i].guard));
    // "Stay" only where no step is enabled (quiesced, or stopped by a bound): a run that
    // ends early still reaches depth t, and no other run is padded, which keeps the number
    // of paths Z3 must refute down.
    solver_.add(z3::implies(ch == num(stay), dead_[t]));
    auto from = s.fields();
    auto to = n.fields();
    std::vector<std::vector<const expr*>> next_fields;
    for (const SymStep& st : steps) next_fields.push_back(st.next.fields());
    for (size_t f = 0; f < from.size(); ++f) {
      expr value = *from[f];
      for (int i = stay - 1; i >= 0; --i)
        if (!z3::eq(*next_fields[i][f], *from[f])) value = z3::ite(ch == num(i), *next_fields[i][f], value);
      solver_.add(*to[f] == value);
    }
    solver_.add(z3::implies(loop_free_, ch != num(stay)));
    for (int i = 0; i <= t; ++i) solver_.add(z3::implies(loop_free_, !equal(states_[i], n)));
    choices_.push_back(ch);
    states_.push_back(n);
    open_state();
  }

  // The run a model of the solver describes, as executable states s_0..s_depth.
  std::vector<State> run(const z3::model& m) const {
    std::vector<State> out;
    for (const SymState& s : states_) out.push_back(evaluate(m, s));
    return out;
  }
  std::string step_name(const z3::model& m, int t) const {
    uint64_t i = m.eval(choices_[t], true).get_numeral_uint64();
    return i < sinks_[t].steps.size() ? sinks_[t].steps[i].name : "stay";
  }

 private:
  void open_state() {
    const int t = depth();
    sinks_.push_back(StepSink{sc_});
    successors(sc_, states_[t], &sinks_[t]);
    quiescent_.push_back(quiescent(sinks_[t]));
    {
      z3::expr_vector any(ctx());
      for (const SymStep& st : sinks_[t].steps) any.push_back(st.guard);
      dead_.push_back(any.empty() ? truth(true) : !z3::mk_or(any));
    }
    losses_.push_back(losses_at_quiescence(sc_, states_[t]));
  }

  SymConfig sc_;
  z3::solver solver_;
  std::vector<SymState> states_;
  std::vector<expr> choices_;
  std::vector<StepSink> sinks_;
  std::vector<expr> quiescent_;
  std::vector<expr> dead_;  // no step enabled at s_t
  std::vector<expr> losses_;
  std::string prefix_;  // keeps the variables of two unrollings apart in one context
  expr loop_free_ = ctx().bool_const((prefix_ + "loop_free").c_str());
};

}  // namespace kdc::sym

#endif  // KDC_MODEL_SYMBOLIC_UNROLLING_H_
