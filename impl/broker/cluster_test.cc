// Brokers and the controller together on the deterministic runtime; a test node plays the
// producer (and the transaction coordinator, and a consumer) by sending requests itself.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "impl/broker/broker.h"
#include "impl/controller/controller.h"

namespace kdc::impl {
namespace {

class Cluster {
 public:
  explicit Cluster(Config config, std::string name, uint64_t seed = 1)
      : config_(std::move(config)),
        runtime_(make_deterministic_runtime(seed)),
        network_(*runtime_, NetworkOptions{}) {
    Timings t;
    t.replica_lag_time_max_ms = 1000;
    t.isr_check_interval_ms = 250;
    t.broker_heartbeat_interval_ms = 200;
    t.broker_session_timeout_ms = 1000;
    t.replica_fetch_wait_max_ms = 100;
    t.replica_fetch_backoff_ms = 100;
    env_ = std::make_unique<Env>(Env{*runtime_, network_, trace_, config_, t});
    for (int b = 0; b < config_.replication_factor; ++b) {
      disks_.push_back(std::make_unique<Disk>("/tmp/kdc_broker_tests/" + name + "/b" + std::to_string(b)));
      brokers_.push_back(std::make_unique<Broker>(*env_, b, *disks_.back(), 0));
    }
    controller_ = std::make_unique<Controller>(*env_);
    client_ = runtime_->spawn("test-client");
    for (NodeId n : {kProducerBase, kTxnCoordinator, kConsumerBase}) {
      network_.attach(n, client_, [this](Message m) { inbox_.push_back(std::move(m)); }, [](NodeId) {});
    }
  }
  ~Cluster() {
    runtime_->shutdown();
  }

  void run_for(Millis ms) {
    Millis until = runtime_->now() + ms;
    runtime_->run_until([] { return false; }, until);
  }
  template <typename P>
  bool run_until_response(int64_t corr, Millis ms, P* out) {
    Millis until = runtime_->now() + ms;
    return runtime_->run_until([&] { return find(corr, out); }, until);
  }
  template <typename P>
  bool find(int64_t corr, P* out) {
    for (const Message& m : inbox_) {
      if (auto* p = std::get_if<P>(&m.payload); p != nullptr && p->correlation_id == corr) {
        *out = *p;
        return true;
      }
    }
    return false;
  }

  void produce(NodeId broker, int64_t corr, int16_t acks, int32_t msg, int64_t pid = -1, int32_t seq = -1,
               bool txn = false, int16_t epoch = 0) {
    ProduceRequest r;
    r.correlation_id = corr;
    r.acks = acks;
    r.timeout_ms = 5000;
    r.batch.producer_id = pid;
    r.batch.producer_epoch = pid >= 0 ? epoch : -1;
    r.batch.base_sequence = seq;
    r.batch.transactional = txn;
    Record rec;
    rec.msg = msg;
    rec.gen = 0;
    r.batch.records.push_back(rec);
    network_.send(kProducerBase, broker, r);
  }

  int count(EventType t, NodeId broker = -1, Result r = Result::kNone) const {
    int n = 0;
    for (const Event& e : trace_.events()) {
      if (e.type == t && (broker < 0 || e.broker == broker) && (r == Result::kNone || e.result == r)) ++n;
    }
    return n;
  }
  const Event* last(EventType t) const {
    events_ = trace_.events();
    for (auto it = events_.rbegin(); it != events_.rend(); ++it) {
      if (it->type == t) return &*it;
    }
    return nullptr;
  }

  void crash(int b) {
    brokers_[b]->crash();
    brokers_[b].reset();
  }
  void restart(int b, int64_t incarnation) {
    brokers_[b] = std::make_unique<Broker>(*env_, b, *disks_[b], incarnation);
  }

