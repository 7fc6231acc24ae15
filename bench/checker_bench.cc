// Benchmarks of the explicit-state checker (docs/benchmarks.md explains every figure).
//
//   BM_CheckNamedConfig/<name>   one full check() of a named configuration: distinct
//                                states, states/s, transitions, memory per state
//   BM_ClassifyExamples/all      load + check + verdict of every directory in examples/,
//                                total time and a counter per example (<example>_s)
//   BM_Successors/<name>         one successors() call on states sampled from a BFS
//   BM_Fingerprint               fingerprint() of one State (XXH3 over its bytes)
//   BM_VisitedInsert/<new|dup>   one insert into an absl::flat_hash_set<uint64_t> of the size
//                                the textbook check reaches (a new key, or a key present)
//
// Run through scripts/bench.sh (Release build). The check benchmarks run one iteration each:
// a single check takes seconds.
#include <absl/container/flat_hash_set.h>
#include <benchmark/benchmark.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include <time.h>

#include "model/checker/explicit_checker.h"
#include "model/model.h"
#include "model/verdict.h"
#include "model/vocabulary/config.h"

namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------
// Configurations.

std::string source_dir() {
  if (const char* d = std::getenv("KDC_SOURCE_DIR")) return d;
  return KDC_SOURCE_DIR;
}

std::vector<std::string> properties_in(const fs::path& dir) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".properties") files.push_back(e.path());
  std::sort(files.begin(), files.end());  // the order a shell glob gives `kdc check`
  return files;
}

std::vector<std::string> example_dirs() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(fs::path(source_dir()) / "examples"))
    if (e.is_directory() && !properties_in(e.path()).empty()) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

// Loads examples/<example>/*.properties with overrides; nullopt-like failure via *error.
bool load_example(const std::string& example, const std::vector<std::string>& overrides,
                  kdc::Config* config, std::string* error) {
  auto loaded =
      kdc::load_config(properties_in(fs::path(source_dir()) / "examples" / example), overrides);
  if (auto* e = std::get_if<kdc::ConfigError>(&loaded)) {
    *error = e->str();
    return false;
  }
  *config = std::get<kdc::Config>(loaded);
  return true;
}

struct NamedConfig {
  const char* name;
  const char* example;
  std::vector<std::string> overrides;
};

const std::vector<NamedConfig>& named_configs() {
  static const std::vector<NamedConfig> configs = {
      // Small ones first: their peak-RSS delta is only meaningful before a large check has
      // left freed-but-resident heap behind.
      {"naive-rf1", "naive-defaults", {}},
      {"acks1-rf3-1msg", "at-most-once", {"model.messages=1"}},
      {"textbook-rf3", "textbook-at-least-once", {}},
      {"textbook-rf3-2faults-1msg", "textbook-at-least-once",
       {"fault.max.total=2", "model.messages=1"}},
      // Transactions: the exactly-once consume-transform-produce pipeline (issue 3).
      {"eos-pipeline-rf3", "exactly-once-pipeline", {}},
  };
  return configs;
}

const NamedConfig& named(const std::string& name) {
  for (const NamedConfig& nc : named_configs())
    if (nc.name == name) return nc;
  std::abort();
}

// ---------------------------------------------------------------------------------------
// Memory: /proc/self/status, and the peak-RSS reset of /proc/self/clear_refs ("5").

int64_t status_kb(const char* key) {
  std::ifstream in("/proc/self/status");
  const std::string prefix = std::string(key) + ":";
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) return std::strtoll(line.c_str() + prefix.size(), nullptr, 10);
  return -1;
}

bool reset_peak_rss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return bool(out);
}

// The capacity absl::flat_hash_set reaches after `n` inserts (2^k - 1 slots, grown when
// more than 7/8 full), without allocating it.
uint64_t absl_capacity_after(uint64_t n) {
  uint64_t cap = 15;
  while (cap - cap / 8 < n) cap = cap * 2 + 1;
  return cap;
}

