#include "model/symbolic/induction.h"

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <set>

#include "model/invariants.h"
#include "model/symbolic/encoding.h"
#include "model/symbolic/invariant_encoding.h"
#include "model/symbolic/unrolling.h"

namespace kdc {

using sym::expr;
using sym::num;
using sym::SymState;
using sym::Unrolling;

std::vector<State> sample_reachable(const Config& c, size_t cap, uint32_t seed) {
  std::vector<State> seen{initial_state(c)};
  std::set<std::string> known;
  auto key = [](const State& s) { return std::string(reinterpret_cast<const char*>(&s), sizeof(State)); };
  known.insert(key(seen[0]));
  std::vector<Step> steps;
  for (size_t i = 0; i < seen.size() && seen.size() < cap / 4; ++i) {
    successors(c, seen[i], &steps);
    for (const Step& st : steps)
      if (known.insert(key(st.next)).second) seen.push_back(st.next);
  }
  std::mt19937 rng(seed);
  for (int walk = 0; walk < 4 * int(cap) && seen.size() < cap; ++walk) {
    State s = initial_state(c);
    for (int depth = 0; depth < 120 && seen.size() < cap; ++depth) {
      successors(c, s, &steps);
      if (steps.empty()) break;
      s = steps[std::uniform_int_distribution<size_t>(0, steps.size() - 1)(rng)].next;
      if (known.insert(key(s)).second) seen.push_back(s);
    }
  }
  if (seen.size() > cap) seen.resize(cap);
  return seen;
}

namespace {

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// A candidate at s_t of an unrolling (properties need the unrolling's view of the steps
// enabled at s_t: quiescence, cuts).
using At = std::function<expr(const Unrolling&, int)>;

// The property "p never shows" at s_t.
expr property(const Unrolling& u, int t, int p) {
  return p == kCutProperty ? !u.cut_at(t) : !u.target(t, Effect(p));
}

}  // namespace

struct Induction::Impl {
  Config config;
  sym::SymConfig sc;
  InductionOptions options;
  std::vector<std::pair<std::string, At>> candidates;
  std::vector<int> kept;  // indices into candidates: the proven invariant
  std::optional<Unrolling> kstep;  // the k-induction step unrolling, from any state
  std::map<std::pair<const Unrolling*, int>, std::vector<sym::SymInvariant>> invariants_at;

  // Part i of invariant g at s_t: the invariants are built once per state over the fresh
  // state's parts, so every state has the same parts in the same order.
  expr invariant_part(const Unrolling& u, int t, size_t g, size_t i) {
    auto key = std::make_pair(&u, t);
    auto it = invariants_at.find(key);
    if (it == invariants_at.end()) it = invariants_at.emplace(key, parts_of(u.state(t))).first;
    return it->second[g].parts[i];
  }
  // The parts of `s`, unsimplified: obtained by substituting s for the fresh state the
  // candidates were mined over, so that part i is the same fact at every state.
  std::vector<sym::SymInvariant> parts_of(const SymState& s) {
    z3::expr_vector from(sym::ctx()), to(sym::ctx());
    for (const expr* f : mine_state.fields()) from.push_back(*f);
    for (const expr* f : s.fields()) to.push_back(*f);
    std::vector<sym::SymInvariant> out = mine_invariants;
    for (auto& inv : out)
      for (expr& p : inv.parts) p = p.substitute(from, to);
    return out;
  }
  SymState mine_state;
  std::vector<sym::SymInvariant> mine_invariants;

  void set_timeout(z3::solver& s) const {
    if (options.timeout_seconds <= 0) return;
    z3::params p(sym::ctx());
    p.set("timeout", unsigned(options.timeout_seconds * 1000) + 1);
    s.set(p);
  }

  expr invariant_at(const Unrolling& u, int t) const {
    z3::expr_vector parts(sym::ctx());
    for (int i : kept) parts.push_back(candidates[i].second(u, t));
    return parts.empty() ? sym::truth(true) : z3::mk_and(parts);
  }

