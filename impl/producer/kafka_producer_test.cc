#include "impl/producer/kafka_producer.h"

#include <gtest/gtest.h>

#include "impl/coordinator/transaction_coordinator.h"
#include "impl/producer/fake_cluster_for_test.h"

namespace kdc::impl {
namespace {

using testing::FakeBroker;
using testing::TestEnv;

Config plain_config() {
  Config c;
  c.acks = Acks::kOne;
  c.idempotence = false;
  c.retries = 3;
  c.linger_ms = 5;
  c.max_in_flight = 5;
  c.replication_factor = 1;
  return c;
}

// A producer and the application thread that drives it.
struct Client {
  Client(TestEnv& t, int instance = 0) : t(t) {
    app = t.runtime->spawn("app");
    producer = std::make_unique<KafkaProducer>(t.env, instance, app);
  }
  void send(int32_t msg, int8_t gen = 0) {
    t.runtime->post(app, [this, msg, gen] {
      producer->send(msg, gen, [this, msg](const SendResult& r) { results.emplace_back(msg, r); });
    });
  }
  TestEnv& t;
  ActorId app;
  std::unique_ptr<KafkaProducer> producer;
  std::vector<std::pair<int32_t, SendResult>> results;
};

TEST(KafkaProducer, LingerBatchesRecordsSentTogether) {
  TestEnv t(plain_config());
  FakeBroker broker(t, 0);
  Client c(t);
  for (int m = 0; m < 3; ++m) c.send(m);
  ASSERT_TRUE(t.run([&] { return c.results.size() == 3; }));
  ASSERT_EQ(broker.produces.size(), 1u);
  EXPECT_EQ(broker.produces[0].batch.records.size(), 3u);
  EXPECT_EQ(t.events(EventType::kSend).size(), 3u);
  auto md = t.events(EventType::kMetadataUpdate);
  ASSERT_EQ(md.size(), 1u);
  EXPECT_EQ(md[0].broker, 0);
  EXPECT_EQ(md[0].leader_epoch, 1);
  auto resp = t.events(EventType::kProduceResponse);
  ASSERT_EQ(resp.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(resp[i].msg, i);
    EXPECT_EQ(resp[i].result, Result::kAppended);
    EXPECT_EQ(resp[i].outcome, Result::kAcked);
    EXPECT_EQ(c.results[i].second.offset, i);
  }
  EXPECT_TRUE(c.producer->unresolved().empty());
}

TEST(KafkaProducer, AtMostMaxInFlightRequestsPerBroker) {
  Config cfg = plain_config();
  cfg.max_in_flight = 2;
  Timings tm;
  tm.batch_records = 1;
  TestEnv t(cfg, 1, tm);
  FakeBroker broker(t, 0);
  broker.hold = true;
  Client c(t);
  for (int m = 0; m < 5; ++m) c.send(m);
  t.run([&] { return false; }, 200);
  EXPECT_EQ(broker.produces.size(), 2u);
  EXPECT_EQ(c.producer->unresolved().size(), 5u);
  broker.hold = false;
  broker.release();
  ASSERT_TRUE(t.run([&] { return c.results.size() == 5; }));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(c.results[i].first, i);  // answered in order
}

TEST(KafkaProducer, RetriableErrorGoesBackToTheFront) {
  Config cfg = plain_config();
  cfg.max_in_flight = 1;
  Timings tm;
  tm.batch_records = 1;
  TestEnv t(cfg, 2, tm);
  FakeBroker broker(t, 0);
  broker.script = [](const ProduceRequest&, int n) {
    return n == 0 ? Error::kNotEnoughReplicas : Error::kNone;
  };
  Client c(t);
  for (int m = 0; m < 3; ++m) c.send(m);
  ASSERT_TRUE(t.run([&] { return c.results.size() == 3; }));
  ASSERT_EQ(broker.produces.size(), 4u);
  std::vector<int32_t> order;
  for (auto& p : broker.produces) order.push_back(p.batch.records[0].msg);
  EXPECT_EQ(order, (std::vector<int32_t>{0, 0, 1, 2}));
  auto resp = t.events(EventType::kProduceResponse);
  EXPECT_EQ(resp[0].result, Result::kNotEnoughReplicas);
  EXPECT_EQ(resp[0].outcome, Result::kRetry);
  ASSERT_EQ(broker.log.size(), 3u);
  EXPECT_EQ(broker.log[0].msg, 0);
}

TEST(KafkaProducer, RetriesExhaustedFailTheCallback) {
  Config cfg = plain_config();
  cfg.retries = 0;
  cfg.on_send_error = OnSendError::kResend;
  TestEnv t(cfg);
  FakeBroker broker(t, 0);
  broker.script = [](const ProduceRequest&, int) { return Error::kNotLeaderOrFollower; };
  Client c(t);
  c.send(0);
  ASSERT_TRUE(t.run([&] { return c.results.size() == 1; }));
  EXPECT_EQ(c.results[0].second.error, Error::kNotLeaderOrFollower);
  auto resp = t.events(EventType::kProduceResponse);
  ASSERT_EQ(resp.size(), 1u);
  EXPECT_EQ(resp[0].result, Result::kNotLeaderOrFollower);
  EXPECT_EQ(resp[0].outcome, Result::kFailedResent);
}

TEST(KafkaProducer, IdempotentSequenceNumbersKeptAcrossRetries) {
  Config cfg = plain_config();
  cfg.idempotence = true;
  cfg.acks = Acks::kAll;
  Timings tm;
  tm.batch_records = 1;
  TestEnv t(cfg, 3, tm);
  TransactionCoordinator coordinator(t.env);
  FakeBroker broker(t, 0);
  broker.script = [](const ProduceRequest&, int n) {
    return n == 0 ? Error::kNotLeaderOrFollower : Error::kNone;
  };
  Client c(t);
  c.send(0);
  c.send(1);
  ASSERT_TRUE(t.run([&] { return c.results.size() == 2; }));
  ASSERT_GE(broker.produces.size(), 3u);
  // The first request (m0, seq 0) failed; its retry carries the same id and sequence.
  EXPECT_EQ(broker.produces[0].batch.base_sequence, 0);
  EXPECT_EQ(broker.produces[0].batch.producer_id, 0);
  bool retried = false;
  for (size_t i = 1; i < broker.produces.size(); ++i) {
    const RecordBatch& b = broker.produces[i].batch;
    if (b.records[0].msg == 0) {
      retried = true;
      EXPECT_EQ(b.base_sequence, 0);
      EXPECT_EQ(b.producer_id, 0);
    } else {
      EXPECT_EQ(b.base_sequence, 1);
    }
  }
  EXPECT_TRUE(retried);
  for (const Event& e : t.events(EventType::kProduceRequest)) {
    EXPECT_EQ(e.seq, e.msg);
    EXPECT_EQ(e.producer_id, 0);
  }
}

TEST(KafkaProducer, OutOfOrderSequenceOfTheNextBatchBumpsTheEpoch) {
  Config cfg = plain_config();
  cfg.idempotence = true;
  cfg.acks = Acks::kAll;
  cfg.version = KafkaVersion{3, 0, 0};
  TestEnv t(cfg);
  TransactionCoordinator coordinator(t.env);
  FakeBroker broker(t, 0);
  broker.script = [](const ProduceRequest&, int n) {
    return n == 0 ? Error::kOutOfOrderSequenceNumber : Error::kNone;
  };
  Client c(t);
  c.send(0);
  ASSERT_TRUE(t.run([&] { return c.results.size() == 1; }));
  EXPECT_EQ(c.results[0].second.error, Error::kNone);
  ASSERT_EQ(broker.produces.size(), 2u);
  EXPECT_EQ(broker.produces[1].batch.producer_id, 1);  // KIP-360: a new id, renumbered
  EXPECT_EQ(broker.produces[1].batch.base_sequence, 0);
  auto resp = t.events(EventType::kProduceResponse);
  EXPECT_EQ(resp[0].result, Result::kOutOfOrderSequence);
  EXPECT_EQ(resp[0].outcome, Result::kRetry);
  EXPECT_EQ(resp[1].producer_id, 1);
}

TEST(KafkaProducer, OutOfOrderSequenceBefore25FailsTheBatch) {
  Config cfg = plain_config();
  cfg.idempotence = true;
  cfg.acks = Acks::kAll;
  cfg.version = KafkaVersion{2, 4, 0};
  TestEnv t(cfg);
  TransactionCoordinator coordinator(t.env);
  FakeBroker broker(t, 0);
  broker.script = [](const ProduceRequest&, int n) {
    return n == 0 ? Error::kOutOfOrderSequenceNumber : Error::kNone;
  };
  Client c(t);
  c.send(0);
  ASSERT_TRUE(t.run([&] { return c.results.size() == 1; }));
  EXPECT_EQ(c.results[0].second.error, Error::kOutOfOrderSequenceNumber);
  EXPECT_EQ(t.events(EventType::kProduceResponse)[0].outcome, Result::kFailedDropped);
}

TEST(KafkaProducer, RequestTimeoutClosesTheConnectionAndIgnoresTheLateResponse) {
  Config cfg = plain_config();
  cfg.request_timeout_ms = 1000;
  TestEnv t(cfg);
  FakeBroker broker(t, 0);
  broker.hold = true;
  Client c(t);
  c.send(0);
  ASSERT_TRUE(t.run([&] { return !t.events(EventType::kRequestTimeout).empty(); }));
  Event rt = t.events(EventType::kRequestTimeout)[0];
  EXPECT_EQ(rt.broker, 0);
  EXPECT_EQ(rt.msg, 0);
  EXPECT_EQ(rt.count, -1);
  EXPECT_EQ(rt.result, Result::kRequestTimedOut);
  EXPECT_EQ(rt.outcome, Result::kRetry);
  // The retry goes out; then both responses arrive, and only the retry's is read.
  ASSERT_TRUE(t.run([&] { return broker.produces.size() == 2; }));
  broker.hold = false;
  broker.release();
  ASSERT_TRUE(t.run([&] { return c.results.size() == 1; }));
  t.run([&] { return false; }, t.runtime->now() + 100);
  EXPECT_EQ(c.results.size(), 1u);
  auto resp = t.events(EventType::kProduceResponse);
  ASSERT_EQ(resp.size(), 1u);
  EXPECT_EQ(c.results[0].second.offset, 1);  // the retry's copy; the orphan is at 0
  EXPECT_EQ(broker.log.size(), 2u);          // a duplicate, as in Kafka
}

TEST(KafkaProducer, DeliveryTimeoutExpiresABatchInTheAccumulator) {
  Config cfg = plain_config();
  cfg.delivery_timeout_ms = 500;
  TestEnv t(cfg);  // no broker at all: no leader is ever known
  Client c(t);
  c.send(0);
  ASSERT_TRUE(t.run([&] { return c.results.size() == 1; }));
  EXPECT_EQ(c.results[0].second.error, Error::kRequestTimedOut);
  auto dt = t.events(EventType::kDeliveryTimeout);
  ASSERT_EQ(dt.size(), 1u);
  EXPECT_EQ(dt[0].broker, -1);
  EXPECT_EQ(dt[0].result, Result::kDeliveryTimedOut);
  EXPECT_EQ(dt[0].outcome, Result::kFailedDropped);
  EXPECT_GE(t.runtime->now(), 500);
}

TEST(KafkaProducer, DeliveryTimeoutExpiresTheOldestRequestInFlight) {
  Config cfg = plain_config();
  cfg.delivery_timeout_ms = 500;
  cfg.request_timeout_ms = 10000;
  TestEnv t(cfg);
  FakeBroker broker(t, 0);
  broker.hold = true;
  Client c(t);
  c.send(0);
  ASSERT_TRUE(t.run([&] { return c.results.size() == 1; }));
  auto dt = t.events(EventType::kDeliveryTimeout);
  ASSERT_EQ(dt.size(), 1u);
  EXPECT_EQ(dt[0].broker, 0);
  EXPECT_TRUE(t.events(EventType::kRequestTimeout).empty());
  broker.release();  // the late response is ignored
  t.run([&] { return false; }, t.runtime->now() + 100);
  EXPECT_TRUE(t.events(EventType::kProduceResponse).empty());
}

// The delivery-timeout fault (docs/impl.md, "Faults"): the named batch's deadline comes now.
// Queued, it is dropped and never sent; the batches behind it go on.
TEST(KafkaProducer, DeliveryTimeoutFaultDropsAQueuedBatchUnsent) {
  Config cfg = plain_config();
  cfg.linger_ms = 1000;  // both records wait in the accumulator, one batch each
  Timings one_per_batch;
  one_per_batch.batch_records = 1;
  TestEnv t(cfg, 1, one_per_batch);
  FakeBroker broker(t, 0);
  Client c(t);
  c.send(0);
  c.send(1);
  ASSERT_TRUE(t.run([&] { return t.events(EventType::kSend).size() == 2; }));
  EXPECT_TRUE(broker.produces.empty());
  EXPECT_FALSE(c.producer->expire_delivery(7, 0));  // no such record
  ASSERT_TRUE(c.producer->expire_delivery(0, 0));
  ASSERT_TRUE(t.run([&] { return c.results.size() == 2; }));
  ASSERT_EQ(c.results[0].first, 0);
  EXPECT_EQ(c.results[0].second.error, Error::kRequestTimedOut);
  EXPECT_EQ(c.results[1].first, 1);
  EXPECT_EQ(c.results[1].second.error, Error::kNone);
  ASSERT_EQ(broker.log.size(), 1u);
  EXPECT_EQ(broker.log[0].msg, 1);  // m0 was never sent
  auto dt = t.events(EventType::kDeliveryTimeout);
  ASSERT_EQ(dt.size(), 1u);
  EXPECT_EQ(dt[0].msg, 0);
  EXPECT_EQ(dt[0].broker, -1);
  EXPECT_EQ(dt[0].outcome, Result::kFailedDropped);
  EXPECT_TRUE(t.events(EventType::kRequestTimeout).empty());
  EXPECT_LT(t.runtime->now(), cfg.request_timeout_ms);  // no timer had to run out
}

// In flight (2.1+), the batch fails at once; its request stays on the connection, which
// is not closed, and the broker's late answer is ignored. No request times out.
TEST(KafkaProducer, DeliveryTimeoutFaultFailsABatchInFlightAndIgnoresItsAnswer) {
  Config cfg = plain_config();
  TestEnv t(cfg);
  FakeBroker broker(t, 0);
  broker.hold = true;
  Client c(t);
  c.send(0);
  ASSERT_TRUE(t.run([&] { return broker.produces.size() == 1; }));
  ASSERT_TRUE(c.producer->expire_delivery(-1, -1));  // the oldest unacknowledged batch
  ASSERT_TRUE(t.run([&] { return c.results.size() == 1; }));
  EXPECT_EQ(c.results[0].second.error, Error::kRequestTimedOut);
  auto dt = t.events(EventType::kDeliveryTimeout);
  ASSERT_EQ(dt.size(), 1u);
  EXPECT_EQ(dt[0].broker, 0);
  broker.release();
  t.run([&] { return false; }, t.runtime->now() + 100);
  EXPECT_TRUE(t.events(EventType::kProduceResponse).empty());
  EXPECT_TRUE(t.events(EventType::kRequestTimeout).empty());
  EXPECT_EQ(broker.log.size(), 1u);  // appended all the same
  EXPECT_FALSE(c.producer->expire_delivery(-1, -1));  // nothing left to expire
}

// Before KIP-91 (2.1) nothing expires a request in flight: the fault has nothing to act on.
TEST(KafkaProducer, DeliveryTimeoutFaultLeavesARequestInFlightBefore21) {
  Config cfg = plain_config();
  cfg.version = KafkaVersion{2, 0, 0};
  TestEnv t(cfg);
  FakeBroker broker(t, 0);
  broker.hold = true;
  Client c(t);
  c.send(0);
  ASSERT_TRUE(t.run([&] { return broker.produces.size() == 1; }));
  EXPECT_FALSE(c.producer->expire_delivery(0, 0));
  broker.release();
  ASSERT_TRUE(t.run([&] { return c.results.size() == 1; }));
  EXPECT_EQ(c.results[0].second.error, Error::kNone);
  EXPECT_TRUE(t.events(EventType::kDeliveryTimeout).empty());
}

// RecordAccumulator.drain takes one batch per partition in each sender loop: two ready
// batches of the one partition leave in two loops (two work items), so something can
// happen between them (a fault strikes the second while it is still queued).
TEST(KafkaProducer, DrainsOneBatchOfThePartitionPerSenderLoop) {
  Config cfg = plain_config();
  cfg.linger_ms = 1000;
  Timings one_per_batch;
  one_per_batch.batch_records = 1;
  TestEnv t(cfg, 1, one_per_batch);
  FakeBroker broker(t, 0);
  broker.hold = true;
  Client c(t);
  c.send(0);
  c.send(1);
  ASSERT_TRUE(t.run([&] { return !t.events(EventType::kProduceRequest).empty(); }));
  EXPECT_EQ(t.events(EventType::kProduceRequest).size(), 1u);  // m1 waits for the next loop
  ASSERT_TRUE(t.run([&] { return t.events(EventType::kProduceRequest).size() == 2; }));
  EXPECT_EQ(t.events(EventType::kProduceRequest)[1].msg, 1);
  EXPECT_LT(t.runtime->now(), 1000);  // the next loop came at once, not after a linger
}

TEST(KafkaProducer, AcksZeroSucceedsWithoutAResponse) {
  Config cfg = plain_config();
  cfg.acks = Acks::kZero;
  TestEnv t(cfg);
  FakeBroker broker(t, 0);
  Client c(t);
  c.send(0);
  ASSERT_TRUE(t.run([&] { return c.results.size() == 1; }));
  EXPECT_EQ(c.results[0].second.error, Error::kNone);
  auto req = t.events(EventType::kProduceRequest);
  ASSERT_EQ(req.size(), 1u);
  EXPECT_EQ(req[0].outcome, Result::kAcked);
  t.run([&] { return false; }, t.runtime->now() + 100);
  EXPECT_TRUE(t.events(EventType::kProduceResponse).empty());
  EXPECT_EQ(broker.log.size(), 1u);
}

TEST(KafkaProducer, DisconnectFailsTheRequestsAwaitedOnTheConnection) {
  Config cfg = plain_config();
  cfg.retries = 0;
  TestEnv t(cfg);
  FakeBroker broker(t, 0);
  broker.hold = true;
  Client c(t);
  c.send(0);
  ASSERT_TRUE(t.run([&] { return broker.produces.size() == 1; }));
  t.network.detach(0);  // the broker's process dies
  ASSERT_TRUE(t.run([&] { return c.results.size() == 1; }));
  EXPECT_EQ(c.results[0].second.error, Error::kNetworkException);
  auto resp = t.events(EventType::kProduceResponse);
  ASSERT_EQ(resp.size(), 1u);
  EXPECT_EQ(resp[0].result, Result::kNetworkException);
  EXPECT_EQ(resp[0].outcome, Result::kFailedDropped);
}

TEST(KafkaProducer, NotLeaderRefreshesMetadataAndFollowsTheNewLeader) {
  Config cfg = plain_config();
  cfg.replication_factor = 2;
  TestEnv t(cfg);
  FakeBroker b0(t, 0), b1(t, 1);
  b0.script = [&](const ProduceRequest&, int) {
    b0.leader = b1.leader = 1;
    b0.leader_epoch = b1.leader_epoch = 2;
    return Error::kNotLeaderOrFollower;
  };
  b1.leader = 0;
  Client c(t);
  c.send(0);
  ASSERT_TRUE(t.run([&] { return c.results.size() == 1; }));
  EXPECT_EQ(c.results[0].second.error, Error::kNone);
  EXPECT_EQ(b1.log.size(), 1u);
  auto md = t.events(EventType::kMetadataUpdate);
  ASSERT_EQ(md.size(), 2u);
  EXPECT_EQ(md[1].broker, 1);
  EXPECT_EQ(md[1].leader_epoch, 2);
}

TEST(KafkaProducer, CrashRunsNoCallbacks) {
  TestEnv t(plain_config());
  FakeBroker broker(t, 0);
  broker.hold = true;
  Client c(t);
  c.send(0);
  ASSERT_TRUE(t.run([&] { return broker.produces.size() == 1; }));
  EXPECT_EQ(c.producer->unresolved().size(), 1u);
  c.producer->crash();
  broker.release();
  t.run([&] { return false; }, t.runtime->now() + 1000);
  EXPECT_TRUE(c.results.empty());
  EXPECT_FALSE(t.network.attached(kProducerBase));
}

}  // namespace
}  // namespace kdc::impl