// Bytes the checker's per-state bookkeeping occupies once `states` states are visited:
// fingerprint set (8-byte slot + 1 control byte per slot, at absl's load factor) and the
// trail (uint32 parent + uint8 choice, in std::vectors grown by doubling).
// With T threads the checker splits the set into T sets of states/T each.
double bookkeeping_bytes(uint64_t states, int sets) {
  const double set =
      double(sets) * double(absl_capacity_after((states + sets - 1) / sets)) * (sizeof(uint64_t) + 1);
  const double trail = double(std::bit_ceil(states)) * (sizeof(uint32_t) + sizeof(uint8_t));
  return set + trail;
}

// CPU seconds of the whole process (every checker thread): states per CPU second is the
// throughput per core, parallel overhead included, even when other processes share the
// machine; the real-time rate, states/s, is what a user waits for.
double cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

// CheckOptions::threads, when the checker has it (0: one per core).
constexpr bool kCheckerHasThreads = requires(kdc::CheckOptions o) { o.threads = 1; };

kdc::CheckOptions options_with_threads(int threads) {
  kdc::CheckOptions o;
  if constexpr (kCheckerHasThreads) o.threads = threads;
  return o;
}

int effective_threads(int threads) {
  if (!kCheckerHasThreads) return 1;
  return threads > 0 ? threads : std::max(1, int(std::thread::hardware_concurrency()));
}

// ---------------------------------------------------------------------------------------
// BM_CheckNamedConfig

void BM_CheckNamedConfig(benchmark::State& st, const NamedConfig& nc, int threads) {
  kdc::Config config;
  std::string error;
  if (!load_example(nc.example, nc.overrides, &config, &error)) {
    st.SkipWithError(error.c_str());
    return;
  }
  const kdc::CheckOptions options = options_with_threads(threads);
  kdc::CheckResult result;
  int64_t peak_delta_kb = -1;
  uint64_t total_states = 0;
  double cpu = 0;
  for (auto _ : st) {
    st.PauseTiming();
    const bool reset = reset_peak_rss();
    const int64_t before_kb = status_kb("VmRSS");
    st.ResumeTiming();
    const double cpu0 = cpu_seconds();
    result = kdc::check(config, options);
    cpu += cpu_seconds() - cpu0;
    st.PauseTiming();
    const int64_t hwm_kb = status_kb("VmHWM");
    if (reset && before_kb >= 0 && hwm_kb >= 0)
      peak_delta_kb = std::max(peak_delta_kb, hwm_kb - before_kb);
    total_states += result.states;
    benchmark::DoNotOptimize(result.effects);
    st.ResumeTiming();
  }
  const double states = double(result.states);
  st.counters["states"] = states;
  st.counters["states/s"] = benchmark::Counter(double(total_states), benchmark::Counter::kIsRate);
  st.counters["states/cpu_s"] = double(total_states) / cpu;
  st.counters["transitions"] = double(result.transitions);
  st.counters["depth"] = result.depth;
  st.counters["rf"] = config.replication_factor;
  st.counters["msgs"] = config.messages;
  // Measured: growth of peak RSS during the check, per distinct state (everything the
  // check allocates: fingerprint set, trail, the two frontiers of full States, rehash peaks).
  // -1: not measurable (clear_refs unavailable, or the check fit in already-resident heap).
  st.counters["peakB/state"] = peak_delta_kb > 0 ? peak_delta_kb * 1024.0 / states : -1;
  // Estimated: the per-state bookkeeping alone (set + trail), excluding the frontiers.
  st.counters["bookB/state"] = bookkeeping_bytes(result.states, effective_threads(threads)) / states;
  st.counters["threads"] = effective_threads(threads);
  st.counters["complete"] = result.complete ? 1 : 0;
  st.SetLabel(std::string(kdc::name(kdc::guarantee_of(result.effects))));
}

// ---------------------------------------------------------------------------------------
// BM_ClassifyExamples

