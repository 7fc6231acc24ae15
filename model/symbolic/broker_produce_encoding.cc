// broker_produce.cc over terms: HandleProduce and the acks=all completion in the produce
// purgatory. Both steps act on one in-flight request, found by a scan; the encoding emits
// one step per request slot, guarded by "the scan finds this slot", so that each step's
// effect indexes the flight array with a constant.
#include <string>

#include "model/idempotence.h"
#include "model/symbolic/encoding.h"
#include "model/vocabulary/event.h"

namespace kdc::sym {
namespace {

expr result_num(Result r) { return num(int(r)); }

// The next request broker b reads from the network (-1: none, or one in purgatory first).
expr next_request(const SymProducer& p, int broker) {
  expr found = num(-1);
  for (int i = kMaxBatches - 1; i >= 0; --i) {
    const SymBatch& b = p.flight[i];
    const expr purgatory = b.stage == num(Batch::kInPurgatory);
    const expr readable = b.stage == num(Batch::kInNetwork) || b.stage == num(Batch::kOrphan);
    found = choose(num(i) < p.in_flight && b.broker == num(broker) && (purgatory || readable),
                   choose(purgatory, num(-1), num(i)), found);
  }
  return found;
}

// The transactional checks of a Produce; Result::kNone: accepted.
expr check_transaction(const SymConfig& c, const SymState& s, const SymReplica& leader, const SymBatch& req) {
  const SymCoordinator& t = s.coordinator;
  const expr verified =
      z3::ite(t.epoch != req.producer_id, result_num(Result::kInvalidProducerEpoch),
              z3::ite(t.status != num(TxnCoordinatorState::kOngoing) ||
                          (t.flags & num(TxnCoordinatorState::kPartitionAdded)) == num(0),
                      result_num(Result::kInvalidTxnState), result_num(Result::kNone)));
  return z3::ite(
      !c.transactional, result_num(Result::kNone),
      z3::ite(req.producer_id < latest_producer_epoch(leader),
              z3::ite(c.at_least(KafkaVersion{2, 7, 0}), result_num(Result::kInvalidProducerEpoch),
                      result_num(Result::kProducerFenced)),
              z3::ite(c.transaction_verification, verified, result_num(Result::kNone))));
}

// HandleProduce(b) on the request in flight slot i (the one next_request finds).
void handle_produce(const SymState& s, StepSink* sink, int broker, int i) {
  const SymConfig& c = sink->config;
  const SymReplica& leader = s.replica[broker];
  const expr guard = next_request(s.producer, broker) == num(i) && leader.has(Replica::kUp);

  SymState next = s;
  const SymBatch& req = s.producer.flight[i];
  const SymReplica& r = s.replica[broker];
  const expr orphan = req.stage == num(Batch::kOrphan);
  const expr idempotent = req.seq >= num(0);

  // The C++ if-chain, as which branch is taken.
  const expr not_leader = !r.has(Replica::kLeader);
  const expr not_enough = c.acks == num(int(Acks::kAll)) &&
                          popcount(isr_known_by(s, broker)) < c.min_insync_replicas;
  const expr refused = check_transaction(c, s, r, req);
  const expr checked = !not_leader && !not_enough && refused == result_num(Result::kNone);
  const SymSequenceCheck check = check_sequence(c, r, req.producer_id, req.seq);
  const expr kind = choose(idempotent, check.kind, num(SequenceCheck::kAppend));
  const expr out_of_order = kind == num(SequenceCheck::kOutOfOrder);
  const expr duplicate = kind == num(SequenceCheck::kDuplicate);
  const expr appends = checked && !out_of_order && !duplicate;

  const expr result =
      z3::ite(not_leader, result_num(Result::kNotLeaderOrFollower),
      z3::ite(not_enough, result_num(Result::kNotEnoughReplicas),
      z3::ite(refused != result_num(Result::kNone), refused,
      z3::ite(out_of_order, result_num(Result::kOutOfOrderSequence),
      z3::ite(duplicate, result_num(Result::kDuplicate), result_num(Result::kAppended))))));
  const expr offset = z3::ite(appends, r.log_end_offset,
                              z3::ite(checked && duplicate, check.duplicate_offset, num(-1)));

  // The append branch, merged into the state of the others.
  SymState appended = s;
  SymRecord rec;
  rec.msg = req.msg;
  rec.gen = req.gen;
  rec.epoch = r.known_epoch;
  rec.producer_id = choose(idempotent, req.producer_id, num(0));
  rec.seq = choose(idempotent, req.seq, num(0));
  rec.kind = z3::ite(c.transactional, num(Record::kTransactional), num(Record::kPlain));
  const expr ok = append_record(c, &appended.replica[broker], rec);
  maybe_advance_high_watermark(c, &appended);
  sink->cut(guard && appends && !ok);
  next = ite(appends, appended, next);

  const expr written = result == result_num(Result::kAppended) || result == result_num(Result::kDuplicate);
  SymProducer removed = next.producer;
  remove_flight(&removed, num(i));
  SymProducer answered = next.producer;
  SymBatch& a = answered.flight[i];
  const expr purgatory = written && c.acks == num(int(Acks::kAll)) && offset >= num(0);
  a.stage = z3::ite(purgatory, num(Batch::kInPurgatory), num(Batch::kResponded));
  a.offset = choose(purgatory, offset & num(0xff), a.offset);
  a.result = choose(purgatory, a.result, result);
  next.producer = ite(orphan, removed, answered);
  sink->emit("HandleProduce(b=" + std::to_string(broker) + ")", guard && !(appends && !ok), next);
}

// ProduceComplete(b) on the request in flight slot i: the last in b's purgatory.
void produce_complete(const SymState& s, StepSink* sink, int broker, int i) {
  const SymConfig& c = sink->config;
  const SymProducer& p = s.producer;
  auto waits = [&](int k) {
    return num(k) < p.in_flight && p.flight[k].broker == num(broker) &&
           p.flight[k].stage == num(Batch::kInPurgatory);
  };
  expr guard = waits(i);
  for (int k = i + 1; k < kMaxBatches; ++k) guard = guard && !waits(k);
  const SymReplica& r = s.replica[broker];
  guard = guard && !(r.high_watermark <= p.flight[i].offset);

  SymState next = s;
  SymBatch& req = next.producer.flight[i];
  req.stage = num(Batch::kResponded);
  req.result = z3::ite(popcount(isr_known_by(s, broker)) >= c.min_insync_replicas,
                       result_num(Result::kAppended), result_num(Result::kNotEnoughReplicasAfterAppend));
  sink->emit("ProduceComplete(b=" + std::to_string(broker) + ")", guard, next);
}

}  // namespace

void produce_handling_steps(const SymState& s, StepSink* sink) {
  const int brokers = sink->config.replication_factor;
  for (int b = 0; b < brokers; ++b)
    for (int i = 0; i < kMaxBatches; ++i) handle_produce(s, sink, b, i);
  for (int b = 0; b < brokers; ++b)
    for (int i = 0; i < kMaxBatches; ++i) produce_complete(s, sink, b, i);
}

}  // namespace kdc::sym
