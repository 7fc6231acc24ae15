// Transactions (KIP-98, KIP-447, KIP-890): between the transactional producer, the
// transaction coordinator, the group coordinator and partition leaders.
#ifndef KDC_IMPL_PROTOCOL_TXN_H_
#define KDC_IMPL_PROTOCOL_TXN_H_

#include <cstdint>

#include "impl/protocol/errors.h"
#include "impl/protocol/records.h"

namespace kdc::impl {

struct InitProducerIdRequest {
  int64_t correlation_id = 0;
  bool transactional = false;
  int32_t transaction_timeout_ms = 60000;
  int64_t producer_id = -1;    // KIP-360: the current id/epoch when bumping after an error
  int16_t producer_epoch = -1;
};

struct InitProducerIdResponse {
  int64_t correlation_id = 0;
  Error error = Error::kNone;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
};

struct AddPartitionsToTxnRequest {
  int64_t correlation_id = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  bool verify_only = false;  // KIP-890: a leader asks whether the transaction is open
  // The transaction's first record (not in Kafka's request: the coordinator names the
  // transaction by it in its trace events).
  int32_t msg = -1;
  int8_t gen = -1;
};

struct AddPartitionsToTxnResponse {
  int64_t correlation_id = 0;
  Error error = Error::kNone;
};

struct AddOffsetsToTxnRequest {
  int64_t correlation_id = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  // Trace bookkeeping, not in Kafka's request: the input offset the processor commits with
  // the transaction (its TxnOffsetCommit carries it to the group coordinator), so that the
  // coordinator's complete_txn can name it; and the transaction's record.
  int64_t offset = -1;
  int32_t msg = -1;
  int8_t gen = -1;
};

struct AddOffsetsToTxnResponse {
  int64_t correlation_id = 0;
  Error error = Error::kNone;
};

// To the group coordinator: the processor's input offset, committed with the transaction.
struct TxnOffsetCommitRequest {
  int64_t correlation_id = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t generation = -1;  // KIP-447
  int64_t offset = -1;
};

struct TxnOffsetCommitResponse {
  int64_t correlation_id = 0;
  Error error = Error::kNone;
};

struct EndTxnRequest {
  int64_t correlation_id = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  bool commit = true;
  int32_t msg = -1;  // trace bookkeeping: the transaction's record
  int8_t gen = -1;
};

struct EndTxnResponse {
  int64_t correlation_id = 0;
  Error error = Error::kNone;
  // transaction.version=2 (KIP-890 part 2): the epoch bumped by this commit/abort, which the
  // producer uses from now on; -1 otherwise.
  int16_t producer_epoch = -1;
};

// From the transaction coordinator to the partition leader (and, for offsets, to the
// group coordinator): write the COMMIT/ABORT marker.
struct WriteTxnMarkersRequest {
  int64_t correlation_id = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;  // the marker's epoch (bumped when the abort fences)
  bool commit = true;
  // Trace bookkeeping: the transaction's record, for the leader's write_txn_marker event.
  int32_t msg = -1;
  int8_t gen = -1;
};

struct WriteTxnMarkersResponse {
  int64_t correlation_id = 0;
  Error error = Error::kNone;
  int64_t offset = -1;  // where the marker was written
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_PROTOCOL_TXN_H_
