#include "model/sink.h"

#include <algorithm>

namespace kdc {

void apply_to_sink(State* s, const PolledRecord& record) {
  SinkState& sink = s->sink;
  const int m = polled_msg(record);
  if (sink.count[m] == 0) {
    sink.first[m] = record;
    if (sink.highest_first > m) s->effects |= bit(Effect::kReordered);
    sink.highest_first = int8_t(std::max<int>(sink.highest_first, m));
  } else {
    const PolledRecord& first = sink.first[m];
    // Another send() of the message, another copy of the same send(), or the very same
    // record (same offset written in the same leader epoch) processed again.
    if (polled_gen(first) != polled_gen(record))
      s->effects |= bit(Effect::kDupApp);
    else if (first.offset != record.offset || first.epoch != record.epoch)
      s->effects |= bit(Effect::kDupInternal);
    else
      s->effects |= bit(Effect::kDupProcessed);
  }
  sink.count[m] = uint8_t(std::min(3, sink.count[m] + 1));
}

}  // namespace kdc
