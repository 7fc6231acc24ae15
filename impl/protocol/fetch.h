// Fetch (followers and consumers), OffsetsForLeaderEpoch (KIP-101/279/320) and ListOffsets.
#ifndef KDC_IMPL_PROTOCOL_FETCH_H_
#define KDC_IMPL_PROTOCOL_FETCH_H_

#include <cstdint>
#include <vector>

#include "impl/protocol/errors.h"
#include "impl/protocol/records.h"

namespace kdc::impl {

enum class IsolationLevel : uint8_t { kReadUncommitted, kReadCommitted };

struct FetchRequest {
  int64_t correlation_id = 0;
  NodeId replica_id = -1;            // the follower; -1 for a consumer
  int64_t fetch_offset = 0;
  int32_t current_leader_epoch = -1; // the epoch the fetcher believes current (KIP-320)
  int32_t last_fetched_epoch = -1;   // epoch of the record before fetch_offset (KIP-595 divergence)
  int32_t max_records = 500;
  IsolationLevel isolation = IsolationLevel::kReadUncommitted;
};

struct AbortedTransaction {
  int64_t producer_id = -1;
  int64_t first_offset = -1;
};

struct FetchResponse {
  int64_t correlation_id = 0;
  Error error = Error::kNone;
  int64_t high_watermark = -1;
  int64_t last_stable_offset = -1;
  int64_t log_end_offset = -1;
  int32_t leader_epoch = -1;
  std::vector<Record> records;
  // Set when the fetcher's log diverges from the leader's (2.8+, KAFKA-10554).
  int32_t diverging_epoch = -1;
  int64_t diverging_end_offset = -1;
  std::vector<AbortedTransaction> aborted;  // read_committed
  // Parallel to `records` for a follower: 1 where a record closes its producer batch (the
  // boundaries idempotent de-duplication compares). Empty: every record is its own batch.
  std::vector<uint8_t> batch_last;
};

struct OffsetsForLeaderEpochRequest {
  int64_t correlation_id = 0;
  NodeId replica_id = -1;            // -1 for a consumer (KIP-320)
  int32_t current_leader_epoch = -1;
  int32_t leader_epoch = 0;          // the epoch whose end offset is asked for
};

struct OffsetsForLeaderEpochResponse {
  int64_t correlation_id = 0;
  Error error = Error::kNone;
  int32_t leader_epoch = -1;  // the largest epoch <= the one asked for
  int64_t end_offset = -1;    // where that epoch ends in the leader's log
};

struct ListOffsetsRequest {
  int64_t correlation_id = 0;
  int64_t timestamp = -1;  // -2 earliest, -1 latest
  IsolationLevel isolation = IsolationLevel::kReadUncommitted;
};

struct ListOffsetsResponse {
  int64_t correlation_id = 0;
  Error error = Error::kNone;
  int64_t offset = -1;
  int32_t leader_epoch = -1;
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_PROTOCOL_FETCH_H_
