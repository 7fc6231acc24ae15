#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <optional>
#include <sstream>

#include "cli/advise.h"
#include "cli/commands.h"
#include "model/checker/explicit_checker.h"
#include "model/checker/replication_table.h"
#include "model/replication_safety.h"
#include "model/symbolic/bmc.h"
#include "model/verdict.h"
#include "model/vocabulary/trace.h"
#include "show/report.h"

namespace kdc {
namespace {

std::string with_commas(uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string s;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) s += ',';
    s += digits[i];
  }
  return s;
}

// The settings that decide the verdict, in one paragraph a reviewer can check.
std::string summary(const Config& c) {
  std::map<std::string, std::string> v;
  for (const auto& [key, value] : effective_settings(c)) v[key] = value;
  auto get = [&](const char* key) { return v.count(key) ? v[key] : std::string("n/a"); };
  std::ostringstream o;
  o << "Kafka " << c.version.str() << "\n  producer: acks=" << get("acks")
    << " retries=" << get("retries") << " enable.idempotence=" << (c.idempotence ? "true" : "false")
    << " max.in.flight=" << get("max.in.flight.requests.per.connection")
    << "\n  topic:    replication.factor=" << get("replication.factor")
    << " min.insync.replicas=" << get("min.insync.replicas")
    << " unclean.leader.election.enable=" << get("unclean.leader.election.enable")
    << " flush.messages="
    << (c.flush_interval_messages == INT64_MAX ? std::string("never (OS writeback)")
                                               : get("flush.messages"))
    << (c.eligible_leader_replicas ? " eligible.leader.replicas=on" : "")
    << "\n  consumer: enable.auto.commit=" << get("enable.auto.commit")
    << " auto.offset.reset=" << get("auto.offset.reset")
    << "\n  app:      commit=" << get("app.commit") << " processing=" << get("app.processing")
    << " on.send.error=" << get("app.on.send.error")
    << " on.producer.restart=" << get("app.on.producer.restart");
  if (c.transactional) {
    o << "\n  transactions: transactional.id set"
      << (c.transaction_verification ? ", partition verification (KIP-890 part 1)" : "")
      << (c.epoch_bump_per_transaction ? ", transaction.version=2 (epoch bump per transaction)" : "");
    if (c.processor())
      o << "; processor on.txn.abort=" << get("app.on.txn.abort")
        << ", downstream isolation.level=" << get("app.output.isolation.level");
    else
      o << "; consumer isolation.level=" << get("isolation.level");
  }
  return o.str();
}

// The fault classes of the budget that can strike this configuration, in check's words.
// In a consume-transform-produce pipeline the producer is the processor and the consumer
// the downstream reader (docs/transactions.md, section 1).
std::vector<std::pair<FaultKind, std::string>> fault_classes(const Config& c) {
  const bool processor = c.processor();
  std::vector<std::pair<FaultKind, std::string>> out;
  for (int k = 0; k < kFaultKinds; ++k) {
    const FaultKind kind = FaultKind(k);
    if (budget_of(c.faults, kind) == 0) continue;
    if (kind == FaultKind::kConsumerCrash && processor) continue;
    if (kind == FaultKind::kOffsetLoss && c.offsets_in_sink()) continue;
    std::string label(fault_key(kind).substr(6));  // "broker.power.loss"
    std::replace(label.begin(), label.end(), '.', ' ');
    if (processor && label.rfind("producer ", 0) == 0 && kind != FaultKind::kProducerZombie)
      label.replace(0, 8, "processor");
    if (processor && kind == FaultKind::kConsumerRebalance) label = "processor rebalance";
    out.push_back({kind, label});
  }
  return out;
}

std::string fault_summary(const Config& c) {
  std::string kinds;
  for (const auto& [kind, label] : fault_classes(c)) {
    const int n = budget_of(c.faults, kind);
    kinds += (kinds.empty() ? "" : ", ") + label + (n > 1 ? " ×" + std::to_string(n) : "");
  }
  const FaultBudget& f = c.faults;
  return "at most " + std::to_string(f.max_total) + " fault" + (f.max_total == 1 ? "" : "s") +
         " per run, of: " + (kinds.empty() ? "none" : kinds);
}

