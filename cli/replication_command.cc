// kdc replication: the replication protocol's history table (docs/replication.md).
#include <unistd.h>

#include <filesystem>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "cli/commands.h"
#include "model/checker/replication_table.h"
#include "model/vocabulary/trace.h"

namespace kdc {
namespace {

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

// The cell as the table shows it; an incomplete search cannot claim "holds".
std::string verdict_text(const CheckResult& r, bool markdown) {
  return replication_verdict(r, markdown) + (r.complete ? "" : " [incomplete]");
}

}  // namespace

int run_replication(const ReplicationArgs& args, std::ostream& out, std::ostream& err) {
  // Which releases, replica counts and workloads.
  std::vector<ReplicationRelease> releases;
  const auto wanted_versions = split(args.versions);
  for (const ReplicationRelease& r : replication_releases())
    if (wanted_versions.empty() ||
        std::find(wanted_versions.begin(), wanted_versions.end(), r.version) != wanted_versions.end())
      releases.push_back(r);
  for (const std::string& v : wanted_versions)
    if (std::none_of(releases.begin(), releases.end(), [&](auto& r) { return r.version == v; })) {
      err << "kdc replication: --versions: '" << v << "' is not in the table; choose from:";
      for (const auto& r : replication_releases()) err << " " << r.version;
      err << "\n";
      return 2;
    }
  std::vector<int> replicas;
  for (const std::string& r : split(args.replicas)) {
    if (r != "1" && r != "2" && r != "3") {
      err << "kdc replication: --replicas: '" << r << "': expected a list of 1, 2, 3\n";
      return 2;
    }
    replicas.push_back(std::stoi(r));
  }
  std::vector<ReplicationWorkload> workloads;
  for (const std::string& w : split(args.workloads)) {
    auto it = std::find_if(replication_workloads().begin(), replication_workloads().end(),
                           [&](auto& x) { return x.name == w; });
    if (it == replication_workloads().end()) {
      err << "kdc replication: --faults: unknown workload '" << w << "'; choose from:";
      for (const auto& x : replication_workloads()) err << " " << x.name;
      err << "\n";
      return 2;
    }
    workloads.push_back(*it);
  }
  if (workloads.empty()) workloads = replication_workloads();

  const bool tty = isatty(2);
  CheckOptions options;
  options.threads = args.threads;
  options.max_states = args.max_states;
  std::vector<ReplicationCell> cells;
  uint64_t states = 0;
  double seconds = 0;
  for (const ReplicationRelease& release : releases)
    for (const ReplicationWorkload& workload : workloads)
      for (int n : replicas) {
        if (!args.quiet)
          err << (tty ? "\r" : "") << "kdc replication: " << release.version << ", " << n
              << " replica" << (n == 1 ? "" : "s") << ", " << workload.name << " ..."
              << (tty ? "          " : "\n") << std::flush;
        ReplicationCell cell;
        std::string error;
        if (!check_replication_cell(release, n, workload, args.max_leader_epoch, options, &cell, &error)) {
          err << "kdc replication: internal error: cell " << release.version << "/" << n << "/"
              << workload.name << ": " << error << "\n";
          return 2;
        }
        states += cell.result.states;
        seconds += cell.result.seconds;
        cells.push_back(std::move(cell));
      }
  if (!args.quiet && tty) err << "\n";

  // Shortest runs, one file per cell and property broken.
  std::vector<std::vector<std::string>> traces(cells.size());
  for (size_t i = 0; i < cells.size(); ++i) {
    const ReplicationCell& c = cells[i];
    for (const auto& rx : c.result.replication) {
      if (!rx) continue;
      std::error_code ec;
      std::filesystem::create_directories(args.out_dir, ec);
      const Trace t = replication_trace(c.config, *rx);
      const std::string path = (std::filesystem::path(args.out_dir) /
                                (c.version + "-r" + std::to_string(c.replicas) + "-" + c.workload + "-" +
                                 replication_slug(rx->finding.kind) + ".jsonl"))
                                   .string();
      std::string error;
      if (ec || !write_trace(path, t, &error)) {
        err << "kdc replication: " << (ec ? "--out: cannot create '" + args.out_dir + "'" : error) << "\n";
        return 2;
      }
      traces[i].push_back(path);
    }
  }

  if (args.json) {
    nlohmann::ordered_json j;
    j["max_leader_epoch"] = args.max_leader_epoch;
    j["cells"] = nlohmann::json::array();
    for (size_t i = 0; i < cells.size(); ++i) {
      const ReplicationCell& c = cells[i];
      nlohmann::ordered_json row;
      row["version"] = c.version;
      row["replicas"] = c.replicas;
      row["faults"] = c.workload;
      row["holds"] = c.result.first_replication_violation() == nullptr;
      row["violations"] = nlohmann::json::array();
      size_t t = 0;
      for (const auto& rx : c.result.replication) {
        if (!rx) continue;
        nlohmann::ordered_json v;
        v["property"] = name(rx->finding.kind);
        v["steps"] = rx->events.size();
        v["detail"] = rx->finding.detail;
        v["trace"] = traces[i][t++];
        row["violations"].push_back(v);
      }
      row["states"] = c.result.states;
      row["seconds"] = c.result.seconds;
      row["complete"] = c.result.complete && c.result.bound_hits == 0;
      j["cells"].push_back(row);
    }
    j["states"] = states;
    j["seconds"] = seconds;
    out << j.dump() << "\n";
    return 0;
  }

  // One row per release, one column per (workload, replicas).
  const bool md = args.markdown;
  auto cell_at = [&](const std::string& v, const std::string& w, int n) -> const ReplicationCell& {
    for (const auto& c : cells)
      if (c.version == v && c.workload == w && c.replicas == n) return c;
    return cells.front();  // unreachable: every combination was checked
  };
  std::vector<std::string> header = {"kafka.version", "rule (source)"};
  for (const auto& w : workloads)
    for (int n : replicas) header.push_back(w.name + ", " + std::to_string(n) + " replica" + (n == 1 ? "" : "s"));
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : releases) {
    std::vector<std::string> row = {r.version, r.rule + " (" + r.source + ")"};
    for (const auto& w : workloads)
      for (int n : replicas) row.push_back(verdict_text(cell_at(r.version, w.name, n).result, md));
    rows.push_back(row);
  }
  if (md) {
    auto line = [&](const std::vector<std::string>& v) {
      out << "|";
      for (const auto& s : v) out << " " << s << " |";
      out << "\n";
    };
    line(header);
    out << "|";
    for (size_t i = 0; i < header.size(); ++i) out << "---|";
    out << "\n";
    for (const auto& row : rows) line(row);
  } else {
    // Plain text: the rule column is long, so each release's rule goes on its own line.
    std::vector<size_t> width(header.size(), 0);
    for (size_t i = 2; i < header.size(); ++i) {
      width[i] = header[i].size();
      for (const auto& row : rows) width[i] = std::max(width[i], row[i].size());
    }
    out << std::left << std::setw(8) << "version";
    for (size_t i = 2; i < header.size(); ++i) out << "  " << std::setw(int(width[i])) << header[i];
    out << "\n";
    for (const auto& row : rows) {
      out << std::setw(8) << row[0];
      for (size_t i = 2; i < row.size(); ++i) out << "  " << std::setw(int(width[i])) << row[i];
      out << "\n         " << row[1] << "\n";
    }
  }
  out << (md ? "\n" : "") << "Faults: ";
  for (size_t i = 0; i < workloads.size(); ++i)
    out << (i ? "; " : "") << workloads[i].name << " = " << workloads[i].title;
  out << ". Cells: replication safety (committed records stay in the ISR and survive); a "
         "property broken, with the steps of its shortest run. Leader epochs up to "
      << args.max_leader_epoch << ". " << cells.size() << " exhaustive checks, " << states
      << " states, " << std::fixed << std::setprecision(0) << seconds << " s.\n";
  if (!md) out << "Shortest runs written to " << args.out_dir << "/ (kdc replay FILE shows one).\n";
  return 0;
}

}  // namespace kdc
