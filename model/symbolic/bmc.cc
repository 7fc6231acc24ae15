#include "model/symbolic/bmc.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <sstream>

#include "model/symbolic/encoding.h"
#include "model/symbolic/induction.h"
#include "model/symbolic/unrolling.h"

namespace kdc {
namespace {

using sym::expr;
using sym::num;
using sym::SymState;
using sym::Unrolling;
using sym::is_loss;

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}


}  // namespace

// Replays a Z3 run on the executable model. Returns "" and fills *cx, or says why not.
std::string replay_run(const Config& config, const Unrolling& u, const z3::model& m, Effect e,
                   Counterexample* cx) {
  std::vector<State> run = u.run(m);
  State cur = initial_state(config);
  if (!(cur == run[0])) return "Z3's initial state is not the model's";
  std::vector<Step> steps;
  for (int t = 0; t + 1 < int(run.size()); ++t) {
    const State& want = run[t + 1];
    if (want == cur) continue;  // "stay"
    successors(config, cur, &steps);
    const Step* taken = nullptr;
    for (const Step& st : steps)
      if (st.next == want) taken = &st;
    if (!taken) {
      std::ostringstream o;
      o << "step " << t + 1 << " (" << u.step_name(m, t) << ") leads to a state the model does not reach from\n"
        << describe_state(config, cur);
      return o.str();
    }
    if (!is_loss(e) && !(cur.effects & bit(e)) && (taken->next.effects & bit(e))) cx->message = taken->event.msg;
    cx->events.push_back(taken->event);
    cur = taken->next;
  }
  if (is_loss(e)) {
    const int cut = successors(config, cur, &steps);
    if (!steps.empty() || cut > 0) return "the final state is not quiescent in the model";
    LossReport losses = losses_at_quiescence(config, cur);
    if (!(losses.effects & bit(e))) return "the model's ledger does not show the loss";
    for (int msg = 0; msg < config.messages; ++msg)
      if (losses.lost[msg] && losses.per_message[msg] == e) {
        cx->message = msg;
        break;
      }
  } else if (!(cur.effects & bit(e))) {
    return "the model's final state does not show the effect";
  }
  cx->effect = e;
  cx->final_state = cur;
  return "";
}