  Config config_;
  std::unique_ptr<Runtime> runtime_;
  Network network_;
  TraceRecorder trace_;
  std::unique_ptr<Env> env_;
  std::vector<std::unique_ptr<Disk>> disks_;
  std::vector<std::unique_ptr<Broker>> brokers_;
  std::unique_ptr<Controller> controller_;
  ActorId client_ = -1;
  std::vector<Message> inbox_;
  mutable std::vector<Event> events_;
};

Config three_brokers(int min_insync) {
  Config c;
  c.replication_factor = 3;
  c.min_insync_replicas = min_insync;
  return c;
}

TEST(BrokerCluster, AcksOneAnswersAtOnceAcksAllAfterReplication) {
  Cluster c(three_brokers(2), "acks");
  c.produce(0, 1, 1, 0);
  ProduceResponse r1;
  ASSERT_TRUE(c.run_until_response(1, 50, &r1));
  EXPECT_EQ(r1.error, Error::kNone);
  EXPECT_EQ(r1.base_offset, 0);
  c.produce(0, 2, -1, 1);
  ProduceResponse r2;
  ASSERT_TRUE(c.run_until_response(2, 3000, &r2));
  EXPECT_EQ(r2.error, Error::kNone);
  EXPECT_EQ(r2.base_offset, 1);
  // Answered only once the high watermark passed it: both followers had fetched it.
  Broker::View leader = c.brokers_[0]->view();
  EXPECT_GE(leader.high_watermark, 2);
  EXPECT_EQ(c.count(EventType::kHandleProduce, 0, Result::kAppended), 2);
  EXPECT_EQ(c.count(EventType::kProduceComplete, 0, Result::kAppended), 1);
  c.run_for(500);
  for (int b = 1; b < 3; ++b) {
    Broker::View f = c.brokers_[b]->view();
    ASSERT_EQ(f.records.size(), 2u);
    EXPECT_EQ(f.records[1].msg, 1);
    EXPECT_EQ(f.records[1].leader_epoch, 1);
    EXPECT_EQ(f.high_watermark, 2);
    EXPECT_FALSE(f.leader);
  }
  // A follower refuses produce.
  c.produce(1, 3, 1, 2);
  ProduceResponse r3;
  ASSERT_TRUE(c.run_until_response(3, 50, &r3));
  EXPECT_EQ(r3.error, Error::kNotLeaderOrFollower);
}

TEST(BrokerCluster, IdempotentRetryIsADuplicate) {
  Cluster c(three_brokers(2), "dedup");
  c.produce(0, 1, -1, 0, /*pid=*/7, /*seq=*/0);
  c.produce(0, 2, -1, 0, 7, 0);  // the retry, pipelined behind it
  c.produce(0, 3, -1, 1, 7, 5);  // a gap
  ProduceResponse r1, r2, r3;
  ASSERT_TRUE(c.run_until_response(3, 3000, &r3));
  ASSERT_TRUE(c.find(1, &r1));
  ASSERT_TRUE(c.find(2, &r2));
  EXPECT_EQ(r1.error, Error::kNone);
  EXPECT_TRUE(r2.duplicate);
  EXPECT_EQ(r2.base_offset, 0);
  EXPECT_EQ(r3.error, Error::kOutOfOrderSequenceNumber);
  EXPECT_EQ(c.brokers_[0]->view().log_end_offset, 1);
  EXPECT_EQ(c.count(EventType::kHandleProduce, 0, Result::kDuplicate), 1);
  EXPECT_EQ(c.count(EventType::kHandleProduce, 0, Result::kOutOfOrderSequence), 1);
}

TEST(BrokerCluster, IsolatedFollowerLeavesTheIsr) {
  Cluster c(three_brokers(2), "shrink");
  c.run_for(300);
  // Cut from the other brokers only: it still heartbeats, so the controller keeps it
  // unfenced, and only the leader's lag check can drop it.
  c.network_.isolate(2, {0, 1});
  c.produce(0, 1, -1, 0);
  ProduceResponse r;
  ASSERT_TRUE(c.run_until_response(1, 4000, &r));
  EXPECT_EQ(r.error, Error::kNone);
  c.run_for(2000);
  EXPECT_GE(c.count(EventType::kIsrShrink, 0), 1);
  const Event* shrink = c.last(EventType::kIsrShrink);
  ASSERT_NE(shrink, nullptr);
  EXPECT_EQ(shrink->peer, 2);
  EXPECT_EQ(c.brokers_[0]->view().isr, (std::vector<NodeId>{0, 1}));
  EXPECT_EQ(c.brokers_[2]->view().log_end_offset, 0);
  // Healed, it catches up and is added back.
  c.network_.heal(2);
  c.run_for(5000);
  EXPECT_EQ(c.brokers_[0]->view().isr, (std::vector<NodeId>{0, 1, 2}));
  EXPECT_GE(c.count(EventType::kIsrExpand, 0), 1);
  EXPECT_EQ(c.brokers_[2]->view().log_end_offset, 1);
}

TEST(BrokerCluster, ControllerElectsANewLeaderAfterACrash) {
  Cluster c(three_brokers(2), "elect");
  c.produce(0, 1, -1, 0);
  ProduceResponse r;
  ASSERT_TRUE(c.run_until_response(1, 3000, &r));
  c.crash(0);
  c.run_for(3000);
  EXPECT_EQ(c.count(EventType::kFenceBroker, 0), 1);
  const Event* elect = c.last(EventType::kElectLeader);
  ASSERT_NE(elect, nullptr);
  EXPECT_EQ(elect->result, Result::kClean);
  EXPECT_EQ(elect->leader_epoch, 2);
  NodeId leader = elect->broker;
  EXPECT_TRUE(leader == 1 || leader == 2);
  EXPECT_TRUE(c.brokers_[leader]->view().leader);
  EXPECT_EQ(c.count(EventType::kLeaderAndIsr, leader, Result::kLeader), 1);
  c.produce(leader, 2, -1, 1);
  ProduceResponse r2;
  ASSERT_TRUE(c.run_until_response(2, 3000, &r2));
  EXPECT_EQ(r2.error, Error::kNone);
  EXPECT_EQ(r2.base_offset, 1);
  Controller::View v = c.controller_->view();
  EXPECT_EQ(v.fenced, (std::vector<NodeId>{0}));
  EXPECT_EQ(v.isr.size(), 2u);
}

Config two_brokers(bool unclean) {
  Config c;
  c.replication_factor = 2;
  c.min_insync_replicas = 1;
  c.unclean_leader_election = unclean;
  return c;
}

// Broker 1 is cut off and leaves the ISR; the leader takes a record alone, then crashes.
void out_of_sync_follower_then_leader_crash(Cluster& c) {
  c.run_for(300);
  c.network_.isolate(1, {0, kController});
  c.run_for(3000);
  c.produce(0, 1, 1, 0);
  ProduceResponse r;
  ASSERT_TRUE(c.run_until_response(1, 100, &r));
  c.crash(0);
  c.network_.heal(1);
  c.run_for(4000);
}

TEST(BrokerCluster, NoUncleanElectionUnlessEnabled) {
  Cluster c(two_brokers(false), "clean_only");
  out_of_sync_follower_then_leader_crash(c);
  EXPECT_EQ(c.controller_->view().leader, -1);
  EXPECT_EQ(c.count(EventType::kElectLeader), 0);
  EXPECT_EQ(c.count(EventType::kUnfenceBroker, 1), 1);
}

TEST(BrokerCluster, UncleanElectionWhenEnabled) {
  Cluster c(two_brokers(true), "unclean");
  out_of_sync_follower_then_leader_crash(c);
  const Event* elect = c.last(EventType::kElectLeader);
  ASSERT_NE(elect, nullptr);
  EXPECT_EQ(elect->broker, 1);
  EXPECT_EQ(elect->result, Result::kUnclean);
  EXPECT_TRUE(c.brokers_[1]->view().leader);
  EXPECT_EQ(c.brokers_[1]->view().log_end_offset, 0);  // the acknowledged record is lost
}

TEST(BrokerCluster, RestartedOldLeaderTruncatesToTheNewLeader) {
  Cluster c(three_brokers(1), "truncate");
  c.run_for(300);
  // The leader is cut off from the other brokers and the controller (the clients still
  // reach it): it appends m0 alone as a zombie, then its process dies.
  c.network_.isolate(0, {1, 2, kController});
  c.produce(0, 1, 1, 0);
  ProduceResponse r;
  ASSERT_TRUE(c.run_until_response(1, 100, &r));
  EXPECT_EQ(r.error, Error::kNone);
  c.run_for(3000);
  NodeId leader = c.controller_->view().leader;
  ASSERT_TRUE(leader == 1 || leader == 2);
  c.produce(leader, 2, 1, 1);
  ProduceResponse r2;
  ASSERT_TRUE(c.run_until_response(2, 100, &r2));
  EXPECT_EQ(r2.base_offset, 0);
  c.crash(0);
  c.network_.heal(0);
  c.restart(0, 1);
  c.run_for(3000);
  const Event* restart = c.last(EventType::kBrokerRestart);
  ASSERT_NE(restart, nullptr);
  EXPECT_EQ(restart->offset, 1);
  const Event* trunc = c.last(EventType::kTruncate);
  ASSERT_NE(trunc, nullptr);
  bool found = false;
  for (const Event& e : c.trace_.events()) {
    if (e.type == EventType::kTruncate && e.broker == 0) {
      found = true;
      EXPECT_EQ(e.offset, 0);
      EXPECT_EQ(e.peer, leader);
      EXPECT_EQ(e.leader_epoch, 2);
    }
  }
  EXPECT_TRUE(found);
  Broker::View v = c.brokers_[0]->view();
  ASSERT_EQ(v.records.size(), 1u);
  EXPECT_EQ(v.records[0].msg, 1);
  EXPECT_EQ(v.records[0].leader_epoch, 2);
  EXPECT_FALSE(v.leader);
}

TEST(BrokerCluster, ReadCommittedStopsAtTheLastStableOffset) {
  Cluster c(three_brokers(2), "lso");
  c.produce(0, 1, -1, 0, /*pid=*/3, /*seq=*/0, /*txn=*/true, /*epoch=*/1);
  ProduceResponse r;
  ASSERT_TRUE(c.run_until_response(1, 3000, &r));
  ASSERT_EQ(r.error, Error::kNone);
  c.run_for(300);
  Broker::View v = c.brokers_[0]->view();
  EXPECT_EQ(v.high_watermark, 1);
  EXPECT_EQ(v.last_stable_offset, 0);
  FetchRequest f;
  f.correlation_id = 2;
  f.isolation = IsolationLevel::kReadCommitted;
  c.network_.send(kConsumerBase, 0, f);
  FetchResponse fr;
  ASSERT_TRUE(c.run_until_response(2, 100, &fr));
  EXPECT_TRUE(fr.records.empty());
  EXPECT_EQ(fr.last_stable_offset, 0);
  WriteTxnMarkersRequest m;
  m.correlation_id = 3;
  m.producer_id = 3;
  m.producer_epoch = 1;
  m.commit = false;
  c.network_.send(kTxnCoordinator, 0, m);
  WriteTxnMarkersResponse mr;
  ASSERT_TRUE(c.run_until_response(3, 3000, &mr));
  EXPECT_EQ(mr.error, Error::kNone);
  EXPECT_EQ(mr.offset, 1);
  const Event* marker = c.last(EventType::kWriteTxnMarker);
  ASSERT_NE(marker, nullptr);
  EXPECT_EQ(marker->msg, 0);
  EXPECT_EQ(marker->producer_id, 1);
  EXPECT_EQ(marker->result, Result::kAbortTxn);
  c.run_for(300);
  EXPECT_EQ(c.brokers_[0]->view().last_stable_offset, 2);
  f.correlation_id = 4;
  c.network_.send(kConsumerBase, 0, f);
  ASSERT_TRUE(c.run_until_response(4, 100, &fr));
  ASSERT_EQ(fr.records.size(), 2u);
  EXPECT_EQ(fr.records[1].control, Control::kAbort);
  ASSERT_EQ(fr.aborted.size(), 1u);
  EXPECT_EQ(fr.aborted[0].first_offset, 0);
  // An older epoch of the producer is fenced.
  c.produce(0, 5, -1, 1, 3, 0, true, /*epoch=*/0);
  ProduceResponse r5;
  ASSERT_TRUE(c.run_until_response(5, 100, &r5));
  EXPECT_EQ(r5.error, Error::kInvalidProducerEpoch);
}

TEST(BrokerCluster, ConsumerFetchChecksTheLeaderEpoch) {
  Cluster c(three_brokers(1), "epochs");
  FetchRequest f;
  f.correlation_id = 1;
  f.current_leader_epoch = 0;
  c.network_.send(kConsumerBase, 0, f);
  FetchResponse fr;
  ASSERT_TRUE(c.run_until_response(1, 100, &fr));
  EXPECT_EQ(fr.error, Error::kFencedLeaderEpoch);
  f.correlation_id = 2;
  f.current_leader_epoch = 2;
  c.network_.send(kConsumerBase, 0, f);
  ASSERT_TRUE(c.run_until_response(2, 100, &fr));
  EXPECT_EQ(fr.error, Error::kUnknownLeaderEpoch);
  f.correlation_id = 3;
  f.current_leader_epoch = 1;
  f.fetch_offset = 5;
  c.network_.send(kConsumerBase, 0, f);
  ASSERT_TRUE(c.run_until_response(3, 100, &fr));
  EXPECT_EQ(fr.error, Error::kOffsetOutOfRange);
}

}  // namespace
}  // namespace kdc::impl

