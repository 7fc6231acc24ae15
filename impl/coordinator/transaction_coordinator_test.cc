#include "impl/coordinator/transaction_coordinator.h"

#include <gtest/gtest.h>

#include "impl/producer/fake_cluster_for_test.h"

namespace kdc::impl {
namespace {

using testing::FakeBroker;
using testing::FakeGroupCoordinator;
using testing::TestEnv;

// A client node that sends to the coordinator and keeps what comes back.
struct Client {
  Client(TestEnv& t, NodeId node) : t(t), node(node) {
    actor = t.runtime->spawn("client");
    t.network.attach(node, actor, [this](Message m) { got.push_back(m.payload); }, nullptr);
  }
  void send(Payload p) { t.network.send(node, kTxnCoordinator, std::move(p)); }
  template <typename T>
  const T* last() const {
    for (auto it = got.rbegin(); it != got.rend(); ++it) {
      if (auto* r = std::get_if<T>(&*it)) return r;
    }
    return nullptr;
  }
  template <typename T>
  bool wait_for(size_t n) {
    return t.run([&] {
      size_t c = 0;
      for (auto& p : got) c += std::holds_alternative<T>(p);
      return c >= n;
    });
  }
  TestEnv& t;
  NodeId node;
  ActorId actor;
  std::vector<Payload> got;
};

Config txn_config() {
  Config c;
  c.transactional = true;
  c.transaction_timeout_ms = 60000;
  return c;
}

TEST(TransactionCoordinator, IdempotentProducersGetANewIdEachTime) {
  TestEnv t(Config{});
  TransactionCoordinator tc(t.env);
  Client c(t, kProducerBase);
  for (int i = 0; i < 3; ++i) {
    c.send(InitProducerIdRequest{i, false});
    ASSERT_TRUE(c.wait_for<InitProducerIdResponse>(i + 1));
    EXPECT_EQ(c.last<InitProducerIdResponse>()->producer_id, i);
  }
  EXPECT_TRUE(t.events(EventType::kInitProducerId).empty());
}

TEST(TransactionCoordinator, NewInstanceFencesTheOpenTransactionAndRetries) {
  TestEnv t(txn_config());
  TransactionCoordinator tc(t.env);
  FakeBroker broker(t, 0);
  Client old_instance(t, kProducerBase), fresh(t, kProducerBase + 1);
  old_instance.send(InitProducerIdRequest{1, true, 60000});
  ASSERT_TRUE(old_instance.wait_for<InitProducerIdResponse>(1));
  auto init = *old_instance.last<InitProducerIdResponse>();
  EXPECT_EQ(init.producer_epoch, 1);
  AddPartitionsToTxnRequest add{2, init.producer_id, 1, false, 7, 0};
  old_instance.send(add);
  ASSERT_TRUE(old_instance.wait_for<AddPartitionsToTxnResponse>(1));
  EXPECT_TRUE(tc.busy());

  fresh.send(InitProducerIdRequest{1, true, 60000});
  ASSERT_TRUE(fresh.wait_for<InitProducerIdResponse>(1));
  EXPECT_EQ(fresh.last<InitProducerIdResponse>()->error, Error::kConcurrentTransactions);
  auto inits = t.events(EventType::kInitProducerId);
  ASSERT_EQ(inits.size(), 2u);
  EXPECT_EQ(inits[1].result, Result::kConcurrentTransactions);
  EXPECT_EQ(inits[1].producer_id, 2);
  EXPECT_EQ(inits[1].msg, 7);
  ASSERT_TRUE(t.run([&] { return !tc.busy(); }));
  ASSERT_EQ(broker.markers.size(), 1u);
  EXPECT_FALSE(broker.markers[0].commit);
  EXPECT_EQ(broker.markers[0].producer_epoch, 2);
  auto done = t.events(EventType::kCompleteTxn);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].result, Result::kAbortTxn);

  fresh.send(InitProducerIdRequest{2, true, 60000});
  ASSERT_TRUE(fresh.wait_for<InitProducerIdResponse>(2));
  EXPECT_EQ(fresh.last<InitProducerIdResponse>()->producer_epoch, 3);
  // The old instance is fenced.
  old_instance.send(EndTxnRequest{3, init.producer_id, 1, true, 7, 0});
  ASSERT_TRUE(old_instance.wait_for<EndTxnResponse>(1));
  EXPECT_EQ(old_instance.last<EndTxnResponse>()->error, Error::kProducerFenced);
  EXPECT_EQ(t.events(EventType::kEndTxn).back().result, Result::kProducerFenced);
}