ProveResult prove(const Config& config, const ProveOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  ProveResult result;
  sym::SymConfig sc = sym::constant(config);
  Unrolling u(sc);
  std::vector<Counterexample> found(int(Effect::kCount));
  std::vector<bool> have(int(Effect::kCount), false);

  // Induction, first: a property in the inductive invariant needs no unrolling at all.
  std::optional<Induction> induction;
  auto closed = [&](int p) { return induction && induction->closed(p) > 0; };
  if (options.unbounded && options.induction) {
    InductionOptions io;
    io.timeout_seconds = options.induction_query_seconds;
    io.mine_fields = options.induction_mine_fields;
    io.budget_seconds = options.induction_budget_seconds;
    if (options.timeout_seconds > 0)
      io.budget_seconds = std::min(io.budget_seconds, options.timeout_seconds);
    if (options.timeout_seconds > 0)
      io.timeout_seconds = std::max(0.001, std::min(io.timeout_seconds, options.timeout_seconds - since(t0)));
    induction.emplace(config, io);
    induction->strengthen();
  }
  // Every effect found or closed by induction, and likewise a cut: the answer is complete.
  auto all_decided = [&]() {
    for (int e = 0; e < int(Effect::kCount); ++e)
      if (!have[e] && !closed(e)) return false;
    return result.cut_reachable || closed(kCutProperty);
  };

  auto set_timeout = [&]() -> bool {
    if (options.timeout_seconds <= 0) return true;
    const double left = options.timeout_seconds - since(t0);
    if (left <= 0) return false;
    z3::params p(sym::ctx());
    p.set("timeout", unsigned(left * 1000) + 1);
    u.solver().set(p);
    return true;
  };
  auto check = [&](const std::vector<expr>& assumptions) {
    z3::expr_vector a(sym::ctx());
    for (const expr& x : assumptions) a.push_back(x);
    ++result.solver_queries;
    return u.solver().check(a);
  };

  // Asks, until unsatisfiable, which effects not yet found some run of at most t steps
  // shows. False when the time limit stopped it.
  auto query_depth = [&](int t) {
    for (;;) {
      z3::expr_vector open(sym::ctx());
      for (int e = 0; e < int(Effect::kCount); ++e)
        if (!have[e] && !closed(e)) open.push_back(u.target(t, Effect(e)));
      if (open.empty()) return true;
      expr any = sym::ctx().bool_const(("any" + std::to_string(result.solver_queries)).c_str());
      u.solver().add(z3::implies(any, z3::mk_or(open)));
      if (!set_timeout()) return false;
      const z3::check_result r = check({any});
      if (r == z3::unknown) return false;
      if (r == z3::unsat) return true;
      z3::model m = u.solver().get_model();
      for (int e = 0; e < int(Effect::kCount); ++e) {
        if (have[e] || !m.eval(u.target(t, Effect(e)), true).is_true()) continue;
        have[e] = true;  // found, or reported as an encoding bug: not asked again
        Counterexample cx;
        const std::string why = replay_run(config, u, m, Effect(e), &cx);
        if (!why.empty()) {
          result.replay_failures.push_back(std::string(name(Effect(e))) + " at depth " +
                                           std::to_string(t) + ": " + why);
          continue;
        }
        found[e] = std::move(cx);
        result.effects |= bit(Effect(e));
      }
    }
  };

  // Is a cut reachable within t steps (the explicit checker's bound_hits > 0)?
  auto query_cut = [&](int t) {
    if (result.cut_reachable || closed(kCutProperty)) return true;
    expr cut = sym::ctx().bool_const(("cut" + std::to_string(t)).c_str());
    u.solver().add(z3::implies(cut, u.cut_at(t)));
    if (!set_timeout()) return false;
    const z3::check_result r = check({cut});
    if (r == z3::unknown) return false;
    result.cut_reachable = r == z3::sat;
    return true;
  };

  for (int t = 0; t <= options.depth; ++t) {
    while (u.depth() < t) u.extend();
    if (!query_depth(t) || !query_cut(t)) {
      result.timed_out = true;
      break;
    }
    result.depth = t;
    result.seconds_per_depth.push_back(since(t0));
    if (options.on_progress) options.on_progress({t, since(t0), result.effects});
    if (induction) {
      // Depths 0..t are the base case of (t + 1)-induction.
      for (int p = 0; p < kInductionProperties && t + 1 <= options.max_k; ++p) {
        const bool found = p == kCutProperty ? result.cut_reachable : have[p];
        if (!found && !closed(p)) induction->step_case(p, t + 1);
      }
      if (all_decided()) {
        result.unbounded = true;
        break;
      }
    }
    if (options.unbounded) {
      // No loop-free run of t + 1 steps: every reachable state is within t steps.
      u.extend();
      if (!set_timeout()) {
        result.timed_out = true;
        break;
      }
      const z3::check_result r = check({u.loop_free()});
      if (r == z3::unknown) {
        result.timed_out = true;
        break;
      }
      if (r == z3::unsat) {
        result.unbounded = true;
        result.diameter = t;
        break;
      }
    }
  }
  for (int e = 0; e < int(Effect::kCount); ++e)
    if (result.effects & bit(Effect(e))) result.counterexamples.push_back(found[e]);
  if (induction) {
    for (int e = 0; e < int(Effect::kCount); ++e) {
      result.induction_k[e] = induction->closed(e);
      if (result.induction_k[e] > 0) result.unbounded_absent |= bit(Effect(e));
    }
    result.cut_induction_k = induction->closed(kCutProperty);
    result.invariant = induction->kept_families();
    result.induction_candidates = induction->candidates();
    result.invariant_size = int(induction->invariant().size());
    result.induction_seconds = induction->seconds();
    result.induction_timed_out = induction->timed_out();
  }
  result.seconds = since(t0);
  return result;
}

}  // namespace kdc