void BM_ClassifyExamples(benchmark::State& st) {
  const std::vector<std::string> examples = example_dirs();
  std::map<std::string, double> seconds;
  std::map<std::string, std::string> verdict;
  uint64_t states = 0, total_states = 0;
  double cpu = 0;
  for (auto _ : st) {
    states = 0;
    const double cpu0 = cpu_seconds();
    for (const std::string& ex : examples) {
      const auto start = std::chrono::steady_clock::now();
      kdc::Config config;
      std::string error;
      if (!load_example(ex, {}, &config, &error)) {
        st.SkipWithError((ex + ": " + error).c_str());
        return;
      }
      const kdc::CheckResult r = kdc::check(config);  // default options, as `kdc check`
      verdict[ex] = std::string(kdc::name(kdc::guarantee_of(r.effects)));
      seconds[ex] =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      states += r.states;
    }
    cpu += cpu_seconds() - cpu0;
    total_states += states;
  }
  st.counters["examples"] = double(examples.size());
  st.counters["states"] = double(states);
  st.counters["states/s"] = benchmark::Counter(double(total_states), benchmark::Counter::kIsRate);
  st.counters["states/cpu_s"] = double(total_states) / cpu;
  std::string label;
  for (const std::string& ex : examples) {
    st.counters[ex + "_s"] = seconds[ex];
    label += (label.empty() ? "" : " ") + ex + "=" + verdict[ex];
  }
  st.SetLabel(label);
}

// ---------------------------------------------------------------------------------------
// BM_Successors: states sampled uniformly (reservoir) from a BFS of the configuration,
// capped at kSampleBfsStates distinct states (the textbook BFS is cut there, so its sample
// comes from the first levels only; the counters say how deep it went).

constexpr uint64_t kSampleBfsStates = 2'000'000;
constexpr size_t kSamples = 4096;

struct Sample {
  kdc::Config config;
  std::vector<kdc::State> states;
  uint64_t bfs_states = 0;
  int bfs_depth = 0;
  bool complete = false;
  std::string error;
};

const Sample& sample_for(const NamedConfig& nc) {
  static std::map<std::string, Sample> cache;
  auto [it, fresh] = cache.try_emplace(nc.name);
  Sample& s = it->second;
  if (!fresh) return s;
  if (!load_example(nc.example, nc.overrides, &s.config, &s.error)) return s;
  std::mt19937_64 rng(42);
  absl::flat_hash_set<uint64_t> visited;
  std::vector<kdc::State> frontier{kdc::initial_state(s.config)}, next;
  std::vector<kdc::Step> steps;
  visited.insert(kdc::fingerprint(frontier[0]));
  uint64_t seen = 0;
  auto offer = [&](const kdc::State& x) {
    ++seen;
    if (s.states.size() < kSamples) {
      s.states.push_back(x);
    } else if (uint64_t j = rng() % seen; j < kSamples) {
      s.states[j] = x;
    }
  };
  offer(frontier[0]);
  s.complete = true;
  while (!frontier.empty()) {
    for (const kdc::State& x : frontier) {
      kdc::successors(s.config, x, &steps);
      for (const kdc::Step& step : steps) {
        if (!visited.insert(kdc::fingerprint(step.next)).second) continue;
        next.push_back(step.next);
        offer(step.next);
      }
    }
    frontier.swap(next);
    next.clear();
    if (!frontier.empty()) ++s.bfs_depth;
    if (visited.size() >= kSampleBfsStates && !frontier.empty()) {
      s.complete = false;
      break;
    }
  }
  s.bfs_states = visited.size();
  return s;
}