namespace kdc::impl {
namespace {

std::vector<Event> crash_run(uint64_t seed) {
  Cluster c(three_brokers(2), "determinism", seed);
  c.produce(0, 1, -1, 0);
  c.run_for(500);
  c.crash(0);
  c.run_for(2000);
  c.restart(0, 1);
  c.run_for(2000);
  return c.trace_.events();
}

TEST(BrokerCluster, SameSeedSameTrace) {
  std::vector<Event> a = crash_run(42);
  std::vector<Event> b = crash_run(42);
  EXPECT_GT(a.size(), 20u);
  EXPECT_EQ(a, b);
  if (getenv("KDC_PRINT_TRACE") != nullptr) {
    for (const Event& e : a) printf("%s\n", describe(e).c_str());
  }
}

}  // namespace
}  // namespace kdc::impl

namespace kdc::impl {
namespace {

// KIP-890 part 1: with verification on, the leader asks the transaction coordinator before
// it appends a transactional batch that opens a transaction on the partition; a refusal is
// INVALID_TXN_STATE and nothing is appended.
TEST(BrokerCluster, TransactionVerificationAsksTheCoordinatorFirst) {
  Config config = three_brokers(1);
  config.transaction_verification = true;
  Cluster c(config, "verify");
  auto answer_verification = [&](Error error) {
    AddPartitionsToTxnRequest asked;
    bool got = c.runtime_->run_until(
        [&] {
          for (const Message& m : c.inbox_) {
            if (auto* p = std::get_if<AddPartitionsToTxnRequest>(&m.payload); p && p->verify_only) {
              asked = *p;
              return true;
            }
          }
          return false;
        },
        c.runtime_->now() + 1000);
    EXPECT_TRUE(got);
    c.inbox_.clear();
    EXPECT_EQ(asked.producer_id, 7);
    AddPartitionsToTxnResponse r;
    r.correlation_id = asked.correlation_id;
    r.error = error;
    c.network_.send(kTxnCoordinator, 0, r);
  };

  c.produce(0, 1, 1, 0, /*pid=*/7, /*seq=*/0, /*txn=*/true, /*epoch=*/1);
  answer_verification(Error::kInvalidTxnState);
  ProduceResponse refused;
  ASSERT_TRUE(c.run_until_response(1, 1000, &refused));
  EXPECT_EQ(refused.error, Error::kInvalidTxnState);
  EXPECT_EQ(c.brokers_[0]->view().log_end_offset, 0);
  EXPECT_EQ(c.count(EventType::kHandleProduce, 0, Result::kInvalidTxnState), 1);

  c.produce(0, 2, 1, 0, /*pid=*/7, /*seq=*/0, /*txn=*/true, /*epoch=*/1);
  answer_verification(Error::kNone);
  ProduceResponse accepted;
  ASSERT_TRUE(c.run_until_response(2, 1000, &accepted));
  EXPECT_EQ(accepted.error, Error::kNone);
  EXPECT_EQ(c.brokers_[0]->view().log_end_offset, 1);
}

// Without verification the leader appends at once and asks nobody.
TEST(BrokerCluster, NoVerificationBeforeKip890) {
  Cluster c(three_brokers(1), "noverify");
  c.produce(0, 1, 1, 0, /*pid=*/7, /*seq=*/0, /*txn=*/true, /*epoch=*/1);
  ProduceResponse r;
  ASSERT_TRUE(c.run_until_response(1, 1000, &r));
  EXPECT_EQ(r.error, Error::kNone);
  for (const Message& m : c.inbox_) EXPECT_FALSE(std::holds_alternative<AddPartitionsToTxnRequest>(m.payload));
}

// acks=all waits in the purgatory at most the request's timeout: with both followers cut
// off, and a timeout shorter than replica.lag.time.max.ms (so the ISR still holds them),
// the leader answers REQUEST_TIMED_OUT.
TEST(BrokerCluster, PurgatoryAnswersByTheRequestTimeout) {
  Cluster c(three_brokers(1), "purgatory");
  c.network_.isolate(1, {0, 2, kController});
  c.network_.isolate(2, {0, 1, kController});
  ProduceRequest r;
  r.correlation_id = 1;
  r.acks = -1;
  r.timeout_ms = 200;  // shorter than replica.lag.time.max.ms (1000 here): no shrink yet
  Record rec;
  rec.msg = 0;
  rec.gen = 0;
  r.batch.records.push_back(rec);
  c.network_.send(kProducerBase, 0, r);
  ProduceResponse resp;
  ASSERT_TRUE(c.run_until_response(1, 1000, &resp));
  EXPECT_EQ(resp.error, Error::kRequestTimedOut);
  EXPECT_EQ(c.count(EventType::kProduceComplete, 0, Result::kRequestTimedOut), 1);
  // The record stays in the leader's log: a timed-out acks=all write may still be there.
  EXPECT_EQ(c.brokers_[0]->view().log_end_offset, 1);
}

}  // namespace
}  // namespace kdc::impl

