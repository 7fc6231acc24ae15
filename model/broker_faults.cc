// Broker faults and their healing: process crash (the page cache survives), power loss
// (only the flushed prefix survives), a whole-cluster power loss, network partition and
// heal, and the restart of a stopped broker.
#include "model/partition_log.h"
#include "model/producer.h"
#include "model/steps.h"

namespace kdc {
namespace {

// Responses broker b had produced that the producer has not read yet, oldest first.
int responses_due(const State& s, int b) {
  int n = 0;
  for (int i = 0; i < s.producer.in_flight; ++i) {
    const Batch& q = s.producer.flight[i];
    n += q.broker == b && q.stage == Batch::kResponded;
  }
  return n;
}

// The process stops: its role and its purgatory go with it. Requests the producer waits
// for on this connection fail with a network error; requests not yet read are gone. Of
// the responses b had already produced, the client still reads the first `kept` and the
// rest die with the connection (docs/conformance.md, F10): a Kafka broker's handler hands
// its response to the network processor (RequestChannel), which writes it to the socket
// later, and bytes written are delivered only while the connection lives (a crash with
// unread requests on the socket resets it; a power loss takes the send buffer). The
// client then fails those requests as disconnected (NetworkClient.handleDisconnections),
// whatever the broker did with them.
void stop_process(State* s, int b, int kept) {
  Replica& r = s->replica[b];
  r.set(Replica::kUp, false);
  r.set(Replica::kLeader, false);
  r.set(Replica::kNeedsTruncation, false);
  ProducerState& p = s->producer;
  for (int i = 0; i < p.in_flight;) {
    Batch& q = p.flight[i];
    if (q.broker != b) {
      ++i;
    } else if (q.stage == Batch::kOrphan) {
      remove_flight(&p, i);
    } else {
      if (q.stage == Batch::kResponded && kept > 0) {
        --kept;
      } else {
        q.stage = Batch::kResponded;
        q.result = uint8_t(Result::kNetworkException);
        q.offset = kNoOffset;
      }
      ++i;
    }
  }
}

// Power off: the process stops and the page cache is gone. The OS writes dirty pages
// back in the background at times the model does not track step by step; what survives
// is therefore any prefix at least as long as the last forced flush
// (log.flush.interval.messages): the caller chooses `survivor` in [flushed, LEO].
void lose_power(const Config& c, State* s, int b, int survivor, int kept) {
  if (s->replica[b].has(Replica::kUp)) stop_process(s, b, kept);
  fence(c, s, b);
  Replica& r = s->replica[b];
  truncate_to(&r, survivor);
  r.flushed = r.log_end_offset;
  r.set(Replica::kUncleanShutdown, true);
}

Event broker_event(EventType type, int b) {
  Event e;
  e.type = type;
  e.broker = int8_t(b);
  return e;
}

// BrokerCrash(b) [fault]: the broker process dies; the OS and its page cache live on. Its
// heartbeats stop and the controller fences it.
void broker_crash(const State& s, StepSink* sink, int b) {
  if (!s.replica[b].has(Replica::kUp)) return;
  if (!fault_allowed(sink->config, s, FaultKind::kBrokerCrash)) return;
  // One step per number of produced responses the client still reads (the event is the
  // same: the client's next produce_response tells them apart).
  for (int kept = responses_due(s, b); kept >= 0; --kept) {
    State next = s;
    spend_fault(&next, FaultKind::kBrokerCrash);
    stop_process(&next, b, kept);
    next.replica[b].set(Replica::kUncleanShutdown, true);  // no clean-shutdown marker
    fence(sink->config, &next, b);
    sink->emit(broker_event(EventType::kBrokerCrash, b), next);
  }
}

// BrokerPowerLoss(b) [fault]: the machine loses power; records not yet written back are
// gone. One step per possible surviving prefix; `offset` is the new log end.
void broker_power_loss(const State& s, StepSink* sink, int b) {
  const Replica& r = s.replica[b];
  if (!r.has(Replica::kUp) && r.flushed == r.log_end_offset) return;
  if (!fault_allowed(sink->config, s, FaultKind::kBrokerPowerLoss)) return;
  const int due = r.has(Replica::kUp) ? responses_due(s, b) : 0;
  for (int survivor = r.flushed; survivor <= r.log_end_offset; ++survivor) {
    for (int kept = due; kept >= 0; --kept) {
      State next = s;
      spend_fault(&next, FaultKind::kBrokerPowerLoss);
      lose_power(sink->config, &next, b, survivor, kept);
      Event e = broker_event(EventType::kBrokerPowerLoss, b);
      e.offset = int16_t(survivor);
      sink->emit(e, next);
    }
  }
}

// ClusterPowerLoss [fault]: every broker loses power at once (a data-centre outage). One
// step per combination of surviving prefixes; `count` encodes nothing, the resulting logs
// are in the state.
void cluster_power_loss(const State& s, StepSink* sink) {
  const Config& c = sink->config;
  if (!fault_allowed(c, s, FaultKind::kClusterPowerLoss)) return;
  const int brokers = replica_count(c);
  int survivor[kMaxReplicas], kept[kMaxReplicas], due[kMaxReplicas];
  for (int b = 0; b < brokers; ++b) {
    survivor[b] = s.replica[b].flushed;
    due[b] = s.replica[b].has(Replica::kUp) ? responses_due(s, b) : 0;
    kept[b] = due[b];
  }
  while (true) {
    State next = s;
    spend_fault(&next, FaultKind::kClusterPowerLoss);
    for (int b = 0; b < brokers; ++b) lose_power(c, &next, b, survivor[b], kept[b]);
    Event e;
    e.type = EventType::kClusterPowerLoss;
    sink->emit(e, next);
    int b = 0;  // next combination, odometer order: surviving prefixes, then responses kept
    for (; b < 2 * brokers; ++b) {
      if (b < brokers) {
        if (survivor[b] < s.replica[b].log_end_offset) {
          ++survivor[b];
          break;
        }
        survivor[b] = s.replica[b].flushed;
      } else {
        if (kept[b - brokers] > 0) {
          --kept[b - brokers];
          break;
        }
        kept[b - brokers] = due[b - brokers];
      }
    }
    if (b == 2 * brokers) return;
  }
}

// BrokerRestart(b): a stopped broker starts again and registers with the controller,
// which unfences it. It returns as a follower that must reconcile its log (before 0.11:
// truncating to its high watermark checkpoint at once).
void broker_restart(const State& s, StepSink* sink, int b) {
  const Replica& r = s.replica[b];
  if (r.has(Replica::kUp)) return;
  State next = s;
  Replica& nr = next.replica[b];
  nr.set(Replica::kUp, true);
  nr.known_epoch = 0;  // its metadata cache starts empty
  // The leader knows nothing of the restarted replica's log until it fetches again.
  next.partition.follower_leo[b] = kNoOffset;
  // (2) It registers with the controller, unless a network partition cuts it off.
  if (!nr.has(Replica::kIsolated)) unfence(sink->config, &next, b);
  Event e = broker_event(EventType::kBrokerRestart, b);
  e.offset = nr.log_end_offset;
  sink->emit(e, next);
}

// NetworkPartition(b) [fault]: b is cut off from the controller and the other brokers;
// clients still reach it. The controller fences it; a leader so cut off keeps acting as
// leader (a zombie) until it heals.
void network_partition(const State& s, StepSink* sink, int b) {
  for (int o = 0; o < replica_count(sink->config); ++o)
    if (s.replica[o].has(Replica::kIsolated)) return;  // one partition at a time
  if (!s.replica[b].has(Replica::kUp)) return;
  if (!fault_allowed(sink->config, s, FaultKind::kNetworkPartition)) return;
  State next = s;
  spend_fault(&next, FaultKind::kNetworkPartition);
  next.replica[b].set(Replica::kIsolated, true);
  next.partition.isolated_isr_view = next.partition.isr;
  fence(sink->config, &next, b);
  sink->emit(broker_event(EventType::kNetworkPartition, b), next);
}

// NetworkHeal(b): the partition ends; b registers again and learns the current epoch.
void network_heal(const State& s, StepSink* sink, int b) {
  if (!s.replica[b].has(Replica::kIsolated)) return;
  State next = s;
  next.replica[b].set(Replica::kIsolated, false);
  next.partition.isolated_isr_view = 0;
  next.partition.follower_leo[b] = kNoOffset;  // its log may have moved while cut off
  if (next.replica[b].has(Replica::kUp)) unfence(sink->config, &next, b);
  sink->emit(broker_event(EventType::kNetworkHeal, b), next);
}

}  // namespace

void broker_fault_steps(const State& s, StepSink* sink) {
  const int brokers = replica_count(sink->config);
  for (int b = 0; b < brokers; ++b) broker_restart(s, sink, b);
  for (int b = 0; b < brokers; ++b) network_heal(s, sink, b);
  for (int b = 0; b < brokers; ++b) broker_crash(s, sink, b);
  for (int b = 0; b < brokers; ++b) broker_power_loss(s, sink, b);
  cluster_power_loss(s, sink);
  for (int b = 0; b < brokers; ++b) network_partition(s, sink, b);
}

}  // namespace kdc