void BM_Successors(benchmark::State& st, const NamedConfig& nc) {
  const Sample& sample = sample_for(nc);
  if (!sample.error.empty() || sample.states.empty()) {
    st.SkipWithError(sample.error.empty() ? "no states" : sample.error.c_str());
    return;
  }
  std::vector<kdc::Step> out;
  size_t i = 0;
  uint64_t steps = 0;
  for (auto _ : st) {
    kdc::successors(sample.config, sample.states[i], &out);
    steps += out.size();
    benchmark::DoNotOptimize(out.data());
    if (++i == sample.states.size()) i = 0;
  }
  st.counters["steps/call"] = benchmark::Counter(double(steps), benchmark::Counter::kAvgIterations);
  st.counters["s/step"] =
      benchmark::Counter(double(steps), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  st.counters["samples"] = double(sample.states.size());
  st.counters["bfs_states"] = double(sample.bfs_states);
  st.counters["bfs_depth"] = sample.bfs_depth;
  st.counters["complete"] = sample.complete ? 1 : 0;
}

// ---------------------------------------------------------------------------------------
// The other two costs of a transition in check(): fingerprinting the next state and the
// visited-set insert.

void BM_Fingerprint(benchmark::State& st) {
  const Sample& sample = sample_for(named("textbook-rf3"));
  if (sample.states.empty()) {
    st.SkipWithError("no states");
    return;
  }
  size_t i = 0;
  for (auto _ : st) {
    benchmark::DoNotOptimize(kdc::fingerprint(sample.states[i]));
    if (++i == sample.states.size()) i = 0;
  }
  st.counters["bytes"] = double(sizeof(kdc::State));
}

uint64_t splitmix(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// new: insert fresh keys, the set growing from empty to kSetSize (rehashes included; run
//      for exactly kSetSize iterations);
// dup: insert keys already present (a successor seen before) into a set of kSetSize.
constexpr uint64_t kSetSize = 14'000'000;  // about the textbook-rf3 state count

void BM_VisitedInsert(benchmark::State& st, bool dup) {
  static absl::flat_hash_set<uint64_t> full;  // built once, for dup
  absl::flat_hash_set<uint64_t> grown;
  if (dup && full.empty()) {
    uint64_t seed = 1;
    for (uint64_t k = 0; k < kSetSize; ++k) full.insert(splitmix(seed));
  }
  absl::flat_hash_set<uint64_t>& set = dup ? full : grown;
  uint64_t seed = 1, k = 0;
  for (auto _ : st) {
    benchmark::DoNotOptimize(set.insert(splitmix(seed)).second);
    if (dup && ++k == kSetSize) seed = 1, k = 0;
  }
  st.counters["set_size"] = double(set.size());
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  benchmark::AddCustomContext("sizeof(kdc::State)", std::to_string(sizeof(kdc::State)));
  benchmark::AddCustomContext("checker bookkeeping per state",
                              "8 B fingerprint + 1 B absl control byte (at <=7/8 load) + "
                              "4 B parent + 2 B step index");

  // threads:1 is the per-core figure; threads:N (N = cores, the CLI's default) the wall-clock
  // one, registered when the checker has CheckOptions::threads.
  std::vector<int> thread_counts{1};
  if (kCheckerHasThreads && effective_threads(0) > 1) thread_counts.push_back(0);
  for (const NamedConfig& nc : named_configs())
    for (int threads : thread_counts)
      benchmark::RegisterBenchmark(("BM_CheckNamedConfig/" + std::string(nc.name) + "/threads:" +
                                    std::to_string(effective_threads(threads)))
                                       .c_str(),
                                   [&nc, threads](benchmark::State& st) {
                                     BM_CheckNamedConfig(st, nc, threads);
                                   })
          ->Iterations(1)
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_ClassifyExamples/all", BM_ClassifyExamples)
      ->Iterations(1)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  for (const NamedConfig& nc : named_configs())
    benchmark::RegisterBenchmark(("BM_Successors/" + std::string(nc.name)).c_str(),
                                 [&nc](benchmark::State& st) { BM_Successors(st, nc); })
        ->Unit(benchmark::kNanosecond);
  benchmark::RegisterBenchmark("BM_Fingerprint", BM_Fingerprint)->Unit(benchmark::kNanosecond);
  benchmark::RegisterBenchmark("BM_VisitedInsert/new",
                               [](benchmark::State& st) { BM_VisitedInsert(st, false); })
      ->Iterations(kSetSize);
  benchmark::RegisterBenchmark("BM_VisitedInsert/dup",
                               [](benchmark::State& st) { BM_VisitedInsert(st, true); });

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
