// kdc replay: a trace on the model (conformance/model_replay.h), as a story, as JSON, or
// walked step by step.
#include <unistd.h>

#include <cstdlib>
#include <iomanip>
#include <optional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "conformance/impl_reproduction.h"
#include "conformance/model_replay.h"
#include "model/replication_safety.h"

namespace kdc {
namespace {

std::string effects_text(EffectSet effects) {
  std::string s;
  for (int e = 0; e < int(Effect::kCount); ++e)
    if (effects & (1u << e)) s += (s.empty() ? "" : ", ") + std::string(name(Effect(e)));
  return s.empty() ? "none" : s;
}

std::string batch_text(const Batch& b) {
  std::string s = "m" + std::to_string(b.msg);
  if (b.gen) s += "'" + std::to_string(b.gen);
  if (b.seq >= 0) s += " seq " + std::to_string(b.seq);
  return s;
}

// describe_state, plus what a user stepping through a run asks next: which batches wait in
// the accumulator and which requests are on the wire, and where the consumer reads.
std::string state_text(const Config& c, const State& s) {
  std::string out = describe_state(c, s);
  const ProducerState& p = s.producer;
  out += "  accumulator: [";
  for (int i = 0; i < p.queued; ++i) out += (i ? ", " : "") + batch_text(p.queue[i]);
  out += "]  in flight: [";
  static const char* kStage[] = {"queued", "on the wire", "in purgatory", "response due", "orphan"};
  for (int i = 0; i < p.in_flight; ++i) {
    const Batch& b = p.flight[i];
    out += (i ? ", " : "") + batch_text(b) + " → broker " + std::to_string(b.broker) + " (" +
           (b.stage < 5 ? kStage[b.stage] : "?") + ")";
  }
  out += "]  metadata: leader " +
         (p.metadata_leader < 0 ? std::string("unknown") : std::to_string(p.metadata_leader)) + "\n";
  const ConsumerState& cs = s.consumer;
  out += "  consumer fetches in epoch " + std::to_string(cs.leader_epoch) +
         (cs.pending_commit != kNoOffset ? ", async commit of " + std::to_string(cs.pending_commit) + " in flight" : "") +
         (cs.has(ConsumerState::kFenced) ? ", generation fenced" : "") +
         (cs.has(ConsumerState::kStuck) ? ", stopped" : "") + "\n";
  return out;
}

const char* match_note(const ReplayResult& r, size_t i) {
  if (i >= r.how.size()) return "";
  switch (r.how[i]) {
    case Match::kStutter: return "   (no-op for the model)";
    case Match::kAnnotation: return "   (annotation: agrees with the model state)";
    case Match::kStep: return "";
  }
  return "";
}

void print_event(const Trace& trace, const ReplayResult& r, size_t i, std::ostream& out) {
  if (i < r.silent_before.size() && r.silent_before[i] > 0)
    out << "        (" << r.silent_before[i] << " unlogged model step"
        << (r.silent_before[i] > 1 ? "s" : "") << " inferred before this event)\n";
  out << std::setw(4) << i + 1 << "  " << describe(trace.events[i]) << match_note(r, i) << "\n";
}

void print_state(const Config& c, const State& s, std::ostream& out) {
  std::istringstream state(state_text(c, s));
  for (std::string line; std::getline(state, line);) out << "        " << line << "\n";
}

void print_divergence(const ReplayResult& r, std::ostream& out) {
  out << "DIVERGES at " << r.error << "\n";
  out << "frontier: " << r.frontier_size << " state(s); the search reached " << r.searched_states
      << "\n";
  std::istringstream diff(r.state_diff);
  for (std::string line; std::getline(diff, line);) out << "  " << line << "\n";
}

// --step: position k shows the state after the first k events (0: the initial state).
int walk(const ReplayArgs& /*args*/, const Config& c, const Trace& trace, const ReplayResult& r,
         std::ostream& out) {
  const int last = r.steps;  // states known: after events 1..r.steps
  const bool terminal = isatty(STDIN_FILENO) && &out == &std::cout;
  const bool color = terminal && use_colour(out);
  auto show = [&](int k) {
    if (k == 0) {
      out << (color ? "\033[1m" : "") << "   0  initial state" << (color ? "\033[0m" : "") << "\n";
      print_state(c, initial_state(c), out);
      return;
    }
    out << (color ? "\033[1m" : "");
    print_event(trace, r, size_t(k - 1), out);
    out << (color ? "\033[0m" : "");
    print_state(c, r.after[k - 1], out);
  };
  if (!terminal) {
    for (int k = 0; k <= last; ++k) show(k);
  } else {
    out << "n next, p previous, g N go to event N, q quit (" << last << " events replayed)\n";
    int k = 0;
    show(k);
    for (std::string line; out << "> " << std::flush, std::getline(std::cin, line);) {
      std::istringstream cmd(line);
      std::string verb;
      cmd >> verb;
      if (verb == "q") break;
      if (verb.empty() || verb == "n") {
        if (k < last) ++k;
      } else if (verb == "p") {
        if (k > 0) --k;
      } else if (verb == "g") {
        int n = -1;
        cmd >> n;
        if (n < 0 || n > last) {
          out << "no event " << n << " (0.." << last << ")\n";
          continue;
        }
        k = n;
      } else {
        out << "n next, p previous, g N go to event N, q quit\n";
        continue;
      }
      show(k);
    }
  }
  if (!r.ok) {
    out << std::setw(4) << r.failed_step << "  " << describe(trace.events[r.failed_step - 1]) << "\n";
    print_divergence(r, out);
    return 1;
  }
  out << "Every event is explained by the model. Effects: " << effects_text(r.effects) << "\n";
  return 0;
}

}  // namespace

// kdc replay --on impl: the counterexample's faults placed on the deterministic
// implementation (conformance/impl_reproduction.h), seeds tried until the effect shows; the
// reproducing run's own trace must then replay on the model.
int run_on_impl(const ReplayArgs& args, const Trace& trace, const Config& config,
                const ReplayOptions& options, std::ostream& out, std::ostream& err) {
  if (trace.header.effect.empty()) {
    err << "kdc replay --on impl: " << args.trace
        << ":1: the trace names no effect (\"effect\": null): nothing to reproduce\n";
    return 2;
  }
  ReproduceOptions ro;
  ro.seeds = args.seeds;
  ReproduceResult rr = reproduce_on_impl(trace, ro);
  if (!rr.error.empty()) {
    err << "kdc replay --on impl: " << args.trace << ": " << rr.error << "\n";
    return 2;
  }
  ReplayResult back;
  bool replayed = false;
  if (rr.reproduced) {
    Trace t;
    t.header = trace.header;
    t.header.source = "impl";
    t.header.note = "kdc replay --on impl " + args.trace + ": seed " + std::to_string(rr.seed);
    t.events = rr.events;
    back = replay_trace(config, t, options);
    replayed = true;
    if (!args.impl_trace.empty()) {
      std::string error;
      if (!write_trace(args.impl_trace, t, &error)) {
        err << "kdc replay --on impl: cannot write " << args.impl_trace << ": " << error << "\n";
        return 2;
      }
    }
  } else if (!args.impl_trace.empty() && !rr.events.empty()) {
    // Not reproduced: the last run tried, to see how far it got.
    Trace t;
    t.header = trace.header;
    t.header.source = "impl";
    t.header.effect.clear();
    t.header.note = "kdc replay --on impl " + args.trace + ": the last seed tried, not reproducing " +
                    rr.effect;
    t.events = rr.events;
    std::string error;
    if (!write_trace(args.impl_trace, t, &error)) {
      err << "kdc replay --on impl: cannot write " << args.impl_trace << ": " << error << "\n";
      return 2;
    }
  }
  if (args.json) {
    nlohmann::ordered_json j;
    j["trace"] = args.trace;
    j["effect"] = rr.effect;
    j["reproduced"] = rr.reproduced;
    j["seed"] = rr.reproduced ? nlohmann::ordered_json(rr.seed) : nlohmann::ordered_json(nullptr);
    j["seeds_tried"] = rr.seeds_tried;
    auto effects = nlohmann::ordered_json::array();
    for (const auto& [name, n] : rr.report.effects) effects.push_back(name);
    j["impl_effects"] = effects;
    j["impl_events"] = rr.events.size();
    j["impl_trace_legal"] = replayed ? nlohmann::ordered_json(back.ok) : nlohmann::ordered_json(nullptr);
    if (replayed && !back.ok) {
      j["diverged_at"] = back.failed_step;
      j["error"] = back.error;
    }
    out << j.dump(2) << "\n";
  } else {
    out << "Reproducing " << rr.effect << " of " << args.trace << " on the implementation: "
        << rr.faults.size() << " fault(s), each right after the step before it in the trace\n";
    if (!rr.reproduced) {
      out << "NOT REPRODUCED in " << rr.seeds_tried << " seeds (the last run showed:";
      for (const auto& [name, n] : rr.report.effects) out << " " << name;
      out << (rr.report.effects.empty() ? " nothing" : "") << ")\n";
      return 1;
    }
    out << "reproduced with seed " << rr.seed << " (" << rr.seeds_tried << " run"
        << (rr.seeds_tried == 1 ? "" : "s") << "); the run showed:";
    for (const auto& [name, n] : rr.report.effects) out << " " << name;
    out << "\n";
    out << "the implementation's trace (" << rr.events.size() << " events) "
        << (back.ok ? "replays on the model" : "does NOT replay on the model: " + back.error) << "\n";
    if (!args.impl_trace.empty()) out << "written to " << args.impl_trace << "\n";
  }
  return rr.reproduced && back.ok ? 0 : 1;
}

int run_replay(const ReplayArgs& args, std::ostream& out, std::ostream& err) {
  Trace trace;
  std::string error;
  if (!read_trace(args.trace, &trace, &error)) {
    err << "kdc replay: " << error << "\n";
    return 2;
  }
  auto loaded = config_of(trace.header);
  if (auto* e = std::get_if<ConfigError>(&loaded)) {
    err << "kdc replay: " << args.trace << ":1: header config: " << e->key << ": " << e->message
        << "\n";
    return 2;
  }
  const Config& config = std::get<Config>(loaded);
  ReplayOptions options;
  options.max_silent_depth = args.max_silent_depth;
  options.max_silent_states = args.max_silent_states;
  if (args.on == "impl") return run_on_impl(args, trace, config, options, out, err);
  ReplayResult r = replay_trace(config, trace, options);
  const bool impl = trace.header.source != "model";
  // The first replayed state that breaks replication safety (model/replication_safety.h).
  const auto [replication_step, replication] = first_replication_break(config, r.after);

  if (args.json) {
    nlohmann::ordered_json j;
    j["trace"] = args.trace;
    j["legal"] = r.ok;
    j["steps"] = trace.events.size();
    j["replayed"] = r.steps;
    if (!r.ok) {
      j["failed_step"] = r.failed_step;
      j["error"] = r.error;
      j["diverged_at"] = r.failed_step;
      j["state_diff"] = r.state_diff;
    } else {
      j["diverged_at"] = nullptr;
    }
    j["frontier_size"] = r.frontier_size;
    j["silent_steps"] = r.silent_steps;
    if (impl) {
      j["stutters"] = r.stutters;
      j["annotations"] = r.annotations;
      j["search_truncated"] = r.search_truncated;
      j["frontier_truncated"] = r.frontier_truncated;
    }
    j["quiesced"] = r.quiesced;
    nlohmann::ordered_json rep;
    rep["holds"] = !replication;
    rep["broken_at"] = replication ? nlohmann::json(replication_step) : nlohmann::json(nullptr);
    if (replication) {
      rep["property"] = name(replication->kind);
      rep["detail"] = replication->detail;
    }
    j["replication"] = rep;
    j["effects"] = nlohmann::json::array();
    for (int e = 0; e < int(Effect::kCount); ++e)
      if (r.effects & (1u << e)) j["effects"].push_back(name(Effect(e)));
    out << j.dump() << "\n";
    return r.ok ? 0 : 1;
  }

  if (args.step) return walk(args, config, trace, r, out);

  out << "Replaying " << args.trace << " (" << trace.events.size() << " events, source "
      << trace.header.source << ")";
  if (!trace.header.effect.empty()) out << ", claimed effect " << trace.header.effect;
  out << "\n";
  for (size_t i = 0; i < trace.events.size(); ++i) {
    if (int(i) + 1 == r.failed_step) {
      out << std::setw(4) << i + 1 << "  " << describe(trace.events[i]) << "\n";
      break;
    }
    print_event(trace, r, i, out);
    if (args.show_states) print_state(config, r.after[i], out);
  }
  if (!r.ok) {
    print_divergence(r, out);
    return 1;
  }
  if (impl) {
    out << "Every event is explained by the model (" << r.silent_steps
        << " unlogged model steps inferred, " << r.stutters << " no-op events, "
        << r.annotations << " annotations)";
  } else {
    out << "Every step is a legal model step";
  }
  if (r.quiesced) out << "; the run ends quiesced";
  out << ". Effects: " << effects_text(r.effects) << "\n";
  if (replication)
    out << "Replication safety breaks at step " << replication_step << " (" << name(replication->kind)
        << "): " << replication->detail << "\n";
  if (r.search_truncated || r.frontier_truncated)
    out << "NOTE: a bound cut the unlogged-step search or the frontier somewhere; every event "
           "was still explained (bounds can only cause false divergences, never hide one).\n";
  if (!trace.header.effect.empty()) {
    Effect claimed;
    if (parse_effect(trace.header.effect, &claimed) && !(r.effects & bit(claimed))) {
      out << "The claimed effect " << trace.header.effect << " does NOT show on the model.\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace kdc
