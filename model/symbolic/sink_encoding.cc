// sink.h and sink.cc over terms: the sink the consumer application processes records into.
#include "model/symbolic/encoding.h"

namespace kdc::sym {
namespace {

expr polled_msg(const SymPolled& p) { return p.msg_gen & num(3); }
expr polled_gen(const SymPolled& p) { return z3::lshr(p.msg_gen, 2); }
expr effect_bit(Effect e) { return num(bit(e)); }

}  // namespace

SymPolled polled_record(const SymRecord& r, const expr& offset) {
  SymPolled p;
  p.msg_gen = r.msg | z3::shl(r.gen, 2);
  p.offset = offset;
  p.epoch = r.epoch;
  return p;
}

// The message is a term (here and in apply_to_sink): each per-message slot takes its new
// value when it is the message's.
void mark_aborted(SymState* s, const expr& msg, const expr& gen) {
  const expr applied = select(s->sink.applied_gens, msg);
  const expr aborted = select(s->coordinator.aborted_gens, msg);
  store(s->coordinator.aborted_gens, msg, aborted | bit_of(gen));
  s->effects = z3::ite(in_set(applied, gen), s->effects | effect_bit(Effect::kUncommitted), s->effects);
}

expr delivered(const SymState& s, int msg) {
  return (s.sink.applied_gens[msg] & ~s.coordinator.aborted_gens[msg]) != num(0);
}

void apply_to_sink(SymState* s, const SymPolled& record) {
  SymSink& sink = s->sink;
  const expr m = polled_msg(record);
  const expr gen = polled_gen(record);
  const expr aborted = select(s->coordinator.aborted_gens, m);
  const expr applied = select(sink.applied_gens, m);
  const expr count = select(sink.count, m);
  const SymPolled first = select(sink.first, m);
  store(sink.applied_gens, m, applied | bit_of(gen));
  // The effect bits this record adds, from both branches of `count == 0`.
  const expr unc = effect_bit(Effect::kUncommitted);
  expr added = z3::ite(in_set(aborted, gen), unc, num(0));
  const expr first_time = count == num(0);
  const expr reordered = z3::ite(sink.highest_first > m, effect_bit(Effect::kReordered), num(0));
  const expr either_aborted = in_set(aborted, polled_gen(first)) || in_set(aborted, gen);
  const expr duplicate =
      z3::ite(either_aborted, unc,
      z3::ite(polled_gen(first) != gen, effect_bit(Effect::kDupApp),
      z3::ite(first.offset != record.offset || first.epoch != record.epoch,
              effect_bit(Effect::kDupInternal), effect_bit(Effect::kDupProcessed))));
  added = added | z3::ite(first_time, reordered, duplicate);
  s->effects = s->effects | added;
  store(sink.first, m, sym::ite(first_time, record, first));
  sink.highest_first = z3::ite(first_time, sym::max(sink.highest_first, m), sink.highest_first);
  store(sink.count, m, sym::min(num(3), count + num(1)));
}

}  // namespace kdc::sym
