// The controller: fences brokers that stop heartbeating, unfences them when they register
// again, elects partition leaders (clean, unclean, or from the eligible leader replicas of
// KIP-966) and tells brokers their role in each leader epoch.
//
// Modelling choice (docs/model.md, "Controller"): fencing happens in the same step as the
// fault that stops the heartbeats, unfencing in the step that restores them, and a new
// leader epoch reaches every broker the controller can reach in the election step. These
// are bookkeeping steps whose separate timing only delays what happens next.
#include <algorithm>

#include "model/partition_log.h"
#include "model/steps.h"

namespace kdc {

void fence(const Config& c, State* s, int b) {
  Replica& r = s->replica[b];
  if (r.has(Replica::kFenced)) return;
  PartitionState& p = s->partition;
  r.set(Replica::kFenced, true);
  // It leaves the ISR unless it is the last member ("last replica standing"); with
  // eligible leader replicas the ISR may empty and b joins the ELR while the ISR is below
  // min.insync.replicas.
  if (in_set(p.isr, b) && (set_size(p.isr) > 1 || c.eligible_leader_replicas)) {
    p.isr &= uint8_t(~(1u << b));
    if (c.eligible_leader_replicas && set_size(p.isr) < c.min_insync_replicas)
      p.elr |= uint8_t(1u << b);
  }
  if (p.leader == b) {
    p.leader = kNoBroker;
    if (c.eligible_leader_replicas) p.last_leader = int8_t(b);
  }
}

namespace {

// A leader that stops leading answers every produce waiting in its purgatory with
// NOT_LEADER_OR_FOLLOWER (ReplicaManager.makeFollowers →
// completeDelayedOperationsWhenNotPartitionLeader).
void resign(State* s, int b) {
  s->replica[b].set(Replica::kLeader, false);
  ProducerState& pr = s->producer;
  for (int i = 0; i < pr.in_flight; ++i) {
    Batch& q = pr.flight[i];
    if (q.broker == b && q.stage == Batch::kInPurgatory) {
      q.stage = Batch::kResponded;
      q.result = uint8_t(Result::kNotLeaderOrFollower);
      q.offset = kNoOffset;
    }
  }
}

}  // namespace

void learn_leadership(const Config& c, State* s, int b) {
  const PartitionState& p = s->partition;
  Replica& r = s->replica[b];
  if (p.leader == kNoBroker) {
    // The controller left the partition leaderless (it fenced the leader): a broker that
    // still acts as leader learns it is not and stops.
    if (r.has(Replica::kLeader)) resign(s, b);
    return;
  }
  if (r.known_epoch == p.leader_epoch) return;
  r.known_epoch = p.leader_epoch;
  const bool leads = p.leader == b;
  r.set(Replica::kNeedsTruncation, false);
  if (leads) {
    r.set(Replica::kLeader, true);
    maybe_advance_high_watermark(c, s);
    return;
  }
  resign(s, b);
  if (c.version >= KafkaVersion{0, 11, 0}) {
    r.set(Replica::kNeedsTruncation, true);  // reconcile by leader epoch (Truncate step)
  } else {
    truncate_to(&r, r.high_watermark);  // before KIP-101: to its own high watermark
  }
}

void unfence(const Config& c, State* s, int b) {
  Replica& r = s->replica[b];
  if (!r.has(Replica::kFenced)) return;
  r.set(Replica::kFenced, false);
  // A broker back from an unclean shutdown may have lost records: KIP-966 takes it out of
  // ISR and ELR. Kafka counts any restart without a clean shutdown (a crash included) as
  // unclean (ClusterControlManager.registerBroker).
  if (c.eligible_leader_replicas && r.has(Replica::kUncleanShutdown)) {
    s->partition.elr &= uint8_t(~(1u << b));
    s->partition.isr &= uint8_t(~(1u << b));
  }
  r.set(Replica::kUncleanShutdown, false);
  learn_leadership(c, s, b);
}

namespace {

bool eligible_candidate(const State& s, int b) {
  return connected(s, b) && !s.replica[b].has(Replica::kFenced);
}

// ElectLeader(b): the partition has no leader. Clean: b is an eligible ISR member.
// Otherwise, with ELR, an eligible ELR member, else, once ISR and ELR are both empty, the
// last known leader (KIP-966; PartitionChangeBuilder.canElectLastKnownLeader). Otherwise, only with unclean.leader.election.enable, any eligible
// replica, which may lack committed records.
// The new epoch reaches every connected broker.
void elect_leader(const State& s, StepSink* sink, int b) {
  const Config& c = sink->config;
  const PartitionState& p = s.partition;
  if (p.leader != kNoBroker || !eligible_candidate(s, b)) return;
  bool isr_candidate = false, elr_candidate = false;
  for (int r = 0; r < replica_count(c); ++r) {
    if (!eligible_candidate(s, r)) continue;
    isr_candidate |= in_set(p.isr, r);
    elr_candidate |= c.eligible_leader_replicas && in_set(p.elr, r);
  }
  Result kind;
  if (in_set(p.isr, b)) {
    kind = Result::kClean;
  } else if (!isr_candidate && c.eligible_leader_replicas && in_set(p.elr, b)) {
    kind = Result::kEligibleLeaderReplica;
  } else if (p.isr == 0 && p.elr == 0 && c.eligible_leader_replicas && p.last_leader == b) {
    kind = Result::kLastKnownLeader;
  } else if (!isr_candidate && !elr_candidate &&
             !(c.eligible_leader_replicas && p.isr == 0 && p.elr == 0 &&
               p.last_leader != kNoBroker && eligible_candidate(s, p.last_leader)) &&
             c.unclean_leader_election) {
    kind = Result::kUnclean;
  } else {
    return;
  }
  if (p.leader_epoch >= std::min(c.max_leader_epoch, kMaxLeaderEpoch)) return sink->cut();

  State next = s;
  PartitionState& np = next.partition;
  np.leader = int8_t(b);
  np.leader_epoch = uint8_t(p.leader_epoch + 1);
  np.last_leader = kNoBroker;
  for (auto& seen : np.follower_leo) seen = kNoOffset;
  if (kind != Result::kClean) {
    np.isr = uint8_t(1u << b);
    np.elr = kind == Result::kEligibleLeaderReplica ? uint8_t(np.elr & ~(1u << b)) : 0;
  }
  learn_leadership(c, &next, b);
  for (int r = 0; r < replica_count(c); ++r)
    if (r != b && connected(next, r)) learn_leadership(c, &next, r);
  Event e;
  e.type = EventType::kElectLeader;
  e.broker = int8_t(b);
  e.leader_epoch = int8_t(np.leader_epoch);
  e.result = kind;
  sink->emit(e, next);
}

}  // namespace

void controller_steps(const State& s, StepSink* sink) {
  for (int b = 0; b < replica_count(sink->config); ++b) elect_leader(s, sink, b);
}

}  // namespace kdc
