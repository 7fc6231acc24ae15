// KafkaProducer: the application-facing calls. send() appends to the accumulator under the
// producer's lock and wakes the sender; the transaction calls move the transaction
// manager's state and queue the coordinator requests the sender sends.
#include "impl/producer/kafka_producer.h"

#include "impl/producer/producer_core.h"
#include "impl/producer/sender.h"

namespace kdc::impl {

class KafkaProducer::Impl {
 public:
  Impl(const Env& env, int instance, ActorId app_actor)
      : core_(env, instance, app_actor), sender_(core_) {
    sender_.start();
  }

  ~Impl() { sender_.crash(); }

  void crash() { sender_.crash(); }

  void send(int32_t msg, int8_t gen, SendCallback callback) {
    {
      std::lock_guard<std::mutex> g(core_.mu);
      if (core_.crashed) return;
      TransactionManager& txn = core_.txn;
      if (txn.transactional() && txn.state() != TxnState::kInTransaction) {
        // KafkaProducer.send throws outside a transaction or after an error; the record never
        // enters the accumulator.
        Error e = txn.has_error() ? txn.last_error() : Error::kInvalidTxnState;
        if (callback) core_.to_app([callback, e] { callback(SendResult{e, -1}); });
        return;
      }
      Event e;
      e.type = EventType::kSend;
      e.msg = msg;
      e.gen = gen;
      core_.env.trace.record(e);
      uint64_t id = core_.next_record_id++;
      core_.unresolved.emplace(id, std::make_pair(msg, gen));
      core_.accumulator.append(PendingRecord{msg, gen, id, std::move(callback)},
                               core_.env.runtime.now());
      if (txn.transactional()) {
        txn.set_txn_record(msg, gen);
        // TransactionManager.maybeAddPartition: the first send to the partition in this
        // transaction adds it (AddPartitionsToTxn) before any batch is drained.
        if (!txn.partition_queued()) {
          txn.set_partition_queued();
          CoordinatorRequest r;
          r.kind = CoordinatorRequest::Kind::kAddPartitions;
          r.msg = msg;
          r.gen = gen;
          core_.requests.push_back(r);
        }
      }
    }
    sender_.wakeup();
  }

  void init_transactions(Completion done) {
    {
      std::lock_guard<std::mutex> g(core_.mu);
      if (core_.crashed) return;
      core_.txn.set_state(TxnState::kInitializing);
      core_.init_done = std::move(done);
      CoordinatorRequest r;
      r.kind = CoordinatorRequest::Kind::kInitProducerId;
      core_.requests.push_back(r);
    }
    sender_.wakeup();
  }

  void begin_transaction() {
    std::lock_guard<std::mutex> g(core_.mu);
    if (core_.txn.state() == TxnState::kReady) core_.txn.begin();
  }

  void send_offsets_to_transaction(int64_t offset, int32_t generation, Completion done) {
    {
      std::lock_guard<std::mutex> g(core_.mu);
      if (core_.crashed) return;
      TransactionManager& txn = core_.txn;
      if (txn.state() != TxnState::kInTransaction) {
        core_.complete(done, txn.has_error() ? txn.last_error() : Error::kInvalidTxnState);
        return;
      }
      core_.offsets_done = std::move(done);
      CoordinatorRequest add;
      add.kind = CoordinatorRequest::Kind::kAddOffsets;
      add.offset = offset;
      add.msg = txn.txn_msg();
      add.gen = txn.txn_gen();
      core_.requests.push_back(add);
      CoordinatorRequest commit;
      commit.kind = CoordinatorRequest::Kind::kTxnOffsetCommit;
      commit.offset = offset;
      commit.generation = generation;
      commit.msg = txn.txn_msg();
      commit.gen = txn.txn_gen();
      core_.requests.push_back(commit);
    }
    sender_.wakeup();
  }

