// The twins of model/partition_log.cc and model/idempotence.cc over terms. Loops over a
// replica's records run over the capacity (kMaxLog), each slot guarded by `i < LEO`.
#include "model/idempotence.h"
#include "model/symbolic/encoding.h"

namespace kdc::sym {

namespace {

SymRecord empty_record() { return SymRecord{}; }  // Record{}: every field 0 (kPlain)

}  // namespace

expr append_record(const SymConfig& c, SymReplica* r, const SymRecord& record) {
  const expr ok = r->log_end_offset < num(kMaxLog);
  for (int i = 0; i < kMaxLog; ++i) r->log[i] = ite(ok && r->log_end_offset == num(i), record, r->log[i]);
  const expr leo = r->log_end_offset + num(1);
  r->flushed = choose(ok && leo - r->flushed >= c.flush_interval_messages, leo, r->flushed);
  r->log_end_offset = choose(ok, leo, r->log_end_offset);
  return ok;
}

void truncate_to(SymReplica* r, const expr& offset) {
  const expr cuts = offset < r->log_end_offset;
  for (int i = 0; i < kMaxLog; ++i)
    r->log[i] = ite(num(i) >= offset && num(i) < r->log_end_offset, empty_record(), r->log[i]);
  r->log_end_offset = choose(cuts, offset, r->log_end_offset);
  r->flushed = choose(cuts, sym::min(r->flushed, offset), r->flushed);
  r->high_watermark = choose(cuts, sym::min(r->high_watermark, offset), r->high_watermark);
}

void lose_unflushed(SymReplica* r) { truncate_to(r, r->flushed); }

namespace {

// last_epoch() of `r` truncated to `end` (end <= LEO): the epoch of the record below end.
expr last_epoch_below(const SymReplica& r, const expr& end) {
  expr out = num(-1);
  for (int i = 0; i < kMaxLog; ++i) out = choose(end == num(i + 1), r.log[i].epoch, out);
  return out;
}

// epoch_start_offset() of `r` truncated to `end` (end <= LEO).
expr epoch_start_below(const SymReplica& r, const expr& end, const expr& epoch) {
  expr out = end;
  for (int i = kMaxLog - 1; i >= 0; --i)
    out = choose(num(i) < end && r.log[i].epoch >= epoch, num(i), out);
  return out;
}

}  // namespace

expr last_epoch(const SymReplica& r) { return last_epoch_below(r, r.log_end_offset); }

expr epoch_start_offset(const SymReplica& r, const expr& epoch) {
  return epoch_start_below(r, r.log_end_offset, epoch);
}

SymEpochEnd epoch_end_offset(const SymReplica& leader, const expr& epoch) {
  expr answer = num(-1);
  for (int i = 0; i < kMaxLog; ++i) {
    const expr e = leader.log[i].epoch;
    answer = choose(num(i) < leader.log_end_offset && e <= epoch, sym::max(answer, e), answer);
  }
  const expr end = choose(answer < num(0), num(0), epoch_start_offset(leader, answer + num(1)));
  return SymEpochEnd{answer, end};
}

expr divergence_offset(const SymConfig& c, const SymReplica& leader, const SymReplica& follower) {
  const expr kip279 = c.at_least(KafkaVersion{2, 0, 0});
  expr end = follower.log_end_offset;
  // The C++ returns from inside the loop; here `done` says a round has returned `result`.
  // `end` only shrinks (every round that goes on lowers it), so the prefix truncate_to()
  // makes is read in place: the follower's records below `end`.
  expr done = truth(false);
  expr result = num(0);
  for (int round = 0; round < kMaxLog + 1; ++round) {
    const expr asked = last_epoch_below(follower, end);
    const expr empty = asked < num(0);
    const SymEpochEnd answer = epoch_end_offset(leader, asked);
    const expr bounded = sym::min(end, answer.end_offset);
    const expr own = epoch_start_below(follower, end, answer.epoch + num(1));  // own_epoch_end
    const expr next = choose(answer.epoch < num(0), num(0),
                             choose(kip279 && answer.epoch < asked, sym::min(bounded, own), bounded));
    const expr stop = empty || !kip279 || next == end;
    result = choose(done, result, choose(empty, end, next));
    done = done || stop;
    end = next;  // read only while !done
  }
  return choose(done, result, end);
}

expr last_stable_offset(const SymReplica& r) {
  expr first_open = num(-1);
  for (int o = 0; o < kMaxLog; ++o) {
    const SymRecord& rec = r.log[o];
    const expr below = num(o) < r.high_watermark;
    first_open = choose(below && rec.is_control(), num(-1),
                        choose(below && rec.kind == num(Record::kTransactional) && first_open < num(0),
                               num(o), first_open));
  }
  return choose(first_open < num(0), r.high_watermark, first_open);
}

expr aborted_in_log(const SymReplica& r, const expr& offset) {
  // The first marker above `offset` below the HW decides: built from the top down.
  expr aborted = truth(false);
  for (int o = kMaxLog - 1; o >= 0; --o) {
    const SymRecord& rec = r.log[o];
    aborted = z3::ite(num(o) > offset && num(o) < r.high_watermark && rec.is_control(),
                      rec.kind == num(Record::kAbortMarker), aborted);
  }
  return select(r.log, offset).kind == num(Record::kTransactional) && aborted;
}

expr visible_to_reader(const SymReplica& r, const expr& offset, const expr& read_committed) {
  return !select(r.log, offset).is_control() &&
         (!read_committed || (offset < last_stable_offset(r) && !aborted_in_log(r, offset)));
}

expr latest_producer_epoch(const SymReplica& r) {
  expr epoch = num(0);
  for (int o = 0; o < kMaxLog; ++o) {
    const SymRecord& rec = r.log[o];
    epoch = choose(num(o) < r.log_end_offset && rec.is_transactional() && rec.producer_id > epoch,
                   rec.producer_id, epoch);
  }
  return epoch;
}

// ---- idempotence.cc ----

namespace {
constexpr int kCachedBatches = 5;  // ProducerStateEntry.NUM_BATCHES_TO_RETAIN
}

SymSequenceCheck check_sequence(const SymConfig& c, const SymReplica& leader, const expr& producer_id,
                                const expr& seq) {
  // The C++ scan from the LEO down stops at the first duplicate or after 5 cached
  // batches; here every slot is visited, `scanning` saying whether the scan reached it.
  expr last = num(-1), cached = num(0);
  expr found = truth(false), duplicate_offset = num(-1);
  for (int i = kMaxLog - 1; i >= 0; --i) {
    const SymRecord& r = leader.log[i];
    const expr scanning = num(i) < leader.log_end_offset && !found && cached < num(kCachedBatches);
    const expr ours = scanning && !r.is_control() && r.producer_id == producer_id;
    last = choose(ours && last < num(0), r.seq, last);
    cached = choose(ours, cached + num(1), cached);
    const expr dup = ours && r.seq == seq;
    duplicate_offset = choose(dup, num(i), duplicate_offset);
    found = found || dup;
  }
  const expr append = num(SequenceCheck::kAppend), out_of_order = num(SequenceCheck::kOutOfOrder);
  const expr kind = z3::ite(
      found, num(SequenceCheck::kDuplicate),
      z3::ite(last < num(0), z3::ite(seq == num(0) || c.at_least(KafkaVersion{2, 5, 0}), append, out_of_order),
              z3::ite(seq != last + num(1), out_of_order, append)));
  return SymSequenceCheck{kind, duplicate_offset};
}

}  // namespace kdc::sym
