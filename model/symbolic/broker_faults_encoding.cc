// Twin of model/broker_faults.cc: process crash, power loss, whole-cluster power loss,
// network partition and heal, and the restart of a stopped broker.
//
// A fault kind whose fault.* budget (or fault.max.total) is 0 is never allowed: its steps
// are not encoded at all (the budget is part of the run's concrete shape).
#include <vector>

#include "model/symbolic/encoding.h"
#include "model/vocabulary/event.h"

namespace kdc::sym {
namespace {

expr cleared(const expr& flags, int f) { return flags & num(~f & 0xff); }

void simplify_all(std::vector<expr*> fields) {
  for (expr* f : fields) *f = f->simplify();
}

SymState simplified(SymState s) {
  simplify_all(s.fields());
  return s;
}

bool budgeted(const SymConfig& c, FaultKind kind) {
  return budget_of(c.faults, kind) > 0 && c.faults.max_total > 0;
}

std::string broker_name(const char* step, int b) { return std::string(step) + "(b=" + std::to_string(b) + ")"; }

expr one_if(const expr& c) { return z3::ite(c, num(1), num(0)); }

// Responses broker b had produced that the producer has not read yet (responses_due()).
expr responses_due(const SymState& s, int b) {
  const SymProducer& p = s.producer;
  expr n = num(0);
  for (int i = 0; i < kMaxBatches; ++i) {
    const SymBatch& q = p.flight[i];
    n = n + one_if(num(i) < p.in_flight && q.broker == num(b) && q.stage == num(Batch::kResponded));
  }
  return n.simplify();
}

// The process stops (when `when` holds): its role and its purgatory go with it. Requests
// the producer waits for on this connection fail with a network error; requests not yet
// read are gone. Of the responses b had already produced, the client still reads the
// first `kept` (docs/conformance.md, F10): the C++ loop's countdown of `kept` is a running
// count of the responded batches to b before slot i, in flight order (removing orphans
// does not change that order).
// The C++ loop removes orphans as it walks forward; removing them from the back instead
// leaves every lower index where it was, so each removal is at a constant index.
void stop_process(SymState* s, int b, const expr& when, int kept) {
  SymReplica& r = s->replica[b];
  r.flags = z3::ite(when, cleared(r.flags, Replica::kUp | Replica::kLeader | Replica::kNeedsTruncation),
                    r.flags);
  SymProducer& p = s->producer;
  std::vector<expr> orphan;
  expr earlier = num(0);  // responded batches to b before slot i
  for (int i = 0; i < kMaxBatches; ++i) {
    SymBatch& q = p.flight[i];
    const expr mine = when && num(i) < p.in_flight && q.broker == num(b);
    orphan.push_back(mine && q.stage == num(Batch::kOrphan));
    const expr responded = mine && q.stage == num(Batch::kResponded);
    const expr keeps = responded && earlier < num(kept);
    const expr fails = mine && q.stage != num(Batch::kOrphan) && !keeps;
    earlier = earlier + one_if(responded);
    q.stage = z3::ite(fails, num(Batch::kResponded), q.stage);
    q.result = z3::ite(fails, num(int(Result::kNetworkException)), q.result);
    q.offset = z3::ite(fails, num(kNoOffset), q.offset);
  }
  for (int i = kMaxBatches - 1; i >= 0; --i) {
    SymProducer removed = p;
    remove_flight(&removed, num(i));
    p = sym::ite(orphan[i], removed, p);
  }
}

// Power off, up to (not including) the truncation to `survivor`: the process stops (the
// client still reading the first `kept` responses due) and the controller fences the
// broker. The C++ lose_power() truncates right after; that part (lose_power_log) is kept
// apart because it alone depends on the survivor chosen.
void lose_power_process(const SymConfig& c, SymState* s, int b, int kept) {
  stop_process(s, b, s->replica[b].has(Replica::kUp), kept);
  fence(c, s, b);
}

// The rest of lose_power(): what survives of the log.
void lose_power_log(SymReplica* r, int survivor) {
  truncate_to(r, num(survivor));
  r->flushed = r->log_end_offset;
  r->flags = r->flags | num(Replica::kUncleanShutdown);
}

// The responses due on b's connection that a fault may leave readable: those of a broker
// that is up (a stopped one has none, its connection died with it).
expr due_if_up(const SymState& s, int b) {
  return z3::ite(s.replica[b].has(Replica::kUp), responses_due(s, b), num(0)).simplify();
}

// BrokerCrash(b) [fault]: one step per number `kept` of produced responses the client
// still reads, 0..responses_due (at most kMaxBatches).
void broker_crash(const SymState& s, StepSink* sink, int b) {
  if (!budgeted(sink->config, FaultKind::kBrokerCrash)) return;
  const expr guard = s.replica[b].has(Replica::kUp) && fault_allowed(sink->config, s, FaultKind::kBrokerCrash);
  const expr due = responses_due(s, b);
  for (int kept = kMaxBatches; kept >= 0; --kept) {
    SymState next = s;
    spend_fault(&next, FaultKind::kBrokerCrash);
    stop_process(&next, b, truth(true), kept);
    next.replica[b].flags = next.replica[b].flags | num(Replica::kUncleanShutdown);  // no clean-shutdown marker
    fence(sink->config, &next, b);
    sink->emit("BrokerCrash(b=" + std::to_string(b) + ",kept=" + std::to_string(kept) + ")",
               guard && num(kept) <= due, simplified(next));
  }
}

// BrokerPowerLoss(b) [fault]: one step per possible surviving prefix `offset` and, within
// it, per number `kept` of produced responses the client still reads.
void broker_power_loss(const SymState& s, StepSink* sink, int b) {
  if (!budgeted(sink->config, FaultKind::kBrokerPowerLoss)) return;
  const SymReplica& r = s.replica[b];
  const expr guard = !(!r.has(Replica::kUp) && r.flushed == r.log_end_offset) &&
                     fault_allowed(sink->config, s, FaultKind::kBrokerPowerLoss);
  const expr due = due_if_up(s, b);
  for (int kept = kMaxBatches; kept >= 0; --kept) {
    SymState common = s;
    spend_fault(&common, FaultKind::kBrokerPowerLoss);
    lose_power_process(sink->config, &common, b, kept);
    common = simplified(common);
    for (int survivor = 0; survivor <= kMaxLog; ++survivor) {
      SymState next = common;
      lose_power_log(&next.replica[b], survivor);
      simplify_all(next.replica[b].fields());
      sink->emit("BrokerPowerLoss(b=" + std::to_string(b) + ",offset=" + std::to_string(survivor) +
                     ",kept=" + std::to_string(kept) + ")",
                 guard && r.flushed <= num(survivor) && num(survivor) <= r.log_end_offset && num(kept) <= due,
                 next);
    }
  }
}

// ClusterPowerLoss [fault]: one step per combination of surviving prefixes and of the
// responses each broker's connection still delivers, each broker's (survivor, kept) a
// constant: the C++ odometer over both. Stopping and fencing do not read the logs, and
// each broker's truncation reads only its own replica, so the C++ per-broker sequence is
// regrouped: every broker stops and is fenced (in broker order), then each log is cut.
// Likewise only the in-flight requests depend on the `kept` chosen (fencing does not read
// them), so the producer is built per `kept` combination and the rest once.
// The responses due at the brokers are distinct in-flight requests, so no combination
// keeps more than kMaxBatches in all: the others are never enabled and not emitted
// (at three brokers, 84 `kept` combinations instead of 7^3).
void cluster_power_loss(const SymState& s, StepSink* sink) {
  const SymConfig& c = sink->config;
  if (!budgeted(c, FaultKind::kClusterPowerLoss)) return;
  const expr allowed = fault_allowed(c, s, FaultKind::kClusterPowerLoss);
  const int brokers = c.replication_factor;
  SymState common = s;
  spend_fault(&common, FaultKind::kClusterPowerLoss);
  for (int b = 0; b < brokers; ++b) lose_power_process(c, &common, b, 0);
  common = simplified(common);
  // cut[b][v]: broker b's replica with v records surviving.
  std::vector<std::vector<SymReplica>> cut(brokers);
  for (int b = 0; b < brokers; ++b)
    for (int v = 0; v <= kMaxLog; ++v) {
      SymReplica r = common.replica[b];
      lose_power_log(&r, v);
      simplify_all(r.fields());
      cut[b].push_back(r);
    }
  std::vector<expr> due;
  for (int b = 0; b < brokers; ++b) due.push_back(due_if_up(s, b));
  int survivor[kMaxReplicas] = {}, kept[kMaxReplicas] = {};
  for (int b = 0; b < brokers; ++b) kept[b] = kMaxBatches;
  SymProducer producer;  // the in-flight requests for the current `kept` combination
  bool fresh_kept = true;
  while (true) {
    int total = 0;
    for (int b = 0; b < brokers; ++b) total += kept[b];
    if (total <= kMaxBatches) {
      if (fresh_kept) {
        SymState t = s;
        for (int b = 0; b < brokers; ++b) stop_process(&t, b, t.replica[b].has(Replica::kUp), kept[b]);
        simplify_all(t.producer.fields());
        producer = t.producer;
        fresh_kept = false;
      }
      SymState next = common;
      next.producer = producer;
      expr guard = allowed;
      std::string name = "ClusterPowerLoss(", kept_name = ",kept=";
      for (int b = 0; b < brokers; ++b) {
        const SymReplica& r = s.replica[b];
        guard = guard && r.flushed <= num(survivor[b]) && num(survivor[b]) <= r.log_end_offset &&
                num(kept[b]) <= due[b];
        next.replica[b] = cut[b][survivor[b]];
        name += (b ? "," : "") + std::to_string(survivor[b]);
        kept_name += (b ? "," : "") + std::to_string(kept[b]);
      }
      sink->emit(name + kept_name + ")", guard, next);
    }
    int b = 0;  // next combination, odometer order: surviving prefixes, then responses kept
    for (; b < 2 * brokers; ++b) {
      if (b < brokers) {
        if (survivor[b] < kMaxLog) {
          ++survivor[b];
          break;
        }
        survivor[b] = 0;
      } else {
        fresh_kept = true;
        if (kept[b - brokers] > 0) {
          --kept[b - brokers];
          break;
        }
        kept[b - brokers] = kMaxBatches;
      }
    }
    if (b == 2 * brokers) return;
  }
}

// BrokerRestart(b).
void broker_restart(const SymState& s, StepSink* sink, int b) {
  const expr guard = !s.replica[b].has(Replica::kUp);
  SymState next = s;
  SymReplica& nr = next.replica[b];
  nr.flags = nr.flags | num(Replica::kUp);
  nr.known_epoch = num(0);  // its metadata cache starts empty
  // The leader knows nothing of the restarted replica's log until it fetches again.
  next.partition.follower_leo[b] = num(kNoOffset);
  // (2) It registers with the controller, unless a network partition cuts it off.
  SymState registered = next;
  unfence(sink->config, &registered, b);
  next = sym::ite(!nr.has(Replica::kIsolated), registered, next);
  sink->emit(broker_name("BrokerRestart", b), guard, simplified(next));
}

// NetworkPartition(b) [fault].
void network_partition(const SymState& s, StepSink* sink, int b) {
  if (!budgeted(sink->config, FaultKind::kNetworkPartition)) return;
  expr guard = truth(true);
  for (int o = 0; o < sink->config.replication_factor; ++o)
    guard = guard && !s.replica[o].has(Replica::kIsolated);  // one partition at a time
  guard = guard && s.replica[b].has(Replica::kUp) && fault_allowed(sink->config, s, FaultKind::kNetworkPartition);
  SymState next = s;
  spend_fault(&next, FaultKind::kNetworkPartition);
  next.replica[b].flags = next.replica[b].flags | num(Replica::kIsolated);
  next.partition.isolated_isr_view = next.partition.isr;
  fence(sink->config, &next, b);
  sink->emit(broker_name("NetworkPartition", b), guard, simplified(next));
}

// NetworkHeal(b).
void network_heal(const SymState& s, StepSink* sink, int b) {
  const expr guard = s.replica[b].has(Replica::kIsolated);
  SymState next = s;
  next.replica[b].flags = cleared(next.replica[b].flags, Replica::kIsolated);
  next.partition.isolated_isr_view = num(0);
  next.partition.follower_leo[b] = num(kNoOffset);  // its log may have moved while cut off
  SymState registered = next;
  unfence(sink->config, &registered, b);
  next = sym::ite(next.replica[b].has(Replica::kUp), registered, next);
  sink->emit(broker_name("NetworkHeal", b), guard, simplified(next));
}

}  // namespace

void broker_fault_steps(const SymState& s, StepSink* sink) {
  const int brokers = sink->config.replication_factor;
  for (int b = 0; b < brokers; ++b) broker_restart(s, sink, b);
  for (int b = 0; b < brokers; ++b) network_heal(s, sink, b);
  for (int b = 0; b < brokers; ++b) broker_crash(s, sink, b);
  for (int b = 0; b < brokers; ++b) broker_power_loss(s, sink, b);
  cluster_power_loss(s, sink);
  for (int b = 0; b < brokers; ++b) network_partition(s, sink, b);
}

}  // namespace kdc::sym
