// The sink the consumer application processes records into. It counts how often each
// message took effect and, on the second time, names why (D_app, D_int, D_proc); it notes
// a message taking effect for the first time after a later one (R).
#ifndef KDC_MODEL_SINK_H_
#define KDC_MODEL_SINK_H_

#include "model/state.h"

namespace kdc {

inline PolledRecord polled_record(const Record& r, int offset) {
  PolledRecord p;
  p.msg_gen = uint8_t(r.msg() | (r.gen() << 2));
  p.offset = uint8_t(offset);
  p.epoch = uint8_t(r.epoch());
  return p;
}
inline int polled_msg(const PolledRecord& p) { return p.msg_gen & 3; }
inline int polled_gen(const PolledRecord& p) { return p.msg_gen >> 2; }

// Applies `record` to the sink and records any effect in s->effects.
void apply_to_sink(State* s, const PolledRecord& record);

// The transaction holding send `gen` of `msg` aborted (the coordinator decided it). If the
// sink already applied that record: V_unc.
void mark_aborted(State* s, int msg, int gen);

// A send of `msg` that no transaction aborted has taken effect in the sink.
bool delivered(const State& s, int msg);

}  // namespace kdc

#endif  // KDC_MODEL_SINK_H_
