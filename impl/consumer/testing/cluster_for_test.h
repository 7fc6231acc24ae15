// What consumer-side tests share: a deterministic runtime, a network, a trace, a Config, a
// fake leader on broker 0 and the real group coordinator.
#ifndef KDC_IMPL_CONSUMER_TESTING_CLUSTER_FOR_TEST_H_
#define KDC_IMPL_CONSUMER_TESTING_CLUSTER_FOR_TEST_H_

#include <memory>
#include <vector>

#include "impl/cluster/env.h"
#include "impl/consumer/testing/fake_leader.h"
#include "impl/coordinator/group_coordinator.h"

namespace kdc::impl::testing {

struct ClusterForTest {
  explicit ClusterForTest(Config c, uint64_t seed = 1)
      : config(std::move(c)),
        runtime(make_deterministic_runtime(seed)),
        network(*runtime, NetworkOptions{}),
        env{*runtime, network, trace, config, Timings{}} {}

  // Starts the fake leader and the group coordinator (tests may change env.timings first).
  void start() {
    leader = std::make_unique<FakeLeader>(env, 0);
    coordinator = std::make_unique<GroupCoordinator>(env);
  }

  ~ClusterForTest() { runtime->shutdown(); }

  bool run_until(const std::function<bool()>& done, Millis for_ms = 60000) {
    return runtime->run_until(done, runtime->now() + for_ms);
  }
  void run_for(Millis ms) {
    const Millis until = runtime->now() + ms;
    runtime->run_until([] { return false; }, until);
  }

  std::vector<Event> events(EventType type) const {
    std::vector<Event> out;
    for (const Event& e : trace.events()) {
      if (e.type == type) out.push_back(e);
    }
    return out;
  }
  // Index in the trace of the first event of `type` (-1: none).
  int first(EventType type) const {
    std::vector<Event> all = trace.events();
    for (size_t i = 0; i < all.size(); ++i) {
      if (all[i].type == type) return static_cast<int>(i);
    }
    return -1;
  }

  Config config;
  std::unique_ptr<Runtime> runtime;
  Network network;
  TraceRecorder trace;
  Env env;
  std::unique_ptr<FakeLeader> leader;
  std::unique_ptr<GroupCoordinator> coordinator;
};

}  // namespace kdc::impl::testing

#endif  // KDC_IMPL_CONSUMER_TESTING_CLUSTER_FOR_TEST_H_
