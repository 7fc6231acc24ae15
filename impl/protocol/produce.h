// Produce and Metadata: the producer's requests to partition leaders.
#ifndef KDC_IMPL_PROTOCOL_PRODUCE_H_
#define KDC_IMPL_PROTOCOL_PRODUCE_H_

#include <cstdint>
#include <vector>

#include "impl/protocol/errors.h"
#include "impl/protocol/records.h"

namespace kdc::impl {

struct ProduceRequest {
  int64_t correlation_id = 0;
  int16_t acks = -1;          // 0, 1 or -1 (all)
  int32_t timeout_ms = 30000;  // how long acks=all may wait in the purgatory
  RecordBatch batch;
};

struct ProduceResponse {
  int64_t correlation_id = 0;
  Error error = Error::kNone;
  int64_t base_offset = -1;  // of the batch (the earlier copy's for a duplicate)
  bool duplicate = false;    // idempotent dedup answered success for an earlier copy
  int32_t leader_epoch = -1;
};

struct MetadataRequest {
  int64_t correlation_id = 0;
};

struct MetadataResponse {
  int64_t correlation_id = 0;
  NodeId leader = -1;  // -1: no leader
  int32_t leader_epoch = -1;
  std::vector<NodeId> replicas;
  std::vector<NodeId> isr;
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_PROTOCOL_PRODUCE_H_
