// What the producer's application side (KafkaProducer::send and the transaction calls)
// and its sender thread share, under one mutex: the accumulator, the transaction manager,
// the records not yet resolved, the queue of coordinator requests and the completions the
// application waits for.
#ifndef KDC_IMPL_PRODUCER_PRODUCER_CORE_H_
#define KDC_IMPL_PRODUCER_PRODUCER_CORE_H_

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "impl/cluster/env.h"
#include "impl/producer/kafka_producer.h"
#include "impl/producer/record_accumulator.h"
#include "impl/producer/transaction_manager.h"

namespace kdc::impl {

// A request to the transaction or group coordinator, queued for the sender
// (TransactionManager's TxnRequestHandler queue): sent one at a time, in order.
struct CoordinatorRequest {
  enum class Kind : uint8_t { kInitProducerId, kAddPartitions, kAddOffsets, kTxnOffsetCommit, kEndTxn };
  Kind kind = Kind::kInitProducerId;
  bool bump = false;     // InitProducerId with the current id/epoch (KIP-360)
  bool commit = true;    // EndTxn
  int64_t offset = -1;   // AddOffsets / TxnOffsetCommit
  int32_t generation = -1;
  int32_t msg = -1;
  int8_t gen = -1;
};

struct ProducerCore {
  ProducerCore(const Env& e, int inst, ActorId app)
      : env(e),
        instance(inst),
        node(kProducerBase + inst),
        app_actor(app),
        accumulator(e.timings.batch_records, e.config.linger_ms),
        txn(e.config.idempotence, e.config.transactional, e.config.version),
        alive(std::make_shared<std::atomic<bool>>(true)) {}

  // Runs `f` on the application's actor unless the process has crashed by then.
  void to_app(std::function<void()> f) {
    auto a = alive;
    env.runtime.post(app_actor, [a, f = std::move(f)] {
      if (a->load()) f();
    });
  }
  void complete(Completion& done, Error e) {
    if (!done) return;
    Completion d = std::move(done);
    done = nullptr;
    to_app([d, e] { d(e); });
  }

  const Env& env;
  const int instance;
  const NodeId node;
  const ActorId app_actor;

  std::mutex mu;
  RecordAccumulator accumulator;
  TransactionManager txn;
  std::map<uint64_t, std::pair<int32_t, int8_t>> unresolved;  // by send order
  uint64_t next_record_id = 0;
  std::deque<CoordinatorRequest> requests;
  int64_t coordinator_corr = 0;  // the head of `requests` is in flight; 0: none
  bool flush = false;        // commitTransaction(): every batch is ready now
  bool end_queued = false;   // EndTxn of the current commit/abort is queued
  Completion init_done, offsets_done, commit_done, abort_done;
  bool crashed = false;
  std::shared_ptr<std::atomic<bool>> alive;
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_PRODUCER_PRODUCER_CORE_H_
