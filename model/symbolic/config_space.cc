#include "model/symbolic/config_space.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <variant>

#include "model/symbolic/bmc.h"
#include "model/symbolic/unrolling.h"

namespace kdc {
namespace {

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string key_of(const std::string& setting) { return setting.substr(0, setting.find('=')); }
std::string value_of(const std::string& setting) { return setting.substr(setting.find('=') + 1); }

}  // namespace

MatrixSpace default_space(const std::vector<std::string>& fault_overrides) {
  MatrixSpace s;
  s.base = {"kafka.version=4.3", "default.replication.factor=3", "model.messages=1",
            "auto.offset.reset=earliest", "app.on.producer.restart=replay-unacked"};
  for (const std::string& f : fault_overrides) s.base.push_back(f);
  // The application re-sends what failed whenever it can (app.on.send.error=resend): the
  // table is about what Kafka's settings give a careful application.
  s.producer = {
      {"acks=0", {"acks=0", "enable.idempotence=false", "app.on.send.error=resend"}},
      {"acks=1", {"acks=1", "enable.idempotence=false", "app.on.send.error=resend"}},
      {"acks=all, retries=0", {"acks=all", "retries=0", "enable.idempotence=false", "app.on.send.error=resend"}},
      {"acks=all, retries, not idempotent", {"acks=all", "enable.idempotence=false", "app.on.send.error=resend"}},
      {"acks=all, idempotent", {"acks=all", "enable.idempotence=true", "app.on.send.error=resend"}},
      {"transactional", {"acks=all", "enable.idempotence=true", "transactional.id=kdc-matrix"}, true},
  };
  s.broker = {
      {"min.insync=1", {"min.insync.replicas=1", "unclean.leader.election.enable=false"}},
      {"min.insync=2", {"min.insync.replicas=2", "unclean.leader.election.enable=false"}},
      {"min.insync=2, unclean election", {"min.insync.replicas=2", "unclean.leader.election.enable=true"}},
      {"min.insync=2, flush every message",
       {"min.insync.replicas=2", "unclean.leader.election.enable=false", "log.flush.interval.messages=1"}},
  };
  s.consumer = {
      {"auto-commit", {"enable.auto.commit=true", "app.commit=auto"}},
      {"commit, then process", {"enable.auto.commit=false", "app.commit=commit-then-process"}},
      {"process, then commit", {"enable.auto.commit=false", "app.commit=process-then-commit-sync"}},
      {"result and offset in one write", {"enable.auto.commit=false", "app.commit=external-atomic"}},
      {"transactional processor, read_committed downstream",
       {"enable.auto.commit=false", "app.commit=transactional", "app.output.isolation.level=read_committed"},
       true},
  };
  return s;
}

std::vector<MatrixRow> matrix_rows(const MatrixSpace& space, std::string* error) {
  std::vector<MatrixRow> rows;
  if (auto base = load_config({}, space.base); std::holds_alternative<ConfigError>(base)) {
    *error = std::get<ConfigError>(base).str();
    return rows;
  }
  std::set<std::string> keys;
  for (const auto* group : {&space.producer, &space.broker, &space.consumer})
    for (const Profile& p : *group)
      for (const std::string& s : p.settings) keys.insert(key_of(s));
  for (const Profile& p : space.producer)
    for (const Profile& b : space.broker)
      for (const Profile& c : space.consumer) {
        if (p.transactional != c.transactional) continue;
        std::vector<std::string> overrides = space.base;
        for (const auto* prof : {&p, &b, &c})
          overrides.insert(overrides.end(), prof->settings.begin(), prof->settings.end());
        auto loaded = load_config({}, overrides);
        if (std::holds_alternative<ConfigError>(loaded)) continue;
        MatrixRow row{&p, &b, &c, std::get<Config>(loaded), {}};
        for (const std::string& k : keys) row.settings[k] = "(default)";
        for (const auto* prof : {&p, &b, &c})
          for (const std::string& s : prof->settings) row.settings[key_of(s)] = value_of(s);
        rows.push_back(std::move(row));
      }
  return rows;
}

MatrixResult classify_explicit(const std::vector<MatrixRow>& rows) {
  const auto t0 = std::chrono::steady_clock::now();
  MatrixResult out;
  for (const MatrixRow& row : rows) {
    CheckOptions options;
    options.threads = 1;
    CheckResult r = check(row.config, options);
    out.verdicts.push_back({r.effects, r.complete && r.bound_hits == 0, r.counterexamples});
  }
  out.seconds = since(t0);
  return out;
}

namespace {

using sym::expr;
using sym::num;

// The table's configurations as one symbolic configuration: a variable per profile key
// (its value's index among the values the table uses), and every SymConfig knob the
// value it has in the row those variables select.
struct SymbolicSpace {
  std::vector<std::string> keys;
  std::vector<std::vector<std::string>> values;  // per key
  std::vector<expr> vars;                        // per key
  std::vector<std::vector<expr>> row_literals;   // per row: key == its value
  sym::SymConfig config;
  expr valid = sym::truth(false);                // the variables select some row

