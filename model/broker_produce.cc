// The partition leader's side of Produce: HandleProduce and the delayed (acks=all)
// completion in the produce purgatory.
#include "model/idempotence.h"
#include "model/partition_log.h"
#include "model/producer.h"
#include "model/steps.h"

namespace kdc {
namespace {

// The next request broker b reads from the network. A Kafka broker reads one request at
// a time per connection (the channel is muted until the response is sent), so nothing
// after a request waiting in purgatory is read.
int next_request(const ProducerState& p, int broker) {
  for (int i = 0; i < p.in_flight; ++i) {
    const Batch& b = p.flight[i];
    if (b.broker != broker) continue;
    if (b.stage == Batch::kInPurgatory) return -1;
    if (b.stage == Batch::kInNetwork || b.stage == Batch::kOrphan) return i;
  }
  return -1;
}

// The transactional checks of a Produce (ProducerAppendInfo, ReplicaManager): an epoch older
// than the partition has seen is fenced (INVALID_PRODUCER_EPOCH from 2.7; before, the
// fatal PRODUCER_FENCED); with transaction.partition.verification.enable (KIP-890 part 1)
// the leader asks the coordinator whether the producer's epoch has an open transaction
// that added the partition. Before that, and for a transaction that did add it again, a
// late write of an ended transaction is appended. Result::kNone: accepted.
Result check_transaction(const Config& c, const State& s, const Replica& leader, const Batch& req) {
  if (!c.transactional) return Result::kNone;
  if (req.producer_id < latest_producer_epoch(leader))
    return c.version >= KafkaVersion{2, 7, 0} ? Result::kInvalidProducerEpoch : Result::kProducerFenced;
  if (c.transaction_verification) {
    const TxnCoordinatorState& t = s.coordinator;
    if (t.epoch != req.producer_id) return Result::kInvalidProducerEpoch;
    if (t.status != TxnCoordinatorState::kOngoing || !(t.flags & TxnCoordinatorState::kPartitionAdded))
      return Result::kInvalidTxnState;
  }
  return Result::kNone;
}

// HandleProduce(b): leader b validates and appends the next Produce it reads.
// Guard: b is up. Effect: NOT_LEADER_OR_FOLLOWER if b does not believe it leads;
// NOT_ENOUGH_REPLICAS (acks=all, ISR smaller than min.insync.replicas, checked before the
// append); the idempotent sequence check; else append in b's leader epoch. acks=1 answers
// now; acks=all waits in purgatory for the high watermark.
void handle_produce(const State& s, StepSink* sink, int broker) {
  const Config& c = sink->config;
  const Replica& leader = s.replica[broker];
  int i = next_request(s.producer, broker);
  if (i < 0 || !leader.has(Replica::kUp)) return;

  State next = s;
  Batch& req = next.producer.flight[i];
  Replica& r = next.replica[broker];
  const bool orphan = req.stage == Batch::kOrphan;
  Event e;
  e.type = EventType::kHandleProduce;
  e.broker = int8_t(broker);
  e.msg = int8_t(req.msg);
  e.gen = int8_t(req.gen);
  e.leader_epoch = int8_t(r.known_epoch);
  if (req.seq >= 0) {
    e.seq = req.seq;
    e.producer_id = int8_t(req.producer_id);
  }

  Result result = Result::kAppended;
  int offset = -1;
  if (!r.has(Replica::kLeader)) {
    result = Result::kNotLeaderOrFollower;
  } else if (c.acks == Acks::kAll && set_size(isr_known_by(next, broker)) < c.min_insync_replicas) {
    result = Result::kNotEnoughReplicas;
  } else if (Result refused = check_transaction(c, s, r, req); refused != Result::kNone) {
    result = refused;
  } else {
    SequenceCheck check;
    if (req.seq >= 0) check = check_sequence(c, r, req.producer_id, req.seq);
    if (check.kind == SequenceCheck::kOutOfOrder) {
      result = Result::kOutOfOrderSequence;
    } else if (check.kind == SequenceCheck::kDuplicate) {
      result = Result::kDuplicate;
      offset = check.duplicate_offset;
    } else {
      offset = r.log_end_offset;
      Record rec = Record::make(req.msg, req.gen, r.known_epoch,
                                req.seq >= 0 ? req.producer_id : 0, req.seq >= 0 ? req.seq : 0,
                                c.transactional ? Record::kTransactional : Record::kPlain);
      if (!append_record(c, &r, rec)) return sink->cut();
      maybe_advance_high_watermark(c, &next);
    }
  }
  e.result = result;
  e.offset = int16_t(offset);

  const bool written = result == Result::kAppended || result == Result::kDuplicate;
  if (orphan) {
    remove_flight(&next.producer, i);
  } else if (written && c.acks == Acks::kAll && offset >= 0) {
    req.stage = Batch::kInPurgatory;
    req.offset = uint8_t(offset);
  } else {
    req.stage = Batch::kResponded;
    req.result = uint8_t(result);
  }
  sink->emit(e, next);
}

// ProduceComplete(b): the acks=all request in b's purgatory completes once the high
// watermark passes its offset (NOT_ENOUGH_REPLICAS_AFTER_APPEND if the ISR has meanwhile
// shrunk below min.insync.replicas). A leader that loses its role answers at once
// (learn_leadership); one that crashes loses its purgatory (stop_process).
void produce_complete(const State& s, StepSink* sink, int broker) {
  const Config& c = sink->config;
  const ProducerState& p = s.producer;
  int i = -1;
  for (int k = 0; k < p.in_flight; ++k)
    if (p.flight[k].broker == broker && p.flight[k].stage == Batch::kInPurgatory) i = k;
  if (i < 0) return;
  const Replica& r = s.replica[broker];
  const int offset = p.flight[i].offset;
  if (r.high_watermark <= offset) return;

  State next = s;
  Batch& req = next.producer.flight[i];
  Result result = set_size(isr_known_by(s, broker)) >= c.min_insync_replicas
                      ? Result::kAppended
                      : Result::kNotEnoughReplicasAfterAppend;
  req.stage = Batch::kResponded;
  req.result = uint8_t(result);
  Event e;
  e.type = EventType::kProduceComplete;
  e.broker = int8_t(broker);
  e.msg = int8_t(req.msg);
  e.gen = int8_t(req.gen);
  e.offset = int16_t(offset);
  e.result = result;
  sink->emit(e, next);
}

}  // namespace

void produce_handling_steps(const State& s, StepSink* sink) {
  const int brokers = replica_count(sink->config);
  for (int b = 0; b < brokers; ++b) handle_produce(s, sink, b);
  for (int b = 0; b < brokers; ++b) produce_complete(s, sink, b);
}

}  // namespace kdc
