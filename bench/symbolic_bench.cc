// The Z3 engine's cost: one bounded proof at increasing depth (so its growth is visible),
// and the guarantee table classified by each engine. Run by scripts/bench.sh.
#include <benchmark/benchmark.h>

#include <variant>

#include "model/symbolic/bmc.h"
#include "model/symbolic/config_space.h"

namespace kdc {
namespace {

Config Example(const std::string& name, std::vector<std::string> overrides) {
  std::vector<std::string> files;
  for (const char* f : {"producer", "server", "consumer", "app"})
    files.push_back(std::string(KDC_SOURCE_DIR) + "/examples/" + name + "/" + f + ".properties");
  return std::get<Config>(load_config(files, overrides));
}

// kdc prove on naive-defaults, one message, one broker (explicit: 1,065 states, depth 22).
void BM_Z3BoundedProof(benchmark::State& state) {
  const Config c = Example("naive-defaults", {"model.messages=1"});
  ProveOptions o;
  o.depth = int(state.range(0));
  o.unbounded = false;
  for (auto _ : state) {
    ProveResult r = prove(c, o);
    benchmark::DoNotOptimize(r.effects);
    state.counters["queries"] = double(r.solver_queries);
  }
}
BENCHMARK(BM_Z3BoundedProof)->DenseRange(2, 10, 1)->Unit(benchmark::kSecond)->Iterations(1);

// The same configuration with the explicit checker bounded at the same depth.
void BM_ExplicitBoundedCheck(benchmark::State& state) {
  const Config c = Example("naive-defaults", {"model.messages=1"});
  CheckOptions o;
  o.threads = 1;
  o.max_depth = int(state.range(0));
  for (auto _ : state) {
    CheckResult r = check(c, o);
    benchmark::DoNotOptimize(r.effects);
    state.counters["states"] = double(r.states);
  }
}
BENCHMARK(BM_ExplicitBoundedCheck)->DenseRange(2, 10, 1)->Unit(benchmark::kMillisecond)->Iterations(1);

// The guarantee table (84 configurations): explicit (exhaustive), z3 (bounded at depth).
void BM_MatrixExplicit(benchmark::State& state) {
  std::string error;
  const std::vector<MatrixRow> rows = matrix_rows(default_space({}), &error);
  for (auto _ : state) benchmark::DoNotOptimize(classify_explicit(rows).seconds);
  state.counters["rows"] = double(rows.size());
}
BENCHMARK(BM_MatrixExplicit)->Unit(benchmark::kSecond)->Iterations(1);

void BM_MatrixZ3(benchmark::State& state) {
  std::string error;
  const std::vector<MatrixRow> rows = matrix_rows(default_space({}), &error);
  for (auto _ : state) {
    MatrixResult r = classify_z3(rows, int(state.range(0)));
    state.counters["queries"] = double(r.solver_queries);
    state.counters["regions"] = double(r.regions.size());
  }
  state.counters["rows"] = double(rows.size());
}
BENCHMARK(BM_MatrixZ3)->Arg(3)->Arg(5)->Arg(7)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace
}  // namespace kdc