namespace kdc::impl {
namespace {

// The zombie scenario of RestartedOldLeaderTruncatesToTheNewLeader across releases: before
// 0.11 a restarted follower truncates to its own high watermark (no OffsetsForLeaderEpoch,
// so no `truncate` step is recorded); from 0.11 it asks the leader (KIP-101), from 2.0 until
// the answer is stable (KIP-279). Either way the zombie's m0 goes and the new leader's m1
// remains.
void zombie_truncation(KafkaVersion version, bool expect_truncate_step) {
  Config config = three_brokers(1);
  config.version = version;
  Cluster c(config, "truncate-" + version.str());
  c.run_for(300);
  c.network_.isolate(0, {1, 2, kController});
  c.produce(0, 1, 1, 0);
  ProduceResponse r;
  ASSERT_TRUE(c.run_until_response(1, 100, &r));
  c.run_for(3000);
  NodeId leader = c.controller_->view().leader;
  ASSERT_TRUE(leader == 1 || leader == 2);
  c.produce(leader, 2, 1, 1);
  ProduceResponse r2;
  ASSERT_TRUE(c.run_until_response(2, 100, &r2));
  c.crash(0);
  c.network_.heal(0);
  c.restart(0, 1);
  c.run_for(3000);
  int truncations = 0;
  for (const Event& e : c.trace_.events()) {
    if (e.type == EventType::kTruncate && e.broker == 0) ++truncations;
  }
  EXPECT_EQ(truncations > 0, expect_truncate_step) << version.str();
  Broker::View v = c.brokers_[0]->view();
  ASSERT_EQ(v.records.size(), 1u) << version.str();
  EXPECT_EQ(v.records[0].msg, 1) << version.str();
}

TEST(BrokerCluster, TruncationAcrossReleases) {
  zombie_truncation(KafkaVersion{0, 10, 2}, /*expect_truncate_step=*/false);
  zombie_truncation(KafkaVersion{0, 11, 0}, /*expect_truncate_step=*/true);
  zombie_truncation(KafkaVersion{2, 0, 0}, /*expect_truncate_step=*/true);
}

}  // namespace
}  // namespace kdc::impl
