#include "model/idempotence.h"

namespace kdc {

namespace {
constexpr int kCachedBatches = 5;  // ProducerStateEntry.NUM_BATCHES_TO_RETAIN
}

SequenceCheck check_sequence(const Config& config, const Replica& leader, int producer_id, int seq) {
  SequenceCheck check;
  int last = -1, cached = 0;
  for (int i = leader.log_end_offset - 1; i >= 0 && cached < kCachedBatches; --i) {
    const Record& r = leader.log[i];
    if (r.is_control() || r.producer_id() != producer_id) continue;
    if (last < 0) last = r.seq();
    ++cached;
    if (r.seq() == seq) {
      check.kind = SequenceCheck::kDuplicate;
      check.duplicate_offset = i;
      return check;
    }
  }
  if (last < 0) {  // no state for this producer id
    if (seq == 0 || config.version >= KafkaVersion{2, 5, 0}) return check;
    check.kind = SequenceCheck::kOutOfOrder;
    return check;
  }
  if (seq != last + 1) check.kind = SequenceCheck::kOutOfOrder;
  return check;
}

}  // namespace kdc
