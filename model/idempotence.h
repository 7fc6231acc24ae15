// Broker-side duplicate detection for the idempotent producer (KIP-98). The leader keeps,
// per producer id, the metadata of its last five batches; Kafka rebuilds that state from
// the log on restart, so the model derives it from the log and nothing else.
#ifndef KDC_MODEL_IDEMPOTENCE_H_
#define KDC_MODEL_IDEMPOTENCE_H_

#include "model/state.h"
#include "model/vocabulary/config.h"

namespace kdc {

struct SequenceCheck {
  enum Kind { kAppend, kDuplicate, kOutOfOrder } kind = kAppend;
  int duplicate_offset = -1;  // kDuplicate: where the earlier copy is
};

// ProducerAppendInfo.checkSequence and ProducerStateEntry.findDuplicateBatch:
//  - a batch matching one of the producer id's last 5 batches: duplicate, answered with
//    the original offset;
//  - seq == last + 1: append;
//  - a producer id the log has no record of: seq 0 appends; from 2.5 any seq does (the
//    broker has no state to contradict it), before 2.5 it is rejected (UNKNOWN_PRODUCER_ID,
//    which the model reports as OUT_OF_ORDER_SEQUENCE_NUMBER);
//  - anything else: OUT_OF_ORDER_SEQUENCE_NUMBER.
SequenceCheck check_sequence(const Config& config, const Replica& leader, int producer_id, int seq);

}  // namespace kdc

#endif  // KDC_MODEL_IDEMPOTENCE_H_