  void commit_transaction(Completion done) {
    {
      std::lock_guard<std::mutex> g(core_.mu);
      if (core_.crashed) return;
      TransactionManager& txn = core_.txn;
      if (txn.state() != TxnState::kInTransaction) {
        core_.complete(done, txn.has_error() ? txn.last_error() : Error::kInvalidTxnState);
        return;
      }
      txn.set_state(TxnState::kCommitting);
      core_.flush = true;
      core_.end_queued = false;
      core_.commit_done = std::move(done);
    }
    sender_.wakeup();
  }

  void abort_transaction(Completion done) {
    {
      std::lock_guard<std::mutex> g(core_.mu);
      if (core_.crashed) return;
      TransactionManager& txn = core_.txn;
      if (txn.state() == TxnState::kFatalError || txn.state() == TxnState::kUninitialized ||
          txn.state() == TxnState::kInitializing) {
        core_.complete(done, txn.has_error() ? txn.last_error() : Error::kInvalidTxnState);
        return;
      }
      if (txn.state() == TxnState::kReady) {
        core_.complete(done, Error::kNone);
        return;
      }
      Error cause = txn.last_error() == Error::kNone ? Error::kTransactionAbortable : txn.last_error();
      txn.set_state(TxnState::kAborting);
      core_.flush = false;
      core_.end_queued = false;
      core_.abort_done = std::move(done);
      // abortUndrainedBatches: what was never sent fails with the abort.
      for (const BatchPtr& b : core_.accumulator.take_all()) {
        for (PendingRecord& r : b->records) {
          core_.unresolved.erase(r.id);
          if (r.callback) core_.to_app([cb = r.callback, cause] { cb(SendResult{cause, -1}); });
        }
      }
      // The transaction's partition and offsets requests not yet sent are dropped.
      std::deque<CoordinatorRequest> keep;
      for (size_t i = 0; i < core_.requests.size(); ++i) {
        const CoordinatorRequest& r = core_.requests[i];
        bool sent = i == 0 && core_.coordinator_corr != 0;
        if (sent || r.kind == CoordinatorRequest::Kind::kEndTxn ||
            r.kind == CoordinatorRequest::Kind::kInitProducerId) {
          keep.push_back(r);
        }
      }
      core_.requests = std::move(keep);
      core_.complete(core_.offsets_done, cause);
    }
    sender_.wakeup();
  }

  bool expire_delivery(int32_t msg, int8_t gen) { return sender_.expire_now(msg, gen); }

  std::vector<std::pair<int32_t, int8_t>> unresolved() const {
    std::lock_guard<std::mutex> g(core_.mu);
    std::vector<std::pair<int32_t, int8_t>> out;
    for (const auto& [id, r] : core_.unresolved) out.push_back(r);
    return out;
  }

 private:
  mutable ProducerCore core_;
  Sender sender_;
};

KafkaProducer::KafkaProducer(const Env& env, int instance, ActorId app_actor)
    : impl_(std::make_unique<Impl>(env, instance, app_actor)) {}
KafkaProducer::~KafkaProducer() = default;
void KafkaProducer::crash() { impl_->crash(); }
void KafkaProducer::send(int32_t msg, int8_t gen, SendCallback callback) {
  impl_->send(msg, gen, std::move(callback));
}
void KafkaProducer::init_transactions(Completion done) { impl_->init_transactions(std::move(done)); }
void KafkaProducer::begin_transaction() { impl_->begin_transaction(); }
void KafkaProducer::send_offsets_to_transaction(int64_t offset, int32_t generation, Completion done) {
  impl_->send_offsets_to_transaction(offset, generation, std::move(done));
}
void KafkaProducer::commit_transaction(Completion done) { impl_->commit_transaction(std::move(done)); }
void KafkaProducer::abort_transaction(Completion done) { impl_->abort_transaction(std::move(done)); }
std::vector<std::pair<int32_t, int8_t>> KafkaProducer::unresolved() const { return impl_->unresolved(); }
bool KafkaProducer::expire_delivery(int32_t msg, int8_t gen) { return impl_->expire_delivery(msg, gen); }

}  // namespace kdc::impl
