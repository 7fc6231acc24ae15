// The transaction coordinator (TransactionCoordinator.scala, TransactionStateManager,
// TransactionMarkerChannelManager) for the run's one transactional.id, and the producer-id
// manager idempotent producers ask. Its transaction log is reliable, as in the model, so
// its state is plain memory.
#include "impl/coordinator/transaction_coordinator.h"

#include <algorithm>
#include <mutex>

namespace kdc::impl {
namespace {

enum class Status : uint8_t { kEmpty, kOngoing, kPrepareCommit, kPrepareAbort };

bool completing(Status s) { return s == Status::kPrepareCommit || s == Status::kPrepareAbort; }

}  // namespace

class TransactionCoordinator::Impl {
 public:
  explicit Impl(const Env& env) : env_(env), txn_timeout_ms_(env.config.transaction_timeout_ms) {
    actor_ = env_.runtime.spawn("txn-coordinator");
    env_.network.attach(
        kTxnCoordinator, actor_, [this](Message m) { on_message(std::move(m)); },
        [this](NodeId peer) { on_disconnect(peer); });
  }
  ~Impl() { env_.runtime.stop(actor_); }

  bool busy() const {
    std::lock_guard<std::mutex> g(mu_);
    return status_ != Status::kEmpty;
  }

  std::set<std::pair<int32_t, int8_t>> aborted_sends() const {
    std::lock_guard<std::mutex> g(mu_);
    return aborted_sends_;
  }

 private:
  // The open (or completing) transaction of the transactional.id.
  struct Txn {
    uint64_t serial = 0;
    int32_t msg = -1;
    int8_t gen = -1;
    bool partition = false;      // AddPartitionsToTxn: a marker goes to the partition leader
    bool offsets = false;        // AddOffsetsToTxn: a marker goes to the group coordinator
    int64_t offset = -1;         // the processor's input offset
    int16_t marker_epoch = -1;
    bool partition_marker_done = false;
    bool group_marker_done = false;
  };

  void on_message(Message m) {
    std::lock_guard<std::mutex> g(mu_);
    std::visit(
        [&](const auto& p) {
          using T = std::decay_t<decltype(p)>;
          if constexpr (std::is_same_v<T, InitProducerIdRequest>) {
            handle_init_locked(m.from, p);
          } else if constexpr (std::is_same_v<T, AddPartitionsToTxnRequest>) {
            handle_add_partitions_locked(m.from, p);
          } else if constexpr (std::is_same_v<T, AddOffsetsToTxnRequest>) {
            handle_add_offsets_locked(m.from, p);
          } else if constexpr (std::is_same_v<T, EndTxnRequest>) {
            handle_end_txn_locked(m.from, p);
          } else if constexpr (std::is_same_v<T, WriteTxnMarkersResponse>) {
            handle_marker_response_locked(m.from, p);
          } else if constexpr (std::is_same_v<T, MetadataResponse>) {
            handle_metadata_response_locked(m.from, p);
          }
        },
        m.payload);
  }

  void on_disconnect(NodeId peer) {
    std::lock_guard<std::mutex> g(mu_);
    if (metadata_corr_ != 0 && peer == metadata_broker_) {
      metadata_corr_ = 0;
      ++metadata_next_;
      retry_later_locked();
    }
    if (marker_corr_ != 0 && peer == marker_to_) {
      marker_corr_ = 0;
      if (is_broker(peer)) leader_ = -1;
      retry_later_locked();
    }
  }

  void record(EventType type, int32_t msg, int8_t gen, int32_t producer_id, Result result,
              int64_t offset = -1) {
    Event e;
    e.type = type;
    e.msg = msg;
    e.gen = gen;
    e.producer_id = producer_id;
    e.result = result;
    e.offset = static_cast<int32_t>(offset);
    env_.trace.record(e);
  }

  bool fenced(int64_t producer_id, int16_t epoch) const {
    return producer_id != txn_pid_ || epoch < epoch_;
  }

