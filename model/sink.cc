#include "model/sink.h"

#include <algorithm>

namespace kdc {

void mark_aborted(State* s, int msg, int gen) {
  s->coordinator.aborted_gens[msg] |= uint8_t(1u << gen);
  if ((s->sink.applied_gens[msg] >> gen) & 1) s->effects |= bit(Effect::kUncommitted);
}

bool delivered(const State& s, int msg) {
  return (s.sink.applied_gens[msg] & ~s.coordinator.aborted_gens[msg]) != 0;
}

void apply_to_sink(State* s, const PolledRecord& record) {
  SinkState& sink = s->sink;
  const int m = polled_msg(record);
  const uint8_t aborted = s->coordinator.aborted_gens[m];
  sink.applied_gens[m] |= uint8_t(1u << polled_gen(record));
  // A record of an aborted transaction took effect: V_unc, whatever else it duplicates.
  if ((aborted >> polled_gen(record)) & 1) s->effects |= bit(Effect::kUncommitted);
  if (sink.count[m] == 0) {
    sink.first[m] = record;
    if (sink.highest_first > m) s->effects |= bit(Effect::kReordered);
    sink.highest_first = int8_t(std::max<int>(sink.highest_first, m));
  } else {
    const PolledRecord& first = sink.first[m];
    // Another send() of the message, another copy of the same send(), or the very same
    // record (same offset written in the same leader epoch) processed again. A copy of an
    // aborted transaction is V_unc already.
    const bool either_aborted =
        ((aborted >> polled_gen(first)) & 1) || ((aborted >> polled_gen(record)) & 1);
    if (either_aborted)
      s->effects |= bit(Effect::kUncommitted);
    else if (polled_gen(first) != polled_gen(record))
      s->effects |= bit(Effect::kDupApp);
    else if (first.offset != record.offset || first.epoch != record.epoch)
      s->effects |= bit(Effect::kDupInternal);
    else
      s->effects |= bit(Effect::kDupProcessed);
  }
  sink.count[m] = uint8_t(std::min(3, sink.count[m] + 1));
}

}  // namespace kdc
