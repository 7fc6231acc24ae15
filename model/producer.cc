#include "model/producer.h"

#include <algorithm>
#include <bit>

#include "model/steps.h"
#include "model/transactions.h"

namespace kdc {
namespace {

bool idempotent(const Config& c) { return c.idempotence; }

void insert_queue(ProducerState* p, int slot, const Batch& b) {
  for (int i = p->queued; i > slot; --i) p->queue[i] = p->queue[i - 1];
  p->queue[slot] = b;
  ++p->queued;
}

Batch pop_queue(ProducerState* p, int index) {
  Batch b = p->queue[index];
  for (int i = index; i + 1 < p->queued; ++i) p->queue[i] = p->queue[i + 1];
  p->queue[--p->queued] = Batch{};
  return b;
}

Batch new_batch(int msg, int gen) {
  Batch b;
  b.msg = uint8_t(msg);
  b.gen = uint8_t(gen);
  return b;
}

// The application calls send() again for a message whose send failed or was lost in a
// crash: a new record (next generation) at the back of the accumulator. False when a
// bound (queue capacity, generations) does not allow it.
bool resend(State* s, int msg) {
  ProducerState& p = s->producer;
  if (p.queued >= kMaxBatches || p.gen[msg] >= kMaxGen) return false;
  int gen = p.gen[msg] + 1;
  p.gen[msg] = uint8_t(gen);
  insert_queue(&p, p.queued, new_batch(msg, gen));
  return true;
}

// KIP-360: after a batch of the idempotent producer fails for good, its sequence number
// may be a gap; the producer bumps its epoch and numbers the remaining batches afresh.
// False at the producer-id bound (reusing an id would fake duplicates).
bool bump_producer_epoch(ProducerState* p) {
  if (p->producer_id >= kMaxProducerId) return false;
  p->producer_id = uint8_t(p->producer_id + 1);
  p->next_seq = 0;
  p->last_acked_seq = -1;
  for (int i = 0; i < p->queued; ++i) {
    p->queue[i].seq = -1;
    p->queue[i].producer_id = 0;
  }
  return true;
}

}  // namespace

int waiting_requests(const ProducerState& p) {
  int n = 0;
  for (int i = 0; i < p.in_flight; ++i) n += p.flight[i].stage != Batch::kOrphan;
  return n;
}

int oldest_waiting(const ProducerState& p, int broker) {
  for (int i = 0; i < p.in_flight; ++i)
    if (p.flight[i].broker == broker && p.flight[i].stage != Batch::kOrphan) return i;
  return -1;
}

void remove_flight(ProducerState* p, int index) {
  for (int i = index; i + 1 < p->in_flight; ++i) p->flight[i] = p->flight[i + 1];
  p->flight[--p->in_flight] = Batch{};
}

Result fail_attempt(const Config& c, State* s, Batch b, bool retriable, int front_slot) {
  ProducerState& p = s->producer;
  if (retriable && c.retries > b.retries) {
    b.retries = uint8_t(std::min<int>(b.retries + 1, kMaxRetriesTracked));
    b.stage = Batch::kQueued;
    b.broker = kNoBroker;
    b.result = 0;
    b.offset = kNoOffset;
    if (b.seq >= 0 && b.producer_id != p.producer_id) {  // numbered under an old epoch
      b.seq = -1;
      b.producer_id = 0;
    }
    // A retried batch goes back to the front (Deque.addFirst); an idempotent producer's,
    // in sequence order among the numbered ones (RecordAccumulator.insertInSequenceOrder),
    // or a later batch could block it forever with OUT_OF_ORDER_SEQUENCE_NUMBER.
    int slot = std::min<int>(front_slot, p.queued);
    if (b.seq >= 0) {
      slot = 0;
      while (slot < p.queued && p.queue[slot].seq >= 0 && p.queue[slot].seq < b.seq) ++slot;
    }
    insert_queue(&p, slot, b);
    return Result::kRetry;
  }
  if (c.transactional) {
    // TransactionManager: a batch that fails for good puts the transaction in an abortable
    // error state; the application must abort it (and decides then about the message).
    if (p.txn == ProducerState::kOngoing) p.txn = ProducerState::kAbortable;
    return Result::kAbortableError;
  }
  if (idempotent(c) && b.seq >= 0 && b.producer_id == p.producer_id && !bump_producer_epoch(&p))
    return Result::kCount;
  if (c.on_send_error == OnSendError::kResend) {
    if (!resend(s, b.msg)) return Result::kCount;
    return Result::kFailedResent;
  }
  p.dropped |= uint8_t(1u << b.msg);
  return Result::kFailedDropped;
}

namespace {

bool retriable(Result r) {
  switch (r) {
    case Result::kNotLeaderOrFollower:
    case Result::kNotEnoughReplicas:
    case Result::kNotEnoughReplicasAfterAppend:
    case Result::kNetworkException:
    case Result::kRequestTimedOut:
      return true;
    default:
      return false;
  }
}

Event producer_event(EventType type, const Batch& b) {
  Event e;
  e.type = type;
  e.msg = int8_t(b.msg);
  e.gen = int8_t(b.gen);
  if (b.seq >= 0) {
    e.seq = b.seq;
    e.producer_id = int8_t(b.producer_id);
  }
  return e;
}

// Send(m) with a transactional.id: beginTransaction() and send(m). The application sends
// again, first, a message whose transaction it gave up on; else the next one. The processor
// sends the output of its next input record.
void transactional_send(const State& s, StepSink* sink) {
  const Config& c = sink->config;
  const ProducerState& p = s.producer;
  if (p.txn != ProducerState::kReady) return;
  if (p.txn_flags & (ProducerState::kNeedsOffsetFetch | ProducerState::kGenerationFenced)) return;
  int m;
  if (p.resend != 0) {
    m = std::countr_zero(p.resend);
  } else if (p.next_msg < c.messages) {
    m = p.next_msg;
  } else {
    return;
  }
  const bool again = p.resend != 0 || (c.processor() && ((p.sent >> m) & 1));
  if (again && p.gen[m] >= kMaxGen) return sink->cut();
  if (p.queued >= kMaxBatches) return sink->cut();
  State next = s;
  ProducerState& np = next.producer;
  if (p.resend != 0) {
    np.resend &= uint8_t(~(1u << m));
  } else {
    ++np.next_msg;
  }
  np.gen[m] = again ? uint8_t(np.gen[m] + 1) : 0;
  if (c.processor()) {
    np.sent |= uint8_t(1u << m);
    np.dropped &= uint8_t(~(1u << m));  // re-read from the committed offset after all
  }
  np.txn = ProducerState::kOngoing;
  np.txn_flags = 0;
  np.txn_msg = uint8_t(m);
  insert_queue(&np, np.queued, new_batch(m, np.gen[m]));
  Event e;
  e.type = EventType::kSend;
  e.msg = int8_t(m);
  e.gen = int8_t(np.gen[m]);
  sink->emit(e, next);
}

// Send(m): the application thread hands the next message to send().
void send(const State& s, StepSink* sink) {
  if (sink->config.transactional) return transactional_send(s, sink);
  const ProducerState& p = s.producer;
  if (p.next_msg >= sink->config.messages) return;
  if (p.queued >= kMaxBatches) return sink->cut();
  State next = s;
  ProducerState& np = next.producer;
  int m = np.next_msg++;
  np.gen[m] = 0;
  insert_queue(&np, np.queued, new_batch(m, 0));
  Event e;
  e.type = EventType::kSend;
  e.msg = int8_t(m);
  e.gen = 0;
  sink->emit(e, next);
}

// MetadataUpdate: the producer learns the partition's current leader.
void metadata_update(const State& s, StepSink* sink) {
  int leader = s.partition.leader;
  if (leader == kNoBroker || s.producer.metadata_leader == leader) return;
  State next = s;
  next.producer.metadata_leader = int8_t(leader);
  Event e;
  e.type = EventType::kMetadataUpdate;
  e.broker = int8_t(leader);
  e.leader_epoch = int8_t(s.partition.leader_epoch);
  sink->emit(e, next);
}

// ProduceRequest: the sender drains the accumulator's first batch to the leader it knows,
// if that broker accepts connections and the in-flight limit allows. An idempotent
// producer numbers the batch the first time it is drained.
void produce_request(const State& s, StepSink* sink) {
  const Config& c = sink->config;
  const ProducerState& p = s.producer;
  int target = p.metadata_leader;
  if (p.queued == 0 || target == kNoBroker) return;
  if (c.transactional && !(p.txn == ProducerState::kOngoing &&
                           (p.txn_flags & ProducerState::kPartitionAdded)))
    return;  // the sender waits for AddPartitionsToTxn
  if (!s.replica[target].has(Replica::kUp)) return;
  if (waiting_requests(p) >= c.max_in_flight) return;
  // A broken connection is noticed before the node is ready again (NetworkClient
  // handles disconnections, failing the requests on it, before a new connection is used).
  for (int i = 0; i < p.in_flight; ++i)
    if (p.flight[i].broker == target && p.flight[i].stage == Batch::kResponded &&
        p.flight[i].result == uint8_t(Result::kNetworkException))
      return;
  if (p.in_flight >= kMaxBatches) return sink->cut();
  if (idempotent(c) && p.queue[0].seq < 0 && p.next_seq > kMaxSeq) return sink->cut();

  State next = s;
  ProducerState& np = next.producer;
  Batch b = pop_queue(&np, 0);
  if (idempotent(c) && b.seq < 0) {
    b.seq = int8_t(np.next_seq++);
    b.producer_id = np.producer_id;
  }
  b.broker = int8_t(target);
  Event e = producer_event(EventType::kProduceRequest, b);
  e.broker = int8_t(target);
  if (c.acks == Acks::kZero) {
    // acks=0: the callback fires as soon as the request is written; nobody waits.
    b.stage = Batch::kOrphan;
    np.acked |= uint8_t(1u << b.msg);
    e.outcome = Result::kAcked;
  } else {
    b.stage = Batch::kInNetwork;
  }
  np.flight[np.in_flight++] = b;
  sink->emit(e, next);
}

// ProduceResponse(b): the sender reads the response to its oldest request to broker b.
void produce_response(const State& s, StepSink* sink, int broker) {
  const Config& c = sink->config;
  const ProducerState& p = s.producer;
  int i = oldest_waiting(p, broker);
  if (i < 0 || p.flight[i].stage != Batch::kResponded) return;

  State next = s;
  ProducerState& np = next.producer;
  Batch b = np.flight[i];
  remove_flight(&np, i);
  Result r = Result(b.result);
  Event e = producer_event(EventType::kProduceResponse, b);
  e.broker = int8_t(broker);
  e.result = r;
  if (c.transactional && r == Result::kProducerFenced) {
    // Before 2.7 a Produce of an old epoch fails with ProducerFencedException: fatal.
    restart_fenced_producer(c, &next);
    e.outcome = Result::kProducerFenced;
  } else if (c.transactional && (r == Result::kInvalidProducerEpoch ||
                                 r == Result::kInvalidTxnState ||
                                 r == Result::kOutOfOrderSequence)) {
    e.outcome = fail_attempt(c, &next, b, /*retriable=*/false, 0);
  } else if (r == Result::kAppended || r == Result::kDuplicate) {
    // For a transactional producer the callback's success only means the record is in
    // the log; the application learns of delivery when commitTransaction() returns.
    if (c.transactional) {
      if (np.txn == ProducerState::kOngoing && b.msg == np.txn_msg && b.gen == np.gen[b.msg])
        np.txn_flags |= ProducerState::kBatchAcked;
    } else {
      np.acked |= uint8_t(1u << b.msg);
    }
    if (b.seq >= 0 && b.producer_id == np.producer_id && b.seq > np.last_acked_seq)
      np.last_acked_seq = b.seq;
    e.outcome = Result::kAcked;
  } else if (r == Result::kOutOfOrderSequence) {
    // TransactionManager.canRetry. A batch that is not the next expected sequence is
    // retried as it is, unless a later sequence was already acknowledged: then the broker
    // will refuse it forever and the retry loop ends only when delivery.timeout.ms expires
    // it (apache/kafka PR 13608), which the model takes at once. The next expected batch
    // means a real gap: from 2.5 (KIP-360) the producer bumps its epoch and retries;
    // before 2.5 OutOfOrderSequenceException fails it.
    const bool current = b.producer_id == np.producer_id;
    const bool next_expected = current && b.seq == np.last_acked_seq + 1;
    if (current && b.seq <= np.last_acked_seq) {
      e.outcome = fail_attempt(c, &next, b, /*retriable=*/false, 0);
    } else if (!next_expected) {
      e.outcome = fail_attempt(c, &next, b, /*retriable=*/true, 0);
    } else if (c.version >= KafkaVersion{2, 5, 0}) {
      if (!bump_producer_epoch(&np)) return sink->cut();
      e.outcome = fail_attempt(c, &next, b, /*retriable=*/true, 0);
    } else {
      e.outcome = fail_attempt(c, &next, b, /*retriable=*/false, 0);
    }
    if (e.outcome == Result::kCount) return sink->cut();
  } else {
    e.outcome = fail_attempt(c, &next, b, retriable(r), 0);
    if (e.outcome == Result::kCount) return sink->cut();
  }
  sink->emit(e, next);
}

// RequestTimeout(b, read) [fault]: no response from broker b within request.timeout.ms.
// The client closes the connection and every request it waits for on it fails: fate
// unknown. Of the requests still on the wire, the broker had already read the first
// `read` (it will still append them: orphans); the rest die with the connection. Failed
// batches are re-enqueued one by one at the front (Deque.addFirst), which reverses them,
// unless idempotent (insertInSequenceOrder).
void request_timeout(const State& s, StepSink* sink, int broker) {
  const Config& c = sink->config;
  const ProducerState& p = s.producer;
  int first = oldest_waiting(p, broker);
  if (first < 0 || !fault_allowed(c, s, FaultKind::kRequestTimeout)) return;
  int on_wire = 0;
  for (int i = 0; i < p.in_flight; ++i)
    on_wire += p.flight[i].broker == broker && p.flight[i].stage == Batch::kInNetwork;

  for (int read = 0; read <= on_wire; ++read) {
    State next = s;
    spend_fault(&next, FaultKind::kRequestTimeout);
    ProducerState& np = next.producer;
    Event e = producer_event(EventType::kRequestTimeout, np.flight[first]);
    e.broker = int8_t(broker);
    e.count = int8_t(read);
    bool cut = false;
    int seen_on_wire = 0, failed = 0;
    for (int i = 0; i < np.in_flight;) {
      Batch b = np.flight[i];
      if (b.broker != broker || b.stage == Batch::kOrphan) {
        ++i;
        continue;
      }
      if (b.stage == Batch::kInNetwork && seen_on_wire++ < read) {
        np.flight[i].stage = Batch::kOrphan;
        ++i;
      } else {
        remove_flight(&np, i);
      }
      Result outcome = fail_attempt(c, &next, b, /*retriable=*/true, 0);
      cut |= outcome == Result::kCount;
      if (failed++ == 0) {
        e.result = Result::kRequestTimedOut;
        e.outcome = outcome;
      }
    }
    if (cut) {
      sink->cut();
      continue;
    }
    sink->emit(e, next);
  }
}

// DeliveryTimeout(i) [fault]: delivery.timeout.ms expires a batch still in the
// accumulator (waiting for a leader, or for its retry). It is not retried.
void delivery_timeout(const State& s, StepSink* sink, int index) {
  const Config& c = sink->config;
  if (index >= s.producer.queued || !fault_allowed(c, s, FaultKind::kDeliveryTimeout)) return;
  State next = s;
  spend_fault(&next, FaultKind::kDeliveryTimeout);
  Batch b = pop_queue(&next.producer, index);
  Event e = producer_event(EventType::kDeliveryTimeout, b);
  e.result = Result::kDeliveryTimedOut;
  e.outcome = fail_attempt(c, &next, b, /*retriable=*/false, 0);
  if (e.outcome == Result::kCount) return sink->cut();
  sink->emit(e, next);
}

// DeliveryTimeoutInFlight [fault] (2.1+, Sender.getExpiredInflightBatches): the oldest
// request the sender waits for outlives delivery.timeout.ms. Its batch fails although the
// broker may still append it (if the request is still on the wire) or already has.
void delivery_timeout_in_flight(const State& s, StepSink* sink) {
  const Config& c = sink->config;
  if (c.version < KafkaVersion{2, 1, 0}) return;
  const ProducerState& p = s.producer;
  int i = 0;
  while (i < p.in_flight && p.flight[i].stage == Batch::kOrphan) ++i;
  if (i == p.in_flight || !fault_allowed(c, s, FaultKind::kDeliveryTimeout)) return;
  State next = s;
  spend_fault(&next, FaultKind::kDeliveryTimeout);
  ProducerState& np = next.producer;
  Batch b = np.flight[i];
  if (b.stage == Batch::kInNetwork)
    np.flight[i].stage = Batch::kOrphan;
  else
    remove_flight(&np, i);
  Event e = producer_event(EventType::kDeliveryTimeout, b);
  e.broker = b.broker;
  e.result = Result::kDeliveryTimedOut;
  e.outcome = fail_attempt(c, &next, b, /*retriable=*/false, 0);
  if (e.outcome == Result::kCount) return sink->cut();
  sink->emit(e, next);
}

// ProducerCrash(read) [fault]: the producer process dies with records in its accumulator
// and in flight, and a new instance starts (a new producer id: dedup does not span it).
// Its connections close: of the requests still on the wire, brokers had already read the
// first `read` (they may still append them: orphans); the rest are gone.
// app.on.producer.restart decides whether the application sends the unacknowledged
// messages again.
void transactional_producer_crash(const State& s, StepSink* sink, bool zombie);

void producer_crash(const State& s, StepSink* sink) {
  if (sink->config.transactional) return transactional_producer_crash(s, sink, /*zombie=*/false);
  const Config& c = sink->config;
  const ProducerState& p = s.producer;
  if (p.queued == 0 && waiting_requests(p) == 0) return;
  if (!fault_allowed(c, s, FaultKind::kProducerCrash)) return;
  if (p.producer_id >= kMaxProducerId) return sink->cut();
  int on_wire = 0;
  for (int i = 0; i < p.in_flight; ++i) on_wire += p.flight[i].stage == Batch::kInNetwork;

  for (int read = 0; read <= on_wire; ++read) {
    State next = s;
    spend_fault(&next, FaultKind::kProducerCrash);
    ProducerState& np = next.producer;
    uint8_t pending = 0;
    for (int i = 0; i < np.queued; ++i) pending |= uint8_t(1u << np.queue[i].msg);
    while (np.queued > 0) pop_queue(&np, 0);
    int seen_on_wire = 0;
    for (int i = 0; i < np.in_flight;) {
      Batch& b = np.flight[i];
      if (b.stage == Batch::kOrphan) {
        ++i;
        continue;
      }
      pending |= uint8_t(1u << b.msg);
      if (b.stage == Batch::kInNetwork && seen_on_wire++ < read) {
        b.stage = Batch::kOrphan;
        ++i;
      } else {
        remove_flight(&np, i);
      }
    }
    np.producer_id = uint8_t(np.producer_id + 1);
    np.next_seq = 0;
    np.last_acked_seq = -1;
    np.metadata_leader = s.partition.leader;
    bool cut = false;
    for (int m = 0; m < kMaxMessages; ++m) {
      if (!((pending >> m) & 1)) continue;
      if (c.on_producer_restart == OnProducerRestart::kReplayUnacked) {
        cut |= !resend(&next, m);
      } else {
        np.abandoned |= uint8_t(1u << m);
      }
    }
    if (cut) {
      sink->cut();
      continue;
    }
    Event e;
    e.type = EventType::kProducerCrash;
    e.producer_id = int8_t(np.producer_id);
    e.count = int8_t(read);
    sink->emit(e, next);
  }
}

// ProducerCrash(read) [fault] with a transactional.id, and ProducerZombie [fault]: the
// instance with an open transaction stops being the application's producer, and a new
// instance starts (it must InitProducerId, which fences the old epoch and aborts the open
// transaction). A crashed instance's requests on the wire land only if the broker had
// read them; a zombie keeps running: it still sends its buffered record (if the partition
// is in its transaction) and may still try to commit (transactions.cc). The processor's
// new instance resumes from the committed input offset; the producer application's
// re-sends the message per app.on.producer.restart.
void transactional_producer_crash(const State& s, StepSink* sink, bool zombie) {
  const Config& c = sink->config;
  const ProducerState& p = s.producer;
  const FaultKind kind = zombie ? FaultKind::kProducerZombie : FaultKind::kProducerCrash;
  if (zombie ? p.txn != ProducerState::kOngoing
             : p.txn != ProducerState::kOngoing && p.txn != ProducerState::kAbortable)
    return;
  if (!fault_allowed(c, s, kind)) return;
  int on_wire = 0;
  for (int i = 0; i < p.in_flight; ++i) on_wire += p.flight[i].stage == Batch::kInNetwork;
  const int first_read = zombie ? on_wire : 0;

  for (int read = first_read; read <= on_wire; ++read) {
    State next = s;
    spend_fault(&next, kind);
    ProducerState& np = next.producer;
    bool cut = false;
    const bool added = p.txn_flags & ProducerState::kPartitionAdded;
    while (np.queued > 0) {
      Batch b = pop_queue(&np, 0);
      if (!zombie || !added) continue;
      // The zombie's sender drains it later: the broker may read it any time (an orphan).
      if (np.in_flight >= kMaxBatches || np.next_seq > kMaxSeq) {
        cut = true;
        break;
      }
      if (b.seq < 0) {
        b.seq = int8_t(np.next_seq++);
        b.producer_id = np.producer_id;
      }
      b.broker = np.metadata_leader;
      b.stage = Batch::kOrphan;
      if (b.broker == kNoBroker) continue;
      np.flight[np.in_flight++] = b;
    }
    int seen_on_wire = 0;
    for (int i = 0; i < np.in_flight;) {
      Batch& b = np.flight[i];
      if (b.stage == Batch::kOrphan) {
        ++i;
      } else if (b.stage == Batch::kInNetwork && seen_on_wire++ < read) {
        b.stage = Batch::kOrphan;
        ++i;
      } else {
        remove_flight(&np, i);
      }
    }
    if (cut) {
      sink->cut();
      continue;
    }
    if (zombie && next.coordinator.epoch == p.producer_id &&
        next.coordinator.status == TxnCoordinatorState::kOngoing)
      next.coordinator.zombie_epoch = p.producer_id;
    if (!c.processor()) {
      if (c.on_producer_restart == OnProducerRestart::kReplayUnacked) {
        np.resend |= uint8_t(1u << p.txn_msg);
      } else {
        np.abandoned |= uint8_t(np.resend | (1u << p.txn_msg));
        np.resend = 0;
      }
    }
    np.txn = ProducerState::kNeedsInit;
    np.txn_flags = c.processor() ? ProducerState::kNeedsOffsetFetch : 0;
    np.metadata_leader = s.partition.leader;
    Event e;
    e.type = zombie ? EventType::kProducerZombie : EventType::kProducerCrash;
    if (zombie)
      e.producer_id = int8_t(p.producer_id);
    else
      e.count = int8_t(read);
    sink->emit(e, next);
  }
}

void producer_zombie(const State& s, StepSink* sink) {
  if (sink->config.transactional) transactional_producer_crash(s, sink, /*zombie=*/true);
}

}  // namespace

void producer_steps(const State& s, StepSink* sink) {
  const int brokers = replica_count(sink->config);
  send(s, sink);
  metadata_update(s, sink);
  produce_request(s, sink);
  for (int b = 0; b < brokers; ++b) produce_response(s, sink, b);
  for (int b = 0; b < brokers; ++b) request_timeout(s, sink, b);
  for (int i = 0; i < kMaxBatches; ++i) delivery_timeout(s, sink, i);
  delivery_timeout_in_flight(s, sink);
  producer_crash(s, sink);
  producer_zombie(s, sink);
}

}  // namespace kdc