  void begin_txn_locked() {
    if (status_ != Status::kEmpty) return;
    status_ = Status::kOngoing;
    txn_ = Txn{};
    txn_.serial = ++serial_;
    last_abort_timed_out_ = false;
    uint64_t serial = txn_.serial;
    env_.runtime.after(actor_, txn_timeout_ms_, [this, serial] {
      std::lock_guard<std::mutex> g(mu_);
      if (status_ == Status::kOngoing && txn_.serial == serial) timeout_locked();
    });
  }

  void handle_init_locked(NodeId from, const InitProducerIdRequest& r) {
    InitProducerIdResponse resp;
    resp.correlation_id = r.correlation_id;
    if (!r.transactional) {
      // Every idempotent producer instance (and every KIP-360 bump of one) gets a new id.
      resp.producer_id = next_producer_id_++;
      resp.producer_epoch = 0;
      env_.network.send(kTxnCoordinator, from, resp);
      return;
    }
    if (txn_pid_ < 0) txn_pid_ = next_producer_id_++;
    if (r.transaction_timeout_ms > 0) txn_timeout_ms_ = r.transaction_timeout_ms;
    if (r.producer_epoch >= 0 && fenced(r.producer_id, r.producer_epoch)) {
      resp.error = Error::kProducerFenced;
    } else if (completing(status_)) {
      resp.error = Error::kConcurrentTransactions;
    } else if (status_ == Status::kOngoing) {
      // handleInitProducerId: the previous instance left a transaction open. Fence it with a
      // new epoch and abort its transaction; the new instance retries until that completes.
      ++epoch_;
      record(EventType::kInitProducerId, txn_.msg, txn_.gen, epoch_, Result::kConcurrentTransactions);
      prepare_locked(/*commit=*/false, epoch_);
      resp.error = Error::kConcurrentTransactions;
    } else {
      ++epoch_;
      // A KIP-360 bump after an abortable error is part of the abort, not a new instance.
      if (r.producer_epoch < 0) {
        record(EventType::kInitProducerId, -1, -1, epoch_, Result::kNone);
      }
      resp.producer_id = txn_pid_;
      resp.producer_epoch = epoch_;
    }
    env_.network.send(kTxnCoordinator, from, resp);
    advance_markers_locked();
  }

  void handle_add_partitions_locked(NodeId from, const AddPartitionsToTxnRequest& r) {
    AddPartitionsToTxnResponse resp;
    resp.correlation_id = r.correlation_id;
    if (r.verify_only) {
      // KIP-890 part 1: the leader asks whether this producer's transaction is open and has
      // added the partition.
      bool open = r.producer_id == txn_pid_ && r.producer_epoch == epoch_ &&
                  status_ == Status::kOngoing && txn_.partition;
      resp.error = open ? Error::kNone : Error::kInvalidTxnState;
    } else if (fenced(r.producer_id, r.producer_epoch)) {
      record(EventType::kAddPartitionsToTxn, r.msg, r.gen, r.producer_epoch, Result::kProducerFenced);
      resp.error = Error::kProducerFenced;
    } else if (completing(status_)) {
      resp.error = Error::kConcurrentTransactions;
    } else {
      begin_txn_locked();
      if (txn_.msg < 0) {
        txn_.msg = r.msg;
        txn_.gen = r.gen;
      }
      if (!txn_.partition) {
        txn_.partition = true;
        record(EventType::kAddPartitionsToTxn, r.msg, r.gen, epoch_, Result::kNone);
      }
    }
    env_.network.send(kTxnCoordinator, from, resp);
  }

  void handle_add_offsets_locked(NodeId from, const AddOffsetsToTxnRequest& r) {
    AddOffsetsToTxnResponse resp;
    resp.correlation_id = r.correlation_id;
    if (fenced(r.producer_id, r.producer_epoch)) {
      resp.error = Error::kProducerFenced;
    } else if (completing(status_)) {
      resp.error = Error::kConcurrentTransactions;
    } else {
      begin_txn_locked();
      if (txn_.msg < 0) {
        txn_.msg = r.msg;
        txn_.gen = r.gen;
      }
      txn_.offsets = true;
      txn_.offset = r.offset;
    }
    env_.network.send(kTxnCoordinator, from, resp);
  }

