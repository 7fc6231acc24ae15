// The seeded-bug hunt (conformance/bug_hunt.h): for every bug of the catalogue, whether the
// conformance suite catches it, after how many runs and seconds, and how small the
// minimised catch is; then the catch rate.
//   build/kdc_bench --benchmark_filter='SeededBug' --benchmark_counters_tabular=true
// With KDC_BUG_TRACES=DIR the minimal catches are written to DIR/<bug>.jsonl (that is how
// traces/bugs/ is made).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>

#include "conformance/bug_hunt.h"

namespace kdc {
namespace {

// One hunt per bug per process: the catch-rate row reuses them.
const HuntResult& hunt(const std::string& bug) {
  static std::map<std::string, HuntResult> done;
  auto it = done.find(bug);
  if (it != done.end()) return it->second;
  HuntOptions o;
  o.verbose = std::getenv("KDC_HUNT_VERBOSE") != nullptr;
  HuntResult r = hunt_seeded_bug(*find_bug_spec(bug), o);
  if (const char* dir = std::getenv("KDC_BUG_TRACES"); dir != nullptr && r.caught) {
    std::string error;
    write_trace(std::string(dir) + "/" + bug + ".jsonl", r.trace, &error);
  }
  return done.emplace(bug, std::move(r)).first->second;
}

void BM_SeededBugHunt(benchmark::State& state, std::string bug) {
  const HuntResult* r = nullptr;
  for (auto _ : state) r = &hunt(bug);
  if (!r->error.empty()) {
    state.SkipWithError(r->error.c_str());
    return;
  }
  state.counters["caught"] = r->caught ? 1 : 0;
  state.counters["runs_to_catch"] = r->runs;
  state.counters["s_to_catch"] = r->hunt_seconds;
  state.counters["model_s"] = r->model_seconds;
  state.counters["minimise_runs"] = r->minimise_runs;
  state.counters["minimise_s"] = r->minimise_seconds;
  state.counters["min_messages"] = r->minimal.messages;
  state.counters["min_faults"] = r->minimal.directed ? static_cast<double>(r->minimal.faults.size())
                                                     : static_cast<double>(r->minimal_run.report.faults.size());
  state.counters["min_events"] = static_cast<double>(r->minimal_run.events.size());
  state.counters["clean_without_bug"] = r->without_bug_clean ? 1 : 0;
  // Which oracle caught it: a forbidden effect (or unexplained loss), or the replay alone.
  state.counters["by_replay"] = r->caught && r->effect == "replay divergence" ? 1 : 0;
  state.SetLabel(r->caught ? r->caught_by + (r->minimal.directed ? " (directed faults)" : " (fault plan)")
                           : "not caught");
}

void BM_SeededBugCatchRate(benchmark::State& state) {
  int caught = 0, total = 0, by_replay = 0;
  double seconds = 0, to_catch = 0;
  for (auto _ : state) {
    caught = total = by_replay = 0;
    seconds = to_catch = 0;
    for (const BugHuntSpec& s : seeded_bug_catalogue()) {
      const HuntResult& r = hunt(s.bug);
      ++total;
      if (r.caught && r.without_bug_clean) {
        ++caught;
        if (r.effect == "replay divergence") ++by_replay;
        to_catch = std::max(to_catch, r.hunt_seconds);
      }
      seconds += r.model_seconds + r.hunt_seconds + r.minimise_seconds;
    }
  }
  state.counters["bugs"] = total;
  state.counters["caught"] = caught;
  state.counters["caught_by_replay"] = by_replay;
  state.counters["max_s_to_catch"] = to_catch;
  state.counters["catch_rate"] = total > 0 ? static_cast<double>(caught) / total : 0;
  state.counters["total_s"] = seconds;
}

int register_all = [] {
  for (const BugHuntSpec& s : seeded_bug_catalogue()) {
    benchmark::RegisterBenchmark(("BM_SeededBugHunt/" + s.bug).c_str(), BM_SeededBugHunt, s.bug)
        ->Iterations(1)
        ->Unit(benchmark::kSecond);
  }
  benchmark::RegisterBenchmark("BM_SeededBugCatchRate", BM_SeededBugCatchRate)
      ->Iterations(1)
      ->Unit(benchmark::kSecond);
  return 0;
}();

}  // namespace
}  // namespace kdc
