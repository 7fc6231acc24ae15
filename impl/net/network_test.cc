#include "impl/net/network.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace kdc::impl {
namespace {

// Two endpoints on a deterministic runtime; b records what arrives.
struct Pair {
  std::unique_ptr<Runtime> rt = make_deterministic_runtime(11);
  Network net{*rt, NetworkOptions{0, 5, 0.0}};
  ActorId a_actor = rt->spawn("a");
  ActorId b_actor = rt->spawn("b");
  std::vector<int64_t> at_b;          // correlation ids of ProduceRequests b read
  std::vector<NodeId> a_disconnects;  // peers a was told about
  Pair() {
    net.attach(1, a_actor, [](Message) {}, [this](NodeId p) { a_disconnects.push_back(p); });
    attach_b();
  }
  void attach_b() {
    net.attach(2, b_actor, [this](Message m) {
      at_b.push_back(std::get<ProduceRequest>(m.payload).correlation_id);
    }, [](NodeId) {});
  }
  void send(int64_t id) {
    ProduceRequest r;
    r.correlation_id = id;
    net.send(1, 2, r);
  }
  void run() { rt->run_until([] { return false; }, rt->now() + 10000); }
};

TEST(Network, DeliversInOrderPerConnection) {
  Pair p;
  for (int i = 0; i < 50; ++i) p.send(i);
  p.run();
  ASSERT_EQ(p.at_b.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(p.at_b[i], i);
}

TEST(Network, PartitionDropsAndBreaksConnection) {
  Pair p;
  p.send(1);
  p.net.isolate(2, {1});
  p.send(2);
  p.run();
  EXPECT_TRUE(p.at_b.empty());
  EXPECT_EQ(p.a_disconnects, std::vector<NodeId>{2});
  p.net.heal(2);
  p.send(3);
  p.run();
  EXPECT_EQ(p.at_b, std::vector<int64_t>{3});
}

TEST(Network, DetachedNodeLosesMessagesAndPeersAreTold) {
  Pair p;
  p.send(1);
  p.net.detach(2);
  p.rt->stop(p.b_actor);
  p.run();
  EXPECT_TRUE(p.at_b.empty());
  EXPECT_EQ(p.a_disconnects, std::vector<NodeId>{2});
}

TEST(Network, DyingSenderLosesASuffixOfWhatIsOnTheWire) {
  // Over many seeds, sometimes all, sometimes none, sometimes a prefix arrives; never a gap.
  std::set<size_t> arrived_counts;
  for (uint64_t seed = 0; seed < 30; ++seed) {
    auto rt = make_deterministic_runtime(seed);
    Network net(*rt, NetworkOptions{1, 5, 0.0});
    ActorId a = rt->spawn("a"), b = rt->spawn("b");
    std::vector<int64_t> got;
    net.attach(1, a, [](Message) {}, [](NodeId) {});
    net.attach(2, b, [&](Message m) { got.push_back(std::get<ProduceRequest>(m.payload).correlation_id); },
               [](NodeId) {});
    for (int i = 0; i < 4; ++i) {
      ProduceRequest r;
      r.correlation_id = i;
      net.send(1, 2, r);
    }
    net.detach(1);
    rt->run_until([] { return false; }, 10000);
    for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], static_cast<int64_t>(i));
    arrived_counts.insert(got.size());
  }
  EXPECT_GT(arrived_counts.size(), 2u);
}

TEST(Network, DropNextAndSlowLink) {
  Pair p;
  p.net.drop_next(1, 2, 1);
  p.send(1);
  p.send(2);
  p.net.slow_link(1, 2, 1000, p.rt->now() + 1);
  p.send(3);
  p.rt->run_until([&] { return p.at_b.size() == 1; }, 100);
  EXPECT_EQ(p.at_b, std::vector<int64_t>{2});
  p.run();
  EXPECT_EQ(p.at_b, (std::vector<int64_t>{2, 3}));
  EXPECT_GE(p.rt->now(), 1000);
}

// What is on the wire arrives later, in order, and what is sent after it waits behind it.
TEST(Network, DelayInFlightKeepsTheConnectionInOrder) {
  Pair p;
  p.send(1);
  p.send(2);
  p.net.delay_in_flight(1, 2, 3000);
  p.send(3);
  p.rt->run_until([&] { return !p.at_b.empty(); }, 2000);
  EXPECT_TRUE(p.at_b.empty());
  p.run();
  EXPECT_EQ(p.at_b, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_GE(p.rt->now(), 3000);
}

}  // namespace
}  // namespace kdc::impl