  void mine() {
    // The model's invariants, fact by fact (the initial state's terms have the most
    // parts: none simplified away by a constant).
    mine_state = sym::fresh("mine");
    mine_invariants = sym::invariants(sc, mine_state);
    const std::vector<sym::SymInvariant>& shape = mine_invariants;
    for (size_t g = 0; g < shape.size(); ++g)
      for (size_t i = 0; i < shape[g].parts.size(); ++i)
        candidates.push_back({"invariants.h/" + shape[g].name + "#" + std::to_string(i),
                              [this, g, i](const Unrolling& u, int t) { return invariant_part(u, t, g, i); }});
    // Per-field facts that every sampled reachable state shows.
    const std::vector<State> samples = sample_reachable(config, options.samples);
    const size_t fields = sym::field_values(samples[0]).size();
    std::vector<int> lo(fields, INT32_MAX), hi(fields, INT32_MIN), bits(fields, 0);
    EffectSet seen = 0;
    bool cut_seen = false;
    std::vector<Step> steps;
    for (const State& s : samples) {
      std::vector<int> v = sym::field_values(s);
      for (size_t f = 0; f < fields; ++f) {
        lo[f] = std::min(lo[f], v[f]), hi[f] = std::max(hi[f], v[f]);
        bits[f] |= v[f] & 0xffff;
      }
      seen |= s.effects;
      const int cut = successors(config, s, &steps);
      cut_seen = cut_seen || cut > 0;
      if (steps.empty() && cut == 0) seen |= losses_at_quiescence(config, s).effects;
    }
    auto field = [](const Unrolling& u, int t, size_t f) { return *u.state(t).fields()[f]; };
    for (size_t f = 0; f < fields && options.mine_fields; ++f) {
      const std::string at = "#" + std::to_string(f);
      const int a = lo[f], b = hi[f];
      if (a == b) {
        candidates.push_back({"constant" + at, [=](const Unrolling& u, int t) { return field(u, t, f) == num(a); }});
        continue;
      }
      candidates.push_back({"lower" + at, [=](const Unrolling& u, int t) { return field(u, t, f) >= num(a); }});
      candidates.push_back({"upper" + at, [=](const Unrolling& u, int t) { return field(u, t, f) <= num(b); }});
      if (a < 0) continue;
      for (int k = 0; (1 << k) <= b; ++k)
        if (!(bits[f] >> k & 1))
          candidates.push_back({"bit" + at + "." + std::to_string(k), [=](const Unrolling& u, int t) {
                                  return (field(u, t, f) & num(1 << k)) == num(0);
                                }});
    }
    // The properties no sample contradicts (a sampled state is reachable: one that shows
    // an effect proves it reachable, and no candidate could survive).
    for (int p = 0; p < kInductionProperties; ++p) {
      if (p == kCutProperty ? cut_seen : (seen & bit(Effect(p))) != 0) continue;
      const std::string name = p == kCutProperty ? "cut" : std::string(kdc::name(Effect(p)));
      candidates.push_back({"property/" + name, [p](const Unrolling& u, int t) { return property(u, t, p); }});
    }
  }
};

Induction::Induction(const Config& config, const InductionOptions& options) : impl_(new Impl) {
  impl_->config = config;
  impl_->sc = sym::constant(config);
  impl_->options = options;
}

Induction::~Induction() = default;

bool Induction::strengthen(const std::vector<std::pair<std::string, Candidate>>& extra) {
  const auto t0 = std::chrono::steady_clock::now();
  Impl& im = *impl_;
  im.mine();
  for (const auto& [name, c] : extra)
    im.candidates.push_back({"extra/" + name, [c](const Unrolling& u, int t) { return c(u.state(t)); }});
  candidates_ = int(im.candidates.size());
  const int n = candidates_;
  std::vector<bool> alive(n, false);

  // Initiation: the initial state is a constant, so each candidate is decided on it.
  Unrolling init(im.sc, Unrolling::Start::kInitial, "hi.");
  im.set_timeout(init.solver());
  for (int i = 0; i < n; ++i) {
    expr c = im.candidates[i].second(init, 0).simplify();
    if (c.is_true()) {
      alive[i] = true;
    } else if (!c.is_false()) {
      z3::expr_vector a(sym::ctx());
      expr sel = sym::ctx().bool_const(("hi.sel" + std::to_string(i)).c_str());
      init.solver().add(z3::implies(sel, !c));
      a.push_back(sel);
      alive[i] = init.solver().check(a) == z3::unsat;
    }
  }

  // Consecution: drop what some step from a state satisfying all alive candidates breaks.
  Unrolling step(im.sc, Unrolling::Start::kAny, "hs.");
  step.extend();
  im.set_timeout(step.solver());
  std::vector<expr> sel, post;
  for (int i = 0; i < n; ++i) {
    sel.push_back(sym::ctx().bool_const(("hs.sel" + std::to_string(i)).c_str()));
    step.solver().add(z3::implies(sel[i], im.candidates[i].second(step, 0)));
    post.push_back(im.candidates[i].second(step, 1));
  }
  bool ok = true;
  const bool trace = std::getenv("KDC_INDUCTION_TRACE") != nullptr;
  if (trace) {
    int a = 0;
    for (bool x : alive) a += x;
    std::cerr << "houdini: " << n << " candidates, " << a << " hold initially, " << since(t0) << " s\n";
  }
  for (;;) {
    ++rounds_;
    z3::expr_vector a(sym::ctx()), broken(sym::ctx());
    for (int i = 0; i < n; ++i)
      if (alive[i]) a.push_back(sel[i]), broken.push_back(!post[i]);
    if (broken.empty()) break;
    if (im.options.budget_seconds > 0 && since(t0) > im.options.budget_seconds) {
      ok = false;
      break;
    }
    expr g = sym::ctx().bool_const(("hs.round" + std::to_string(rounds_)).c_str());
    step.solver().add(z3::implies(g, z3::mk_or(broken)));
    a.push_back(g);
    const z3::check_result r = step.solver().check(a);
    if (r == z3::unsat) break;
    if (r == z3::unknown) {
      ok = false;
      break;
    }
    z3::model m = step.solver().get_model();
    int dropped = 0;
    for (int i = 0; i < n; ++i)
      if (alive[i] && m.eval(post[i], true).is_false()) {
        alive[i] = false, ++dropped;
        if (trace) std::cerr << "  drop " << im.candidates[i].first << " (" << step.step_name(m, 0) << ")\n";
      }
    // The executable model's other steps from the same state usually break more
    // candidates: dropping them now saves a solver round each. (Dropping is always safe;
    // the final solver query alone decides what is kept.)
    const State from = sym::evaluate(m, step.state(0));
    bool exact = true;
    {
      const std::vector<int> v = sym::field_values(from);
      auto f = step.state(0).fields();
      for (size_t j = 0; j < f.size() && exact; ++j) {
        const uint64_t raw = m.eval(*f[j], true).get_numeral_uint64();
        exact = int(raw >= 0x8000 ? int(raw) - 0x10000 : int(raw)) == v[j];
      }
    }
    if (exact) {
      std::vector<Step> next;
      successors(im.config, from, &next);
      auto to = step.state(1).fields();
      for (const Step& st : next) {
        z3::model mn(sym::ctx());
        SymState values = sym::constant(st.next);
        auto x = values.fields();
        for (size_t j = 0; j < to.size(); ++j) {
          z3::func_decl d = to[j]->decl();
          mn.add_const_interp(d, *x[j]);
        }
        for (int i = 0; i < n; ++i)
          if (alive[i] && mn.eval(post[i], true).is_false()) alive[i] = false, ++dropped;
      }
    }
    if (trace) std::cerr << "houdini round " << rounds_ << ": dropped " << dropped << " at " << since(t0) << " s\n";
    if (dropped == 0) {  // cannot happen with a sound model; refuse to conclude
      ok = false;
      break;
    }
  }
  timed_out_ = !ok;
  im.kept.clear();
  kept_.clear();
  if (ok)
    for (int i = 0; i < n; ++i)
      if (alive[i]) im.kept.push_back(i), kept_.push_back(im.candidates[i].first);
  for (int p = 0; p < kInductionProperties; ++p) {
    const std::string name =
        "property/" + (p == kCutProperty ? std::string("cut") : std::string(kdc::name(Effect(p))));
    for (int i : im.kept)
      if (im.candidates[i].first == name) closed_[p] = 1;
  }
  seconds_ += since(t0);
  return ok;
}

bool Induction::step_case(int p, int k) {
  const auto t0 = std::chrono::steady_clock::now();
  Impl& im = *impl_;
  if (timed_out_ || k < 1) return false;
  if (closed_[p]) return true;
  // loop_free() asks every unrolled step to move, so a shallower question on a deeper
  // unrolling would ask for more than it says: callers go in increasing k.
  if (im.kstep && im.kstep->depth() > k) return false;
  if (!im.kstep) {
    im.kstep.emplace(im.sc, Unrolling::Start::kAny, "ks.");
    im.set_timeout(im.kstep->solver());
    im.kstep->solver().add(im.invariant_at(*im.kstep, 0));
  }
  Unrolling& u = *im.kstep;
  while (u.depth() < k) {
    u.extend();
    u.solver().add(im.invariant_at(u, u.depth()));
  }
  z3::expr_vector run(sym::ctx());
  for (int t = 0; t < k; ++t) run.push_back(property(u, t, p));
  run.push_back(!property(u, k, p));
  expr a = sym::ctx().bool_const(("ks.q" + std::to_string(p) + "." + std::to_string(k)).c_str());
  u.solver().add(z3::implies(a, z3::mk_and(run)));
  z3::expr_vector assumptions(sym::ctx());
  assumptions.push_back(a);
  assumptions.push_back(u.loop_free());
  const z3::check_result r = u.solver().check(assumptions);
  seconds_ += since(t0);
  if (r == z3::unsat) closed_[p] = k;
  return r == z3::unsat;
}

std::vector<std::string> Induction::kept_families() const {
  std::map<std::string, int> n;
  for (const std::string& name : kept_) {
    std::string family = name.substr(0, name.find_first_of("#"));
    n[family]++;
  }
  std::vector<std::string> out;
  for (const auto& [family, count] : n)
    out.push_back(count == 1 ? family : family + " x" + std::to_string(count));
  return out;
}

}  // namespace kdc
