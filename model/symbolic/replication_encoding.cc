// Twin of model/replication.cc: follower fetch, truncation on leader change, the high
// watermark, ISR shrink and expand.
//
// The model reads the leader's replica at s.partition.leader; here each step is emitted
// once per (leader, follower) pair with the leader concrete and `partition.leader == L` in
// the guard, so that the leader's log is indexed concretely.
#include "model/symbolic/encoding.h"

namespace kdc::sym {

namespace {

// The model's `min_isr_gates_hw`/`gated`: from 3.7 (KAFKA-15583), and with ELR.
expr min_isr_gates_hw(const SymConfig& c) {
  return c.at_least(KafkaVersion{3, 7, 0}) || c.eligible_leader_replicas;
}

SymState simplified(SymState s) {
  for (expr* f : s.fields()) *f = f->simplify();
  return s;
}

// The model's note_committed(), when `when` holds: the sends below `leader`'s HW.
void note_committed(const expr& when, SymState* s, const SymReplica& leader) {
  for (int o = 0; o < kMaxLog; ++o) {
    const SymRecord& r = leader.log[o];
    const expr counts = when && num(o) < leader.high_watermark && !r.is_control();
    for (int m = 0; m < kMaxMessages; ++m) {
      expr& g = s->partition.committed_gens[m];
      g = z3::ite(counts && r.msg == num(m), g | bit_of(r.gen), g);
    }
  }
}

}  // namespace

void maybe_advance_high_watermark(const SymConfig& c, SymState* s) {
  for (int b = 0; b < c.replication_factor; ++b) {
    SymReplica& r = s->replica[b];
    const expr& view = s->partition.isolated_isr_view;
    const expr alone = r.has(Replica::kIsolated) && acts_as_leader(*s, b) && view == bit_of(b) &&
                       !(min_isr_gates_hw(c) && num(1) < c.min_insync_replicas);
    r.high_watermark = choose(alone, r.log_end_offset, r.high_watermark);
    note_committed(alone, s, r);
  }
  const expr& isr = s->partition.isr;
  const expr gated_off = !(min_isr_gates_hw(c) && popcount(isr) < c.min_insync_replicas);
  // One case per possible leader, so that the ISR loop below indexes concretely.
  for (int leader = 0; leader < c.replication_factor; ++leader) {
    SymReplica& l = s->replica[leader];
    const expr moves = s->partition.leader == num(leader) && is_current_leader(*s, leader) && gated_off;
    expr hw = l.log_end_offset;
    for (int r = 0; r < c.replication_factor; ++r) {
      if (r == leader) continue;
      const expr& seen = s->partition.follower_leo[r];
      hw = z3::ite(in_set(isr, r), sym::min(hw, z3::ite(seen == num(kNoOffset), num(0), seen)), hw);
    }
    l.high_watermark = z3::ite(moves && hw > l.high_watermark, hw, l.high_watermark);
    note_committed(moves, s, l);
  }
}

namespace {

// Leader and follower can exchange fetches in the current leader epoch (here with the
// leader a concrete broker: the caller guards partition.leader == leader).
expr can_replicate(const SymState& s, int leader, int follower) {
  const SymReplica& f = s.replica[follower];
  return s.partition.leader == num(leader) && is_current_leader(s, leader) && connected(s, leader) &&
         connected(s, follower) && f.known_epoch == s.partition.leader_epoch && !f.has(Replica::kLeader);
}

std::string pair_name(const char* step, const char* who, int b, int leader) {
  return std::string(step) + "(" + who + "=" + std::to_string(b) + ",leader=" + std::to_string(leader) + ")";
}

// Fetch(f) from the leader `leader`.
void fetch(const SymState& s, StepSink* sink, int f, int leader) {
  const SymConfig& c = sink->config;
  const SymReplica& fr = s.replica[f];
  const expr guard = can_replicate(s, leader, f) && !fr.has(Replica::kNeedsTruncation) &&
                     !(fr.log_end_offset > s.replica[leader].log_end_offset);

  SymState next = s;
  SymReplica& nf = next.replica[f];
  const SymReplica& nl = next.replica[leader];
  const expr from = nf.log_end_offset;
  // The leader reads its HW for the response before it counts this fetch
  // (Partition.fetchRecords, then updateFollowerFetchState).
  const expr leader_hw = nl.high_watermark;
  next.partition.follower_leo[f] = nf.log_end_offset;
  maybe_advance_high_watermark(c, &next);
  // The C++ loop appends the leader's records [from, leader LEO) one by one. When the
  // record at offset o is appended the follower's LEO is o, so each iteration appends to
  // a replica whose LEO is the constant o: the twin's store then indexes concretely.
  for (int o = 0; o < kMaxLog; ++o) {
    const expr copies = from <= num(o) && num(o) < nl.log_end_offset;
    SymReplica appended = nf;
    appended.log_end_offset = num(o);
    append_record(c, &appended, nl.log[o]);  // never full: the follower's LEO is below the leader's
    nf = sym::ite(copies, appended, nf);
  }
  nf.high_watermark = sym::min(leader_hw, nf.log_end_offset);
  next = simplified(next);
  // Nothing to learn: the model emits no step.
  const expr changed = !equal(next, s);
  sink->emit(pair_name("Fetch", "b", f, leader), guard && changed, next);
}

// Truncate(f) against the leader `leader`.
void truncate(const SymState& s, StepSink* sink, int f, int leader) {
  const SymConfig& c = sink->config;
  const expr guard = s.replica[f].has(Replica::kNeedsTruncation) && can_replicate(s, leader, f);
  SymState next = s;
  SymReplica& nf = next.replica[f];
  const expr to = divergence_offset(c, s.replica[leader], nf);
  truncate_to(&nf, to);
  nf.set(Replica::kNeedsTruncation, truth(false));
  sink->emit(pair_name("Truncate", "b", f, leader), guard, simplified(next));
}

// The leader proposes ISR changes to the controller (AlterPartition), so it must reach it.
expr leader_can_alter_isr(const SymState& s, int leader) {
  return s.partition.leader == num(leader) && is_current_leader(s, leader) && connected(s, leader);
}

// IsrShrink(r) by the leader `leader`.
void isr_shrink(const SymState& s, StepSink* sink, int r, int leader) {
  const SymConfig& c = sink->config;
  const expr& seen = s.partition.follower_leo[r];
  const expr guard = leader_can_alter_isr(s, leader) && in_set(s.partition.isr, r) &&
                     !(seen != num(kNoOffset) && seen >= s.replica[leader].log_end_offset);

  SymState next = s;
  SymPartition& np = next.partition;
  np.isr = np.isr & num(~(1 << r) & 0xff);
  np.elr = z3::ite(c.eligible_leader_replicas && popcount(np.isr) < c.min_insync_replicas,
                   np.elr | bit_of(r), np.elr);
  maybe_advance_high_watermark(c, &next);
  sink->emit(pair_name("IsrShrink", "r", r, leader), guard, simplified(next));
}

// IsrExpand(r) by the leader `leader`.
void isr_expand(const SymState& s, StepSink* sink, int r, int leader) {
  const SymConfig& c = sink->config;
  const SymReplica& fr = s.replica[r];
  const expr& seen = s.partition.follower_leo[r];
  const SymReplica& l = s.replica[leader];
  const expr guard = leader_can_alter_isr(s, leader) && !in_set(s.partition.isr, r) &&
                     !fr.has(Replica::kFenced) && !fr.has(Replica::kNeedsTruncation) &&
                     fr.known_epoch == s.partition.leader_epoch && seen != num(kNoOffset) &&
                     !(seen < l.high_watermark) &&
                     !(seen < epoch_start_offset(l, s.partition.leader_epoch));

  SymState next = s;
  SymPartition& np = next.partition;
  np.isr = np.isr | bit_of(r);
  np.elr = np.elr & num(~(1 << r) & 0xff);
  np.elr = z3::ite(popcount(np.isr) >= c.min_insync_replicas, num(0), np.elr);
  maybe_advance_high_watermark(c, &next);
  sink->emit(pair_name("IsrExpand", "r", r, leader), guard, simplified(next));
}

}  // namespace

void replication_steps(const SymState& s, StepSink* sink) {
  const int brokers = sink->config.replication_factor;
  for (int b = 0; b < brokers; ++b)
    for (int l = 0; l < brokers; ++l)
      if (l != b) truncate(s, sink, b, l);
  for (int b = 0; b < brokers; ++b)
    for (int l = 0; l < brokers; ++l)
      if (l != b) fetch(s, sink, b, l);
  for (int b = 0; b < brokers; ++b)
    for (int l = 0; l < brokers; ++l)
      if (l != b) isr_shrink(s, sink, b, l);
  for (int b = 0; b < brokers; ++b)
    for (int l = 0; l < brokers; ++l)
      if (l != b) isr_expand(s, sink, b, l);
}

}  // namespace kdc::sym
