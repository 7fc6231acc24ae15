#include "impl/app/producer_app.h"

#include <gtest/gtest.h>

#include "impl/app/processor_app.h"
#include "impl/coordinator/transaction_coordinator.h"
#include "impl/producer/fake_cluster_for_test.h"

namespace kdc::impl {
namespace {

using testing::FakeBroker;
using testing::FakeGroupCoordinator;
using testing::TestEnv;

Config app_config() {
  Config c;
  c.acks = Acks::kOne;
  c.idempotence = false;
  c.retries = 0;
  c.replication_factor = 1;
  return c;
}

bool all_acked(const Ledger& l, int n) {
  auto s = l.snapshot();
  for (int m = 0; m < n; ++m) {
    if (!s.messages.count(m) || !s.messages.at(m).acked) return false;
  }
  return true;
}

TEST(ProducerApp, SendsEveryMessageAndRecordsTheAcks) {
  TestEnv t(app_config());
  FakeBroker broker(t, 0);
  Ledger ledger;
  ProducerApp app(t.env, ledger, 0, 4);
  ASSERT_TRUE(t.run([&] { return app.finished(); }));
  EXPECT_TRUE(all_acked(ledger, 4));
  EXPECT_EQ(broker.log.size(), 4u);
}

TEST(ProducerApp, ResendIsTheNextGen) {
  Config cfg = app_config();
  cfg.on_send_error = OnSendError::kResend;
  TestEnv t(cfg);
  FakeBroker broker(t, 0);
  broker.script = [](const ProduceRequest&, int n) {
    return n == 0 ? Error::kNotEnoughReplicas : Error::kNone;
  };
  Ledger ledger;
  ProducerApp app(t.env, ledger, 0, 1);
  ASSERT_TRUE(t.run([&] { return app.finished(); }));
  auto s = ledger.snapshot();
  EXPECT_EQ(s.messages[0].sends, 2);
  EXPECT_TRUE(s.messages[0].acked);
  auto sends = t.events(EventType::kSend);
  ASSERT_EQ(sends.size(), 2u);
  EXPECT_EQ(sends[1].gen, 1);
  EXPECT_EQ(t.events(EventType::kProduceResponse)[0].outcome, Result::kFailedResent);
  ASSERT_EQ(broker.log.size(), 1u);
  EXPECT_EQ(broker.log[0].gen, 1);
}

TEST(ProducerApp, DropGivesTheMessageUp) {
  TestEnv t(app_config());
  FakeBroker broker(t, 0);
  broker.script = [](const ProduceRequest&, int n) {
    return n == 0 ? Error::kNotEnoughReplicas : Error::kNone;
  };
  Ledger ledger;
  ProducerApp app(t.env, ledger, 0, 1);
  ASSERT_TRUE(t.run([&] { return app.finished(); }));
  EXPECT_TRUE(ledger.snapshot().messages[0].dropped);
  EXPECT_TRUE(broker.log.empty());
}

// Instance 0 sent m0 (acked) and m1 (unresolved) before it crashed; m2 was never sent.
void crashed_instance(Ledger& ledger) {
  ledger.sent(0, 0);
  ledger.acked(0, 0, 0);
  ledger.sent(1, 0);
}

TEST(ProducerApp, ReplayUnackedSendsTheUnresolvedAgainAsTheNextGen) {
  Config cfg = app_config();
  cfg.on_producer_restart = OnProducerRestart::kReplayUnacked;
  TestEnv t(cfg);
  FakeBroker broker(t, 0);
  Ledger ledger;
  crashed_instance(ledger);
  ProducerApp app(t.env, ledger, 1, 3);
  ASSERT_TRUE(t.run([&] { return app.finished(); }));
  ASSERT_EQ(broker.log.size(), 2u);
  EXPECT_EQ(broker.log[0].msg, 1);
  EXPECT_EQ(broker.log[0].gen, 1);
  EXPECT_EQ(broker.log[1].msg, 2);
  EXPECT_EQ(broker.log[1].gen, 0);
  EXPECT_FALSE(ledger.snapshot().messages[1].abandoned);
}

TEST(ProducerApp, SkipAbandonsTheUnresolved) {
  Config cfg = app_config();
  cfg.on_producer_restart = OnProducerRestart::kSkip;
  TestEnv t(cfg);
  FakeBroker broker(t, 0);
  Ledger ledger;
  crashed_instance(ledger);
  ProducerApp app(t.env, ledger, 1, 3);
  ASSERT_TRUE(t.run([&] { return app.finished(); }));
  ASSERT_EQ(broker.log.size(), 1u);
  EXPECT_EQ(broker.log[0].msg, 2);
  EXPECT_TRUE(ledger.snapshot().messages[1].abandoned);
}

TEST(ProducerApp, CrashStopsSendingWithoutCallbacks) {
  TestEnv t(app_config());
  FakeBroker broker(t, 0);
  broker.hold = true;
  Ledger ledger;
  ProducerApp app(t.env, ledger, 0, 3);
  ASSERT_TRUE(t.run([&] { return !broker.produces.empty(); }));
  app.crash();
  broker.release();
  t.run([&] { return false; }, t.runtime->now() + 1000);
  auto s = ledger.snapshot();
  for (auto& [m, lm] : s.messages) EXPECT_FALSE(lm.acked);
  EXPECT_FALSE(app.finished());
}

Config txn_app_config() {
  Config c;
  c.acks = Acks::kAll;
  c.idempotence = true;
  c.transactional = true;
  c.retries = 0;
  c.replication_factor = 1;
  return c;
}

TEST(ProducerApp, TransactionalCommitFlow) {
  TestEnv t(txn_app_config());
  TransactionCoordinator tc(t.env);
  FakeBroker broker(t, 0);
  Ledger ledger;
  ProducerApp app(t.env, ledger, 0, 2);
  ASSERT_TRUE(t.run([&] { return app.finished() && !tc.busy(); }));
  EXPECT_TRUE(all_acked(ledger, 2));
  ASSERT_EQ(t.events(EventType::kInitProducerId).size(), 1u);
  EXPECT_EQ(t.events(EventType::kInitProducerId)[0].producer_id, 1);
  EXPECT_EQ(t.events(EventType::kAddPartitionsToTxn).size(), 2u);
  auto ends = t.events(EventType::kEndTxn);
  ASSERT_EQ(ends.size(), 2u);
  EXPECT_EQ(ends[0].result, Result::kCommitTxn);
  EXPECT_EQ(ends[0].msg, 0);
  EXPECT_EQ(t.events(EventType::kCompleteTxn).size(), 2u);
  // Records and COMMIT markers alternate in the log.
  ASSERT_EQ(broker.log.size(), 4u);
  EXPECT_EQ(broker.log[1].control, Control::kCommit);
  EXPECT_TRUE(broker.log[0].transactional);
  EXPECT_EQ(t.events(EventType::kProduceRequest)[0].producer_id, 1);  // the epoch
}

TEST(ProducerApp, TransactionalAbortThenResendInANewTransaction) {
  Config cfg = txn_app_config();
  cfg.on_send_error = OnSendError::kResend;
  TestEnv t(cfg);
  TransactionCoordinator tc(t.env);
  FakeBroker broker(t, 0);
  broker.script = [](const ProduceRequest&, int n) {
    return n == 0 ? Error::kNotEnoughReplicas : Error::kNone;
  };
  Ledger ledger;
  ProducerApp app(t.env, ledger, 0, 1);
  ASSERT_TRUE(t.run([&] { return app.finished() && !tc.busy(); }));
  EXPECT_EQ(t.events(EventType::kProduceResponse)[0].outcome, Result::kAbortableError);
  auto ends = t.events(EventType::kEndTxn);
  ASSERT_EQ(ends.size(), 2u);
  EXPECT_EQ(ends[0].result, Result::kAbortTxn);
  EXPECT_EQ(ends[1].result, Result::kCommitTxn);
  EXPECT_EQ(ends[1].gen, 1);
  // KIP-360: the abort bumped the epoch; the new transaction runs in epoch 2.
  EXPECT_EQ(ends[1].producer_id, 2);
  auto s = ledger.snapshot();
  EXPECT_TRUE(s.messages[0].acked);
  EXPECT_EQ(s.messages[0].sends, 2);
}

Config processor_config() {
  Config c = txn_app_config();
  c.commit = CommitMode::kTransactional;
  return c;
}

TEST(ProcessorApp, CommitsEachInputOffsetWithItsOutput) {
  TestEnv t(processor_config());
  TransactionCoordinator tc(t.env);
  FakeBroker broker(t, 0);
  FakeGroupCoordinator group(t);
  Ledger ledger;
  ProcessorApp app(t.env, ledger, 0, 2);
  ASSERT_TRUE(t.run([&] { return app.finished() && !tc.busy(); }));
  EXPECT_EQ(group.committed, 2);
  auto fetch = t.events(EventType::kOffsetFetch);
  ASSERT_EQ(fetch.size(), 1u);
  EXPECT_EQ(fetch[0].offset, 0);
  auto offsets = t.events(EventType::kAddOffsetsToTxn);
  ASSERT_EQ(offsets.size(), 2u);
  EXPECT_EQ(offsets[1].offset, 2);
  auto done = t.events(EventType::kCompleteTxn);
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[0].offset, 1);
  EXPECT_EQ(done[1].offset, 2);
  EXPECT_TRUE(all_acked(ledger, 2));
}

TEST(ProcessorApp, FencedGenerationAbortsRejoinsAndRewinds) {
  TestEnv t(processor_config());
  TransactionCoordinator tc(t.env);
  FakeBroker broker(t, 0);
  FakeGroupCoordinator group(t);
  Ledger ledger;
  ProcessorApp app(t.env, ledger, 0, 1);
  // A rebalance right after the processor joined.
  ASSERT_TRUE(t.run([&] { return group.generation == 1; }));
  group.generation = 2;
  ASSERT_TRUE(t.run([&] { return app.finished() && !tc.busy(); }));
  auto offsets = t.events(EventType::kAddOffsetsToTxn);
  ASSERT_EQ(offsets.size(), 2u);
  EXPECT_EQ(offsets[0].result, Result::kIllegalGeneration);
  EXPECT_EQ(offsets[1].result, Result::kNone);
  EXPECT_EQ(t.events(EventType::kConsumerRejoin).size(), 1u);
  EXPECT_EQ(t.events(EventType::kOffsetFetch).size(), 2u);
  auto ends = t.events(EventType::kEndTxn);
  ASSERT_EQ(ends.size(), 2u);
  EXPECT_EQ(ends[0].result, Result::kAbortTxn);
  EXPECT_EQ(ends[1].result, Result::kCommitTxn);
  EXPECT_EQ(ends[1].gen, 1);
  EXPECT_EQ(group.committed, 1);
}

// A delivery timeout of the processor's record while it still waits in the accumulator,
// after the application queued its partition and offsets: Kafka's TransactionManager sends
// neither (maybeTerminateRequestWithError) and, the transaction never having started, no
// EndTxn either (nextRequest): abortTransaction() completes in the producer. The coordinator
// has nothing to complete.
TEST(ProcessorApp, DeliveryTimeoutBeforeAnythingWasAddedAbortsWithoutTheCoordinator) {
  Config cfg = processor_config();
  cfg.on_txn_abort = OnTxnAbort::kContinue;
  TestEnv t(cfg);
  TransactionCoordinator tc(t.env);
  FakeBroker broker(t, 0);
  FakeGroupCoordinator group(t);
  Ledger ledger;
  ProcessorApp app(t.env, ledger, 0, 2);
  ASSERT_TRUE(t.run([&] { return t.events(EventType::kSend).size() == 1; }));
  ASSERT_TRUE(app.expire_delivery(0, 0));
  ASSERT_TRUE(t.run([&] { return app.finished() && !tc.busy(); }));
  auto dt = t.events(EventType::kDeliveryTimeout);
  ASSERT_EQ(dt.size(), 1u);
  EXPECT_EQ(dt[0].outcome, Result::kAbortableError);
  // Only m1's transaction reached the coordinator.
  auto added = t.events(EventType::kAddPartitionsToTxn);
  ASSERT_EQ(added.size(), 1u);
  EXPECT_EQ(added[0].msg, 1);
  auto offsets = t.events(EventType::kAddOffsetsToTxn);
  ASSERT_EQ(offsets.size(), 1u);
  EXPECT_EQ(offsets[0].msg, 1);
  auto ends = t.events(EventType::kEndTxn);
  ASSERT_EQ(ends.size(), 2u);
  EXPECT_EQ(ends[0].msg, 0);
  EXPECT_EQ(ends[0].result, Result::kAbortTxn);
  EXPECT_EQ(ends[0].producer_id, 1);
  EXPECT_EQ(ends[1].msg, 1);
  EXPECT_EQ(ends[1].result, Result::kCommitTxn);
  EXPECT_EQ(ends[1].producer_id, 2);  // KIP-360: the abort still bumped the epoch
  auto done = t.events(EventType::kCompleteTxn);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].msg, 1);
  ASSERT_EQ(broker.produces.size(), 1u);  // m0 was never sent
  EXPECT_EQ(broker.produces[0].batch.records[0].msg, 1);
  ASSERT_EQ(broker.markers.size(), 1u);  // m1's commit; m0's abort needed none
  EXPECT_TRUE(broker.markers[0].commit);
  auto s = ledger.snapshot();
  EXPECT_TRUE(s.messages[0].dropped);
  EXPECT_TRUE(s.messages[1].acked);
}

}  // namespace
}  // namespace kdc::impl
