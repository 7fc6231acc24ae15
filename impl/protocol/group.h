// The consumer group coordinator: membership (generations), committed offsets.
#ifndef KDC_IMPL_PROTOCOL_GROUP_H_
#define KDC_IMPL_PROTOCOL_GROUP_H_

#include <cstdint>

#include "impl/protocol/errors.h"
#include "impl/protocol/records.h"

namespace kdc::impl {

struct JoinGroupRequest {
  int64_t correlation_id = 0;
};

struct JoinGroupResponse {
  int64_t correlation_id = 0;
  Error error = Error::kNone;
  int32_t generation = -1;
};

struct HeartbeatRequest {
  int64_t correlation_id = 0;
  int32_t generation = -1;
};

struct HeartbeatResponse {
  int64_t correlation_id = 0;
  Error error = Error::kNone;  // kRebalanceInProgress / kIllegalGeneration: rejoin
};

// Which client API issued a commit. Kafka's wire has no such field; the coordinator uses it
// only to name the step in the trace when the offset takes effect (or is refused), because
// that is the moment the commit happens (the client learns of it one network hop later).
enum class CommitKind : uint8_t { kSync, kAsync, kAuto };

struct OffsetCommitRequest {
  int64_t correlation_id = 0;
  int32_t generation = -1;
  int64_t offset = -1;
  int32_t leader_epoch = -1;  // KIP-320: the epoch of the record before `offset`
  CommitKind kind = CommitKind::kSync;
};

struct OffsetCommitResponse {
  int64_t correlation_id = 0;
  Error error = Error::kNone;  // kIllegalGeneration: CommitFailedException
};

struct OffsetFetchRequest {
  int64_t correlation_id = 0;
};

struct OffsetFetchResponse {
  int64_t correlation_id = 0;
  Error error = Error::kNone;
  int64_t offset = -1;  // -1: no committed offset
  int32_t leader_epoch = -1;
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_PROTOCOL_GROUP_H_