std::string effect_headline(const Counterexample& cx) {
  std::string who = cx.message >= 0 ? "m" + std::to_string(cx.message) + ": " : "";
  return std::string(name(cx.effect)) + " — " + who + std::string(meaning(cx.effect));
}

void print_story(std::ostream& out, const Config& c, const Counterexample& cx,
                 const std::string& path) {
  out << "\n" << effect_headline(cx) << " (" << cx.events.size() << " steps";
  if (!path.empty()) out << "; trace " << path;
  out << ")\n";
  int step = 0;
  for (const Event& e : cx.events) {
    ++step;
    const bool about = cx.message >= 0 && e.msg == cx.message;
    out << std::setw(4) << step << (about ? " * " : "   ") << describe(e) << "\n";
  }
  std::istringstream final_state(describe_state(c, cx.final_state));
  out << "   final state:\n";
  for (std::string line; std::getline(final_state, line);) out << "     " << line << "\n";
}


// kdc check --html: the same configuration checked once more per fault class (only that
// class in the budget) and with no faults, kdc advise's proposals for the guarantees the
// verdict misses, and the page (show/report.h). Progress goes to stderr like check's own.
int write_report(const CheckArgs& args, const std::vector<std::string>& overrides, const Config& config,
                 const CheckResult& result, const std::vector<std::string>& verdict_lines,
                 const std::string& exploration, const std::vector<Trace>& traces,
                 const std::vector<std::string>& paths, Guarantee required, std::ostream& err) {
  const char* command = args.z3 ? "kdc prove" : "kdc check";
  show::Report report;
  report.command = command;
  for (const std::string& f : args.files) report.command += " " + f;
  for (const std::string& o : args.overrides) report.command += " --set " + o;
  if (args.messages > 0) report.command += " --messages " + std::to_string(args.messages);
  if (!args.require.empty()) report.command += " --require " + args.require;
  report.command += " --html " + args.html;
  report.configuration = summary(config);
  report.faults = fault_summary(config);
  report.bounds = std::to_string(config.messages) + " message" + (config.messages == 1 ? "" : "s") + ", " +
                  std::to_string(config.replication_factor) + " broker" + (config.replication_factor == 1 ? "" : "s");
  report.exploration = exploration;
  report.settings = effective_settings(config);
  report.effects = result.effects;
  report.verdict_lines = verdict_lines;
  report.notes = config.notes;

  const auto classes = fault_classes(config);
  const auto start = std::chrono::steady_clock::now();
  auto check_with = [&](const std::string& label, const std::string& key, std::vector<std::string> extra,
                        int index) -> std::optional<show::FaultClassVerdict> {
    if (!args.quiet)
      err << command << ": --html: checking " << label << " (" << index << " of " << classes.size() + 1 << ")\n";
    std::vector<std::string> with = overrides;
    with.insert(with.end(), extra.begin(), extra.end());
    auto loaded = load_config(args.files, with);
    if (std::holds_alternative<ConfigError>(loaded)) return std::nullopt;
    CheckOptions options;
    options.max_states = args.max_states;
    options.threads = args.threads;
    const CheckResult r = check(std::get<Config>(loaded), options);
    return show::FaultClassVerdict{label, key, r.effects, r.states, r.seconds, r.complete && r.bound_hits == 0};
  };
  int index = 0;
  if (auto row = check_with("no faults", "", {"fault.max.total=0"}, ++index)) report.classes.push_back(*row);
  for (const auto& [kind, label] : classes) {
    std::vector<std::string> only;
    for (const auto& [other, unused] : classes)
      if (other != kind) only.push_back(std::string(fault_key(other)) + "=0");
    const std::string key = std::string(fault_key(kind)) + "=" + std::to_string(budget_of(config.faults, kind));
    if (auto row = check_with(label, key, only, ++index)) report.classes.push_back(*row);
  }
  show::FaultClassVerdict all;
  all.label = "all faults together (at most " + std::to_string(config.faults.max_total) + " per run)";
  all.effects = result.effects;
  all.states = result.states;
  all.seconds = result.seconds;
  all.complete = result.complete && result.bound_hits == 0;
  all.all = true;
  report.classes.push_back(all);
  const double class_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!args.quiet)
    err << command << ": --html: " << classes.size() + 1 << " extra checks in " << std::fixed << std::setprecision(2)
        << class_seconds << " s\n";

  for (size_t i = 0; i < traces.size(); ++i)
    report.counterexamples.push_back({traces[i].header.note, paths[i], traces[i]});

  // The fixes, for one guarantee (each search takes minutes): the one --require asks for,
  // else the next step up: nothing lost first, then exactly-once.
  const Guarantee g = guarantee_of(result.effects);
  std::vector<Guarantee> targets;
  if (required != Guarantee::kNone) {
    if (!satisfies(g, required)) targets.push_back(required);
  } else if (!satisfies(g, Guarantee::kAtLeastOnce)) {
    targets.push_back(Guarantee::kAtLeastOnce);
  } else if (!satisfies(g, Guarantee::kExactlyOnce)) {
    targets.push_back(Guarantee::kExactlyOnce);
  }
  if (targets.empty())
    report.fixes_note = "Nothing to fix: the configuration gives " + std::string(name(g)) + ".";
  else if (!args.fixes)
    report.fixes_note = "Not searched: add --fixes, or run kdc advise --require " + std::string(name(targets[0])) +
                        " with the same files (each search takes minutes: it checks many candidate "
                        "configurations and re-checks each proposal with Z3).";
  for (Guarantee target : args.fixes ? targets : std::vector<Guarantee>{}) {
    if (!args.quiet)
      err << command << ": --html: searching the smallest fixes for " << name(target)
          << " (kdc advise; this takes minutes)\n";
    AdviseOptions options;
    if (!args.quiet)
      options.on_progress = [&](int tried) { err << command << ": --html: " << tried << " candidates checked\n"; };
    const auto t0 = std::chrono::steady_clock::now();
    auto advised = advise(args.files, args.overrides, target, options);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    show::ReportFixes fixes;
    fixes.target = target;
    std::ostringstream summary_line;
    if (auto* e = std::get_if<ConfigError>(&advised)) {
      summary_line << "kdc advise could not run: " << e->str();
    } else {
      const AdviseResult& a = std::get<AdviseResult>(advised);
      summary_line << a.proposals.size() << " proposal" << (a.proposals.size() == 1 ? "" : "s") << " ("
                   << a.candidates_checked << " combinations of up to " << options.max_changes
                   << " catalog changes checked with " << options.messages << " message"
                   << (options.messages == 1 ? "" : "s") << " per run, in " << std::fixed << std::setprecision(1)
                   << secs << " s; docs/advise.md). Confirm with: kdc check <your files> --set <changes>";
      for (const AdviseProposal& p : a.proposals) {
        show::ReportFix fix;
        fix.cost = p.cost;
        for (const AdviseChange& c : p.changes) {
          std::string settings;
          for (const std::string& x : c.settings) settings += (settings.empty() ? "" : " ") + x;
          fix.changes.push_back({settings, "cost " + std::to_string(c.cost) + ": " + c.why});
        }
        fix.verified = "explicit checker, " + with_commas(p.states) + " states, exhaustive: " +
                       std::string(name(p.guarantee)) + "; Z3, runs up to " + std::to_string(p.z3_depth) +
                       " steps: " + (p.z3_holds ? "holds" : "DOES NOT HOLD (engine disagreement: please report)");
        fixes.proposals.push_back(std::move(fix));
      }
    }
    fixes.summary = summary_line.str();
    report.fixes.push_back(std::move(fixes));
  }

  std::ofstream f(args.html, std::ios::binary);
  f << show::render_report(report, config);
  f.close();
  if (!f) {
    err << command << ": --html: cannot write " << args.html << "\n";
    return 2;
  }
  if (!args.quiet) err << command << ": --html: wrote " << args.html << "\n";
  return 0;
}

}  // namespace