  explicit SymbolicSpace(const std::vector<MatrixRow>& rows) {
    for (const auto& [k, v] : rows[0].settings) keys.push_back(k);
    values.resize(keys.size());
    for (size_t k = 0; k < keys.size(); ++k) {
      for (const MatrixRow& r : rows) {
        const std::string& v = r.settings.at(keys[k]);
        if (std::find(values[k].begin(), values[k].end(), v) == values[k].end()) values[k].push_back(v);
      }
      vars.push_back(sym::ctx().bv_const(("cfg." + keys[k]).c_str(), sym::kWidth));
    }
    std::vector<expr> is_row;
    for (const MatrixRow& r : rows) {
      std::vector<expr> lits;
      z3::expr_vector all(sym::ctx());
      for (size_t k = 0; k < keys.size(); ++k) {
        const auto& vs = values[k];
        const int index = int(std::find(vs.begin(), vs.end(), r.settings.at(keys[k])) - vs.begin());
        lits.push_back(vars[k] == num(index));
        all.push_back(lits.back());
      }
      row_literals.push_back(lits);
      is_row.push_back(z3::mk_and(all));
    }
    // Every knob: the selected row's value (rows agree on the shape: same base).
    config = sym::constant(rows[0].config);
    std::vector<sym::SymConfig> per_row;
    for (const MatrixRow& r : rows) per_row.push_back(sym::constant(r.config));
    auto knobs = [](sym::SymConfig& c) {
      return std::vector<expr*>{&c.version_rank, &c.acks, &c.retries, &c.idempotence, &c.max_in_flight,
                                &c.transactional, &c.min_insync_replicas, &c.unclean_leader_election,
                                &c.flush_interval_messages, &c.eligible_leader_replicas,
                                &c.transaction_verification, &c.epoch_bump_per_transaction,
                                &c.enable_auto_commit, &c.auto_offset_reset, &c.isolation,
                                &c.on_send_error, &c.on_producer_restart, &c.processing, &c.commit,
                                &c.on_txn_abort, &c.output_isolation};
    };
    auto target = knobs(config);
    for (size_t f = 0; f < target.size(); ++f) {
      expr value = *knobs(per_row.back())[f];
      for (int i = int(rows.size()) - 2; i >= 0; --i)
        value = sym::choose(is_row[i], *knobs(per_row[i])[f], value);
      *target[f] = value.simplify();
    }
    z3::expr_vector any(sym::ctx());
    for (const expr& e : is_row) any.push_back(e);
    valid = z3::mk_or(any);
  }
};

}  // namespace

MatrixResult classify_z3(const std::vector<MatrixRow>& rows, int depth) {
  const auto t0 = std::chrono::steady_clock::now();
  MatrixResult out;
  out.verdicts.resize(rows.size());
  if (rows.empty()) return out;
  for (RowVerdict& v : out.verdicts) v.complete = false;
  SymbolicSpace space(rows);
  sym::Unrolling u(space.config);
  {
    // Small cores are big regions.
    z3::params p(sym::ctx());
    p.set("core.minimize", true);
    u.solver().set(p);
  }
  u.solver().add(space.valid);
  while (u.depth() < depth) u.extend();

  struct Half {
    const char* name;
    EffectSet effects;
  };
  for (const Half& half : {Half{"no-loss", kLossEffects}, Half{"no-duplicate", kDuplicateEffects}}) {
    z3::expr_vector broken(sym::ctx());
    for (int e = 0; e < int(Effect::kCount); ++e)
      if (half.effects & bit(Effect(e))) broken.push_back(u.target(depth, Effect(e)));
    expr goal = sym::ctx().bool_const((std::string("breaks.") + half.name).c_str());
    u.solver().add(z3::implies(goal, z3::mk_or(broken)));
    std::vector<bool> decided(rows.size(), false);
    for (size_t i = 0; i < rows.size(); ++i) {
      if (decided[i]) continue;
      z3::expr_vector assumptions(sym::ctx());
      assumptions.push_back(goal);
      for (const expr& l : space.row_literals[i]) assumptions.push_back(l);
      ++out.solver_queries;
      const z3::check_result r = u.solver().check(assumptions);
      decided[i] = true;
      if (r == z3::sat) {
        z3::model m = u.solver().get_model();
        for (int e = 0; e < int(Effect::kCount); ++e) {
          if (!(half.effects & bit(Effect(e))) || !m.eval(u.target(depth, Effect(e)), true).is_true()) continue;
          Counterexample cx;
          const std::string why = replay_run(rows[i].config, u, m, Effect(e), &cx);
          if (!why.empty()) {
            out.replay_failures.push_back(rows[i].producer->name + " | " + rows[i].broker->name + " | " +
                                          rows[i].consumer->name + ": " + std::string(name(Effect(e))) + ": " + why);
            continue;
          }
          out.verdicts[i].effects |= bit(Effect(e));
          out.verdicts[i].counterexamples.push_back(std::move(cx));
          break;
        }
        continue;
      }
      if (r != z3::unsat) continue;  // unknown: left undecided (complete stays false)
      // The core: the keys that suffice for this half to hold. Every row agreeing on them holds too.
      z3::expr_vector core = u.solver().unsat_core();
      Region region{half.name, {}, 0};
      std::vector<std::pair<size_t, int>> lits;  // (key, value index)
      for (unsigned c = 0; c < core.size(); ++c)
        for (size_t k = 0; k < space.keys.size(); ++k)
          for (size_t v = 0; v < space.values[k].size(); ++v)
            if (z3::eq(core[c], space.vars[k] == num(int(v)))) lits.push_back({k, int(v)});
      for (auto [k, v] : lits) region.literals.push_back({space.keys[k], space.values[k][v]});
      std::sort(region.literals.begin(), region.literals.end());
      for (size_t j = 0; j < rows.size(); ++j) {
        bool inside = true;
        for (auto [k, v] : lits) inside &= rows[j].settings.at(space.keys[k]) == space.values[k][v];
        if (!inside) continue;
        ++region.rows;
        decided[j] = true;
      }
      out.regions.push_back(region);
    }
  }
  out.seconds = since(t0);
  return out;
}

}  // namespace kdc
