// Benchmarks of the Jepsen-style history checker (docs/history.md has the figures).
//
//   BM_HistoryCheck/<ops>        check_history() of a synthetic valid history of <ops>
//                                operations (invocations and completions both count)
//   BM_HistoryCheckWwDeps/<ops>  the same with --ww-deps (ww edges too)
//   BM_HistoryParseEdn/<ops>     parse_edn_history() of that history written as EDN
//
// The history: 16 keys, 4 producer processes sending 1-3 values per :send, 4 consumer
// processes each assigned 4 keys and polling them in order, then final polls until every
// acknowledged value has been polled. It is valid, so the checker does all its work and
// reports nothing; the test asserts that.
#include <benchmark/benchmark.h>

#include <map>
#include <random>

#include "conformance/history.h"
#include "conformance/history_checker.h"

namespace kdc {
namespace {

constexpr int kKeys = 16, kProducers = 4, kConsumers = 4;

History synthetic(int64_t target) {
  History h;
  std::mt19937_64 rng(42);
  std::vector<std::vector<int64_t>> log(kKeys);  // per key: values by offset
  std::vector<std::vector<int64_t>> position(kConsumers, std::vector<int64_t>(kKeys, 0));
  int64_t next_value = 0;
  auto push = [&](int64_t process, OpType type, OpF f, std::vector<MicroOp> mops) {
    Operation op;
    op.index = int64_t(h.ops.size());
    op.time = op.index;
    op.process = Atom::integer(process);
    op.type = type;
    op.f = f;
    op.mops = std::move(mops);
    h.ops.push_back(std::move(op));
  };
  auto key = [](int k) { return Atom::integer(k); };
  for (int c = 0; c < kConsumers; ++c) {
    Operation assign;
    assign.process = Atom::integer(kProducers + c);
    assign.f = OpF::kAssign;
    for (int k = c; k < kKeys; k += kConsumers) assign.keys.push_back(key(k));
    for (OpType t : {OpType::kInvoke, OpType::kOk}) {
      assign.index = assign.time = int64_t(h.ops.size());
      assign.type = t;
      h.ops.push_back(assign);
    }
  }
  // A poll of up to 4 records per assigned key; false if it had nothing to read.
  auto poll = [&](int c) {
    MicroOp m;
    m.kind = MicroOp::kPoll;
    m.polled = true;
    for (int k = c; k < kKeys; k += kConsumers)
      for (int n = 0; n < 4 && position[c][k] < int64_t(log[k].size()); ++n, ++position[c][k])
        m.reads.push_back({key(k), position[c][k], Atom::integer(log[k][position[c][k]])});
    if (m.reads.empty()) return false;
    MicroOp invoke;
    invoke.kind = MicroOp::kPoll;
    push(kProducers + c, OpType::kInvoke, OpF::kPoll, {invoke});
    push(kProducers + c, OpType::kOk, OpF::kPoll, {std::move(m)});
    return true;
  };
  while (int64_t(h.ops.size()) < target) {
    int p = int(rng() % kProducers);
    int n = 1 + int(rng() % 3);
    std::vector<MicroOp> invoke, ok;
    for (int i = 0; i < n; ++i) {
      int k = int(rng() % kKeys);
      MicroOp m;
      m.kind = MicroOp::kSend;
      m.key = key(k);
      m.value = Atom::integer(next_value++);
      invoke.push_back(m);
      m.pair = true;
      m.offset = int64_t(log[k].size());
      log[k].push_back(m.value.v);
      ok.push_back(m);
    }
    push(p, OpType::kInvoke, OpF::kSend, std::move(invoke));
    push(p, OpType::kOk, OpF::kSend, std::move(ok));
    poll(int(rng() % kConsumers));
  }
  for (int c = 0; c < kConsumers; ++c)
    while (poll(c)) {
    }
  return h;
}

const History& cached(int64_t ops) {
  static std::map<int64_t, History> histories;
  auto it = histories.find(ops);
  if (it == histories.end()) it = histories.emplace(ops, synthetic(ops)).first;
  return it->second;
}

void check(benchmark::State& state, bool ww_deps) {
  const History& h = cached(state.range(0));
  HistoryOptions o;
  o.ww_deps = ww_deps;
  for (auto _ : state) {
    HistoryReport r = check_history(h, o);
    if (!r.anomalies.empty()) state.SkipWithError("the synthetic history should be valid");
    benchmark::DoNotOptimize(r);
  }
  state.counters["ops"] = double(h.ops.size());
  state.counters["ops_per_s"] = benchmark::Counter(double(h.ops.size()), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_HistoryCheck(benchmark::State& state) { check(state, false); }
void BM_HistoryCheckWwDeps(benchmark::State& state) { check(state, true); }

void BM_HistoryParseEdn(benchmark::State& state) {
  std::string text = to_edn(cached(state.range(0)));
  for (auto _ : state) {
    History h;
    std::string error;
    if (!parse_edn_history(text, "bench.edn", &h, &error)) state.SkipWithError(error.c_str());
    benchmark::DoNotOptimize(h);
  }
  state.counters["MB"] = double(text.size()) / 1e6;
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(text.size()));
}

BENCHMARK(BM_HistoryCheck)->Arg(250'000)->Arg(500'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_HistoryCheckWwDeps)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_HistoryParseEdn)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace kdc
