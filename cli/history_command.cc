// kdc history: Jepsen's Kafka checks (conformance/history_checker.h) on a Jepsen history,
// or on a kdc trace converted to one (conformance/history_trace.h).
#include <algorithm>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "conformance/history.h"
#include "conformance/history_checker.h"
#include "conformance/history_trace.h"
#include "model/vocabulary/trace.h"

namespace kdc {
namespace {

// Cases printed per anomaly in the text report; --json has them all.
constexpr size_t kShown = 5;

const char* why_allowed(const std::string& anomaly) {
  if (anomaly == "G0") return "allowed: Kafka does not isolate writes";
  if (anomaly == "int-send-skip") return "allowed: other producers' writes interleave";
  if (anomaly == "G1c") return "allowed with --ww-deps: write cycles plus reads are expected";
  return "allowed: the history subscribes, and a rebalance may move a consumer";
}

}  // namespace

int run_history(const HistoryArgs& args, std::ostream& out, std::ostream& err) {
  if (args.file.empty() == args.from_trace.empty()) {
    err << "kdc history: give one history FILE or --from-trace TRACE\n";
    return 2;
  }
  if (!args.format.empty() && args.format != "edn" && args.format != "jsonl") {
    err << "kdc history: --format must be edn or jsonl, not '" << args.format << "'\n";
    return 2;
  }
  History h;
  std::string error;
  std::string source = args.file;
  if (!args.from_trace.empty()) {
    Trace trace;
    if (!read_trace(args.from_trace, &trace, &error)) {
      err << "kdc history: " << error << "\n";
      return 2;
    }
    h = history_from_trace(trace);
    source = args.from_trace + " (trace)";
  } else if (!read_history(args.file, args.format, &h, &error)) {
    err << "kdc history: " << error << "\n";
    return 2;
  }
  if (!args.export_edn.empty()) {
    std::ofstream f(args.export_edn, std::ios::binary);
    write_edn(h, f);
    f.close();
    if (!f) {
      err << "kdc history: cannot write " << args.export_edn << "\n";
      return 2;
    }
  }

  HistoryOptions options;
  options.ww_deps = args.ww_deps;
  HistoryReport r = check_history(h, options);

  if (args.json) {
    nlohmann::ordered_json j;
    j["valid"] = r.valid;
    j["anomalies"] = nlohmann::ordered_json::object();
    for (const auto& [name, cases] : r.anomalies) j["anomalies"][name] = cases;
    out << j.dump() << "\n";
    return r.valid ? 0 : 1;
  }

  out << "History: " << source << ": " << h.ops.size() << " operations (" << r.client_ops
      << " by clients), " << r.keys << " key" << (r.keys == 1 ? "" : "s") << "; ww edges "
      << (args.ww_deps ? "inferred from offsets (--ww-deps)" : "not inferred") << "\n";
  if (!args.export_edn.empty()) out << "Wrote " << args.export_edn << " (Jepsen EDN)\n";
  if (r.anomalies.empty()) out << "No anomalies.\n";
  for (const auto& [name, cases] : r.anomalies) {
    bool bad = std::find(r.bad.begin(), r.bad.end(), name) != r.bad.end();
    out << "\n" << name << " (" << cases.size() << ")" << (bad ? "" : std::string("  — ") + why_allowed(name))
        << "\n";
    for (size_t i = 0; i < cases.size() && i < kShown; ++i) out << "  " << cases[i].dump() << "\n";
    if (cases.size() > kShown) out << "  ... " << cases.size() - kShown << " more (--json lists all)\n";
  }
  out << "\nValid: " << (r.valid ? "yes" : "no");
  if (!r.valid) {
    out << " (";
    for (size_t i = 0; i < r.bad.size(); ++i) out << (i ? ", " : "") << r.bad[i];
    out << ")";
  }
  out << "\n";
  return r.valid ? 0 : 1;
}

}  // namespace kdc
