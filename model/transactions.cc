#include "model/transactions.h"

#include <algorithm>

#include "model/partition_log.h"
#include "model/producer.h"
#include "model/sink.h"
#include "model/steps.h"

namespace kdc {

namespace {

using Coordinator = TxnCoordinatorState;

bool fenced(const State& s) { return s.producer.producer_id < s.coordinator.epoch; }

// KIP-360 (2.5+): aborting after an abortable error re-initialises the producer id with
// InitProducerId(pid, epoch), which bumps the epoch (TransactionManager.epochBumpRequired).
bool bumps_epoch_after_abortable_error(const Config& c) { return c.version >= KafkaVersion{2, 5, 0}; }

// KAFKA-6119 (0.11.0.2, 1.0): a coordinator-side abort of a timed-out transaction bumps
// the epoch, fencing the producer that let it time out.
bool timeout_bumps_epoch(const Config& c) { return c.version >= KafkaVersion{0, 11, 2}; }

void adopt_coordinator_epoch(State* s) {
  ProducerState& p = s->producer;
  p.producer_id = s->coordinator.epoch;
  p.next_seq = 0;
  p.last_acked_seq = -1;
}

// Moves the coordinator to PrepareCommit / PrepareAbort with markers in `marker_epoch`.
void prepare(State* s, bool commit, int marker_epoch) {
  Coordinator& t = s->coordinator;
  t.status = commit ? Coordinator::kPrepareCommit : Coordinator::kPrepareAbort;
  t.marker_epoch = uint8_t(marker_epoch);
  if (!commit) mark_aborted(s, t.msg, t.gen);
}

Event txn_event(EventType type, const State& s) {
  Event e;
  e.type = type;
  e.msg = int8_t(s.producer.txn_msg);
  e.gen = int8_t(s.producer.gen[s.producer.txn_msg]);
  e.producer_id = int8_t(s.producer.producer_id);
  return e;
}

// The marker of the coordinator's transaction, where it wrote it, is still on `leader`.
bool marker_present(const State& s, int leader) {
  const Coordinator& t = s.coordinator;
  if (t.marker_offset == kNoOffset) return false;
  const Replica& r = s.replica[leader];
  if (t.marker_offset >= r.log_end_offset) return false;
  const Record& rec = r.log[t.marker_offset];
  const auto kind = t.status == Coordinator::kPrepareCommit ? Record::kCommitMarker : Record::kAbortMarker;
  return rec.kind == kind && rec.producer_id() == t.marker_epoch;
}

// InitProducerId: a new instance registers the transactional.id. If the old instance
// left a transaction open, the coordinator fences it (epoch + 1) and aborts it; the new
// instance retries (CONCURRENT_TRANSACTIONS) until the abort completes, then gets the next
// epoch (TransactionCoordinator.handleInitProducerId).
void init_producer_id(const State& s, StepSink* sink) {
  const ProducerState& p = s.producer;
  const Coordinator& t = s.coordinator;
  if (p.txn != ProducerState::kNeedsInit) return;
  if (t.status == Coordinator::kPrepareCommit || t.status == Coordinator::kPrepareAbort) return;
  State next = s;
  if (!bump_coordinator_epoch(&next)) return sink->cut();
  next.coordinator.zombie_epoch = 0;  // every older instance is fenced now
  Event e;
  e.type = EventType::kInitProducerId;
  e.producer_id = int8_t(next.coordinator.epoch);
  if (t.status == Coordinator::kOngoing) {
    prepare(&next, /*commit=*/false, next.coordinator.epoch);
    e.result = Result::kConcurrentTransactions;
    e.msg = int8_t(t.msg);
    e.gen = int8_t(t.gen);
  } else {
    adopt_coordinator_epoch(&next);
    next.producer.txn = ProducerState::kReady;
  }
  sink->emit(e, next);
}

// AddPartitionsToTxn: before the first record of a transaction goes to the partition.
// Waits while the previous transaction's markers are pending (CONCURRENT_TRANSACTIONS).
void add_partitions_to_txn(const State& s, StepSink* sink) {
  const Config& c = sink->config;
  const ProducerState& p = s.producer;
  const Coordinator& t = s.coordinator;
  if (p.txn != ProducerState::kOngoing || (p.txn_flags & ProducerState::kPartitionAdded)) return;
  if (t.status == Coordinator::kPrepareCommit || t.status == Coordinator::kPrepareAbort) return;
  State next = s;
  Event e = txn_event(EventType::kAddPartitionsToTxn, s);
  if (fenced(s)) {
    e.result = Result::kProducerFenced;
    restart_fenced_producer(c, &next);
  } else {
    Coordinator& nt = next.coordinator;
    nt.status = Coordinator::kOngoing;
    nt.flags |= Coordinator::kPartitionAdded;
    nt.msg = p.txn_msg;
    nt.gen = p.gen[p.txn_msg];
    next.producer.txn_flags |= ProducerState::kPartitionAdded;
  }
  sink->emit(e, next);
}

// AddOffsetsToTxn + TxnOffsetCommit (sendOffsetsToTransaction): the processor puts its
// next input offset into the transaction. From 2.5 (KIP-447) the group coordinator checks
// the consumer's generation: a fenced one gets ILLEGAL_GENERATION, an abortable error.
void add_offsets_to_txn(const State& s, StepSink* sink) {
  const Config& c = sink->config;
  const ProducerState& p = s.producer;
  const Coordinator& t = s.coordinator;
  if (!c.processor() || p.txn != ProducerState::kOngoing) return;
  if (p.txn_flags & ProducerState::kOffsetsAdded) return;
  if (t.status == Coordinator::kPrepareCommit || t.status == Coordinator::kPrepareAbort) return;
  State next = s;
  Event e = txn_event(EventType::kAddOffsetsToTxn, s);
  e.offset = int16_t(p.txn_msg + 1);
  if (fenced(s)) {
    e.result = Result::kProducerFenced;
    restart_fenced_producer(c, &next);
  } else if ((p.txn_flags & ProducerState::kGenerationFenced) &&
             c.version >= KafkaVersion{2, 5, 0}) {
    e.result = Result::kIllegalGeneration;
    next.producer.txn = ProducerState::kAbortable;
  } else {
    Coordinator& nt = next.coordinator;
    nt.status = Coordinator::kOngoing;
    nt.flags |= Coordinator::kOffsetsAdded;
    nt.msg = p.txn_msg;
    nt.gen = p.gen[p.txn_msg];
    nt.pending_offset = uint8_t(p.txn_msg + 1);
    next.producer.txn_flags |= ProducerState::kOffsetsAdded;
  }
  sink->emit(e, next);
}

// EndTxn(COMMIT): commitTransaction() once the record is acknowledged (and, for the
// processor, the offsets are in). The coordinator answers once PrepareCommit is logged.
// With transaction.version=2 it bumps the epoch at every EndTxn and returns it.
void commit_transaction(const State& s, StepSink* sink) {
  const Config& c = sink->config;
  const ProducerState& p = s.producer;
  if (p.txn != ProducerState::kOngoing || !(p.txn_flags & ProducerState::kBatchAcked)) return;
  if (c.processor() && !(p.txn_flags & ProducerState::kOffsetsAdded)) return;
  if (p.queued > 0 || waiting_requests(p) > 0) return;  // flush() first
  State next = s;
  Event e = txn_event(EventType::kEndTxn, s);
  if (fenced(s)) {
    e.result = Result::kProducerFenced;
    restart_fenced_producer(c, &next);
    return sink->emit(e, next);
  }
  // The markers carry the committing producer's epoch (one more with transaction.version=2).
  int marker_epoch = p.producer_id;
  if (c.epoch_bump_per_transaction) {
    if (!bump_coordinator_epoch(&next)) return sink->cut();
    marker_epoch = p.producer_id + 1;
    adopt_coordinator_epoch(&next);
  }
  prepare(&next, /*commit=*/true, marker_epoch);
  next.producer.txn = ProducerState::kReady;
  next.producer.txn_flags &= ProducerState::kGenerationFenced;
  next.producer.acked |= uint8_t(1u << p.txn_msg);
  e.result = Result::kCommitTxn;
  sink->emit(e, next);
}

// EndTxn(ABORT): abortTransaction() after an abortable error. An epoch the coordinator has
// already fenced (a timed-out transaction) gets PRODUCER_FENCED, fatal; with
// transaction.version=2 the abort of an already aborted transaction succeeds as a retry.
void abort_transaction(const State& s, StepSink* sink) {
  const Config& c = sink->config;
  const ProducerState& p = s.producer;
  const Coordinator& t = s.coordinator;
  if (p.txn != ProducerState::kAbortable) return;
  // The epoch bump that follows the abort is an InitProducerId, which waits while the
  // previous transaction completes (CONCURRENT_TRANSACTIONS).
  if (t.status == Coordinator::kPrepareCommit || t.status == Coordinator::kPrepareAbort) return;
  // The sender fails the batches still in the accumulator (abortUndrainedBatches) but
  // sends EndTxn only once no request is in flight.
  if (waiting_requests(p) > 0) return;
  State next = s;
  while (next.producer.queued > 0) next.producer.queue[--next.producer.queued] = Batch{};
  Event e = txn_event(EventType::kEndTxn, s);
  if (fenced(s) && !c.epoch_bump_per_transaction) {
    e.result = Result::kProducerFenced;
    restart_fenced_producer(c, &next);
    return sink->emit(e, next);
  }
  e.result = Result::kAbortTxn;
  if (fenced(s)) {
    // Already aborted by the coordinator (TV2): the producer continues in the new epoch.
    adopt_coordinator_epoch(&next);
  } else if (t.status == Coordinator::kOngoing) {
    int marker_epoch = t.epoch;
    if (c.epoch_bump_per_transaction || bumps_epoch_after_abortable_error(c)) {
      if (!bump_coordinator_epoch(&next)) return sink->cut();
      if (c.epoch_bump_per_transaction) marker_epoch = next.coordinator.epoch;
      adopt_coordinator_epoch(&next);
    }
    prepare(&next, /*commit=*/false, marker_epoch);
  } else {
    // Nothing reached the coordinator (the partition was never added): nothing to undo.
    mark_aborted(&next, p.txn_msg, p.gen[p.txn_msg]);
    if (bumps_epoch_after_abortable_error(c)) {
      if (!bump_coordinator_epoch(&next)) return sink->cut();
      adopt_coordinator_epoch(&next);
    }
  }
  next.producer.txn = ProducerState::kReady;
  next.producer.txn_flags &= ProducerState::kGenerationFenced;
  give_up_transaction(c, &next);
  sink->emit(e, next);
}

// WriteTxnMarkers: the coordinator writes the COMMIT or ABORT marker on the partition
// leader (with acks=all: it needs min.insync.replicas in the ISR). It writes it again if a
// leader change lost it.
void write_txn_marker(const State& s, StepSink* sink) {
  const Config& c = sink->config;
  const Coordinator& t = s.coordinator;
  if (t.status != Coordinator::kPrepareCommit && t.status != Coordinator::kPrepareAbort) return;
  if (!(t.flags & Coordinator::kPartitionAdded)) return;
  const int leader = s.partition.leader;
  if (leader == kNoBroker || !is_current_leader(s, leader) || !connected(s, leader)) return;
  if (marker_present(s, leader)) return;
  if (set_size(s.partition.isr) < c.min_insync_replicas) return;
  State next = s;
  Replica& r = next.replica[leader];
  const bool commit = t.status == Coordinator::kPrepareCommit;
  const int offset = r.log_end_offset;
  if (!append_record(c, &r, Record::marker(commit, r.known_epoch, t.marker_epoch))) return sink->cut();
  maybe_advance_high_watermark(c, &next);
  next.coordinator.marker_offset = uint8_t(offset);
  Event e;
  e.type = EventType::kWriteTxnMarker;
  e.broker = int8_t(leader);
  e.offset = int16_t(offset);
  e.leader_epoch = int8_t(r.known_epoch);
  e.producer_id = int8_t(t.marker_epoch);
  e.msg = int8_t(t.msg);
  e.gen = int8_t(t.gen);
  e.result = commit ? Result::kCommitTxn : Result::kAbortTxn;
  sink->emit(e, next);
}

// CompleteCommit / CompleteAbort: the marker is below the leader's high watermark. The
// processor's input offset becomes the group's committed offset (the marker written to
// __consumer_offsets, whose partition the model takes as reliable).
void complete_txn(const State& s, StepSink* sink) {
  const Coordinator& t = s.coordinator;
  if (t.status != Coordinator::kPrepareCommit && t.status != Coordinator::kPrepareAbort) return;
  if (t.flags & Coordinator::kPartitionAdded) {
    const int leader = s.partition.leader;
    if (leader == kNoBroker || !is_current_leader(s, leader) || !marker_present(s, leader)) return;
    if (t.marker_offset >= s.replica[leader].high_watermark) return;
  }
  State next = s;
  const bool commit = t.status == Coordinator::kPrepareCommit;
  Event e;
  e.type = EventType::kCompleteTxn;
  e.msg = int8_t(t.msg);
  e.gen = int8_t(t.gen);
  e.result = commit ? Result::kCommitTxn : Result::kAbortTxn;
  if (commit && (t.flags & Coordinator::kOffsetsAdded)) {
    next.producer.input_committed = t.pending_offset;
    e.offset = int16_t(t.pending_offset);
  }
  Coordinator& nt = next.coordinator;
  nt.status = Coordinator::kEmpty;
  nt.flags = 0;
  nt.msg = nt.gen = 0;
  nt.marker_epoch = 0;
  nt.marker_offset = kNoOffset;
  nt.pending_offset = kNoOffset;
  sink->emit(e, next);
}

// OffsetFetch: the processor's new instance (after InitProducerId), or the rejoined
// member, reads the committed input offset. From 2.5 (KIP-447, require_stable) it waits
// while a transactional offset commit is pending (UNSTABLE_OFFSET_COMMIT); before, it gets
// the last offset already committed.
void offset_fetch(const State& s, StepSink* sink) {
  const Config& c = sink->config;
  const ProducerState& p = s.producer;
  if (!c.processor() || !(p.txn_flags & ProducerState::kNeedsOffsetFetch)) return;
  if (p.txn != ProducerState::kReady) return;
  const Coordinator& t = s.coordinator;
  if (c.version >= KafkaVersion{2, 5, 0} && (t.flags & Coordinator::kOffsetsAdded)) return;
  State next = s;
  next.producer.next_msg = p.input_committed;
  next.producer.txn_flags &= uint8_t(~ProducerState::kNeedsOffsetFetch);
  Event e;
  e.type = EventType::kOffsetFetch;
  e.offset = int16_t(p.input_committed);
  sink->emit(e, next);
}

// Rejoin: the fenced processor rejoins the group between transactions and must fetch its
// committed input offset again.
void processor_rejoin(const State& s, StepSink* sink) {
  const ProducerState& p = s.producer;
  if (!(p.txn_flags & ProducerState::kGenerationFenced) || p.txn != ProducerState::kReady) return;
  State next = s;
  next.producer.txn_flags = ProducerState::kNeedsOffsetFetch;
  Event e;
  e.type = EventType::kConsumerRejoin;
  sink->emit(e, next);
}

// ConsumerRebalance [fault], for the processor: the group rebalances without it and its
// generation is fenced until it rejoins.
void processor_rebalance(const State& s, StepSink* sink) {
  const Config& c = sink->config;
  const ProducerState& p = s.producer;
  if (!c.processor() || p.txn == ProducerState::kNeedsInit) return;
  if (p.txn_flags & (ProducerState::kGenerationFenced | ProducerState::kNeedsOffsetFetch)) return;
  if (!fault_allowed(c, s, FaultKind::kConsumerRebalance)) return;
  State next = s;
  spend_fault(&next, FaultKind::kConsumerRebalance);
  next.producer.txn_flags |= ProducerState::kGenerationFenced;
  Event e;
  e.type = EventType::kConsumerRebalance;
  sink->emit(e, next);
}

// TransactionTimeout [fault]: the open transaction outlives transaction.timeout.ms; the
// coordinator aborts it (TransactionCoordinator.abortTimedOutTransactions) and, from
// 0.11.0.2, bumps the epoch so that the producer is fenced.
void transaction_timeout(const State& s, StepSink* sink) {
  const Config& c = sink->config;
  const Coordinator& t = s.coordinator;
  if (t.status != Coordinator::kOngoing) return;
  if (!fault_allowed(c, s, FaultKind::kTransactionTimeout)) return;
  State next = s;
  spend_fault(&next, FaultKind::kTransactionTimeout);
  if (timeout_bumps_epoch(c) && !bump_coordinator_epoch(&next)) return sink->cut();
  if (next.coordinator.zombie_epoch < next.coordinator.epoch) next.coordinator.zombie_epoch = 0;
  prepare(&next, /*commit=*/false, next.coordinator.epoch);
  Event e;
  e.type = EventType::kTransactionTimeout;
  e.msg = int8_t(t.msg);
  e.gen = int8_t(t.gen);
  e.producer_id = int8_t(next.coordinator.epoch);
  sink->emit(e, next);
}

// The zombie (an old instance still running, fault.producer.zombie) finishes its
// transaction if its epoch is still the newest: it sends its offsets (the processor's; the
// group has fenced its generation, so from 2.5 that fails) and commits once its record is
// below the high watermark (acknowledged).
void zombie_steps(const State& s, StepSink* sink) {
  const Config& c = sink->config;
  const Coordinator& t = s.coordinator;
  if (t.zombie_epoch == 0 || t.zombie_epoch != t.epoch || t.status != Coordinator::kOngoing) return;
  if (c.processor() && !(t.flags & Coordinator::kOffsetsAdded)) {
    if (c.version >= KafkaVersion{2, 5, 0}) return;  // ILLEGAL_GENERATION: it can only abort
    State next = s;
    next.coordinator.flags |= Coordinator::kOffsetsAdded;
    next.coordinator.pending_offset = uint8_t(t.msg + 1);
    Event e;
    e.type = EventType::kAddOffsetsToTxn;
    e.producer_id = int8_t(t.zombie_epoch);
    e.msg = int8_t(t.msg);
    e.gen = int8_t(t.gen);
    e.offset = int16_t(t.msg + 1);
    return sink->emit(e, next);
  }
  const int leader = s.partition.leader;
  if (leader == kNoBroker || !(t.flags & Coordinator::kPartitionAdded)) return;
  const Replica& r = s.replica[leader];
  bool acked = false;
  for (int o = 0; o < r.high_watermark; ++o)
    acked |= r.log[o].kind == Record::kTransactional && r.log[o].msg() == t.msg &&
             r.log[o].gen() == t.gen && r.log[o].producer_id() == t.zombie_epoch;
  if (!acked) return;
  State next = s;
  int marker_epoch = t.zombie_epoch;
  if (c.epoch_bump_per_transaction) {
    if (!bump_coordinator_epoch(&next)) return sink->cut();
    marker_epoch = t.zombie_epoch + 1;
  }
  prepare(&next, /*commit=*/true, marker_epoch);
  next.coordinator.zombie_epoch = 0;
  // The message is committed after all, whatever the new instance decided about it (a
  // replay it queued will duplicate it).
  next.producer.acked |= uint8_t(1u << t.msg);
  next.producer.abandoned &= uint8_t(~(1u << t.msg));
  next.producer.dropped &= uint8_t(~(1u << t.msg));
  Event e;
  e.type = EventType::kEndTxn;
  e.producer_id = int8_t(t.zombie_epoch);
  e.msg = int8_t(t.msg);
  e.gen = int8_t(t.gen);
  e.result = Result::kCommitTxn;
  sink->emit(e, next);
}

}  // namespace

bool bump_coordinator_epoch(State* s) {
  if (s->coordinator.epoch >= kMaxProducerId) return false;
  ++s->coordinator.epoch;
  return true;
}

void give_up_transaction(const Config& c, State* s) {
  ProducerState& p = s->producer;
  const int m = p.txn_msg;
  if (c.processor()) {
    if (c.on_txn_abort == OnTxnAbort::kRewind)
      p.next_msg = uint8_t(m);
    else
      p.dropped |= uint8_t(1u << m);
    return;
  }
  if (c.on_send_error == OnSendError::kResend)
    p.resend |= uint8_t(1u << m);
  else
    p.dropped |= uint8_t(1u << m);
}

void restart_fenced_producer(const Config& c, State* s) {
  ProducerState& p = s->producer;
  while (p.queued > 0) p.queue[--p.queued] = Batch{};
  for (int i = 0; i < p.in_flight;) {
    if (p.flight[i].stage == Batch::kInNetwork) p.flight[i].stage = Batch::kOrphan;
    if (p.flight[i].stage == Batch::kOrphan) {
      ++i;
    } else {
      remove_flight(&p, i);
    }
  }
  // The processor's new instance re-reads its input from the committed offset instead.
  if (!c.processor() && (p.txn == ProducerState::kOngoing || p.txn == ProducerState::kAbortable))
    give_up_transaction(c, s);
  p.txn = ProducerState::kNeedsInit;
  p.txn_flags = c.processor() ? ProducerState::kNeedsOffsetFetch : 0;
}

void transaction_steps(const State& s, StepSink* sink) {
  if (!sink->config.transactional) return;
  init_producer_id(s, sink);
  add_partitions_to_txn(s, sink);
  add_offsets_to_txn(s, sink);
  commit_transaction(s, sink);
  abort_transaction(s, sink);
  write_txn_marker(s, sink);
  complete_txn(s, sink);
  offset_fetch(s, sink);
  processor_rejoin(s, sink);
  zombie_steps(s, sink);
  transaction_timeout(s, sink);
  processor_rebalance(s, sink);
}

}  // namespace kdc
