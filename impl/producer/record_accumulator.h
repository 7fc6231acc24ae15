// The record accumulator (RecordAccumulator.java): the queue of batches between the
// application's send() and the sender. One partition, so one deque.
//
// Not thread-safe: the producer's mutex guards it (the application appends, the sender
// drains, re-enqueues and expires, each under that lock).
#ifndef KDC_IMPL_PRODUCER_RECORD_ACCUMULATOR_H_
#define KDC_IMPL_PRODUCER_RECORD_ACCUMULATOR_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "impl/producer/kafka_producer.h"
#include "impl/runtime/runtime.h"

namespace kdc::impl {

struct PendingRecord {
  int32_t msg = -1;
  int8_t gen = -1;
  uint64_t id = 0;  // the producer's handle for unresolved()
  SendCallback callback;
};

// ProducerBatch.java: records appended together, sent, retried and expired together.
struct ProducerBatch {
  Millis created_ms = 0;  // delivery.timeout.ms and linger.ms count from here
  std::vector<PendingRecord> records;
  int attempts = 0;       // Produce requests sent with this batch
  Millis retry_at = 0;    // a retry waits retry.backoff.ms
  // Idempotence: given at the first drain, kept across retries (ProducerBatch.setProducerState).
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  bool transactional = false;

  bool has_sequence() const { return base_sequence >= 0; }
  void clear_sequence() {
    producer_id = -1;
    producer_epoch = -1;
    base_sequence = -1;
  }
};
using BatchPtr = std::shared_ptr<ProducerBatch>;

class RecordAccumulator {
 public:
  RecordAccumulator(int batch_records, Millis linger_ms)
      : batch_records_(batch_records < 1 ? 1 : batch_records), linger_ms_(linger_ms) {}

  // Appends to the last batch while it is open (never drained, not full), else starts one.
  void append(PendingRecord record, Millis now);

  // The front batch if the sender may drain it at `now`: it is full, or not the last batch,
  // or has lingered linger.ms, or `flush` (commitTransaction/flush()), and a retry has
  // waited out its backoff. Otherwise null, and *wake is lowered to when it will be ready.
  BatchPtr ready(Millis now, bool flush, Millis* wake) const;
  BatchPtr front() const { return q_.empty() ? nullptr : q_.front(); }
  BatchPtr pop_front();

  // A retry goes back to the front (Deque.addFirst), so several retries of one failure end
  // up reversed. A numbered batch goes in sequence order among the numbered batches at the
  // front (insertInSequenceOrder), or a later batch drained first would block it for ever.
  void reenqueue(BatchPtr batch);

  // Removes and returns the front batches created `timeout` ms or more before `now`
  // (expiredBatches); lowers *wake to the next expiry.
  std::vector<BatchPtr> expire(Millis now, Millis timeout, Millis* wake);

  // Removes `batch` wherever it is in the queue (a delivery-timeout fault: the batch's
  // deadline came first); false if it is not queued.
  bool remove(const BatchPtr& batch);

  std::vector<BatchPtr> take_all();  // abortUndrainedBatches
  bool empty() const { return q_.empty(); }
  const std::deque<BatchPtr>& batches() const { return q_; }

 private:
  int batch_records_;
  Millis linger_ms_;
  std::deque<BatchPtr> q_;
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_PRODUCER_RECORD_ACCUMULATOR_H_
