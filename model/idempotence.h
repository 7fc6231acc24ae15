// Broker-side duplicate detection for the idempotent producer (KIP-98). The leader keeps,
// per producer id, the last sequence number it appended; Kafka rebuilds that state from
// the log on restart, so the model derives it from the log and nothing else.
#ifndef KDC_MODEL_IDEMPOTENCE_H_
#define KDC_MODEL_IDEMPOTENCE_H_

#include "model/state.h"

namespace kdc {

struct SequenceCheck {
  enum Kind { kAppend, kDuplicate, kOutOfOrder } kind = kAppend;
  int duplicate_offset = -1;  // kDuplicate: where the earlier copy is (-1 if no longer cached)
};

// seq == last + 1 (or 0 for a producer id the log has never seen): append.
// seq <= last: a retry of something already written: duplicate, answered with success.
// Anything else: OUT_OF_ORDER_SEQUENCE_NUMBER.
SequenceCheck check_sequence(const Replica& leader, int producer_id, int seq);

}  // namespace kdc

#endif  // KDC_MODEL_IDEMPOTENCE_H_