TEST(TransactionCoordinator, CommitWritesMarkersThenCompletesWithTheOffset) {
  TestEnv t(txn_config());
  TransactionCoordinator tc(t.env);
  FakeBroker broker(t, 0);
  FakeGroupCoordinator group(t);
  group.pending = 5;
  Client c(t, kProducerBase);
  c.send(InitProducerIdRequest{1, true, 60000});
  ASSERT_TRUE(c.wait_for<InitProducerIdResponse>(1));
  int64_t pid = c.last<InitProducerIdResponse>()->producer_id;
  c.send(AddPartitionsToTxnRequest{2, pid, 1, false, 4, 0});
  ASSERT_TRUE(c.wait_for<AddPartitionsToTxnResponse>(1));
  // A leader verifying a write (KIP-890): open and added.
  c.send(AddPartitionsToTxnRequest{3, pid, 1, true});
  ASSERT_TRUE(c.wait_for<AddPartitionsToTxnResponse>(2));
  EXPECT_EQ(c.last<AddPartitionsToTxnResponse>()->error, Error::kNone);
  c.send(AddOffsetsToTxnRequest{4, pid, 1, 5, 4, 0});
  ASSERT_TRUE(c.wait_for<AddOffsetsToTxnResponse>(1));
  c.send(EndTxnRequest{5, pid, 1, true, 4, 0});
  ASSERT_TRUE(c.wait_for<EndTxnResponse>(1));
  EXPECT_EQ(c.last<EndTxnResponse>()->error, Error::kNone);
  ASSERT_TRUE(t.run([&] { return !tc.busy(); }));
  EXPECT_EQ(group.committed, 5);
  ASSERT_EQ(broker.markers.size(), 1u);
  EXPECT_TRUE(broker.markers[0].commit);
  auto end = t.events(EventType::kEndTxn);
  ASSERT_EQ(end.size(), 1u);
  EXPECT_EQ(end[0].result, Result::kCommitTxn);
  auto done = t.events(EventType::kCompleteTxn);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].offset, 5);
  EXPECT_EQ(done[0].msg, 4);
  // Closed now: verification fails.
  c.send(AddPartitionsToTxnRequest{6, pid, 1, true});
  ASSERT_TRUE(c.wait_for<AddPartitionsToTxnResponse>(3));
  EXPECT_EQ(c.last<AddPartitionsToTxnResponse>()->error, Error::kInvalidTxnState);
}

TEST(TransactionCoordinator, TransactionTimeoutAbortsAndBumpsTheEpoch) {
  Config cfg = txn_config();
  cfg.transaction_timeout_ms = 1000;
  TestEnv t(cfg);
  TransactionCoordinator tc(t.env);
  FakeBroker broker(t, 0);
  Client c(t, kProducerBase);
  c.send(InitProducerIdRequest{1, true, 1000});
  ASSERT_TRUE(c.wait_for<InitProducerIdResponse>(1));
  int64_t pid = c.last<InitProducerIdResponse>()->producer_id;
  c.send(AddPartitionsToTxnRequest{2, pid, 1, false, 0, 0});
  ASSERT_TRUE(t.run([&] { return !t.events(EventType::kTransactionTimeout).empty(); }));
  EXPECT_GE(t.runtime->now(), 1000);
  EXPECT_EQ(t.events(EventType::kTransactionTimeout)[0].producer_id, 2);
  ASSERT_TRUE(t.run([&] { return !tc.busy(); }));
  c.send(EndTxnRequest{3, pid, 1, true, 0, 0});
  ASSERT_TRUE(c.wait_for<EndTxnResponse>(1));
  EXPECT_EQ(c.last<EndTxnResponse>()->error, Error::kProducerFenced);
}

TEST(TransactionCoordinator, EpochBumpPerTransactionReturnsTheNewEpoch) {
  Config cfg = txn_config();
  cfg.epoch_bump_per_transaction = true;
  TestEnv t(cfg);
  TransactionCoordinator tc(t.env);
  FakeBroker broker(t, 0);
  Client c(t, kProducerBase);
  c.send(InitProducerIdRequest{1, true, 60000});
  ASSERT_TRUE(c.wait_for<InitProducerIdResponse>(1));
  int64_t pid = c.last<InitProducerIdResponse>()->producer_id;
  c.send(AddPartitionsToTxnRequest{2, pid, 1, false, 0, 0});
  c.send(EndTxnRequest{3, pid, 1, true, 0, 0});
  ASSERT_TRUE(c.wait_for<EndTxnResponse>(1));
  EXPECT_EQ(c.last<EndTxnResponse>()->producer_epoch, 2);
  ASSERT_TRUE(t.run([&] { return !tc.busy(); }));
  EXPECT_EQ(broker.markers[0].producer_epoch, 2);
}

}  // namespace
}  // namespace kdc::impl
