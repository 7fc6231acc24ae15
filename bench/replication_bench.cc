// Issue 8: the exhaustive replication-safety check at 3 replicas and leader epochs <= 3,
// per cell of `kdc replication` (distinct states, states per second and per CPU second),
// and the whole table. Run:
//   build/kdc_bench --benchmark_filter='Replication'
#include <benchmark/benchmark.h>
#include <time.h>

#include <string>

#include "model/checker/replication_table.h"

namespace {

double cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

const kdc::ReplicationRelease& release(const std::string& version) {
  for (const auto& r : kdc::replication_releases())
    if (r.version == version) return r;
  std::abort();
}

const kdc::ReplicationWorkload& workload(const std::string& name) {
  for (const auto& w : kdc::replication_workloads())
    if (w.name == name) return w;
  std::abort();
}

// One cell at 3 replicas, max leader epoch 3; threads 0 = one per core.
void BM_ReplicationCell(benchmark::State& st, std::string version, std::string faults, int threads) {
  kdc::CheckOptions options;
  options.threads = threads;
  kdc::ReplicationCell cell;
  uint64_t total = 0;
  double cpu = 0;
  for (auto _ : st) {
    std::string error;
    const double cpu0 = cpu_seconds();
    if (!kdc::check_replication_cell(release(version), 3, workload(faults), 3, options, &cell, &error)) {
      st.SkipWithError(error.c_str());
      return;
    }
    cpu += cpu_seconds() - cpu0;
    total += cell.result.states;
  }
  st.counters["states"] = double(cell.result.states);
  st.counters["states/s"] = benchmark::Counter(double(total), benchmark::Counter::kIsRate);
  st.counters["states/cpu_s"] = double(total) / cpu;
  st.counters["depth"] = cell.result.depth;
  st.counters["complete"] = cell.result.complete && cell.result.bound_hits == 0 ? 1 : 0;
  const auto* first = cell.result.first_replication_violation();
  st.SetLabel(first ? std::string(kdc::name(first->finding.kind)) + " in " +
                          std::to_string(first->events.size()) + " steps"
                    : "holds");
}

// Every cell of the table (8 releases x 2 workloads x 1..3 replicas), as `kdc replication`.
void BM_ReplicationTable(benchmark::State& st) {
  uint64_t states = 0, total = 0;
  double cpu = 0;
  for (auto _ : st) {
    states = 0;
    const double cpu0 = cpu_seconds();
    for (const auto& r : kdc::replication_releases())
      for (const auto& w : kdc::replication_workloads())
        for (int n = 1; n <= 3; ++n) {
          kdc::ReplicationCell cell;
          std::string error;
          kdc::check_replication_cell(r, n, w, 3, {}, &cell, &error);
          states += cell.result.states;
        }
    cpu += cpu_seconds() - cpu0;
    total += states;
  }
  st.counters["states"] = double(states);
  st.counters["states/s"] = benchmark::Counter(double(total), benchmark::Counter::kIsRate);
  st.counters["states/cpu_s"] = double(total) / cpu;
}

[[maybe_unused]] const bool registered = [] {
  for (const char* v : {"2.0", "4.1"})
    for (const char* f : {"crash", "power-loss"})
      for (int threads : {1, 0})
        benchmark::RegisterBenchmark(
            ("BM_ReplicationCell/" + std::string(v) + "/" + f + "/rf3/epoch3/threads:" +
             (threads ? std::to_string(threads) : std::string("all")))
                .c_str(),
            BM_ReplicationCell, v, f, threads)
            ->Unit(benchmark::kSecond)
            ->Iterations(1)
            ->UseRealTime();
  benchmark::RegisterBenchmark("BM_ReplicationTable", BM_ReplicationTable)
      ->Unit(benchmark::kSecond)
      ->Iterations(1)
      ->UseRealTime();
  return true;
}();

}  // namespace
