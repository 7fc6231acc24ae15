// What a partition log stores: records in batches, as the producer writes them and the
// leader assigns offsets and its leader epoch. One topic with one partition throughout
// impl/, as in the model (docs/model.md, section 1).
#ifndef KDC_IMPL_PROTOCOL_RECORDS_H_
#define KDC_IMPL_PROTOCOL_RECORDS_H_

#include <cstdint>
#include <vector>

namespace kdc::impl {

using NodeId = int32_t;

// Addresses on the network. Brokers are 0 .. replication.factor-1.
constexpr NodeId kController = 100;        // the KRaft controller (never fails, as in the model)
constexpr NodeId kGroupCoordinator = 101;  // consumer group offsets (never fails)
constexpr NodeId kTxnCoordinator = 102;    // transaction coordinator (never fails)
constexpr NodeId kProducerBase = 200;      // producer instance k is kProducerBase + k
constexpr NodeId kConsumerBase = 300;      // consumer instance k is kConsumerBase + k

inline bool is_broker(NodeId n) { return n >= 0 && n < kController; }

// A control record of a transaction (KIP-98).
enum class Control : uint8_t { kNone, kCommit, kAbort };

struct Record {
  int64_t offset = -1;        // assigned by the leader at append
  int32_t leader_epoch = -1;  // the epoch of the leader that appended it
  // The payload: which message of the workload, and which application send() of it.
  int32_t msg = -1;
  int8_t gen = -1;
  // Idempotent / transactional producer metadata (the batch's, repeated per record).
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t seq = -1;
  bool transactional = false;
  Control control = Control::kNone;  // a commit/abort marker carries no msg
  bool operator==(const Record&) const = default;
};

// One producer batch: records with consecutive sequence numbers from base_sequence.
struct RecordBatch {
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  bool transactional = false;
  std::vector<Record> records;
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_PROTOCOL_RECORDS_H_
