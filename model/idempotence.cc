#include "model/idempotence.h"

namespace kdc {

SequenceCheck check_sequence(const Replica& leader, int producer_id, int seq) {
  int last = -1;
  for (int i = leader.log_end_offset - 1; i >= 0; --i) {
    if (leader.log[i].producer_id() == producer_id) {
      last = leader.log[i].seq();
      break;
    }
  }
  SequenceCheck check;
  if (seq == last + 1) return check;
  if (last >= 0 && seq <= last) {
    check.kind = SequenceCheck::kDuplicate;
    for (int i = 0; i < leader.log_end_offset; ++i)
      if (leader.log[i].producer_id() == producer_id && leader.log[i].seq() == seq)
        check.duplicate_offset = i;
    return check;
  }
  check.kind = SequenceCheck::kOutOfOrder;
  return check;
}

}  // namespace kdc
