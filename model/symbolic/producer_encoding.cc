// The producer (model/producer.cc) over terms: read it side by side with producer.cc.
//
// Shapes that differ from the C++:
// - The helpers that change the producer (insert_queue, resend, bump_producer_epoch,
//   fail_attempt) take a term `when`: the call happens only when it holds. Guarding each
//   field keeps the terms far smaller than merging two whole producers after the call.
// - A helper that may fail (bump_producer_epoch, resend, fail_attempt) applies its effect
//   even when it fails and returns `ok`: every caller cuts the step when it fails, so the
//   effect of a failed call is never observed.
// - The passes over the in-flight requests that orphan some and remove the rest
//   (request_timeout, the crashes) are written as one compaction (kept requests, in
//   order) instead of successive remove_flight calls.
// - What a step does to the accumulator and the application does not depend on `read`
//   (fail_attempt never touches the in-flight requests), so it is built once per step
//   group and only the in-flight requests are built per `read`.
#include <string>
#include <vector>

#include "model/symbolic/encoding.h"
#include "model/vocabulary/event.h"

namespace kdc::sym {
namespace {

constexpr int K = kMaxBatches;

expr one_if(const expr& c) { return z3::ite(c, num(1), num(0)); }

SymBatch empty_batch() {  // Batch{}
  SymBatch b;
  b.seq = num(-1);
  b.broker = num(kNoBroker);
  b.offset = num(kNoOffset);
  return b;
}

expr idempotent(const SymConfig& c) { return c.idempotence; }

// p.gen[msg] (a constant msg indexes directly).
expr gen_of(const SymProducer& p, const expr& msg) {
  if (msg.is_numeral()) return p.gen[msg.get_numeral_int()];
  return select(p.gen, msg);
}

// Removes arr[index] of the first *count, shifting the rest down (pop_queue, remove_flight).
void remove_at(SymBatch (&arr)[K], expr* count, const expr& index) {
  const expr& n = *count;
  SymBatch out[K];
  for (int j = 0; j < K; ++j) {
    out[j] = ite(num(j) == n - num(1), empty_batch(), arr[j]);
    if (j + 1 == K || (index.is_numeral() && index.get_numeral_int() > j)) continue;
    expr shifted = num(j + 1) < n;
    if (!index.is_numeral()) shifted = shifted && index <= num(j);
    out[j] = ite(shifted, arr[j + 1], out[j]);
  }
  for (int j = 0; j < K; ++j) arr[j] = out[j];
  *count = n - num(1);
}

// The requests kept by a pass over the first *count (kept[k] replacing arr[k] when keep[k]),
// in order; the others removed as remove_flight removes them.
void compact(SymBatch (&arr)[K], expr* count, const SymBatch (&kept)[K], const std::vector<expr>& keep) {
  std::vector<expr> pos = {num(0)};
  for (int k = 0; k < K; ++k) pos.push_back(pos[k] + one_if(keep[k]));
  SymBatch out[K];
  for (int j = 0; j < K; ++j) {
    SymBatch v = ite(num(j) < *count, empty_batch(), arr[j]);
    for (int k = K - 1; k >= j; --k) v = ite(keep[k] && pos[k] == num(j), kept[k], v);
    out[j] = v;
  }
  for (int j = 0; j < K; ++j) arr[j] = out[j];
  *count = pos[K];
}

void insert_queue(SymProducer* p, const expr& slot_if_called, const SymBatch& b, const expr& when = truth(true)) {
  // Inserting at slot K leaves every slot as it is.
  const expr slot = when.is_true() ? slot_if_called : z3::ite(when, slot_if_called, num(K));
  SymBatch out[K];
  for (int j = 0; j < K; ++j) {
    out[j] = p->queue[j];
    if (j > 0) out[j] = ite(num(j) > slot && num(j) <= p->queued, p->queue[j - 1], out[j]);
    out[j] = ite(num(j) == slot, b, out[j]);
  }
  for (int j = 0; j < K; ++j) p->queue[j] = out[j];
  p->queued = p->queued + one_if(when);
}

SymBatch pop_queue(SymProducer* p, int index) {
  SymBatch b = p->queue[index];
  remove_at(p->queue, &p->queued, num(index));
  return b;
}

SymBatch new_batch(const expr& msg, const expr& gen) {
  SymBatch b = empty_batch();
  b.msg = msg;
  b.gen = gen;
  return b;
}

// ok: false when a bound does not allow it (the caller cuts).
expr resend(SymProducer* p, const expr& msg, const expr& when) {
  const expr gen = gen_of(*p, msg);
  const expr ok = p->queued < num(kMaxBatches) && gen < num(kMaxGen);
  const expr next_gen = choose(when, gen + num(1), gen);
  if (msg.is_numeral())
    p->gen[msg.get_numeral_int()] = next_gen;
  else
    store(p->gen, msg, next_gen);
  // insert_queue at the back: a store at `queued` (no slot when not called).
  store(p->queue, z3::ite(when, p->queued, num(K)), new_batch(msg, next_gen));
  p->queued = p->queued + one_if(when);
  return ok;
}

// ok: false at the producer-id bound (the caller cuts).
expr bump_producer_epoch(SymProducer* p, const expr& when) {
  const expr ok = p->producer_id < num(kMaxProducerId);
  p->producer_id = choose(when, p->producer_id + num(1), p->producer_id);
  p->next_seq = choose(when, num(0), p->next_seq);
  p->last_acked_seq = choose(when, num(-1), p->last_acked_seq);
  for (int i = 0; i < K; ++i) {
    const expr queued = when && num(i) < p->queued;
    p->queue[i].seq = choose(queued, num(-1), p->queue[i].seq);
    p->queue[i].producer_id = choose(queued, num(0), p->queue[i].producer_id);
  }
  return ok;
}

// The first in-flight request satisfying `pred` (oldest_waiting and the like).
struct FirstFlight {
  expr found;
  expr index;  // K when none
  SymBatch batch;
};

template <class Pred>
FirstFlight first_flight(const SymProducer& p, Pred pred) {
  FirstFlight f{truth(false), num(K), p.flight[K - 1]};
  for (int k = K - 1; k >= 0; --k) {
    const expr c = num(k) < p.in_flight && pred(p.flight[k]);
    f.found = c || f.found;
    f.index = z3::ite(c, num(k), f.index);
    f.batch = ite(c, p.flight[k], f.batch);
  }
  return f;
}

FirstFlight oldest_waiting(const SymProducer& p, int broker) {
  return first_flight(p, [&](const SymBatch& b) {
    return b.broker == num(broker) && b.stage != num(Batch::kOrphan);
  });
}

}  // namespace

expr waiting_requests(const SymProducer& p) {
  expr n = num(0);
  for (int i = 0; i < K; ++i)
    n = n + one_if(num(i) < p.in_flight && p.flight[i].stage != num(Batch::kOrphan));
  return n;
}

void remove_flight(SymProducer* p, const expr& index) { remove_at(p->flight, &p->in_flight, index); }

namespace {

// ok: false when the model returns Result::kCount (the caller cuts). The retry, the
// transaction's abortable error, and the failure to the application are exclusive, each
// applied under its own guard.
expr fail_attempt(const SymConfig& c, SymState* s, SymBatch b, const expr& retriable, int front_slot,
                  const expr& when = truth(true)) {
  SymProducer& p = s->producer;
  const expr retry = when && retriable && c.retries > b.retries;
  if (!retriable.is_false()) {
    SymBatch r = b;
    r.retries = sym::min(b.retries + num(1), num(kMaxRetriesTracked));
    r.stage = num(Batch::kQueued);
    r.broker = num(kNoBroker);
    r.result = num(0);
    r.offset = num(kNoOffset);
    const expr old_epoch = b.seq >= num(0) && b.producer_id != p.producer_id;
    r.seq = choose(old_epoch, num(-1), b.seq);
    r.producer_id = choose(old_epoch, num(0), b.producer_id);
    // The slot the C++ while loop stops at: the first one that is not a numbered batch
    // of a lower sequence.
    expr in_order = num(K);
    for (int j = K - 1; j >= 0; --j) {
      const SymBatch& q = p.queue[j];
      in_order = z3::ite(num(j) < p.queued && q.seq >= num(0) && q.seq < r.seq, in_order, num(j));
    }
    const expr slot = z3::ite(r.seq >= num(0), in_order, sym::min(num(front_slot), p.queued));
    insert_queue(&p, slot, r, retry);
  }
  const expr fails = when && !retry;
  p.txn = choose(fails && c.transactional && p.txn == num(ProducerState::kOngoing),
                 num(ProducerState::kAbortable), p.txn);

  const expr to_app = fails && !c.transactional;
  const expr bump = to_app && idempotent(c) && b.seq >= num(0) && b.producer_id == p.producer_id;
  const expr bump_ok = bump_producer_epoch(&p, bump);
  const expr resends = c.on_send_error == num(int(OnSendError::kResend));
  const expr resend_ok = resend(&p, b.msg, to_app && resends);
  p.dropped = choose(to_app && !resends, p.dropped | bit_of(b.msg), p.dropped);
  return !(bump && !bump_ok) && !(to_app && resends && !resend_ok);
}

expr retriable(const expr& r) {
  auto is = [&](Result x) { return r == num(int(x)); };
  return is(Result::kNotLeaderOrFollower) || is(Result::kNotEnoughReplicas) ||
         is(Result::kNotEnoughReplicasAfterAppend) || is(Result::kNetworkException) ||
         is(Result::kRequestTimedOut);
}

// One step per message the application may send (the C++ computes m from the state).
void transactional_send(const SymState& s, StepSink* sink) {
  const SymConfig& c = sink->config;
  const SymProducer& p = s.producer;
  const expr ready = c.transactional && p.txn == num(ProducerState::kReady) &&
                     (p.txn_flags & num(ProducerState::kNeedsOffsetFetch |
                                        ProducerState::kGenerationFenced)) == num(0);
  const expr resending = p.resend != num(0);
  for (int m = 0; m < c.messages; ++m) {
    // m == countr_zero(resend): bit m set, the lower ones clear.
    const expr lowest = (p.resend & num((2 << m) - 1)) == num(1 << m);
    const expr chosen = z3::ite(resending, lowest, p.next_msg == num(m));
    const expr guard = ready && chosen;
    const expr again = resending || (c.processor() && in_set(p.sent, m));
    const expr cut = (again && p.gen[m] >= num(kMaxGen)) || p.queued >= num(kMaxBatches);
    sink->cut(guard && cut);
    SymState next = s;
    SymProducer& np = next.producer;
    np.resend = choose(resending, p.resend & num(~(1 << m) & 0xff), p.resend);
    np.next_msg = choose(resending, p.next_msg, p.next_msg + num(1));
    np.gen[m] = z3::ite(again, np.gen[m] + num(1), num(0));
    np.sent = choose(c.processor(), np.sent | bit_of(m), np.sent);
    np.dropped = choose(c.processor(), np.dropped & num(~(1 << m) & 0xff), np.dropped);
    np.txn = num(ProducerState::kOngoing);
    np.txn_flags = num(0);
    np.txn_msg = num(m);
    insert_queue(&np, np.queued, new_batch(num(m), np.gen[m]));
    sink->emit("Send(m=" + std::to_string(m) + ")", guard && !cut, next);
  }
}

void send(const SymState& s, StepSink* sink) {
  transactional_send(s, sink);
  const SymConfig& c = sink->config;
  const SymProducer& p = s.producer;
  for (int m = 0; m < c.messages; ++m) {
    const expr guard = !c.transactional && p.next_msg == num(m);
    const expr cut = p.queued >= num(kMaxBatches);
    sink->cut(guard && cut);
    SymState next = s;
    SymProducer& np = next.producer;
    np.next_msg = p.next_msg + num(1);
    np.gen[m] = num(0);
    insert_queue(&np, np.queued, new_batch(num(m), num(0)));
    sink->emit("Send(m=" + std::to_string(m) + ")", guard && !cut, next);
  }
}

void metadata_update(const SymState& s, StepSink* sink) {
  const expr leader = s.partition.leader;
  const expr guard = leader != num(kNoBroker) && s.producer.metadata_leader != leader;
  SymState next = s;
  next.producer.metadata_leader = leader;
  sink->emit("MetadataUpdate", guard, next);
}

void produce_request(const SymState& s, StepSink* sink) {
  const SymConfig& c = sink->config;
  const SymProducer& p = s.producer;
  const expr target = p.metadata_leader;
  expr guard = p.queued != num(0) && target != num(kNoBroker);
  guard = guard && (!c.transactional || (p.txn == num(ProducerState::kOngoing) &&
                                         (p.txn_flags & num(ProducerState::kPartitionAdded)) != num(0)));
  expr up = truth(false);
  for (int b = 0; b < c.replication_factor; ++b)
    up = up || (target == num(b) && s.replica[b].has(Replica::kUp));
  guard = guard && up && waiting_requests(p) < c.max_in_flight;
  for (int i = 0; i < K; ++i) {
    const SymBatch& f = p.flight[i];
    guard = guard && !(num(i) < p.in_flight && f.broker == target && f.stage == num(Batch::kResponded) &&
                       f.result == num(int(Result::kNetworkException)));
  }
  const expr cut = p.in_flight >= num(kMaxBatches) ||
                   (idempotent(c) && p.queue[0].seq < num(0) && p.next_seq > num(kMaxSeq));
  sink->cut(guard && cut);

  SymState next = s;
  SymProducer& np = next.producer;
  SymBatch b = pop_queue(&np, 0);
  const expr numbering = idempotent(c) && b.seq < num(0);
  b.seq = choose(numbering, np.next_seq, b.seq);
  b.producer_id = choose(numbering, np.producer_id, b.producer_id);
  np.next_seq = choose(numbering, np.next_seq + num(1), np.next_seq);
  b.broker = target;
  const expr acks_zero = c.acks == num(int(Acks::kZero));
  b.stage = z3::ite(acks_zero, num(Batch::kOrphan), num(Batch::kInNetwork));
  np.acked = choose(acks_zero, np.acked | bit_of(b.msg), np.acked);
  store(np.flight, np.in_flight, b);
  np.in_flight = np.in_flight + num(1);
  sink->emit("ProduceRequest", guard && !cut, next);
}

// The failure branches all end in one fail_attempt, whose `retriable` and preceding epoch
// bump are terms of the error.
void produce_response(const SymState& s, StepSink* sink, int broker) {
  const SymConfig& c = sink->config;
  const SymProducer& p = s.producer;
  const FirstFlight w = oldest_waiting(p, broker);
  const expr guard = w.found && w.batch.stage == num(Batch::kResponded);

  SymState next = s;
  SymProducer& np = next.producer;
  const SymBatch b = w.batch;
  remove_flight(&np, w.index);
  const expr r = b.result;
  auto is = [&](Result x) { return r == num(int(x)); };
  const expr fenced = c.transactional && is(Result::kProducerFenced);
  const expr txn_error = c.transactional && (is(Result::kInvalidProducerEpoch) ||
                                             is(Result::kInvalidTxnState) || is(Result::kOutOfOrderSequence));
  const expr success = is(Result::kAppended) || is(Result::kDuplicate);
  const expr out_of_order = is(Result::kOutOfOrderSequence);

  SymState restarted = next;
  restart_fenced_producer(c, &restarted);

  SymState acked = next;
  SymProducer& ap = acked.producer;
  const expr batch_acked = ap.txn == num(ProducerState::kOngoing) && b.msg == ap.txn_msg &&
                           b.gen == gen_of(ap, b.msg);
  ap.txn_flags = choose(c.transactional && batch_acked,
                        ap.txn_flags | num(ProducerState::kBatchAcked), ap.txn_flags);
  ap.acked = choose(c.transactional, ap.acked, ap.acked | bit_of(b.msg));
  const expr newer = b.seq >= num(0) && b.producer_id == ap.producer_id && b.seq > ap.last_acked_seq;
  ap.last_acked_seq = choose(newer, b.seq, ap.last_acked_seq);

  const expr current = b.producer_id == np.producer_id;
  const expr next_expected = current && b.seq == np.last_acked_seq + num(1);
  const expr stale = current && b.seq <= np.last_acked_seq;
  const expr v25 = c.at_least(KafkaVersion{2, 5, 0});
  const expr bump_first = !txn_error && out_of_order && !stale && next_expected && v25;
  const expr retry = z3::ite(txn_error, truth(false),
                             z3::ite(out_of_order, !stale && (!next_expected || v25), retriable(r)));
  SymState failed = next;
  const expr bump_ok = bump_producer_epoch(&failed.producer, bump_first);
  const expr fail_ok = fail_attempt(c, &failed, b, retry, 0);
  const expr ok = (!bump_first || bump_ok) && fail_ok;

  const expr failing = !fenced && !success;
  sink->cut(guard && failing && !ok);
  sink->emit("ProduceResponse(b=" + std::to_string(broker) + ")", guard && (!failing || ok),
             ite(fenced, restarted, ite(success, acked, failed)));
}

// The requests left after a crash or a timeout closes connections: of those the sender
// waits for (`failing`), the first `read` still on the wire become orphans (read >= K:
// all of them), the rest are removed; the others stay as they are.
void close_connections(SymProducer* p, const std::vector<expr>& failing, int read) {
  SymBatch kept[K];
  std::vector<expr> keep(K, truth(false));
  expr rank = num(0);  // requests on the wire before k among the failing ones
  for (int k = 0; k < K; ++k) {
    const SymBatch& b = p->flight[k];
    const expr wire = failing[k] && b.stage == num(Batch::kInNetwork);
    const expr read_it = read > k ? wire : read == 0 ? truth(false) : wire && rank < num(read);
    keep[k] = num(k) < p->in_flight && (!failing[k] || read_it);
    kept[k] = b;
    kept[k].stage = choose(failing[k], num(Batch::kOrphan), b.stage);
    rank = rank + one_if(wire);
  }
  compact(p->flight, &p->in_flight, kept, keep);
}

void request_timeout(const SymState& s, StepSink* sink, int broker) {
  const SymConfig& c = sink->config;
  const SymProducer& p = s.producer;
  const expr enabled = oldest_waiting(p, broker).found && fault_allowed(c, s, FaultKind::kRequestTimeout);
  std::vector<expr> failing(K, truth(false));
  expr on_wire = num(0);
  for (int i = 0; i < K; ++i) {
    const SymBatch& b = p.flight[i];
    failing[i] = num(i) < p.in_flight && b.broker == num(broker) && b.stage != num(Batch::kOrphan);
    on_wire = on_wire + one_if(failing[i] && b.stage == num(Batch::kInNetwork));
  }
  SymState failed = s;
  spend_fault(&failed, FaultKind::kRequestTimeout);
  expr ok = truth(true);
  for (int i = 0; i < K; ++i) ok = ok && fail_attempt(c, &failed, p.flight[i], truth(true), 0, failing[i]);
  // The C++ cuts once per `read`; one cut term says the same.
  sink->cut(enabled && !ok);
  for (int read = 0; read <= K; ++read) {
    SymState next = failed;
    close_connections(&next.producer, failing, read);
    sink->emit("RequestTimeout(b=" + std::to_string(broker) + ",read=" + std::to_string(read) + ")",
               enabled && num(read) <= on_wire && ok, next);
  }
}

void delivery_timeout(const SymState& s, StepSink* sink, int index) {
  const SymConfig& c = sink->config;
  const expr guard = num(index) < s.producer.queued && fault_allowed(c, s, FaultKind::kDeliveryTimeout);
  SymState next = s;
  spend_fault(&next, FaultKind::kDeliveryTimeout);
  const SymBatch b = pop_queue(&next.producer, index);
  const expr ok = fail_attempt(c, &next, b, truth(false), 0);
  sink->cut(guard && !ok);
  sink->emit("DeliveryTimeout(i=" + std::to_string(index) + ")", guard && ok, next);
}

void delivery_timeout_in_flight(const SymState& s, StepSink* sink) {
  const SymConfig& c = sink->config;
  const SymProducer& p = s.producer;
  const FirstFlight w = first_flight(p, [](const SymBatch& b) { return b.stage != num(Batch::kOrphan); });
  const expr guard = c.at_least(KafkaVersion{2, 1, 0}) && w.found &&
                     fault_allowed(c, s, FaultKind::kDeliveryTimeout);
  SymState next = s;
  spend_fault(&next, FaultKind::kDeliveryTimeout);
  SymProducer& np = next.producer;
  const SymBatch b = w.batch;
  SymProducer orphaned = np;
  for (int i = 0; i < K; ++i)
    orphaned.flight[i].stage = choose(w.index == num(i), num(Batch::kOrphan), orphaned.flight[i].stage);
  SymProducer removed = np;
  remove_flight(&removed, w.index);
  np = ite(b.stage == num(Batch::kInNetwork), orphaned, removed);
  const expr ok = fail_attempt(c, &next, b, truth(false), 0);
  sink->cut(guard && !ok);
  sink->emit("DeliveryTimeoutInFlight", guard && ok, next);
}

void clear_queue(SymProducer* p) {
  for (int i = 0; i < K; ++i) p->queue[i] = ite(num(i) < p->queued, empty_batch(), p->queue[i]);
  p->queued = num(0);
}

void producer_crash(const SymState& s, StepSink* sink) {
  const SymConfig& c = sink->config;
  const SymProducer& p = s.producer;
  const expr guard = !c.transactional && (p.queued != num(0) || waiting_requests(p) != num(0)) &&
                     fault_allowed(c, s, FaultKind::kProducerCrash);
  const expr id_bound = p.producer_id >= num(kMaxProducerId);
  sink->cut(guard && id_bound);
  expr on_wire = num(0);
  for (int i = 0; i < K; ++i)
    on_wire = on_wire + one_if(num(i) < p.in_flight && p.flight[i].stage == num(Batch::kInNetwork));

  SymState next = s;
  spend_fault(&next, FaultKind::kProducerCrash);
  SymProducer& np = next.producer;
  expr pending = num(0);
  for (int i = 0; i < K; ++i)
    pending = pending | choose(num(i) < p.queued, bit_of(p.queue[i].msg), num(0));
  for (int i = 0; i < K; ++i)
    pending = pending | choose(num(i) < p.in_flight && p.flight[i].stage != num(Batch::kOrphan),
                               bit_of(p.flight[i].msg), num(0));
  clear_queue(&np);
  np.producer_id = p.producer_id + num(1);
  np.next_seq = num(0);
  np.last_acked_seq = num(-1);
  np.metadata_leader = s.partition.leader;
  const expr replay = c.on_producer_restart == num(int(OnProducerRestart::kReplayUnacked));
  expr ok = truth(true);
  // Messages from c.messages on are never sent: their pending bit is always clear.
  for (int m = 0; m < c.messages; ++m) {
    const expr has = in_set(pending, m);
    const expr resend_ok = resend(&np, num(m), has && replay);
    ok = ok && !(has && replay && !resend_ok);
    np.abandoned = choose(has && !replay, np.abandoned | bit_of(m), np.abandoned);
  }
  const expr enabled = guard && !id_bound;
  sink->cut(enabled && !ok);
  std::vector<expr> failing(K, truth(false));  // every request the sender waits for
  for (int i = 0; i < K; ++i)
    failing[i] = num(i) < p.in_flight && p.flight[i].stage != num(Batch::kOrphan);
  for (int read = 0; read <= K; ++read) {
    SymState n = next;
    close_connections(&n.producer, failing, read);
    sink->emit("ProducerCrash(read=" + std::to_string(read) + ")", enabled && num(read) <= on_wire && ok, n);
  }
}

void transactional_producer_crash(const SymState& s, StepSink* sink, bool zombie) {
  const SymConfig& c = sink->config;
  const SymProducer& p = s.producer;
  const FaultKind kind = zombie ? FaultKind::kProducerZombie : FaultKind::kProducerCrash;
  const expr ongoing = p.txn == num(ProducerState::kOngoing);
  const expr guard = c.transactional &&
                     (zombie ? ongoing : ongoing || p.txn == num(ProducerState::kAbortable)) &&
                     fault_allowed(c, s, kind);
  expr on_wire = num(0);
  std::vector<expr> failing(K, truth(false));
  for (int i = 0; i < K; ++i) {
    failing[i] = num(i) < p.in_flight && p.flight[i].stage != num(Batch::kOrphan);
    on_wire = on_wire + one_if(num(i) < p.in_flight && p.flight[i].stage == num(Batch::kInNetwork));
  }

  SymState next = s;
  spend_fault(&next, kind);
  SymProducer& np = next.producer;
  // The zombie's drained batches go after the requests the flight pass keeps (the C++
  // appends them first and removes around them: the same order). Its cut checks count
  // the requests as the C++ has them then, before the pass.
  expr cut = truth(false);
  if (zombie) {
    close_connections(&np, failing, K);  // a zombie: read == on_wire
    const expr added = (p.txn_flags & num(ProducerState::kPartitionAdded)) != num(0);
    expr before_pass = p.in_flight;
    for (int j = 0; j < K; ++j) {
      const expr drained = num(j) < p.queued && added;
      const expr bound = before_pass >= num(kMaxBatches) || np.next_seq > num(kMaxSeq);
      cut = cut || (drained && bound);
      SymBatch b = p.queue[j];
      const expr numbering = drained && b.seq < num(0);
      b.seq = choose(numbering, np.next_seq, b.seq);
      b.producer_id = choose(numbering, np.producer_id, b.producer_id);
      np.next_seq = choose(numbering, np.next_seq + num(1), np.next_seq);
      b.broker = np.metadata_leader;
      b.stage = num(Batch::kOrphan);
      const expr appended = drained && np.metadata_leader != num(kNoBroker);
      store(np.flight, z3::ite(appended, np.in_flight, num(K)), b);
      np.in_flight = choose(appended, np.in_flight + num(1), np.in_flight);
      before_pass = choose(appended, before_pass + num(1), before_pass);
    }
  }
  clear_queue(&np);
  if (zombie) {
    SymCoordinator& t = next.coordinator;
    t.zombie_epoch = choose(t.epoch == p.producer_id && t.status == num(TxnCoordinatorState::kOngoing),
                            p.producer_id, t.zombie_epoch);
  }
  const expr replay = c.on_producer_restart == num(int(OnProducerRestart::kReplayUnacked));
  const expr txn_bit = bit_of(p.txn_msg);
  np.resend = choose(c.processor(), np.resend, z3::ite(replay, np.resend | txn_bit, num(0)));
  np.abandoned = choose(c.processor() || replay, np.abandoned, np.abandoned | p.resend | txn_bit);
  np.txn = num(ProducerState::kNeedsInit);
  np.txn_flags = z3::ite(c.processor(), num(ProducerState::kNeedsOffsetFetch), num(0));
  np.metadata_leader = s.partition.leader;

  if (zombie) {
    sink->cut(guard && cut);
    sink->emit("ProducerZombie", guard && !cut, next);
    return;
  }
  for (int read = 0; read <= K; ++read) {
    SymState n = next;
    close_connections(&n.producer, failing, read);
    sink->emit("ProducerCrash(read=" + std::to_string(read) + ")", guard && num(read) <= on_wire, n);
  }
}

void producer_zombie(const SymState& s, StepSink* sink) { transactional_producer_crash(s, sink, /*zombie=*/true); }

}  // namespace

void producer_steps(const SymState& s, StepSink* sink) {
  const int brokers = sink->config.replication_factor;
  send(s, sink);
  metadata_update(s, sink);
  produce_request(s, sink);
  for (int b = 0; b < brokers; ++b) produce_response(s, sink, b);
  for (int b = 0; b < brokers; ++b) request_timeout(s, sink, b);
  for (int i = 0; i < kMaxBatches; ++i) delivery_timeout(s, sink, i);
  delivery_timeout_in_flight(s, sink);
  producer_crash(s, sink);
  transactional_producer_crash(s, sink, /*zombie=*/false);
  producer_zombie(s, sink);
}

}  // namespace kdc::sym
