// Idempotent and transactional producer state of the partition (Kafka's
// ProducerStateManager): per producer id its epoch, the metadata of its last 5 batches
// (ProducerStateEntry.NUM_BATCHES_TO_RETAIN) and the first offset of its open transaction.
// It is derived from the log alone: rebuilt from the log at recovery and after truncation,
// and updated as the log grows, on leaders and followers alike, so a new leader
// de-duplicates what its log holds.
//
// Also the transaction index questions asked of the log: the last stable offset and the
// aborted transactions a read_committed fetch must filter.
#ifndef KDC_IMPL_BROKER_PRODUCER_STATE_H_
#define KDC_IMPL_BROKER_PRODUCER_STATE_H_

#include <cstdint>
#include <deque>
#include <map>
#include <vector>

#include "impl/broker/partition_log.h"
#include "impl/protocol/errors.h"
#include "impl/protocol/fetch.h"
#include "impl/protocol/records.h"
#include "model/vocabulary/config.h"
#include "model/vocabulary/event.h"

namespace kdc::impl {

struct BatchMetadata {
  int32_t first_seq = -1;
  int32_t last_seq = -1;
  int64_t first_offset = -1;
  int64_t last_offset = -1;
};

struct ProducerEntry {
  int16_t epoch = -1;
  int32_t last_seq = -1;              // of the newest batch in this epoch (-1: none)
  std::deque<BatchMetadata> batches;  // newest last, at most kBatchesRetained
  int64_t txn_first_offset = -1;      // open transaction on this partition (-1: none)
};

constexpr size_t kBatchesRetained = 5;

// What the sequence and epoch checks decide for one produce batch.
struct ProducerCheck {
  enum Kind { kAppend, kDuplicate, kReject };
  Kind kind = kAppend;
  int64_t duplicate_first_offset = -1;  // kDuplicate: where the earlier copy starts
  Error error = Error::kNone;           // kReject: Kafka's error ...
  Result result = Result::kNone;        // ... and its name in the trace vocabulary
};

class ProducerStateManager {
 public:
  explicit ProducerStateManager(KafkaVersion version) : version_(version) {}

  // ProducerStateEntry.findDuplicateBatch, then ProducerAppendInfo.checkProducerEpoch and
  // checkSequence, in Kafka's order.
  ProducerCheck check(const RecordBatch& batch) const;
  // The log grew by `entries` (data records and markers).
  void on_append(const std::vector<LogEntry>& entries);
  // After recovery or truncation.
  void rebuild(const std::vector<LogEntry>& log);

  const ProducerEntry* find(int64_t producer_id) const;

 private:
  KafkaVersion version_;
  std::map<int64_t, ProducerEntry> producers_;
  // The batch whose last record has not been appended yet (a follower's fetch may end
  // inside a batch).
  BatchMetadata pending_;
};

// UnifiedLog.lastStableOffset: the first offset of the earliest transaction that is open,
// or whose marker is not yet below the high watermark; else the high watermark.
int64_t last_stable_offset(const std::vector<LogEntry>& log, int64_t high_watermark);
// The aborted transactions that overlap [from, to): their producer id and first offset.
std::vector<AbortedTransaction> aborted_transactions(const std::vector<LogEntry>& log, int64_t from,
                                                     int64_t to);

}  // namespace kdc::impl

#endif  // KDC_IMPL_BROKER_PRODUCER_STATE_H_
