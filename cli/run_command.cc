// kdc run: a workload on the implementation (impl/), with the configuration's faults
// injected for real, its trace written, and what happened to each message judged.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "impl/cluster/cluster.h"
#include "model/effects.h"
#include "model/verdict.h"
#include "model/vocabulary/config.h"
#include "model/vocabulary/trace.h"

namespace kdc {

bool parse_duration(const std::string& text, int64_t* ms) {
  std::string unit;
  double value = 0;
  std::istringstream in(text);
  if (!(in >> value)) return false;
  in >> unit;
  double scale = 1000;
  if (unit == "ms") {
    scale = 1;
  } else if (unit == "m" || unit == "min") {
    scale = 60000;
  } else if (!unit.empty() && unit != "s") {
    return false;
  }
  *ms = static_cast<int64_t>(value * scale);
  return *ms > 0;
}

namespace {

EffectSet effect_set(const impl::RunReport& r) {
  EffectSet set = 0;
  for (const auto& [name, count] : r.effects) {
    Effect e;
    if (count > 0 && parse_effect(name, &e)) set |= bit(e);
  }
  return set;
}

std::string effects_text(const impl::RunReport& r) {
  std::string s;
  for (const auto& [name, count] : r.effects) {
    if (!s.empty()) s += ", ";
    s += name + " ×" + std::to_string(count);
  }
  return s.empty() ? "none" : s;
}

void print_text(const impl::RunReport& r, const RunArgs& args, std::ostream& out) {
  out << "kdc run: " << r.messages << " messages, seed " << r.seed << ", "
      << (r.deterministic ? "deterministic scheduler (virtual time)" : "real threads") << "\n";
  if (!args.bugs.empty()) {
    out << "SEEDED BUGS ON: ";
    for (size_t i = 0; i < args.bugs.size(); ++i) out << (i ? ", " : "") << args.bugs[i];
    out << " (the implementation is broken on purpose)\n";
  }
  out << "faults injected: ";
  if (r.faults.empty()) out << "none";
  for (size_t i = 0; i < r.faults.size(); ++i) out << (i ? "; " : "") << r.faults[i];
  out << "\n";
  out << "run: " << (r.quiesced ? "settled" : "did not settle") << " after " << r.run_ms << " ms"
      << (r.deterministic ? " of virtual time" : "") << "; " << r.events << " events, "
      << r.network_messages << " network messages\n";
  if (!args.trace.empty()) out << "trace: " << args.trace << "\n";
  out << "messages: " << r.sent << " sent, " << r.acknowledged << " acknowledged, "
      << r.delivered << " delivered, " << r.lost << " lost, " << r.duplicated << " duplicated\n";
  out << "effects: " << effects_text(r) << "\n";
  constexpr size_t kShown = 12;
  for (size_t i = 0; i < r.fates.size(); ++i) {
    const impl::MessageFate& f = r.fates[i];
    if (i == kShown) {
      out << "  ... and " << (r.fates.size() - kShown) << " more (--json lists them all)\n";
      break;
    }
    out << "  m" << f.msg << ": sent " << f.sends << "×, " << (f.acknowledged ? "acknowledged" : "not acknowledged")
        << ", took effect " << f.deliveries << "×:";
    for (const std::string& e : f.effects) out << " " << e;
    out << "\n";
  }
  if (r.unexplained_losses > 0) {
    out << "WARNING: " << r.unexplained_losses
        << " message(s) lost for no reason the ledger knows: an implementation bug, or the run did not settle\n";
  }
  Guarantee shown = guarantee_of(effect_set(r));
  out << "this run is consistent with: " << name(shown)
      << (shown == Guarantee::kExactlyOnce ? " (one run proves nothing about all runs: use kdc check)" : "")
      << "\n";
  if (r.messages_per_second > 0) {
    out << std::fixed << std::setprecision(1) << "load: " << r.messages_per_second
        << " acknowledged messages/s, acknowledgement latency p50 " << r.ack_latency_p50_ms
        << " ms, p99 " << r.ack_latency_p99_ms << " ms\n";
  }
}

nlohmann::ordered_json to_json(const impl::RunReport& r, const RunArgs& args) {
  nlohmann::ordered_json j;
  j["seed"] = r.seed;
  j["deterministic"] = r.deterministic;
  j["quiesced"] = r.quiesced;
  j["stop_reason"] = r.stop_reason;
  j["run_ms"] = r.run_ms;
  j["events"] = r.events;
  j["work_items"] = r.work_items;
  j["network_messages"] = r.network_messages;
  j["faults"] = r.faults;
  j["seeded_bugs"] = args.bugs;
  j["messages"] = r.messages;
  j["sent"] = r.sent;
  j["acknowledged"] = r.acknowledged;
  j["delivered"] = r.delivered;
  j["lost"] = r.lost;
  j["duplicated"] = r.duplicated;
  j["effects"] = nlohmann::ordered_json::object();
  for (const auto& [name, count] : r.effects) j["effects"][name] = count;
  j["unexplained_losses"] = r.unexplained_losses;
  j["guarantee_shown"] = std::string(name(guarantee_of(effect_set(r))));
  auto fates = nlohmann::ordered_json::array();
  for (const impl::MessageFate& f : r.fates) {
    fates.push_back({{"msg", f.msg}, {"sends", f.sends}, {"acknowledged", f.acknowledged},
                     {"deliveries", f.deliveries}, {"effects", f.effects}});
  }
  j["fates"] = fates;
  j["trace"] = args.trace.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(args.trace);
  j["messages_per_second"] = r.messages_per_second;
  j["ack_latency_p50_ms"] = r.ack_latency_p50_ms;
  j["ack_latency_p99_ms"] = r.ack_latency_p99_ms;
  return j;
}

}  // namespace

int run_run(const RunArgs& args, std::ostream& out, std::ostream& err) {
  Guarantee required = Guarantee::kNone;
  if (!args.require.empty() && !parse_guarantee(args.require, &required)) {
    err << "kdc run: --require: unknown guarantee '" << args.require
        << "'; expected exactly-once, at-least-once, at-most-once or none\n";
    return 2;
  }
  impl::RunOptions options;
  options.seed = args.seed;
  options.deterministic = args.deterministic;
  options.inject_faults = args.faults;
  options.data_dir = args.data_dir;
  if (args.messages < 0) {
    err << "kdc run: --messages: must be at least 1\n";
    return 2;
  }
  options.messages = args.messages;
  for (const std::string& bug : args.bugs) {
    if (!impl::enable_seeded_bug(&options.bugs, bug)) {
      err << "kdc run: --bug: no seeded bug '" << bug << "'; there are:";
      for (const std::string& n : impl::seeded_bug_names()) err << " " << n;
      err << "\n";
      return 2;
    }
  }
  if (!args.duration.empty() && !parse_duration(args.duration, &options.duration_ms)) {
    err << "kdc run: --duration: cannot read '" << args.duration
        << "'; write e.g. 10s, 500ms, 2m (a bare number is seconds)\n";
    return 2;
  }
  auto loaded = load_config(args.files, args.overrides);
  if (auto* e = std::get_if<ConfigError>(&loaded)) {
    err << "kdc run: " << e->str() << "\n";
    return 2;
  }
  const Config& config = std::get<Config>(loaded);
  const bool tty = isatty(fileno(stderr));
  if (!args.quiet) {
    options.on_progress = [&err, tty](int64_t ms, uint64_t events) {
      err << (tty ? "\r" : "") << "kdc run: " << ms << " ms, " << events << " events" << (tty ? "" : "\n")
          << std::flush;
    };
  }
  // Where the run writes must be writable before it starts, not found out after it.
  if (!args.data_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(args.data_dir, ec);
    if (ec) {
      err << "kdc run: --data-dir: cannot create " << args.data_dir << ": " << ec.message() << "\n";
      return 2;
    }
  }
  if (!args.trace.empty() && !std::ofstream(args.trace)) {
    err << "kdc run: --trace: cannot write " << args.trace << ": " << std::strerror(errno) << "\n";
    return 2;
  }
  impl::RunReport report;
  std::vector<Event> events;
  try {
    impl::Cluster cluster(config, options);
    report = cluster.run();
    if (!args.trace.empty()) events = cluster.trace().events();
  } catch (const std::exception& e) {
    // The brokers' disks are real files: a full or vanished disk ends the run.
    err << "kdc run: the implementation could not go on: " << e.what() << "\n";
    return 2;
  }
  if (!args.quiet && tty) err << "\r\033[K" << std::flush;
  if (!args.trace.empty()) {
    Trace t;
    t.header.source = "impl";
    // The header reproduces the run: the messages it sent, not the files' model.messages.
    for (const auto& [key, value] : effective_settings(config)) {
      t.header.config.push_back(
          {key, key == "model.messages" ? std::to_string(report.messages) : value});
    }
    std::ostringstream note;
    note << "kdc run: " << report.messages << " messages, seed " << args.seed << ", "
         << (args.deterministic ? "deterministic" : "real threads") << "; faults: ";
    for (size_t i = 0; i < report.faults.size(); ++i) note << (i ? "; " : "") << report.faults[i];
    if (report.faults.empty()) note << "none";
    if (options.bugs.any()) note << "; seeded bugs: " << impl::seeded_bugs_text(options.bugs);
    t.header.note = note.str();
    t.events = std::move(events);
    std::string error;
    if (!write_trace(args.trace, t, &error)) {
      err << "kdc run: cannot write the trace: " << error << "\n";
      return 2;
    }
  }
  if (args.json) {
    out << to_json(report, args).dump(2) << "\n";
  } else {
    print_text(report, args, out);
  }
  if (!args.require.empty() && !satisfies(guarantee_of(effect_set(report)), required)) return 1;
  return 0;
}

}  // namespace kdc