  void handle_end_txn_locked(NodeId from, const EndTxnRequest& r) {
    EndTxnResponse resp;
    resp.correlation_id = r.correlation_id;
    Result decision = r.commit ? Result::kCommitTxn : Result::kAbortTxn;
    bool tv2 = env_.config.epoch_bump_per_transaction;
    if (fenced(r.producer_id, r.producer_epoch)) {
      if (tv2 && !r.commit && last_abort_timed_out_ && r.producer_id == txn_pid_ &&
          r.producer_epoch == epoch_ - 1 && status_ == Status::kEmpty) {
        // KIP-890 part 2: aborting a transaction the coordinator already aborted on timeout
        // succeeds, and the producer goes on with the current epoch.
        record(EventType::kEndTxn, r.msg, r.gen, r.producer_epoch, Result::kAbortTxn);
        last_abort_timed_out_ = false;
        resp.producer_epoch = epoch_;
      } else {
        record(EventType::kEndTxn, r.msg, r.gen, r.producer_epoch, Result::kProducerFenced);
        resp.error = Error::kProducerFenced;
      }
    } else if (completing(status_)) {
      resp.error = Error::kConcurrentTransactions;
    } else {
      // PrepareCommit / PrepareAbort is written; the producer is answered now, the markers
      // follow (TransactionCoordinator.endTransaction).
      if (status_ == Status::kEmpty) {
        begin_txn_locked();  // nothing was added: the markers are a no-op
        txn_.msg = r.msg;
        txn_.gen = r.gen;
      }
      record(EventType::kEndTxn, txn_.msg, txn_.gen, epoch_, decision);
      int16_t marker_epoch = epoch_;
      if (tv2) {
        marker_epoch = ++epoch_;
        resp.producer_epoch = epoch_;
      }
      prepare_locked(r.commit, marker_epoch);
    }
    env_.network.send(kTxnCoordinator, from, resp);
    advance_markers_locked();
  }

  // transaction.timeout.ms: TransactionCoordinator.abortTimedOutTransactions. From 0.11.0.2
  // the abort bumps the epoch (KAFKA-6119), fencing the producer that let it time out.
  void timeout_locked() {
    if (env_.config.version >= KafkaVersion{0, 11, 2}) ++epoch_;
    record(EventType::kTransactionTimeout, txn_.msg, txn_.gen, epoch_, Result::kNone);
    prepare_locked(/*commit=*/false, epoch_);
    last_abort_timed_out_ = true;
    advance_markers_locked();
  }

  void prepare_locked(bool commit, int16_t marker_epoch) {
    status_ = commit ? Status::kPrepareCommit : Status::kPrepareAbort;
    txn_.marker_epoch = marker_epoch;
  }

  // TransactionMarkerChannelManager: the partition leader's marker, then the group
  // coordinator's (which materialises or discards the transaction's offsets), each retried
  // until written; then the transaction is complete.
  void advance_markers_locked() {
    if (!completing(status_) || marker_corr_ != 0) return;
    bool commit = status_ == Status::kPrepareCommit;
    if (txn_.partition && !txn_.partition_marker_done) {
      if (leader_ < 0 || !env_.network.attached(leader_)) {
        leader_ = -1;
        find_leader_locked();
        return;
      }
      send_marker_locked(leader_, commit);
      return;
    }
    if (txn_.offsets && !txn_.group_marker_done) {
      send_marker_locked(kGroupCoordinator, commit);
      return;
    }
    record(EventType::kCompleteTxn, txn_.msg, txn_.gen, -1,
           commit ? Result::kCommitTxn : Result::kAbortTxn,
           commit && txn_.offsets ? txn_.offset : -1);
    if (!commit && txn_.msg >= 0) aborted_sends_.insert({txn_.msg, txn_.gen});
    status_ = Status::kEmpty;
  }

