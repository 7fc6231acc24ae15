#include "impl/runtime/runtime.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <chrono>
#include <string>
#include <vector>

namespace kdc::impl {
namespace {

// Three actors each post a chain of work; the order in which their items interleave is
// what the seed decides.
std::string interleaving(uint64_t seed) {
  auto rt = make_deterministic_runtime(seed);
  std::string order;
  for (char name : std::string("abc")) {
    ActorId a = rt->spawn(std::string(1, name));
    for (int i = 0; i < 5; ++i) rt->post(a, [&order, name] { order += name; });
  }
  rt->run_until([] { return false; }, 1000);
  return order;
}

TEST(DeterministicRuntime, SameSeedSameInterleaving) {
  EXPECT_EQ(interleaving(7), interleaving(7));
  EXPECT_EQ(interleaving(7).size(), 15u);
}

TEST(DeterministicRuntime, SeedsChangeTheInterleaving) {
  std::set<std::string> seen;
  for (uint64_t s = 0; s < 20; ++s) seen.insert(interleaving(s));
  EXPECT_GT(seen.size(), 10u);
}

TEST(DeterministicRuntime, ActorWorkRunsInPostOrder) {
  auto rt = make_deterministic_runtime(3);
  ActorId a = rt->spawn("a");
  ActorId b = rt->spawn("b");
  std::vector<int> as, bs;
  for (int i = 0; i < 20; ++i) {
    rt->post(a, [&as, i] { as.push_back(i); });
    rt->post(b, [&bs, i] { bs.push_back(i); });
  }
  rt->run_until([] { return false; }, 1000);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(as[i], i);
    EXPECT_EQ(bs[i], i);
  }
}

TEST(DeterministicRuntime, PostFirstRunsBeforeAnyOtherWork) {
  for (uint64_t seed = 0; seed < 10; ++seed) {
    auto rt = make_deterministic_runtime(seed);
    ActorId a = rt->spawn("a");
    ActorId b = rt->spawn("b");
    std::string order;
    for (int i = 0; i < 5; ++i) {
      rt->post(a, [&order] { order += 'a'; });
      rt->post(b, [&order] { order += 'b'; });
    }
    rt->post(a, [&] { rt->post_first(b, [&order] { order += 'U'; }); order += 'T'; });
    rt->run_until([] { return false; }, 1000);
    // Whenever the trigger ran, the urgent item came straight after it.
    EXPECT_NE(order.find("TU"), std::string::npos) << order;
  }
}

TEST(DeterministicRuntime, TimersAdvanceVirtualTimeInOrder) {
  auto rt = make_deterministic_runtime(1);
  ActorId a = rt->spawn("a");
  std::vector<std::pair<int, Millis>> fired;
  rt->after(a, 300, [&] { fired.push_back({3, rt->now()}); });
  rt->after(a, 100, [&] { fired.push_back({1, rt->now()}); });
  TimerId t = rt->after(a, 200, [&] { fired.push_back({2, rt->now()}); });
  rt->cancel(t);
  rt->run_until([] { return false; }, 10000);
  ASSERT_EQ(fired.size(), 2u);
  EXPECT_EQ(fired[0], (std::pair<int, Millis>{1, 100}));
  EXPECT_EQ(fired[1], (std::pair<int, Millis>{3, 300}));
}

TEST(DeterministicRuntime, DeadlineStopsTime) {
  auto rt = make_deterministic_runtime(1);
  ActorId a = rt->spawn("a");
  bool fired = false;
  rt->after(a, 5000, [&] { fired = true; });
  rt->run_until([] { return false; }, 1000);
  EXPECT_FALSE(fired);
  EXPECT_LE(rt->now(), 1000);
}

TEST(DeterministicRuntime, StoppedActorDropsWorkAndTimers) {
  auto rt = make_deterministic_runtime(1);
  ActorId a = rt->spawn("a");
  int ran = 0;
  rt->post(a, [&] { ++ran; });
  rt->after(a, 10, [&] { ++ran; });
  rt->stop(a);
  rt->post(a, [&] { ++ran; });
  rt->run_until([] { return false; }, 1000);
  EXPECT_EQ(ran, 0);
  EXPECT_FALSE(rt->running(a));
}

TEST(ThreadedRuntime, RunsWorkOnThreadsAndTimers) {
  auto rt = make_threaded_runtime(1);
  std::atomic<int> count{0};
  ActorId a = rt->spawn("a");
  ActorId b = rt->spawn("b");
  for (int i = 0; i < 100; ++i) {
    rt->post(a, [&] { ++count; });
    rt->post(b, [&] { ++count; });
  }
  rt->after(a, 20, [&] { count += 1000; });
  EXPECT_TRUE(rt->run_until([&] { return count.load() == 1200; }, rt->now() + 5000));
  rt->stop(a);
  rt->post(a, [&] { count += 1; });
  rt->shutdown();
  EXPECT_EQ(count.load(), 1200);
}

TEST(ThreadedRuntime, StopWaitsForRunningWork) {
  auto rt = make_threaded_runtime(1);
  ActorId a = rt->spawn("a");
  std::atomic<bool> started{false}, finished{false};
  rt->post(a, [&] {
    started = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    finished = true;
  });
  while (!started) std::this_thread::yield();
  rt->stop(a);
  EXPECT_TRUE(finished.load());
  rt->shutdown();
}

}  // namespace
}  // namespace kdc::impl
