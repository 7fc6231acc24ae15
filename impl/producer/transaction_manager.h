// The producer's idempotence and transaction state (TransactionManager.java): the producer
// id and epoch, the sequence numbers of the partition, the last acknowledged sequence, and
// the transaction's state machine as the application drives it.
//
// Not thread-safe: the producer's mutex guards it.
#ifndef KDC_IMPL_PRODUCER_TRANSACTION_MANAGER_H_
#define KDC_IMPL_PRODUCER_TRANSACTION_MANAGER_H_

#include <cstdint>

#include "impl/producer/record_accumulator.h"
#include "impl/protocol/errors.h"
#include "model/vocabulary/config.h"

namespace kdc::impl {

enum class TxnState : uint8_t {
  kUninitialized,   // before initTransactions()
  kInitializing,    // InitProducerId in progress
  kReady,           // no open transaction
  kInTransaction,   // beginTransaction() called
  kCommitting,      // commitTransaction(): flushing, then EndTxn(commit)
  kAborting,        // abortTransaction(): in-flight requests finish, then EndTxn(abort)
  kAbortableError,  // a request failed: the application must abort
  kFatalError,      // fenced: the instance is done
};

class TransactionManager {
 public:
  TransactionManager(bool idempotent, bool transactional, KafkaVersion version)
      : idempotent_(idempotent || transactional), transactional_(transactional), version_(version) {}

  bool idempotent() const { return idempotent_; }
  bool transactional() const { return transactional_; }

  // Producer id and epoch -------------------------------------------------------------
  bool has_producer_id() const { return producer_id_ >= 0; }
  int64_t producer_id() const { return producer_id_; }
  int16_t epoch() const { return epoch_; }
  // A new id or epoch: sequence numbers start again at 0, nothing is acknowledged under it.
  void set_producer_id(int64_t id, int16_t epoch);
  // KIP-360: the idempotent producer needs a new producer id/epoch before it drains again.
  void request_epoch_bump() { bump_requested_ = true; }
  bool bump_requested() const { return bump_requested_; }
  void clear_bump() { bump_requested_ = false; }

  // The producer_id of trace events: the coordinator's producer id for an idempotent
  // producer, the epoch for a transactional one (docs/trace-format.md); -1 without
  // idempotence.
  int32_t event_producer_id() const;
  int32_t event_producer_id(const ProducerBatch& b) const;

  // True if `b` was numbered under the current producer id and epoch.
  bool numbered_under_current(const ProducerBatch& b) const;
  // Gives an unnumbered batch the next sequence numbers (at its first drain).
  void number(ProducerBatch& b);
  void acknowledged(const ProducerBatch& b);

  // OUT_OF_ORDER_SEQUENCE_NUMBER for an idempotent, non-transactional batch
  // (TransactionManager.canRetry as docs/model.md section 4 restates it).
  enum class Verdict { kRetry, kBumpAndRetry, kFail };
  Verdict out_of_order(const ProducerBatch& b) const;

  // Transactions ----------------------------------------------------------------------
  TxnState state() const { return state_; }
  void set_state(TxnState s) { state_ = s; }
  Error last_error() const { return last_error_; }
  void abortable(Error e);  // no-op once fatal
  void fatal(Error e);
  bool has_error() const {
    return state_ == TxnState::kAbortableError || state_ == TxnState::kFatalError;
  }
  void begin() {
    state_ = TxnState::kInTransaction;
    partition_added_ = partition_queued_ = offsets_added_ = false;
    txn_msg_ = -1;
    txn_gen_ = -1;
    last_error_ = Error::kNone;
  }
  // The partition is in the transaction (AddPartitionsToTxn answered); sends may drain.
  bool partition_added() const { return partition_added_; }
  void set_partition_added() { partition_added_ = true; }
  bool partition_queued() const { return partition_queued_; }
  void set_partition_queued() { partition_queued_ = true; }
  void set_offsets_added() { offsets_added_ = true; }
  // TransactionManager.transactionStarted: the coordinator has the partition or the
  // offsets; otherwise there is nothing for EndTxn to complete.
  bool transaction_started() const { return partition_added_ || offsets_added_; }
  void set_txn_record(int32_t msg, int8_t gen) {
    if (txn_msg_ < 0) {
      txn_msg_ = msg;
      txn_gen_ = gen;
    }
  }
  int32_t txn_msg() const { return txn_msg_; }
  int8_t txn_gen() const { return txn_gen_; }

 private:
  const bool idempotent_;
  const bool transactional_;
  const KafkaVersion version_;
  int64_t producer_id_ = -1;
  int16_t epoch_ = -1;
  int32_t next_sequence_ = 0;
  int32_t last_acked_ = -1;
  bool bump_requested_ = false;

  TxnState state_ = TxnState::kUninitialized;
  Error last_error_ = Error::kNone;
  bool partition_added_ = false;
  bool partition_queued_ = false;
  bool offsets_added_ = false;
  int32_t txn_msg_ = -1;
  int8_t txn_gen_ = -1;
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_PRODUCER_TRANSACTION_MANAGER_H_