  void send_marker_locked(NodeId to, bool commit) {
    WriteTxnMarkersRequest q;
    q.correlation_id = marker_corr_ = next_correlation_++;
    q.producer_id = txn_pid_;
    q.producer_epoch = txn_.marker_epoch;
    q.commit = commit;
    q.msg = txn_.msg;
    q.gen = txn_.gen;
    marker_to_ = to;
    int64_t corr = marker_corr_;
    env_.network.send(kTxnCoordinator, to, q);
    env_.runtime.after(actor_, env_.config.request_timeout_ms, [this, corr] {
      std::lock_guard<std::mutex> g(mu_);
      if (marker_corr_ != corr) return;
      marker_corr_ = 0;
      if (is_broker(marker_to_)) leader_ = -1;
      advance_markers_locked();
    });
  }

  void handle_marker_response_locked(NodeId from, const WriteTxnMarkersResponse& r) {
    if (r.correlation_id != marker_corr_ || from != marker_to_) return;
    marker_corr_ = 0;
    if (r.error != Error::kNone) {
      if (is_broker(from)) leader_ = -1;  // NOT_LEADER_OR_FOLLOWER: learn the new leader
      retry_later_locked();
      return;
    }
    if (is_broker(from)) {
      txn_.partition_marker_done = true;
    } else {
      txn_.group_marker_done = true;
    }
    advance_markers_locked();
  }

  void retry_later_locked() {
    env_.runtime.after(actor_, env_.timings.retry_backoff_ms, [this] {
      std::lock_guard<std::mutex> g(mu_);
      advance_markers_locked();
    });
  }

  // Metadata from the brokers in turn: who leads the partition.
  void find_leader_locked() {
    if (metadata_corr_ != 0) return;
    int rf = std::max(1, env_.config.replication_factor);
    for (int tries = 0; tries < rf; ++tries) {
      NodeId b = static_cast<NodeId>(metadata_next_ % rf);
      if (!env_.network.attached(b)) {
        ++metadata_next_;
        continue;
      }
      int64_t corr = metadata_corr_ = next_correlation_++;
      metadata_broker_ = b;
      env_.network.send(kTxnCoordinator, b, MetadataRequest{corr});
      env_.runtime.after(actor_, env_.config.request_timeout_ms, [this, corr] {
        std::lock_guard<std::mutex> g(mu_);
        if (metadata_corr_ != corr) return;
        metadata_corr_ = 0;
        ++metadata_next_;
        advance_markers_locked();
      });
      return;
    }
    retry_later_locked();
  }

  void handle_metadata_response_locked(NodeId from, const MetadataResponse& r) {
    if (r.correlation_id != metadata_corr_ || from != metadata_broker_) return;
    metadata_corr_ = 0;
    ++metadata_next_;
    if (r.leader < 0) {
      retry_later_locked();
      return;
    }
    leader_ = r.leader;
    advance_markers_locked();
  }

  const Env& env_;
  ActorId actor_ = -1;
  mutable std::mutex mu_;

  int64_t next_producer_id_ = 0;
  int64_t next_correlation_ = 1;
  // The transactional.id: its producer id, newest epoch, and transaction.
  int64_t txn_pid_ = -1;
  int16_t epoch_ = 0;
  int64_t txn_timeout_ms_;
  Status status_ = Status::kEmpty;
  std::set<std::pair<int32_t, int8_t>> aborted_sends_;  // completed aborts, per send
  Txn txn_;
  uint64_t serial_ = 0;
  bool last_abort_timed_out_ = false;

  int64_t marker_corr_ = 0;
  NodeId marker_to_ = -1;
  NodeId leader_ = -1;
  int64_t metadata_corr_ = 0;
  NodeId metadata_broker_ = -1;
  int metadata_next_ = 0;
};

TransactionCoordinator::TransactionCoordinator(const Env& env) : impl_(std::make_unique<Impl>(env)) {}
TransactionCoordinator::~TransactionCoordinator() = default;
bool TransactionCoordinator::busy() const { return impl_->busy(); }
std::set<std::pair<int32_t, int8_t>> TransactionCoordinator::aborted_sends() const {
  return impl_->aborted_sends();
}

}  // namespace kdc::impl
