// Twin of model/controller.cc: fencing, unfencing, leader election, and brokers learning
// their role in a leader epoch.
//
// The bookkeeping helpers change the state only under a condition (a broker that is
// already fenced, a broker that already knows the epoch); their twins take that
// condition as `when` and guard every write with it, so that a caller applying them
// conditionally (unfence inside a restart) nests no further.
#include "model/symbolic/encoding.h"
#include "model/vocabulary/event.h"

namespace kdc::sym {

namespace {

expr cleared(const expr& set, int b) { return set & num(~(1 << b) & 0xff); }

SymState simplified(SymState s) {
  for (expr* f : s.fields()) *f = f->simplify();
  return s;
}

void fence_when(const SymConfig& c, SymState* s, int b, const expr& when) {
  SymReplica& r = s->replica[b];
  const expr act = when && !r.has(Replica::kFenced);
  SymPartition& p = s->partition;
  r.flags = z3::ite(act, r.flags | num(Replica::kFenced), r.flags);
  // It leaves the ISR unless it is the last member ("last replica standing"); with
  // eligible leader replicas the ISR may empty and b joins the ELR while the ISR is below
  // min.insync.replicas.
  const expr leaves = act && in_set(p.isr, b) && (popcount(p.isr) > num(1) || c.eligible_leader_replicas);
  const expr isr = cleared(p.isr, b);
  p.elr = z3::ite(leaves && c.eligible_leader_replicas && popcount(isr) < c.min_insync_replicas,
                  p.elr | bit_of(b), p.elr);
  p.isr = z3::ite(leaves, isr, p.isr);
  const expr led = act && p.leader == num(b);
  p.last_leader = z3::ite(led && c.eligible_leader_replicas, num(b), p.last_leader);
  p.leader = z3::ite(led, num(kNoBroker), p.leader);
}

// A leader that stops leading answers every produce waiting in its purgatory with
// NOT_LEADER_OR_FOLLOWER (ReplicaManager.makeFollowers →
// completeDelayedOperationsWhenNotPartitionLeader).
void resign(SymState* s, int b, const expr& when) {
  SymReplica& r = s->replica[b];
  r.flags = z3::ite(when, r.flags & num(~Replica::kLeader & 0xff), r.flags);
  SymProducer& pr = s->producer;
  for (int i = 0; i < kMaxBatches; ++i) {
    SymBatch& q = pr.flight[i];
    const expr hit = when && num(i) < pr.in_flight && q.broker == num(b) &&
                     q.stage == num(Batch::kInPurgatory);
    q.stage = z3::ite(hit, num(Batch::kResponded), q.stage);
    q.result = z3::ite(hit, num(int(Result::kNotLeaderOrFollower)), q.result);
    q.offset = z3::ite(hit, num(kNoOffset), q.offset);
  }
}

void learn_leadership_when(const SymConfig& c, SymState* s, int b, const expr& when) {
  const SymPartition& p = s->partition;
  SymReplica& r = s->replica[b];
  const expr leaderless = p.leader == num(kNoBroker);
  // The controller left the partition leaderless (it fenced the leader): a broker that
  // still acts as leader learns it is not and stops.
  const expr stops = when && leaderless && r.has(Replica::kLeader);
  const expr learns = when && !leaderless && r.known_epoch != p.leader_epoch;
  const expr leads = learns && p.leader == num(b);
  const expr follows = learns && p.leader != num(b);
  r.known_epoch = z3::ite(learns, p.leader_epoch, r.known_epoch);
  r.flags = z3::ite(learns, r.flags & num(~Replica::kNeedsTruncation & 0xff), r.flags);
  // Leads: it takes the role and may advance the HW at once.
  r.flags = z3::ite(leads, r.flags | num(Replica::kLeader), r.flags);
  SymState advanced = *s;
  maybe_advance_high_watermark(c, &advanced);
  *s = sym::ite(leads, advanced, *s);
  // Follows (or stops).
  resign(s, b, stops || follows);
  const expr kip101 = c.at_least(KafkaVersion{0, 11, 0});
  SymReplica& nr = s->replica[b];
  nr.flags = z3::ite(follows && kip101, nr.flags | num(Replica::kNeedsTruncation), nr.flags);
  SymReplica truncated = nr;
  truncate_to(&truncated, truncated.high_watermark);  // before KIP-101: to its own HW
  nr = sym::ite(follows && !kip101, truncated, nr);
}

void unfence_when(const SymConfig& c, SymState* s, int b, const expr& when) {
  SymReplica& r = s->replica[b];
  const expr act = when && r.has(Replica::kFenced);
  r.flags = z3::ite(act, r.flags & num(~Replica::kFenced & 0xff), r.flags);
  // A broker back from an unclean shutdown may have lost records: KIP-966 takes it out of
  // ISR and ELR. Kafka counts any restart without a clean shutdown (a crash included) as
  // unclean (ClusterControlManager.registerBroker).
  const expr out = act && c.eligible_leader_replicas && r.has(Replica::kUncleanShutdown);
  s->partition.elr = z3::ite(out, cleared(s->partition.elr, b), s->partition.elr);
  s->partition.isr = z3::ite(out, cleared(s->partition.isr, b), s->partition.isr);
  r.flags = z3::ite(act, r.flags & num(~Replica::kUncleanShutdown & 0xff), r.flags);
  learn_leadership_when(c, s, b, act);
}

}  // namespace

void fence(const SymConfig& c, SymState* s, int b) { fence_when(c, s, b, truth(true)); }

void learn_leadership(const SymConfig& c, SymState* s, int b) {
  learn_leadership_when(c, s, b, truth(true));
}

void unfence(const SymConfig& c, SymState* s, int b) { unfence_when(c, s, b, truth(true)); }

namespace {

expr eligible_candidate(const SymState& s, int b) {
  return connected(s, b) && !s.replica[b].has(Replica::kFenced);
}

// ElectLeader(b). The election kind (clean, ELR, last known leader, unclean) changes only
// the ISR and ELR, so one step per b covers them all.
void elect_leader(const SymState& s, StepSink* sink, int b) {
  const SymConfig& c = sink->config;
  const SymPartition& p = s.partition;
  const expr elr_on = c.eligible_leader_replicas;
  expr isr_candidate = truth(false), elr_candidate = truth(false);
  for (int r = 0; r < c.replication_factor; ++r) {
    isr_candidate = isr_candidate || (eligible_candidate(s, r) && in_set(p.isr, r));
    elr_candidate = elr_candidate || (eligible_candidate(s, r) && elr_on && in_set(p.elr, r));
  }
  // eligible_candidate(s, p.last_leader), last_leader != kNoBroker.
  expr last_leader_eligible = truth(false);
  for (int r = 0; r < kMaxReplicas; ++r)
    last_leader_eligible = last_leader_eligible || (p.last_leader == num(r) && eligible_candidate(s, r));
  const expr both_empty = p.isr == num(0) && p.elr == num(0);
  const expr clean = in_set(p.isr, b);
  const expr elr_kind = !clean && !isr_candidate && elr_on && in_set(p.elr, b);
  const expr last_known = !clean && !elr_kind && both_empty && elr_on && p.last_leader == num(b);
  const expr unclean = !clean && !elr_kind && !last_known && !isr_candidate && !elr_candidate &&
                       !(elr_on && both_empty && last_leader_eligible) && c.unclean_leader_election;
  const expr guard = p.leader == num(kNoBroker) && eligible_candidate(s, b) &&
                     (clean || elr_kind || last_known || unclean);
  sink->cut(guard && p.leader_epoch >= num(c.max_leader_epoch));

  SymState next = s;
  SymPartition& np = next.partition;
  np.leader = num(b);
  np.leader_epoch = p.leader_epoch + num(1);
  np.last_leader = num(kNoBroker);
  for (expr& seen : np.follower_leo) seen = num(kNoOffset);
  np.isr = z3::ite(clean, p.isr, bit_of(b));
  np.elr = z3::ite(clean, p.elr, z3::ite(elr_kind, cleared(p.elr, b), num(0)));
  learn_leadership(c, &next, b);
  for (int r = 0; r < c.replication_factor; ++r)
    if (r != b) learn_leadership_when(c, &next, r, connected(next, r));
  sink->emit("ElectLeader(b=" + std::to_string(b) + ")", guard && p.leader_epoch < num(c.max_leader_epoch),
             simplified(next));
}

}  // namespace

void controller_steps(const SymState& s, StepSink* sink) {
  for (int b = 0; b < sink->config.replication_factor; ++b) elect_leader(s, sink, b);
}

}  // namespace kdc::sym
