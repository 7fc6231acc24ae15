// transactions.cc over terms: the transactional producer's side of the protocol, its
// transaction coordinator, and the consume-transform-produce processor. Read side by side
// with model/transactions.cc.
#include <string>
#include <vector>

#include "model/symbolic/encoding.h"

namespace kdc::sym {

namespace {

using Coordinator = TxnCoordinatorState;
using Txn = ProducerState;

// Batch{}: the value of an unused queue or flight slot.
SymBatch empty_batch() {
  SymBatch b;
  b.seq = num(-1);
  b.broker = num(kNoBroker);
  b.offset = num(kNoOffset);
  return b;
}

expr txn_is(const SymProducer& p, uint8_t txn) { return p.txn == num(txn); }
expr has_flag(const expr& flags, uint8_t f) { return (flags & num(f)) != num(0); }
expr status_is(const SymState& s, uint8_t status) { return s.coordinator.status == num(status); }
expr preparing(const SymState& s) {
  return status_is(s, Coordinator::kPrepareCommit) || status_is(s, Coordinator::kPrepareAbort);
}
expr txn_gen(const SymProducer& p) { return select(p.gen, p.txn_msg); }

// The accumulator emptied back to front (while (queued > 0) queue[--queued] = Batch{}).
void clear_queue(SymProducer* p) {
  const SymBatch empty = empty_batch();
  for (int i = 0; i < kMaxBatches; ++i) p->queue[i] = ite(num(i) < p->queued, empty, p->queue[i]);
  p->queued = num(0);
}

expr fenced(const SymState& s) { return s.producer.producer_id < s.coordinator.epoch; }

expr bumps_epoch_after_abortable_error(const SymConfig& c) { return c.at_least(KafkaVersion{2, 5, 0}); }

expr timeout_bumps_epoch(const SymConfig& c) { return c.at_least(KafkaVersion{0, 11, 2}); }

void adopt_coordinator_epoch(SymState* s) {
  SymProducer& p = s->producer;
  p.producer_id = s->coordinator.epoch;
  p.next_seq = num(0);
  p.last_acked_seq = num(-1);
}

// `commit` is a fixed direction at every call site, so it stays a C++ bool.
void prepare(SymState* s, bool commit, const expr& marker_epoch) {
  SymCoordinator& t = s->coordinator;
  t.status = num(commit ? Coordinator::kPrepareCommit : Coordinator::kPrepareAbort);
  t.marker_epoch = marker_epoch;
  if (!commit) {
    const expr msg = t.msg, gen = t.gen;
    mark_aborted(s, msg, gen);
  }
}

// Record::marker(commit, epoch, producer_epoch), with Record::make's field widths.
SymRecord marker_record(const expr& commit, const expr& epoch, const expr& producer_epoch) {
  SymRecord r;
  r.epoch = epoch & num(15);
  r.producer_id = producer_epoch & num(7);
  r.kind = z3::ite(commit, num(Record::kCommitMarker), num(Record::kAbortMarker));
  return r;
}

// For a concrete `leader` (callers split on partition.leader).
expr marker_present(const SymState& s, int leader) {
  const SymCoordinator& t = s.coordinator;
  const SymReplica& r = s.replica[leader];
  const SymRecord rec = select(r.log, t.marker_offset);
  const expr kind = z3::ite(status_is(s, Coordinator::kPrepareCommit), num(Record::kCommitMarker),
                            num(Record::kAbortMarker));
  return t.marker_offset != num(kNoOffset) && t.marker_offset < r.log_end_offset && rec.kind == kind &&
         rec.producer_id == t.marker_epoch;
}

void init_producer_id(const SymState& s, StepSink* sink) {
  const SymProducer& p = s.producer;
  const expr guard = txn_is(p, Txn::kNeedsInit) && !preparing(s);
  SymState next = s;
  const expr ok = bump_coordinator_epoch(&next);
  next.coordinator.zombie_epoch = num(0);
  SymState concurrent = next;  // an open transaction: abort it first
  prepare(&concurrent, /*commit=*/false, concurrent.coordinator.epoch);
  SymState ready = next;
  adopt_coordinator_epoch(&ready);
  ready.producer.txn = num(Txn::kReady);
  next = ite(status_is(s, Coordinator::kOngoing), concurrent, ready);
  sink->cut(guard && !ok);
  sink->emit("InitProducerId", guard && ok, next);
}

void add_partitions_to_txn(const SymConfig& c, const SymState& s, StepSink* sink) {
  const SymProducer& p = s.producer;
  const expr guard =
      txn_is(p, Txn::kOngoing) && !has_flag(p.txn_flags, Txn::kPartitionAdded) && !preparing(s);
  SymState fenced_next = s;
  restart_fenced_producer(c, &fenced_next);
  SymState added = s;
  SymCoordinator& nt = added.coordinator;
  nt.status = num(Coordinator::kOngoing);
  nt.flags = nt.flags | num(Coordinator::kPartitionAdded);
  nt.msg = p.txn_msg;
  nt.gen = txn_gen(p);
  added.producer.txn_flags = added.producer.txn_flags | num(Txn::kPartitionAdded);
  sink->emit("AddPartitionsToTxn", guard, ite(fenced(s), fenced_next, added));
}

void add_offsets_to_txn(const SymConfig& c, const SymState& s, StepSink* sink) {
  const SymProducer& p = s.producer;
  const expr guard = c.processor() && txn_is(p, Txn::kOngoing) &&
                     !has_flag(p.txn_flags, Txn::kOffsetsAdded) && !preparing(s);
  SymState fenced_next = s;
  restart_fenced_producer(c, &fenced_next);
  SymState illegal_generation = s;
  illegal_generation.producer.txn = num(Txn::kAbortable);
  SymState added = s;
  SymCoordinator& nt = added.coordinator;
  nt.status = num(Coordinator::kOngoing);
  nt.flags = nt.flags | num(Coordinator::kOffsetsAdded);
  nt.msg = p.txn_msg;
  nt.gen = txn_gen(p);
  nt.pending_offset = p.txn_msg + num(1);
  added.producer.txn_flags = added.producer.txn_flags | num(Txn::kOffsetsAdded);
  const expr generation_fenced =
      has_flag(p.txn_flags, Txn::kGenerationFenced) && c.at_least(KafkaVersion{2, 5, 0});
  sink->emit("AddOffsetsToTxn", guard,
             ite(fenced(s), fenced_next, ite(generation_fenced, illegal_generation, added)));
}

void commit_transaction(const SymConfig& c, const SymState& s, StepSink* sink) {
  const SymProducer& p = s.producer;
  const expr guard = txn_is(p, Txn::kOngoing) && has_flag(p.txn_flags, Txn::kBatchAcked) &&
                     !(c.processor() && !has_flag(p.txn_flags, Txn::kOffsetsAdded)) &&
                     p.queued == num(0) && waiting_requests(p) == num(0);
  SymState fenced_next = s;
  restart_fenced_producer(c, &fenced_next);
  // transaction.version=2: the epoch is bumped and adopted, the markers carry the new one.
  SymState next = s;
  SymState bumped = s;
  const expr bump_ok = bump_coordinator_epoch(&bumped);
  adopt_coordinator_epoch(&bumped);
  const expr per_txn = c.epoch_bump_per_transaction;
  next = ite(per_txn, bumped, next);
  const expr ok = !per_txn || bump_ok;
  prepare(&next, /*commit=*/true, z3::ite(per_txn, p.producer_id + num(1), p.producer_id));
  next.producer.txn = num(Txn::kReady);
  next.producer.txn_flags = next.producer.txn_flags & num(Txn::kGenerationFenced);
  next.producer.acked = next.producer.acked | bit_of(p.txn_msg);
  const expr is_fenced = fenced(s);
  sink->cut(guard && !is_fenced && !ok);
  sink->emit("EndTxn(commit)", guard && (is_fenced || ok), ite(is_fenced, fenced_next, next));
}

void abort_transaction(const SymConfig& c, const SymState& s, StepSink* sink) {
  const SymProducer& p = s.producer;
  const SymCoordinator& t = s.coordinator;
  const expr guard = txn_is(p, Txn::kAbortable) && !preparing(s) && waiting_requests(p) == num(0);
  SymState base = s;
  clear_queue(&base.producer);
  const expr per_txn = c.epoch_bump_per_transaction;
  const expr bump_after_error = bumps_epoch_after_abortable_error(c);
  const expr is_fenced = fenced(s);
  const expr fatal = is_fenced && !per_txn;

  SymState fenced_next = base;
  restart_fenced_producer(c, &fenced_next);

  // Already aborted by the coordinator (TV2): the producer continues in the new epoch.
  SymState retried = base;
  adopt_coordinator_epoch(&retried);

  // The coordinator holds the transaction: it aborts it.
  SymState ongoing = base;
  SymState ongoing_bumped = base;
  const expr ongoing_bump_ok = bump_coordinator_epoch(&ongoing_bumped);
  const expr ongoing_marker_epoch = z3::ite(per_txn, ongoing_bumped.coordinator.epoch, t.epoch);
  adopt_coordinator_epoch(&ongoing_bumped);
  const expr ongoing_bumps = per_txn || bump_after_error;
  ongoing = ite(ongoing_bumps, ongoing_bumped, ongoing);
  prepare(&ongoing, /*commit=*/false, ongoing_marker_epoch);
  const expr ongoing_ok = !ongoing_bumps || ongoing_bump_ok;

  // Nothing reached the coordinator.
  SymState local = base;
  mark_aborted(&local, p.txn_msg, txn_gen(p));
  SymState local_bumped = local;
  const expr local_bump_ok = bump_coordinator_epoch(&local_bumped);
  adopt_coordinator_epoch(&local_bumped);
  local = ite(bump_after_error, local_bumped, local);
  const expr local_ok = !bump_after_error || local_bump_ok;

  const expr ongoing_status = status_is(s, Coordinator::kOngoing);
  SymState aborted = ite(is_fenced, retried, ite(ongoing_status, ongoing, local));
  const expr ok = is_fenced || z3::ite(ongoing_status, ongoing_ok, local_ok);
  aborted.producer.txn = num(Txn::kReady);
  aborted.producer.txn_flags = aborted.producer.txn_flags & num(Txn::kGenerationFenced);
  give_up_transaction(c, &aborted);

  sink->cut(guard && !fatal && !ok);
  sink->emit("EndTxn(abort)", guard && (fatal || ok), ite(fatal, fenced_next, aborted));
}

void write_txn_marker(const SymConfig& c, const SymState& s, StepSink* sink) {
  const SymCoordinator& t = s.coordinator;
  const expr commit = status_is(s, Coordinator::kPrepareCommit);
  for (int b = 0; b < c.replication_factor; ++b) {
    const expr guard = preparing(s) && has_flag(t.flags, Coordinator::kPartitionAdded) &&
                       s.partition.leader == num(b) && is_current_leader(s, b) && connected(s, b) &&
                       !marker_present(s, b) && !(popcount(s.partition.isr) < c.min_insync_replicas);
    SymState next = s;
    SymReplica& r = next.replica[b];
    const expr offset = r.log_end_offset;
    const expr ok = append_record(c, &r, marker_record(commit, r.known_epoch, t.marker_epoch));
    maybe_advance_high_watermark(c, &next);
    next.coordinator.marker_offset = offset;
    sink->cut(guard && !ok);
    sink->emit("WriteTxnMarker(b=" + std::to_string(b) + ")", guard && ok, next);
  }
}

void complete_txn(const SymConfig& c, const SymState& s, StepSink* sink) {
  const SymCoordinator& t = s.coordinator;
  expr marker_stable = truth(false);
  for (int b = 0; b < c.replication_factor; ++b)
    marker_stable = marker_stable || (s.partition.leader == num(b) && is_current_leader(s, b) &&
                                      marker_present(s, b) && t.marker_offset < s.replica[b].high_watermark);
  const expr guard = preparing(s) && (!has_flag(t.flags, Coordinator::kPartitionAdded) || marker_stable);
  SymState next = s;
  const expr commit = status_is(s, Coordinator::kPrepareCommit);
  next.producer.input_committed =
      z3::ite(commit && has_flag(t.flags, Coordinator::kOffsetsAdded), t.pending_offset,
              next.producer.input_committed);
  SymCoordinator& nt = next.coordinator;
  nt.status = num(Coordinator::kEmpty);
  nt.flags = num(0);
  nt.msg = nt.gen = num(0);
  nt.marker_epoch = num(0);
  nt.marker_offset = num(kNoOffset);
  nt.pending_offset = num(kNoOffset);
  sink->emit("CompleteTxn", guard, next);
}

void offset_fetch(const SymConfig& c, const SymState& s, StepSink* sink) {
  const SymProducer& p = s.producer;
  const expr guard = c.processor() && has_flag(p.txn_flags, Txn::kNeedsOffsetFetch) &&
                     txn_is(p, Txn::kReady) &&
                     !(c.at_least(KafkaVersion{2, 5, 0}) &&
                       has_flag(s.coordinator.flags, Coordinator::kOffsetsAdded));
  SymState next = s;
  next.producer.next_msg = p.input_committed;
  next.producer.txn_flags = next.producer.txn_flags & num(~Txn::kNeedsOffsetFetch & 0xff);
  sink->emit("OffsetFetch", guard, next);
}

void processor_rejoin(const SymState& s, StepSink* sink) {
  const SymProducer& p = s.producer;
  const expr guard = has_flag(p.txn_flags, Txn::kGenerationFenced) && txn_is(p, Txn::kReady);
  SymState next = s;
  next.producer.txn_flags = num(Txn::kNeedsOffsetFetch);
  sink->emit("ConsumerRejoin", guard, next);
}

void processor_rebalance(const SymConfig& c, const SymState& s, StepSink* sink) {
  const SymProducer& p = s.producer;
  const expr guard = c.processor() && !txn_is(p, Txn::kNeedsInit) &&
                     !has_flag(p.txn_flags, Txn::kGenerationFenced | Txn::kNeedsOffsetFetch) &&
                     fault_allowed(c, s, FaultKind::kConsumerRebalance);
  SymState next = s;
  spend_fault(&next, FaultKind::kConsumerRebalance);
  next.producer.txn_flags = next.producer.txn_flags | num(Txn::kGenerationFenced);
  sink->emit("ConsumerRebalance", guard, next);
}

void transaction_timeout(const SymConfig& c, const SymState& s, StepSink* sink) {
  const expr guard =
      status_is(s, Coordinator::kOngoing) && fault_allowed(c, s, FaultKind::kTransactionTimeout);
  SymState next = s;
  spend_fault(&next, FaultKind::kTransactionTimeout);
  SymState bumped = next;
  const expr bump_ok = bump_coordinator_epoch(&bumped);
  const expr bumps = timeout_bumps_epoch(c);
  next = ite(bumps, bumped, next);
  const expr ok = !bumps || bump_ok;
  SymCoordinator& nt = next.coordinator;
  nt.zombie_epoch = z3::ite(nt.zombie_epoch < nt.epoch, num(0), nt.zombie_epoch);
  prepare(&next, /*commit=*/false, next.coordinator.epoch);
  sink->cut(guard && !ok);
  sink->emit("TransactionTimeout", guard && ok, next);
}

void zombie_steps(const SymConfig& c, const SymState& s, StepSink* sink) {
  const SymCoordinator& t = s.coordinator;
  const expr active = t.zombie_epoch != num(0) && t.zombie_epoch == t.epoch && status_is(s, Coordinator::kOngoing);
  const expr offsets_missing = c.processor() && !has_flag(t.flags, Coordinator::kOffsetsAdded);

  // Its offsets (before 2.5; from 2.5 ILLEGAL_GENERATION leaves it nothing but to abort).
  SymState with_offsets = s;
  with_offsets.coordinator.flags = with_offsets.coordinator.flags | num(Coordinator::kOffsetsAdded);
  with_offsets.coordinator.pending_offset = t.msg + num(1);
  sink->emit("ZombieAddOffsetsToTxn", active && offsets_missing && !c.at_least(KafkaVersion{2, 5, 0}),
             with_offsets);

  // Its commit, once its record is below the leader's high watermark.
  expr acked = truth(false);
  for (int b = 0; b < c.replication_factor; ++b) {
    const SymReplica& r = s.replica[b];
    for (int o = 0; o < kMaxLog; ++o) {
      const SymRecord& rec = r.log[o];
      acked = acked || (s.partition.leader == num(b) && num(o) < r.high_watermark &&
                        rec.kind == num(Record::kTransactional) && rec.msg == t.msg && rec.gen == t.gen &&
                        rec.producer_id == t.zombie_epoch);
    }
  }
  const expr guard = active && !offsets_missing && has_flag(t.flags, Coordinator::kPartitionAdded) && acked;
  SymState next = s;
  SymState bumped = s;
  const expr bump_ok = bump_coordinator_epoch(&bumped);
  const expr per_txn = c.epoch_bump_per_transaction;
  next = ite(per_txn, bumped, next);
  const expr ok = !per_txn || bump_ok;
  prepare(&next, /*commit=*/true, z3::ite(per_txn, t.zombie_epoch + num(1), t.zombie_epoch));
  next.coordinator.zombie_epoch = num(0);
  SymProducer& np = next.producer;
  const expr msg_bit = bit_of(t.msg);
  np.acked = np.acked | msg_bit;
  np.abandoned = np.abandoned & ~msg_bit & num(0xff);
  np.dropped = np.dropped & ~msg_bit & num(0xff);
  sink->cut(guard && !ok);
  sink->emit("ZombieEndTxn(commit)", guard && ok, next);
}

}  // namespace

expr bump_coordinator_epoch(SymState* s) {
  const expr ok = s->coordinator.epoch < num(kMaxProducerId);
  s->coordinator.epoch = z3::ite(ok, s->coordinator.epoch + num(1), s->coordinator.epoch);
  return ok;
}

void give_up_transaction(const SymConfig& c, SymState* s) {
  SymProducer& p = s->producer;
  const expr m = p.txn_msg;
  const expr processor = c.processor();
  const expr rewind = c.on_txn_abort == num(int(OnTxnAbort::kRewind));
  const expr resend = c.on_send_error == num(int(OnSendError::kResend));
  p.next_msg = z3::ite(processor && rewind, m, p.next_msg);
  p.resend = z3::ite(!processor && resend, p.resend | bit_of(m), p.resend);
  p.dropped = z3::ite(z3::ite(processor, !rewind, !resend), p.dropped | bit_of(m), p.dropped);
}

void restart_fenced_producer(const SymConfig& c, SymState* s) {
  SymProducer& p = s->producer;
  clear_queue(&p);
  // The C++ loop keeps the requests still in the network (as orphans) and removes the
  // others in place; written as the compaction it amounts to, since six remove_flight()
  // at a moving symbolic index would nest six shifts.
  std::vector<expr> kept, rank;  // rank: kept requests before slot i
  expr count = num(0);
  for (int i = 0; i < kMaxBatches; ++i) {
    const expr stage = p.flight[i].stage;
    kept.push_back(num(i) < p.in_flight && (stage == num(Batch::kInNetwork) || stage == num(Batch::kOrphan)));
    rank.push_back(count);
    count = count + z3::ite(kept[i], num(1), num(0));
  }
  const SymBatch empty = empty_batch();
  SymBatch out[kMaxBatches];
  for (int j = 0; j < kMaxBatches; ++j) {
    // Slots from the new in_flight up to the old one are cleared; those above stay.
    SymBatch slot = ite(num(j) < p.in_flight, empty, p.flight[j]);
    for (int i = kMaxBatches - 1; i >= j; --i) {
      SymBatch orphan = p.flight[i];
      orphan.stage = num(Batch::kOrphan);
      slot = ite(kept[i] && rank[i] == num(j), orphan, slot);
    }
    out[j] = slot;
  }
  for (int j = 0; j < kMaxBatches; ++j) p.flight[j] = out[j];
  p.in_flight = count;
  // The processor's new instance re-reads its input from the committed offset instead.
  SymState gave_up = *s;
  give_up_transaction(c, &gave_up);
  *s = ite(!c.processor() && (txn_is(p, Txn::kOngoing) || txn_is(p, Txn::kAbortable)), gave_up, *s);
  s->producer.txn = num(Txn::kNeedsInit);
  s->producer.txn_flags = z3::ite(c.processor(), num(Txn::kNeedsOffsetFetch), num(0));
}

void transaction_steps(const SymState& s, StepSink* sink) {
  const SymConfig& c = sink->config;
  StepSink group{c};
  init_producer_id(s, &group);
  add_partitions_to_txn(c, s, &group);
  add_offsets_to_txn(c, s, &group);
  commit_transaction(c, s, &group);
  abort_transaction(c, s, &group);
  write_txn_marker(c, s, &group);
  complete_txn(c, s, &group);
  offset_fetch(c, s, &group);
  processor_rejoin(s, &group);
  zombie_steps(c, s, &group);
  transaction_timeout(c, s, &group);
  processor_rebalance(c, s, &group);
  for (SymStep& st : group.steps) sink->emit(st.name, c.transactional && st.guard, st.next);
  for (expr& g : group.cuts) sink->cut(c.transactional && g);
}

}  // namespace kdc::sym
