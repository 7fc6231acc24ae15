// Benchmarks of trace replay (conformance/model_replay.h; docs/conformance.md, "Speed").
//
//   BM_ReplayModelTrace/<n>    exact replay of a model trace: a seeded random walk of the
//                              model (textbook-at-least-once, n messages, its fault budget)
//                              to quiescence; events/s
//   BM_ReplayImplTrace/<n>     matching replay of a deterministic implementation run of
//                              at-most-once with n messages (seed 1, faults on; acks=1,
//                              so no multi-record acks=all batch, docs/conformance.md F1);
//                              events/s over the events replayed. The model holds at most
//                              kMaxMessages (4) messages and 8 records per log, so a run
//                              with more stops at the first event beyond those bounds: the
//                              `replayed` counter says how far it got, `events` the length.
//
// Traces are made once, outside the timed loop.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "conformance/model_replay.h"
#include "impl/cluster/cluster.h"
#include "model/vocabulary/config.h"

namespace {

namespace fs = std::filesystem;

kdc::Config example_config(const std::string& example, int messages) {
  const char* env = std::getenv("KDC_SOURCE_DIR");
  const fs::path dir = fs::path(env ? env : KDC_SOURCE_DIR) / "examples" / example;
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".properties") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<std::string> overrides;
  if (messages > 0)
    overrides.push_back("model.messages=" + std::to_string(messages));
  auto loaded = kdc::load_config(files, overrides);
  if (!std::holds_alternative<kdc::Config>(loaded)) std::abort();
  return std::get<kdc::Config>(loaded);
}

// A random walk of the model to quiescence (or `max_len` steps).
std::vector<kdc::Event> model_walk(const kdc::Config& c, uint32_t seed, size_t max_len) {
  std::mt19937 rng(seed);
  kdc::State s = kdc::initial_state(c);
  std::vector<kdc::Step> steps;
  std::vector<kdc::Event> events;
  while (events.size() < max_len) {
    kdc::successors(c, s, &steps);
    if (steps.empty()) break;
    const kdc::Step& step = steps[rng() % steps.size()];
    events.push_back(step.event);
    s = step.next;
  }
  return events;
}

void BM_ReplayModelTrace(benchmark::State& state) {
  const kdc::Config c = example_config("textbook-at-least-once", int(state.range(0)));
  // Several walks, concatenated in the timed loop as separate replays.
  std::vector<std::vector<kdc::Event>> walks;
  size_t events = 0;
  for (uint32_t seed = 1; seed <= 16; ++seed) {
    walks.push_back(model_walk(c, seed, 400));
    events += walks.back().size();
  }
  for (auto _ : state) {
    for (const auto& w : walks) {
      kdc::ReplayResult r = kdc::replay_on_model(c, w);
      if (!r.ok) state.SkipWithError("a model walk does not replay");
      benchmark::DoNotOptimize(r.steps);
    }
  }
  state.counters["events_per_trace"] = double(events) / double(walks.size());
  state.counters["events/s"] =
      benchmark::Counter(double(events), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_ReplayModelTrace)->Arg(1)->Arg(2)->Arg(3)->Arg(4)->Unit(benchmark::kMillisecond);

void BM_ReplayImplTrace(benchmark::State& state) {
  const int messages = int(state.range(0));
  const kdc::Config c = example_config("at-most-once", std::min(messages, kdc::kMaxMessages));
  kdc::impl::RunOptions options;
  options.seed = 1;
  options.deterministic = true;
  options.messages = messages;
  std::vector<kdc::Event> events;
  {
    kdc::impl::Cluster cluster(c, options);
    cluster.run();
    events = cluster.trace().events();
  }
  int replayed = 0;
  for (auto _ : state) {
    kdc::ReplayResult r = kdc::replay_impl_trace(c, events);
    replayed = r.steps;
    benchmark::DoNotOptimize(r.steps);
  }
  state.counters["events"] = double(events.size());
  state.counters["replayed"] = replayed;
  state.counters["events/s"] =
      benchmark::Counter(double(replayed), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_ReplayImplTrace)->Arg(1)->Arg(2)->Arg(4)->Arg(10)->Arg(100)->Arg(1000)
    ->Unit(benchmark::kMillisecond);

}  // namespace

namespace {

// BM_ReplayImplTraceSettle/<s>: the at-most-once run (2 messages, seed 1, faults on) held
// settled for s virtual seconds, so the trace grows with s (mostly followers' empty
// fetches): replay time against trace length within the model's bounds.
void BM_ReplayImplTraceSettle(benchmark::State& state) {
  const kdc::Config c = example_config("at-most-once", 2);
  kdc::impl::RunOptions options;
  options.seed = 1;
  options.deterministic = true;
  options.settle_ms = state.range(0) * 1000;
  options.duration_ms = options.settle_ms + 3'600'000;
  std::vector<kdc::Event> events;
  {
    kdc::impl::Cluster cluster(c, options);
    cluster.run();
    events = cluster.trace().events();
  }
  int replayed = 0;
  for (auto _ : state) {
    kdc::ReplayResult r = kdc::replay_impl_trace(c, events);
    replayed = r.steps;
    if (!r.ok) state.SkipWithError("the run does not replay");
  }
  state.counters["events"] = double(events.size());
  state.counters["replayed"] = replayed;
  state.counters["events/s"] =
      benchmark::Counter(double(replayed), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_ReplayImplTraceSettle)->Arg(20)->Arg(200)->Arg(2000)->Arg(20000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