int run_check(const CheckArgs& args, std::ostream& out, std::ostream& err) {
  std::vector<std::string> overrides = args.overrides;
  if (args.messages > 0) overrides.push_back("model.messages=" + std::to_string(args.messages));
  if (args.replicas > 0) overrides.push_back("replication.factor=" + std::to_string(args.replicas));
  if (args.max_leader_epoch > 0)
    overrides.push_back("model.max.leader.epoch=" + std::to_string(args.max_leader_epoch));
  Guarantee required = Guarantee::kNone;
  if (!args.require.empty() && !parse_guarantee(args.require, &required)) {
    err << (args.z3 ? "kdc prove" : "kdc check") << ": --require: unknown guarantee '" << args.require
        << "'; expected exactly-once, at-least-once, at-most-once or none\n";
    return 2;
  }
  auto loaded = load_config(args.files, overrides);
  if (auto* e = std::get_if<ConfigError>(&loaded)) {
    err << (args.z3 ? "kdc prove: " : "kdc check: ") << e->str() << "\n";
    return 2;
  }
  const Config& config = std::get<Config>(loaded);

  const char* command = args.z3 ? "kdc prove" : "kdc check";
  // An unwritable report is a usage error, found before the checks rather than after.
  if (!args.html.empty() && !std::ofstream(args.html, std::ios::app)) {
    err << command << ": --html: cannot write " << args.html << "\n";
    return 2;
  }
  const bool tty = isatty(fileno(stderr));
  CheckResult result;
  ProveResult z3_result;
  if (args.z3) {
    ProveOptions options;
    options.depth = args.depth;
    options.unbounded = args.unbounded;
    options.induction = args.induction;
    options.timeout_seconds = args.timeout_seconds;
    if (!args.quiet)
      options.on_progress = [&err, tty](const ProveProgress& p) {
        err << (tty ? "\r" : "") << "kdc prove: depth " << p.depth << " done, " << std::fixed
            << std::setprecision(1) << p.seconds << " s" << (tty ? "   " : "\n") << std::flush;
      };
    z3_result = prove(config, options);
    if (!args.quiet && tty) err << "\n";
    result.effects = z3_result.effects;
    result.counterexamples = z3_result.counterexamples;
    result.seconds = z3_result.seconds;
    result.depth = z3_result.depth;
    result.complete = z3_result.unbounded;
    result.bound_hits = z3_result.cut_reachable ? 1 : 0;
  } else {
    CheckOptions options;
    options.max_states = args.max_states;
    options.threads = args.threads;
    if (!args.quiet) {
      options.progress_interval = tty ? 0.5 : 5.0;
      options.on_progress = [&err, tty](const CheckProgress& p) {
        err << (tty ? "\r" : "") << "kdc check: " << with_commas(p.states) << " states, depth "
            << p.depth << ", " << std::fixed << std::setprecision(0) << p.states / p.seconds
            << " states/s, " << std::setprecision(1) << p.seconds << " s" << (tty ? "   " : "\n")
            << std::flush;
      };
    }
    result = check(config, options);
    if (!args.quiet && tty && result.seconds >= options.progress_interval) err << "\n";
  }

  // Counterexample traces.
  std::vector<std::string> paths;
  std::vector<Trace> traces;
  if (!result.counterexamples.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(args.out_dir, ec);
    if (ec) {
      err << command << ": --out: cannot create directory '" << args.out_dir << "': " << ec.message()
          << "\n";
      return 2;
    }
  }
  for (const Counterexample& cx : result.counterexamples) {
    Trace t;
    t.header.effect = std::string(name(cx.effect));
    t.header.config = effective_settings(config);
    t.header.note = effect_headline(cx);
    t.events = cx.events;
    std::string path = (std::filesystem::path(args.out_dir) / (t.header.effect + ".jsonl")).string();
    std::string error;
    if (!write_trace(path, t, &error)) {
      err << command << ": " << error << "\n";
      return 2;
    }
    paths.push_back(path);
    traces.push_back(std::move(t));
  }

  // Replication-safety counterexamples, one per property broken (explicit engine only;
  // docs/replication.md).
  std::string replication_paths[kReplicationViolations];
  const ReplicationCounterexample* first_replication = result.first_replication_violation();
  for (int k = 0; k < kReplicationViolations; ++k) {
    if (!result.replication[k]) continue;
    const ReplicationCounterexample& rx = *result.replication[k];
    std::error_code ec;
    std::filesystem::create_directories(args.out_dir, ec);
    const Trace t = replication_trace(config, rx);
    replication_paths[k] =
        (std::filesystem::path(args.out_dir) / ("replication-" + replication_slug(rx.finding.kind) + ".jsonl")).string();
    std::string error;
    if (ec || !write_trace(replication_paths[k], t, &error)) {
      err << command << ": " << (ec ? "--out: cannot create directory '" + args.out_dir + "'" : error) << "\n";
      return 2;
    }
  }
  auto replication_path_of = [&](const ReplicationCounterexample* rx) {
    for (int k = 0; k < kReplicationViolations; ++k)
      if (result.replication[k] && &*result.replication[k] == rx) return replication_paths[k];
    return std::string();
  };

  const Guarantee g = guarantee_of(result.effects);
  const bool ordered = ordering_preserved(result.effects);
  const bool proven = result.complete && result.unexplained == 0 && result.bound_hits == 0 &&
                      z3_result.replay_failures.empty();
  const bool require_holds = satisfies(g, required) && (required == Guarantee::kNone || proven);

  // The verdict per guarantee half, for the text output and the report.
  auto verdict_line = [&](const char* what, EffectSet bad) {
    std::ostringstream o;
    o << what << ": ";
    EffectSet found = result.effects & bad;
    if (!found) {
      o << "holds";
      if (args.z3) {
        // Which effects of this half are absent by an unbounded proof.
        const EffectSet closed = z3_result.unbounded_absent & bad;
        o << (closed == bad || z3_result.unbounded ? " (unbounded proof)"
              : closed ? " (partly unbounded:" : " (bounded)");
        if (closed && closed != bad && !z3_result.unbounded) {
          for (int e = 0; e < int(Effect::kCount); ++e)
            if (closed & bit(Effect(e))) o << " " << name(Effect(e));
          o << "; the rest up to depth " << z3_result.depth << ")";
        }
      }
      return o.str();
    }
    o << "fails (";
    bool first = true;
    for (const Counterexample& cx : result.counterexamples)
      if (bit(cx.effect) & bad) o << (first ? "" : ", ") << name(cx.effect), first = false;
    o << ")";
    return o.str();
  };
  std::vector<std::string> verdict_lines = {
      verdict_line("at-least-once (nothing lost)      ", kLossEffects),
      verdict_line("at-most-once (nothing duplicated) ", kDuplicateEffects),
      verdict_line("ordering                          ", bit(Effect::kReordered))};
  if (!args.z3) {  // the Z3 engine does not check replication safety
    std::string line = "replication safety                : ";
    if (!first_replication) {
      line += "holds (committed records stay in the ISR and survive)";
    } else {
      line += "fails (";
      bool first = true;
      for (const auto& rx : result.replication)
        if (rx) line += std::string(first ? "" : ", ") + name(rx->finding.kind), first = false;
      line += ")";
    }
    verdict_lines.push_back(line);
  }

  if (args.json) {
    nlohmann::ordered_json j;
    j["guarantee"] = name(g);
    j["effects"] = nlohmann::json::array();
    for (const Counterexample& cx : result.counterexamples) j["effects"].push_back(name(cx.effect));
    j["ordering"] = ordered ? "preserved" : "violated";
    j["counterexamples"] = nlohmann::json::array();
    for (size_t i = 0; i < paths.size(); ++i) {
      const Counterexample& cx = result.counterexamples[i];
      nlohmann::ordered_json c;
      c["effect"] = name(cx.effect);
      c["trace"] = paths[i];
      c["message"] = cx.message;
      c["steps"] = cx.events.size();
      j["counterexamples"].push_back(c);
    }
    // Checked by the explicit engine; the Z3 engine does not check it (null).
    if (args.z3) {
      j["replication"] = nullptr;
    } else {
      nlohmann::ordered_json rep;
      rep["holds"] = first_replication == nullptr;
      rep["counterexample"] = first_replication ? nlohmann::json(replication_path_of(first_replication))
                                                : nlohmann::json(nullptr);
      rep["violations"] = nlohmann::json::array();
      for (int k = 0; k < kReplicationViolations; ++k) {
        if (!result.replication[k]) continue;
        nlohmann::ordered_json v;
        v["property"] = name(result.replication[k]->finding.kind);
        v["detail"] = result.replication[k]->finding.detail;
        v["steps"] = result.replication[k]->events.size();
        v["trace"] = replication_paths[k];
        rep["violations"].push_back(v);
      }
      j["replication"] = rep;
    }
    j["not_modelled"] = config.not_modelled;
    j["notes"] = config.notes;
    nlohmann::ordered_json stats;
    if (args.z3) {
      stats["engine"] = "z3";
      stats["depth"] = z3_result.depth;
      stats["complete"] = z3_result.unbounded;  // every effect decided for runs of any length
      stats["diameter"] = z3_result.diameter;
      // Effects proven absent for runs of any length by induction (docs/symbolic-engine.md),
      // with the k that closed each; the others' "absent" covers runs up to depth only.
      stats["unbounded_proofs"] = nlohmann::json::array();
      nlohmann::ordered_json ks = nlohmann::json::object();
      for (int e = 0; e < int(Effect::kCount); ++e)
        if (z3_result.induction_k[e] > 0) {
          stats["unbounded_proofs"].push_back(name(Effect(e)));
          ks[std::string(name(Effect(e)))] = z3_result.induction_k[e];
        }
      stats["induction_k"] = ks;
      stats["cut_unbounded_absent"] = z3_result.cut_induction_k > 0;
      stats["invariant"] = z3_result.invariant;
      stats["invariant_size"] = z3_result.invariant_size;
      stats["induction_candidates"] = z3_result.induction_candidates;
      stats["induction_seconds"] = z3_result.induction_seconds;
      stats["induction_timed_out"] = z3_result.induction_timed_out;
      stats["seconds"] = z3_result.seconds;
      stats["seconds_per_depth"] = z3_result.seconds_per_depth;
      stats["solver_queries"] = z3_result.solver_queries;
      stats["timed_out"] = z3_result.timed_out;
      stats["bound_hits"] = z3_result.cut_reachable ? 1 : 0;
      stats["replay_failures"] = z3_result.replay_failures;
    } else {
      stats["engine"] = "explicit";
      stats["states"] = result.states;
      stats["seconds"] = result.seconds;
      stats["transitions"] = result.transitions;
      stats["depth"] = result.depth;
      stats["quiescent_states"] = result.quiescent_states;
      stats["bound_hits"] = result.bound_hits;
      stats["cut_states"] = result.cut_states;
      stats["complete"] = result.complete;
      stats["unexplained_losses"] = result.unexplained;
    }
    j["stats"] = stats;
    out << j.dump() << "\n";
  } else {
    out << "Configuration: " << summary(config) << "\n";
    out << "Faults: " << fault_summary(config) << "\n";
    out << "Bounds: " << config.messages << " message" << (config.messages == 1 ? "" : "s")
        << ", " << config.replication_factor << " broker" << (config.replication_factor == 1 ? "" : "s")
        << ", leader epochs up to " << config.max_leader_epoch << "\n";
    if (args.z3) {
      out << "Z3 bounded model checking: every run of up to " << z3_result.depth << " steps in "
          << std::fixed << std::setprecision(2) << z3_result.seconds << " s ("
          << z3_result.solver_queries << " solver queries)";
      if (z3_result.unbounded && z3_result.diameter >= 0)
        out << ": no loop-free run is longer than " << z3_result.diameter
            << " steps, so this holds for runs of any length within these bounds";
      else if (z3_result.unbounded)
        out << ": every effect is found or proven absent by induction, so this holds for runs of "
               "any length within these bounds";
      out << "\n";
      if (z3_result.unbounded_absent) {
        out << "Unbounded proofs (induction, any run length):";
        for (int e = 0; e < int(Effect::kCount); ++e)
          if (z3_result.induction_k[e] > 0)
            out << " " << name(Effect(e)) << " (k=" << z3_result.induction_k[e] << ")";
        out << "; invariant: " << z3_result.invariant_size << " of " << z3_result.induction_candidates
            << " candidates proven inductive.\n";
      }
      if (z3_result.timed_out) out << "WARNING: stopped by --timeout after depth " << z3_result.depth << ".\n";
      if (!z3_result.unbounded && !z3_result.timed_out)
        out << "NOTE: bounded proof only" << (z3_result.unbounded_absent ? " for effects not listed above" : "")
            << ": runs longer than " << z3_result.depth
            << " steps were not covered (raise --depth, or use kdc check).\n";
      for (const std::string& f : z3_result.replay_failures)
        out << "ENGINE BUG: a Z3 run did not replay on the model: " << f << "\n";
    } else {
      out << "Explored " << with_commas(result.states) << " states (" << with_commas(result.transitions)
          << " transitions, depth " << result.depth << ") in " << std::fixed << std::setprecision(2)
          << result.seconds << " s"
          << (result.complete && result.bound_hits == 0 ? ": exhaustive within these bounds" : "")
          << "\n";
    }
    if (args.z3 && z3_result.cut_reachable)
      out << "NOTE: some run reaches a step cut by the model's capacity bounds (model/bounds.h): "
          << "effects found are real, but runs longer than the bounds were not explored. Fewer "
          << "--messages avoids it.\n";
    if (!args.z3 && result.bound_hits > 0)
      out << "NOTE: " << with_commas(result.bound_hits) << " steps were cut by the model's capacity "
          << "bounds (model/bounds.h; " << with_commas(result.cut_states)
          << " states left without a step were not judged): effects found are real, but runs "
          << "longer than the bounds were not explored. Fewer --messages avoids it.\n";
    if (!args.z3 && !result.complete)
      out << "WARNING: stopped at --max-states " << args.max_states
          << "; effects found are real, absent ones are not proven.\n";
    if (result.unexplained > 0)
      out << "MODEL BUG: " << result.unexplained << " losses no rule explains; please report.\n";
    out << "\nGuarantee: " << name(g) << "    Ordering per partition: "
        << (ordered ? "preserved" : "violated") << "\n";
    for (const std::string& line : verdict_lines) out << "  " << line << "\n";
    for (size_t i = 0; i < result.counterexamples.size(); ++i)
      print_story(out, config, result.counterexamples[i], paths[i]);
    for (int k = 0; k < kReplicationViolations; ++k) {
      if (!result.replication[k]) continue;
      const ReplicationCounterexample& rx = *result.replication[k];
      out << "\nreplication safety — " << name(rx.finding.kind) << ": " << rx.finding.detail << " ("
          << rx.events.size() << " steps; trace " << replication_paths[k] << ")\n";
      int step = 0;
      for (const Event& e : rx.events) out << std::setw(4) << ++step << "   " << describe(e) << "\n";
      std::istringstream final_state(describe_state(config, rx.final_state));
      out << "   final state:\n";
      for (std::string l; std::getline(final_state, l);) out << "     " << l << "\n";
    }
    if (!config.notes.empty()) {
      out << "\nNotes:\n";
      for (const std::string& n : config.notes) out << "  - " << n << "\n";
    }
    if (!config.not_modelled.empty()) {
      out << "\nAccepted but not modelled (no effect on delivery): ";
      for (size_t i = 0; i < config.not_modelled.size(); ++i)
        out << (i ? ", " : "") << config.not_modelled[i];
      out << "\n";
    }
    if (required != Guarantee::kNone)
      out << "\n--require " << name(required) << ": "
          << (require_holds ? "holds" : proven ? "does NOT hold" : "not proven (search incomplete)")
          << "\n";
  }
  if (!args.html.empty()) {
    std::ostringstream exploration;
    if (args.z3)
      exploration << "Z3 bounded model checking: every run of up to " << z3_result.depth << " steps in " << std::fixed
                  << std::setprecision(2) << z3_result.seconds << " s";
    else
      exploration << "Explored " << with_commas(result.states) << " states (" << with_commas(result.transitions)
                  << " transitions, depth " << result.depth << ") in " << std::fixed << std::setprecision(2)
                  << result.seconds << " s"
                  << (result.complete && result.bound_hits == 0 ? ": exhaustive within these bounds" : "");
    const int code = write_report(args, overrides, config, result, verdict_lines, exploration.str(), traces, paths,
                                  required, err);
    if (code != 0) return code;
  }
  return require_holds ? 0 : 1;
}

}  // namespace kdc
