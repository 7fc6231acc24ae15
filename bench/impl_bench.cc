// The implementation under load (real threads, RF 3, min.insync 2, no faults): acknowledged
// messages per second and the p50/p99 acknowledgement latency (send() to the callback's
// success) for acks=1 and acks=all; and how many deterministic runs (with the example's
// faults) the seeded scheduler completes per second.
//   build-bench/kdc_bench --benchmark_filter='Impl'
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "impl/cluster/cluster.h"
#include "model/vocabulary/config.h"

namespace kdc {
namespace {

Config load(const std::string& example, const std::vector<std::string>& overrides) {
  std::string dir = std::string(KDC_SOURCE_DIR) + "/examples/" + example + "/";
  std::vector<std::string> files;
  for (const char* f : {"producer.properties", "server.properties", "consumer.properties",
                        "app.properties", "faults.properties"}) {
    if (std::filesystem::exists(dir + f)) files.push_back(dir + f);
  }
  return std::get<Config>(load_config(files, overrides));
}

void BM_ImplLoad(benchmark::State& state, const char* acks) {
  Config c = load("hardened", {std::string("acks=") + acks, "enable.idempotence=false",
                               "replication.factor=3", "min.insync.replicas=2"});
  const int messages = static_cast<int>(state.range(0));
  double rate = 0, p50 = 0, p99 = 0;
  int runs = 0;
  for (auto _ : state) {
    impl::RunOptions o;
    o.deterministic = false;
    o.inject_faults = false;
    o.keep_trace = false;
    o.messages = messages;
    o.duration_ms = 60000;
    o.settle_ms = 0;
    o.timings.app_send_interval_ms = state.range(1);
    impl::Cluster cluster(c, o);
    impl::RunReport r = cluster.run();
    if (r.delivered != messages) state.SkipWithError("not every message was delivered");
    rate += r.messages_per_second;
    p50 += r.ack_latency_p50_ms;
    p99 += r.ack_latency_p99_ms;
    ++runs;
  }
  state.counters["msgs_per_s"] = rate / runs;
  state.counters["ack_p50_ms"] = p50 / runs;
  state.counters["ack_p99_ms"] = p99 / runs;
}
// Args: messages, and the application's pause between sends in ms. With 0 the application
// sends everything at once (throughput; latency is then mostly queueing in the
// accumulator); with 1 it offers at most 1,000 messages/s (latency under a steady load).
BENCHMARK_CAPTURE(BM_ImplLoad, acks_1, "1")
    ->Args({20000, 0})->Args({3000, 1})->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK_CAPTURE(BM_ImplLoad, acks_all, "all")
    ->Args({20000, 0})->Args({3000, 1})->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

void BM_ImplDeterministicRuns(benchmark::State& state) {
  Config c = load("textbook-at-least-once", {});
  uint64_t seed = 0;
  for (auto _ : state) {
    impl::RunOptions o;
    o.seed = ++seed;
    o.deterministic = true;
    o.messages = static_cast<int>(state.range(0));
    impl::Cluster cluster(c, o);
    benchmark::DoNotOptimize(cluster.run());
  }
  state.counters["runs_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()),
                                                    benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ImplDeterministicRuns)->Arg(4)->Arg(100)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace kdc
