#include "model/model.h"

#include <cstring>
#include <sstream>

#include "model/sink.h"
#include "model/steps.h"

namespace kdc {

bool State::operator==(const State& o) const { return std::memcmp(this, &o, sizeof(State)) == 0; }

uint8_t budget_of(const FaultBudget& f, FaultKind kind) {
  switch (kind) {
    case FaultKind::kRequestTimeout: return f.request_timeout;
    case FaultKind::kDeliveryTimeout: return f.delivery_timeout;
    case FaultKind::kProducerCrash: return f.producer_crash;
    case FaultKind::kBrokerCrash: return f.broker_crash;
    case FaultKind::kBrokerPowerLoss: return f.broker_power_loss;
    case FaultKind::kClusterPowerLoss: return f.cluster_power_loss;
    case FaultKind::kNetworkPartition: return f.network_partition;
    case FaultKind::kConsumerCrash: return f.consumer_crash;
    case FaultKind::kConsumerRebalance: return f.consumer_rebalance;
    case FaultKind::kOffsetLoss: return f.offset_loss;
    case FaultKind::kTransactionTimeout: return f.transaction_timeout;
    case FaultKind::kProducerZombie: return f.producer_zombie;
  }
  return 0;
}

std::string_view fault_key(FaultKind kind) {
  switch (kind) {
    case FaultKind::kRequestTimeout: return "fault.request.timeout";
    case FaultKind::kDeliveryTimeout: return "fault.delivery.timeout";
    case FaultKind::kProducerCrash: return "fault.producer.crash";
    case FaultKind::kBrokerCrash: return "fault.broker.crash";
    case FaultKind::kBrokerPowerLoss: return "fault.broker.power.loss";
    case FaultKind::kClusterPowerLoss: return "fault.cluster.power.loss";
    case FaultKind::kNetworkPartition: return "fault.network.partition";
    case FaultKind::kConsumerCrash: return "fault.consumer.crash";
    case FaultKind::kConsumerRebalance: return "fault.consumer.rebalance";
    case FaultKind::kOffsetLoss: return "fault.offset.loss";
    case FaultKind::kTransactionTimeout: return "fault.transaction.timeout";
    case FaultKind::kProducerZombie: return "fault.producer.zombie";
  }
  return "";
}

bool fault_allowed(const Config& c, const State& s, FaultKind kind) {
  return s.faults_used[int(kind)] < budget_of(c.faults, kind) && s.faults_total < c.faults.max_total;
}

void spend_fault(State* s, FaultKind kind) {
  ++s->faults_used[int(kind)];
  ++s->faults_total;
}

// Every replica runs, in sync, in leader epoch 1 with broker 0 leading; the producer knows
// the leader; the consumer group has committed offset 0 (it subscribed before the first
// send, so auto.offset.reset only matters once an offset is lost or out of range).
State initial_state(const Config& c) {
  State s;
  for (int b = 0; b < c.replication_factor; ++b) {
    Replica& r = s.replica[b];
    r.set(Replica::kUp, true);
    r.known_epoch = 1;
    s.partition.isr |= uint8_t(1u << b);
  }
  s.replica[0].set(Replica::kLeader, true);
  s.partition.leader = 0;
  s.partition.leader_epoch = 1;
  for (int b = 0; b < kMaxReplicas; ++b)
    s.partition.follower_leo[b] = b < c.replication_factor ? 0 : kNoOffset;
  s.producer.metadata_leader = 0;
  s.producer.producer_id = 1;
  // A transactional producer has called initTransactions(): epoch 1 of its transactional.id.
  if (c.transactional) s.coordinator.epoch = 1;
  return s;
}

// Partial-order reduction (docs/model.md, "Reduction"). While the sync consumer has local
// work, its local steps touch only consumer and sink state, and no other step reads that
// state (Poll and OffsetReset are disabled until a local step runs). A local step therefore
// commutes with every other step and none disables it: any run can be reordered so that the
// consumer's local steps come first, reaching the same states after each local step and
// the same quiesced states. (Faults share fault.max.total, but swapping two faults keeps
// both within budget.) Taking only the local steps at such states loses no reachable
// quiesced state and no effect; counterexamples are shortest among runs so ordered.
int successors(const Config& c, const State& s, std::vector<Step>* out) {
  if (!consumer_has_local_work(c, s)) return all_successors(c, s, out);
  out->clear();
  StepSink sink{c, out};
  local_consumer_steps(s, &sink);
  return sink.bound_hits;
}

int all_successors(const Config& c, const State& s, std::vector<Step>* out) {
  out->clear();
  StepSink sink{c, out};
  producer_steps(s, &sink);
  produce_handling_steps(s, &sink);
  transaction_steps(s, &sink);
  replication_steps(s, &sink);
  controller_steps(s, &sink);
  consumer_steps(s, &sink);
  broker_fault_steps(s, &sink);
  return sink.bound_hits;
}

std::string describe_state(const Config& c, const State& s) {
  std::ostringstream o;
  const PartitionState& p = s.partition;
  o << "partition: leader " << (p.leader == kNoBroker ? std::string("none") : std::to_string(p.leader))
    << ", leader epoch " << int(p.leader_epoch) << ", ISR {";
  bool first = true;
  for (int b = 0; b < c.replication_factor; ++b)
    if (in_set(p.isr, b)) o << (first ? "" : ",") << b, first = false;
  o << "}";
  if (p.elr) {
    o << ", ELR {";
    first = true;
    for (int b = 0; b < c.replication_factor; ++b)
      if (in_set(p.elr, b)) o << (first ? "" : ",") << b, first = false;
    o << "}";
  }
  o << "\n";
  for (int b = 0; b < c.replication_factor; ++b) {
    const Replica& r = s.replica[b];
    o << "  broker " << b << (r.has(Replica::kUp) ? "" : " [down]")
      << (r.has(Replica::kIsolated) ? " [isolated]" : "") << (r.has(Replica::kFenced) ? " [fenced]" : "")
      << (r.has(Replica::kLeader) ? " [acts as leader]" : "") << " epoch " << int(r.known_epoch)
      << " log [";
    for (int i = 0; i < r.log_end_offset; ++i) {
      const Record& rec = r.log[i];
      o << (i ? " " : "");
      if (rec.is_control()) {
        o << (rec.kind == Record::kCommitMarker ? "COMMIT" : "ABORT") << "/p" << rec.producer_id();
      } else {
        o << "m" << rec.msg();
        if (rec.gen()) o << "'" << rec.gen();
        if (rec.is_transactional()) o << "/p" << rec.producer_id();
      }
      o << "@e" << rec.epoch();
      if (i + 1 == r.flushed) o << " |";  // end of the flushed prefix
    }
    o << "] LEO " << int(r.log_end_offset) << " HW " << int(r.high_watermark) << " flushed "
      << int(r.flushed) << "\n";
  }
  const ProducerState& pr = s.producer;
  o << "  producer id " << int(pr.producer_id) << ": sent " << int(pr.next_msg) << ", accumulator "
    << int(pr.queued) << ", in flight " << int(pr.in_flight) << ", acked mask " << int(pr.acked)
    << "\n";
  if (c.transactional) {
    static const char* kTxn[] = {"ready", "ongoing", "abortable error", "needs InitProducerId"};
    static const char* kStatus[] = {"Empty", "Ongoing", "PrepareCommit", "PrepareAbort"};
    const TxnCoordinatorState& t = s.coordinator;
    o << "  transaction: producer epoch " << int(pr.producer_id) << " " << kTxn[pr.txn];
    if (pr.txn == ProducerState::kOngoing || pr.txn == ProducerState::kAbortable)
      o << " (m" << int(pr.txn_msg) << ")";
    if (c.processor()) o << ", input position " << int(pr.next_msg) << ", committed input offset "
                         << int(pr.input_committed);
    o << "; coordinator epoch " << int(t.epoch) << " " << kStatus[t.status];
    if (t.status != TxnCoordinatorState::kEmpty) o << " (m" << int(t.msg) << "'" << int(t.gen) << ")";
    if (t.zombie_epoch) o << "; zombie in epoch " << int(t.zombie_epoch);
    o << "\n";
  }
  const ConsumerState& cs = s.consumer;
  o << "  consumer: position "
    << (cs.position == kNoOffset ? std::string("none") : std::to_string(cs.position))
    << ", committed "
    << (cs.committed == kNoOffset ? std::string("none") : std::to_string(cs.committed))
    << ", polled " << int(cs.polled) << "\n  sink:";
  for (int m = 0; m < c.messages; ++m) o << " m" << m << "×" << int(s.sink.count[m]);
  o << "\n";
  return o.str();
}

}  // namespace kdc
