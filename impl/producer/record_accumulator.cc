#include "impl/producer/record_accumulator.h"

#include <algorithm>

namespace kdc::impl {

void RecordAccumulator::append(PendingRecord record, Millis now) {
  if (!q_.empty()) {
    ProducerBatch& last = *q_.back();
    if (last.attempts == 0 && !last.has_sequence() &&
        static_cast<int>(last.records.size()) < batch_records_) {
      last.records.push_back(std::move(record));
      return;
    }
  }
  auto batch = std::make_shared<ProducerBatch>();
  batch->created_ms = now;
  batch->records.push_back(std::move(record));
  q_.push_back(std::move(batch));
}

BatchPtr RecordAccumulator::ready(Millis now, bool flush, Millis* wake) const {
  if (q_.empty()) return nullptr;
  const BatchPtr& b = q_.front();
  if (b->attempts > 0) {
    // A retry is ready once its backoff has passed (RecordAccumulator.ready: backingOff).
    if (now >= b->retry_at) return b;
    *wake = std::min(*wake, b->retry_at);
    return nullptr;
  }
  bool full = q_.size() > 1 || static_cast<int>(b->records.size()) >= batch_records_;
  if (full || flush || now >= b->created_ms + linger_ms_) return b;
  *wake = std::min(*wake, b->created_ms + linger_ms_);
  return nullptr;
}

BatchPtr RecordAccumulator::pop_front() {
  if (q_.empty()) return nullptr;
  BatchPtr b = q_.front();
  q_.pop_front();
  return b;
}

void RecordAccumulator::reenqueue(BatchPtr batch) {
  if (!batch->has_sequence()) {
    q_.push_front(std::move(batch));
    return;
  }
  auto it = q_.begin();
  while (it != q_.end() && (*it)->has_sequence() &&
         (*it)->base_sequence < batch->base_sequence) {
    ++it;
  }
  q_.insert(it, std::move(batch));
}

std::vector<BatchPtr> RecordAccumulator::expire(Millis now, Millis timeout, Millis* wake) {
  std::vector<BatchPtr> expired;
  while (!q_.empty()) {
    Millis deadline = q_.front()->created_ms + timeout;
    if (now < deadline) {
      *wake = std::min(*wake, deadline);
      break;
    }
    expired.push_back(q_.front());
    q_.pop_front();
  }
  return expired;
}

bool RecordAccumulator::remove(const BatchPtr& batch) {
  auto it = std::find(q_.begin(), q_.end(), batch);
  if (it == q_.end()) return false;
  q_.erase(it);
  return true;
}

std::vector<BatchPtr> RecordAccumulator::take_all() {
  std::vector<BatchPtr> all(q_.begin(), q_.end());
  q_.clear();
  return all;
}

}  // namespace kdc::impl
