// Replication of the partition: follower fetch, truncation on leader change, the high
// watermark, ISR shrink and expand.
#include <algorithm>
#include <cstring>

#include "model/partition_log.h"
#include "model/steps.h"

namespace kdc {

namespace {

// Records below a leader's HW have been exposed to consumers and acknowledged to acks=all
// producers: the replication-safety property holds the protocol to keeping them.
void note_committed(State* s, const Replica& leader) {
  for (int o = 0; o < leader.high_watermark; ++o) {
    const Record& r = leader.log[o];
    if (!r.is_control()) s->partition.committed_gens[r.msg()] |= uint8_t(1u << r.gen());
  }
}

}  // namespace

void maybe_advance_high_watermark(const Config& c, State* s) {
  // A leader cut off by a network partition hears from no follower: its HW can only move
  // if it believes it is alone in the ISR.
  for (int b = 0; b < replica_count(c); ++b) {
    Replica& r = s->replica[b];
    if (!r.has(Replica::kIsolated) || !acts_as_leader(*s, b)) continue;
    const uint8_t view = s->partition.isolated_isr_view;
    const bool gated = c.version >= KafkaVersion{3, 7, 0} || c.eligible_leader_replicas;
    if (view == uint8_t(1u << b) && !(gated && 1 < c.min_insync_replicas)) {
      r.high_watermark = r.log_end_offset;
      note_committed(s, r);
    }
  }
  const int leader = s->partition.leader;
  if (leader == kNoBroker || !is_current_leader(*s, leader)) return;
  const uint8_t isr = s->partition.isr;
  const bool min_isr_gates_hw = c.version >= KafkaVersion{3, 7, 0} || c.eligible_leader_replicas;
  if (min_isr_gates_hw && set_size(isr) < c.min_insync_replicas) return;
  Replica& l = s->replica[leader];
  int hw = l.log_end_offset;
  for (int r = 0; r < replica_count(c); ++r) {
    if (r == leader || !in_set(isr, r)) continue;
    const uint8_t seen = s->partition.follower_leo[r];
    hw = std::min<int>(hw, seen == kNoOffset ? 0 : seen);
  }
  if (hw > l.high_watermark) l.high_watermark = uint8_t(hw);
  note_committed(s, l);
}

namespace {

// Leader and follower can exchange fetches in the current leader epoch.
bool can_replicate(const State& s, int leader, int follower) {
  const Replica& f = s.replica[follower];
  return leader != kNoBroker && follower != leader && is_current_leader(s, leader) &&
         connected(s, leader) && connected(s, follower) &&
         f.known_epoch == s.partition.leader_epoch && !f.has(Replica::kLeader);
}

// Fetch(f): follower f fetches from the leader at its LEO. The fetch offset tells the
// leader how far f has replicated (so the leader may advance the HW); the response
// carries the records past it and the leader's HW as it was before this fetch, which f
// adopts up to its own LEO.
// The leader thus learns of f's newest records one fetch later, and f of the new HW one
// fetch after that: the lag KIP-101 is about.
void fetch(const State& s, StepSink* sink, int f) {
  const Config& c = sink->config;
  const int leader = s.partition.leader;
  if (!can_replicate(s, leader, f)) return;
  const Replica& fr = s.replica[f];
  if (fr.has(Replica::kNeedsTruncation)) return;
  if (fr.log_end_offset > s.replica[leader].log_end_offset) return;

  State next = s;
  Replica& nf = next.replica[f];
  const Replica& nl = next.replica[leader];
  const int from = nf.log_end_offset;
  // The leader reads its HW for the response before it counts this fetch
  // (Partition.fetchRecords, then updateFollowerFetchState).
  const uint8_t leader_hw = nl.high_watermark;
  next.partition.follower_leo[f] = nf.log_end_offset;
  maybe_advance_high_watermark(c, &next);
  for (int o = from; o < nl.log_end_offset; ++o) append_record(c, &nf, nl.log[o]);
  nf.high_watermark = uint8_t(std::min(leader_hw, nf.log_end_offset));
  if (std::memcmp(&next, &s, sizeof(State)) == 0) return;  // nothing to learn

  Event e;
  e.type = EventType::kFetch;
  e.broker = int8_t(f);
  e.peer = int8_t(leader);
  e.offset = int16_t(from);
  e.count = int8_t(nf.log_end_offset - from);
  e.leader_epoch = int8_t(s.partition.leader_epoch);
  sink->emit(e, next);
}

// Truncate(f): a follower that restarted or learned a new leader epoch reconciles its log
// with the leader's (OffsetsForLeaderEpoch, KIP-101/279/320) before fetching again.
void truncate(const State& s, StepSink* sink, int f) {
  const Config& c = sink->config;
  const int leader = s.partition.leader;
  if (!s.replica[f].has(Replica::kNeedsTruncation) || !can_replicate(s, leader, f)) return;
  State next = s;
  Replica& nf = next.replica[f];
  const int to = divergence_offset(c, s.replica[leader], nf);
  truncate_to(&nf, to);
  nf.set(Replica::kNeedsTruncation, false);
  Event e;
  e.type = EventType::kTruncate;
  e.broker = int8_t(f);
  e.peer = int8_t(leader);
  e.offset = int16_t(to);
  e.leader_epoch = int8_t(s.partition.leader_epoch);
  sink->emit(e, next);
}

// The leader proposes ISR changes to the controller (AlterPartition), so it must reach it.
bool leader_can_alter_isr(const State& s) {
  const int leader = s.partition.leader;
  return leader != kNoBroker && is_current_leader(s, leader) && connected(s, leader);
}

// IsrShrink(r): follower r has not caught up to the leader's LEO for
// replica.lag.time.max.ms (ordinary lag, no fault needed): the leader drops it from the ISR.
// With eligible leader replicas, a replica leaving an ISR below min.insync.replicas joins
// the ELR (KIP-966).
void isr_shrink(const State& s, StepSink* sink, int r) {
  const Config& c = sink->config;
  const int leader = s.partition.leader;
  if (!leader_can_alter_isr(s) || r == leader || !in_set(s.partition.isr, r)) return;
  const uint8_t seen = s.partition.follower_leo[r];
  if (seen != kNoOffset && seen >= s.replica[leader].log_end_offset) return;

  State next = s;
  next.partition.isr &= uint8_t(~(1u << r));
  if (c.eligible_leader_replicas && set_size(next.partition.isr) < c.min_insync_replicas)
    next.partition.elr |= uint8_t(1u << r);
  maybe_advance_high_watermark(c, &next);
  Event e;
  e.type = EventType::kIsrShrink;
  e.broker = int8_t(leader);
  e.peer = int8_t(r);
  e.leader_epoch = int8_t(s.partition.leader_epoch);
  sink->emit(e, next);
}

// IsrExpand(r): follower r has fetched up to the high watermark and into the current
// leader epoch; the leader adds it back. The controller refuses fenced brokers (KIP-841).
// The LEO the leader goes by is the one r's fetches reported since it last (re)started.
void isr_expand(const State& s, StepSink* sink, int r) {
  const Config& c = sink->config;
  const int leader = s.partition.leader;
  if (!leader_can_alter_isr(s) || r == leader || in_set(s.partition.isr, r)) return;
  const Replica& fr = s.replica[r];
  if (fr.has(Replica::kFenced) || fr.has(Replica::kNeedsTruncation)) return;
  if (fr.known_epoch != s.partition.leader_epoch) return;
  const uint8_t seen = s.partition.follower_leo[r];
  const Replica& l = s.replica[leader];
  if (seen == kNoOffset || seen < l.high_watermark) return;
  if (seen < epoch_start_offset(l, s.partition.leader_epoch)) return;

  State next = s;
  next.partition.isr |= uint8_t(1u << r);
  next.partition.elr &= uint8_t(~(1u << r));
  if (set_size(next.partition.isr) >= c.min_insync_replicas) next.partition.elr = 0;
  maybe_advance_high_watermark(c, &next);
  Event e;
  e.type = EventType::kIsrExpand;
  e.broker = int8_t(leader);
  e.peer = int8_t(r);
  e.leader_epoch = int8_t(s.partition.leader_epoch);
  sink->emit(e, next);
}

}  // namespace

void replication_steps(const State& s, StepSink* sink) {
  const int brokers = replica_count(sink->config);
  for (int b = 0; b < brokers; ++b) truncate(s, sink, b);
  for (int b = 0; b < brokers; ++b) fetch(s, sink, b);
  for (int b = 0; b < brokers; ++b) isr_shrink(s, sink, b);
  for (int b = 0; b < brokers; ++b) isr_expand(s, sink, b);
}

}  // namespace kdc
