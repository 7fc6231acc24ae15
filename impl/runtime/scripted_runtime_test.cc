// The scripted deterministic runtime: every choice from a vector, 0 past its end.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "impl/cluster/cluster.h"
#include "impl/runtime/runtime.h"
#include "model/vocabulary/config.h"
#include "model/vocabulary/trace.h"

namespace kdc::impl {
namespace {

// Three actors with two items each; the order they run in is the schedule.
std::string schedule(std::vector<uint32_t> choices, uint64_t* consumed = nullptr) {
  auto rt = make_deterministic_runtime_with_choices(std::move(choices));
  std::string order;
  for (int a = 0; a < 3; ++a) {
    ActorId id = rt->spawn("a" + std::to_string(a));
    for (int k = 0; k < 2; ++k) {
      rt->post(id, [&order, a, k] { order += static_cast<char>('a' + a) + std::to_string(k); });
    }
  }
  rt->run_until([] { return false; }, 1000);
  if (consumed) *consumed = rt->choices_made();
  return order;
}

TEST(ScriptedRuntime, ChoicesDecideTheInterleaving) {
  // Past the vector every choice is 0: the lowest-numbered runnable actor.
  EXPECT_EQ(schedule({}), "a0a1b0b1c0c1");
  EXPECT_EQ(schedule({2, 0, 0}), "c0a0a1b0b1c1");
  EXPECT_EQ(schedule({2, 0, 0}), schedule({2, 0, 0}));
  EXPECT_NE(schedule({1}), schedule({2}));
  // Only real choices (more than one runnable actor) consume a value.
  uint64_t consumed = 0;
  schedule({}, &consumed);
  EXPECT_EQ(consumed, 4u);  // the last two items each had one runnable actor left
}

TEST(ScriptedRuntime, RandomDrawsConsumeTheNextValueModuloTheBound) {
  auto rt = make_deterministic_runtime_with_choices({7, 3, 10});
  EXPECT_EQ(rt->random(5), 2u);
  EXPECT_EQ(rt->random(1), 0u);  // no choice: consumes nothing
  EXPECT_EQ(rt->random(4), 3u);
  EXPECT_EQ(rt->random(10), 0u);
  EXPECT_EQ(rt->random(10), 0u);  // past the end
  EXPECT_EQ(rt->choices_made(), 4u);
}

Config pipeline() {
  auto c = load_config_text({}, {"acks=all", "enable.idempotence=true", "replication.factor=3",
                                 "min.insync.replicas=2", "app.commit=process-then-commit-sync",
                                 "enable.auto.commit=false", "model.messages=3"});
  return std::get<Config>(c);
}

std::string scripted_trace(const std::vector<uint32_t>& choices) {
  RunOptions o;
  o.scripted = true;
  o.choices = choices;
  o.inject_faults = true;
  Cluster c(pipeline(), o);
  RunReport r = c.run();
  EXPECT_TRUE(r.quiesced);
  Trace t;
  t.header.source = "impl";
  t.events = c.trace().events();
  return trace_to_string(t);
}

TEST(ScriptedRuntime, SameChoicesSameTraceByteForByte) {
  std::vector<uint32_t> choices;
  for (uint32_t i = 0; i < 500; ++i) choices.push_back((i * 2654435761u) >> 7);
  const std::string a = scripted_trace(choices);
  EXPECT_EQ(a, scripted_trace(choices));
  EXPECT_NE(a, scripted_trace({}));
}

}  // namespace
}  // namespace kdc::impl
