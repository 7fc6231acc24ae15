#include "impl/producer/transaction_manager.h"

#include <algorithm>

namespace kdc::impl {

void TransactionManager::set_producer_id(int64_t id, int16_t epoch) {
  producer_id_ = id;
  epoch_ = epoch;
  next_sequence_ = 0;
  last_acked_ = -1;
  bump_requested_ = false;
}

int32_t TransactionManager::event_producer_id() const {
  if (!idempotent_ || producer_id_ < 0) return -1;
  return transactional_ ? epoch_ : static_cast<int32_t>(producer_id_);
}

int32_t TransactionManager::event_producer_id(const ProducerBatch& b) const {
  if (!idempotent_ || b.producer_id < 0) return -1;
  return transactional_ ? b.producer_epoch : static_cast<int32_t>(b.producer_id);
}

bool TransactionManager::numbered_under_current(const ProducerBatch& b) const {
  return b.has_sequence() && b.producer_id == producer_id_ && b.producer_epoch == epoch_;
}

void TransactionManager::number(ProducerBatch& b) {
  if (!idempotent_ || b.has_sequence()) return;
  b.producer_id = producer_id_;
  b.producer_epoch = epoch_;
  b.base_sequence = next_sequence_;
  b.transactional = transactional_;
  next_sequence_ += static_cast<int32_t>(b.records.size());
}

void TransactionManager::acknowledged(const ProducerBatch& b) {
  if (!numbered_under_current(b)) return;
  last_acked_ = std::max(last_acked_, b.base_sequence + static_cast<int32_t>(b.records.size()) - 1);
}

TransactionManager::Verdict TransactionManager::out_of_order(const ProducerBatch& b) const {
  // Numbered under an older id: it is renumbered when drained again.
  if (!numbered_under_current(b)) return Verdict::kRetry;
  // At or below what is acknowledged: the broker refuses it for ever (KAFKA-14884); Kafka
  // retries until delivery.timeout.ms, which the model folds into this response.
  if (b.base_sequence <= last_acked_) return Verdict::kFail;
  // An earlier batch is unresolved: wait for it.
  if (b.base_sequence > last_acked_ + 1) return Verdict::kRetry;
  // The next expected batch: a real gap, the broker lost the earlier writes. KIP-360 (2.5+)
  // bumps the epoch and retries; before, OutOfOrderSequenceException.
  if (version_ >= KafkaVersion{2, 5, 0}) return Verdict::kBumpAndRetry;
  return Verdict::kFail;
}

void TransactionManager::abortable(Error e) {
  if (state_ == TxnState::kFatalError) return;
  // An abort under way stays one: the error only explains it.
  if (state_ != TxnState::kAborting) state_ = TxnState::kAbortableError;
  if (last_error_ == Error::kNone) last_error_ = e;
}

void TransactionManager::fatal(Error e) {
  state_ = TxnState::kFatalError;
  last_error_ = e;
}

}  // namespace kdc::impl
