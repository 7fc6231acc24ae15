// model/invariants.cc over terms, check by check in the same order. Each check is the
// conjunction of the negations of the C++ check's failure conditions: C++ stops at the first
// failure, so "no condition fails" is the same truth value.
#include "model/symbolic/invariant_encoding.h"

#include "model/symbolic/encoding.h"

namespace kdc::sym {
namespace {

using Parts = z3::expr_vector;

expr all(const Parts& p) { return p.empty() ? truth(true) : z3::mk_and(p); }


expr mask_of(const expr& n) { return bit_of(n) - num(1); }
expr mask_of(int n) { return num((1 << n) - 1); }

expr valid_offset(const expr& o) { return o == num(kNoOffset) || o <= num(kMaxLog); }

// invariants.cc: the messages the producer has sent so far.
expr sent_messages(const SymConfig& c, const SymProducer& p) {
  return z3::ite(c.processor(), p.sent | mask_of(p.next_msg), mask_of(p.next_msg));
}

constexpr int kReplicaFlags = Replica::kUp | Replica::kLeader | Replica::kNeedsTruncation |
                              Replica::kFenced | Replica::kIsolated | Replica::kUncleanShutdown;
constexpr int kConsumerFlags =
    ConsumerState::kMustCommit | ConsumerState::kFenced | ConsumerState::kStuck;

// The executable state's defaults: unused slots must equal these.
const SymState& zero() {
  thread_local const SymState z = constant(State{});
  return z;
}

Parts check_replicas(const SymConfig& c, const SymState& s) {
  Parts ok(ctx());
  for (int b = 0; b < kMaxReplicas; ++b) {
    const SymReplica& r = s.replica[b];
    if (b >= c.replication_factor) {
      ok.push_back(equal(r, zero().replica[b]));
      continue;
    }
    ok.push_back(r.log_end_offset <= num(kMaxLog));
    ok.push_back(r.high_watermark <= r.log_end_offset);
    ok.push_back(r.flushed <= r.log_end_offset);
    ok.push_back((r.flags & num(~kReplicaFlags & 0xffff)) == num(0));
    ok.push_back(r.known_epoch <= s.partition.leader_epoch);
    ok.push_back(r.has(Replica::kUp) || !(r.has(Replica::kLeader) || r.has(Replica::kNeedsTruncation)));
    ok.push_back(!(r.has(Replica::kLeader) && r.has(Replica::kNeedsTruncation)));
    for (int o = 0; o < kMaxLog; ++o) {
      const SymRecord& rec = r.log[o];
      const expr used = num(o) < r.log_end_offset;
      const expr good = rec.kind <= num(Record::kAbortMarker) &&
                        rec.is_transactional() == c.transactional &&
                        !(rec.is_control() && (rec.msg != num(0) || rec.gen != num(0))) &&
                        rec.msg < num(c.messages) && rec.epoch >= num(1) &&
                        rec.epoch <= s.partition.leader_epoch &&
                        (c.idempotence || (rec.producer_id == num(0) && rec.seq == num(0)));
      ok.push_back(z3::ite(used, good, equal(rec, zero().replica[b].log[o])));
    }
  }
  return ok;
}

Parts check_producer_shape(const SymConfig& c, const SymState& s) {
  const SymProducer& p = s.producer;
  const int rf = c.replication_factor;
  Parts ok(ctx());
  ok.push_back(p.queued <= num(kMaxBatches) && p.in_flight <= num(kMaxBatches));
  ok.push_back(p.next_msg <= num(c.messages) && (p.sent & ~mask_of(c.messages)) == num(0));
  ok.push_back(p.producer_id >= num(1) && p.producer_id <= num(kMaxProducerId));
  ok.push_back(p.metadata_leader >= num(kNoBroker) && p.metadata_leader < num(rf));
  const expr sent = sent_messages(c, p);
  ok.push_back(((p.acked | p.dropped | p.abandoned | p.resend) & ~sent) == num(0));
  for (int m = 0; m < kMaxMessages; ++m)
    ok.push_back(p.gen[m] <= num(kMaxGen) && (in_set(sent, m) || p.gen[m] == num(0)));
  auto batch_ok = [&](const SymBatch& b) {
    return in_set(sent, b.msg) && b.gen <= select(p.gen, b.msg) && b.retries <= num(kMaxRetriesTracked) &&
           (c.idempotence || (b.seq == num(-1) && b.producer_id == num(0))) &&
           (b.seq == num(-1)) == (b.producer_id == num(0)) && b.seq <= num(kMaxSeq);
  };
  for (int i = 0; i < kMaxBatches; ++i) {
    const SymBatch& b = p.queue[i];
    ok.push_back(z3::ite(num(i) >= p.queued, equal(b, zero().producer.queue[i]),
                         batch_ok(b) && b.stage == num(Batch::kQueued) && b.broker == num(kNoBroker) &&
                             b.result == num(0) && b.offset == num(kNoOffset)));
  }
  for (int i = 0; i < kMaxBatches; ++i) {
    const SymBatch& b = p.flight[i];
    auto at = [&](int stage) { return b.stage == num(stage); };
    const expr stage_ok = at(Batch::kInNetwork) || at(Batch::kInPurgatory) || at(Batch::kResponded) ||
                          at(Batch::kOrphan);
    const expr good =
        batch_ok(b) && stage_ok && b.broker >= num(0) && b.broker < num(rf) &&
        !(at(Batch::kInPurgatory) && b.offset == num(kNoOffset)) &&
        !((at(Batch::kInNetwork) || at(Batch::kOrphan)) && b.offset != num(kNoOffset)) &&
        at(Batch::kResponded) == (b.result != num(0)) &&
        !(at(Batch::kInPurgatory) && c.acks != num(int(Acks::kAll))) &&
        !(c.acks == num(int(Acks::kZero)) && !at(Batch::kOrphan));
    ok.push_back(z3::ite(num(i) >= p.in_flight, equal(b, zero().producer.flight[i]), good));
  }
  ok.push_back(c.transactional || (p.acked & (p.dropped | p.abandoned)) == num(0));
  for (int b = 0; b < rf; ++b) {
    const SymReplica& r = s.replica[b];
    for (int o = 0; o < kMaxLog; ++o) {
      const SymRecord& rec = r.log[o];
      ok.push_back(z3::implies(num(o) < r.log_end_offset && !rec.is_control(),
                               in_set(sent, rec.msg) && rec.gen <= select(p.gen, rec.msg) &&
                                   rec.producer_id <= sym::max(p.producer_id, s.coordinator.epoch)));
    }
  }
  ok.push_back(waiting_requests(p) <= c.max_in_flight);
  return ok;
}

Parts check_consumer_and_sink(const SymConfig& c, const SymState& s) {
  const SymConsumer& cs = s.consumer;
  Parts ok(ctx());
  ok.push_back(valid_offset(cs.position) && valid_offset(cs.committed) && valid_offset(cs.pending_commit));
  ok.push_back(cs.polled <= num(kMaxPolled));
  ok.push_back((cs.flags & num(~kConsumerFlags & 0xffff)) == num(0));
  ok.push_back(z3::implies(cs.pending_commit == num(kNoOffset), cs.pending_epoch == num(0)));
  ok.push_back(z3::implies(cs.committed == num(kNoOffset), cs.committed_epoch == num(0)));
  ok.push_back(z3::implies(c.commit != num(int(CommitMode::kProcessThenCommitAsync)),
                           cs.pending_commit == num(kNoOffset)));
  ok.push_back(z3::implies(!c.application_commits(), !cs.has(ConsumerState::kMustCommit)));
  const expr sent = sent_messages(c, s.producer);
  for (int i = 0; i < kMaxPolled; ++i) {
    const SymPolled& r = cs.buffer[i];
    ok.push_back(z3::ite(num(i) >= cs.polled, equal(r, zero().consumer.buffer[i]),
                         in_set(sent, r.msg_gen & num(3)) && r.offset < num(kMaxLog)));
  }
  const SymSink& k = s.sink;
  expr highest = num(-1);
  for (int m = 0; m < kMaxMessages; ++m) {
    ok.push_back(k.count[m] <= num(3));
    ok.push_back((k.count[m] == num(0)) == (k.applied_gens[m] == num(0)));
    ok.push_back(z3::lshr(k.applied_gens[m], kMaxGen + 1) == num(0));
    ok.push_back(in_set(sent, m) || k.count[m] == num(0));
    ok.push_back(z3::ite(k.count[m] == num(0), equal(k.first[m], zero().sink.first[m]),
                         (k.first[m].msg_gen & num(3)) == num(m)));
    highest = z3::ite(k.count[m] == num(0), highest, num(m));
  }
  ok.push_back(k.highest_first == highest && k.reserved == num(0));
  return ok;
}

Parts check_budget_and_effects(const SymConfig& c, const SymState& s) {
  Parts ok(ctx());
  expr total = num(0);
  for (int k = 0; k < kFaultKinds; ++k) {
    total = total + s.faults_used[k];
    ok.push_back(s.faults_used[k] <= num(budget_of(c.faults, FaultKind(k))));
  }
  ok.push_back(total == s.faults_total && s.faults_total <= num(c.faults.max_total));
  ok.push_back(z3::lshr(s.effects, int(Effect::kCount)) == num(0));
  ok.push_back((s.effects & num(kLossEffects)) == num(0));
  ok.push_back(z3::implies(in_set(s.effects, int(Effect::kUncommitted)), c.transactional));
  return ok;
}

Parts check_transactions(const SymConfig& c, const SymState& s) {
  const SymProducer& p = s.producer;
  const SymCoordinator& t = s.coordinator;
  const expr off = p.txn == num(0) && p.txn_flags == num(0) && p.txn_msg == num(0) &&
                   p.resend == num(0) && p.sent == num(0) && p.input_committed == num(0) &&
                   equal(t, zero().coordinator);
  Parts ok(ctx());
  ok.push_back(p.txn <= num(ProducerState::kNeedsInit) && t.status <= num(TxnCoordinatorState::kPrepareAbort));
  ok.push_back(t.epoch >= num(1) && p.producer_id <= t.epoch);
  ok.push_back(!(t.zombie_epoch >= t.epoch && t.zombie_epoch != num(0) && t.zombie_epoch != t.epoch));
  ok.push_back(z3::implies(t.status == num(TxnCoordinatorState::kEmpty),
                           t.flags == num(0) && t.msg == num(0) && t.gen == num(0) &&
                               t.marker_offset == num(kNoOffset) && t.pending_offset == num(kNoOffset) &&
                               t.marker_epoch == num(0)));
  const expr preparing = t.status == num(TxnCoordinatorState::kPrepareCommit) ||
                         t.status == num(TxnCoordinatorState::kPrepareAbort);
  const auto flag = [&](int f) { return (t.flags & num(f)) != num(0); };
  ok.push_back(z3::implies(t.marker_offset != num(kNoOffset),
                           preparing && flag(TxnCoordinatorState::kPartitionAdded)));
  ok.push_back((t.pending_offset != num(kNoOffset)) == flag(TxnCoordinatorState::kOffsetsAdded));
  ok.push_back(z3::implies(t.status == num(TxnCoordinatorState::kPrepareCommit), t.marker_epoch == t.epoch));
  ok.push_back(c.processor() || (p.sent == num(0) && p.input_committed == num(0)));
  ok.push_back(p.input_committed <= num(c.messages));
  ok.push_back((p.txn_flags & num(~31 & 0xffff)) == num(0));
  for (int b = 0; b < c.replication_factor; ++b) {
    const SymReplica& r = s.replica[b];
    const expr lso = last_stable_offset(r);
    ok.push_back(lso <= r.high_watermark);
    for (int o = 0; o < kMaxLog; ++o) {
      expr resolved = truth(false);
      for (int k = o + 1; k < kMaxLog; ++k)
        resolved = resolved || (num(k) < r.high_watermark && r.log[k].is_control());
      ok.push_back(z3::implies(num(o) < lso && r.log[o].kind == num(Record::kTransactional), resolved));
    }
  }
  Parts out(ctx());
  for (const expr& e : ok) out.push_back(z3::implies(c.transactional, e));
  out.push_back(z3::implies(!c.transactional, off));
  return out;
}

Parts check_partition(const SymConfig& c, const SymState& s) {
  const SymPartition& p = s.partition;
  const int rf = c.replication_factor;
  const expr every = mask_of(rf);
  const expr elr_on = c.eligible_leader_replicas;
  Parts ok(ctx());
  ok.push_back(p.leader >= num(kNoBroker) && p.leader < num(rf));
  ok.push_back((p.isr & ~every) == num(0) && (p.elr & ~every) == num(0));
  ok.push_back((p.isr & p.elr) == num(0));
  ok.push_back(z3::implies(p.elr != num(0), elr_on));
  ok.push_back(z3::implies(p.isr == num(0), elr_on));
  ok.push_back(p.last_leader >= num(kNoBroker) && p.last_leader < num(rf) &&
               z3::implies(p.last_leader != num(kNoBroker), elr_on && p.leader == num(kNoBroker)));
  ok.push_back(p.leader_epoch >= num(1) && p.leader_epoch <= num(kMaxLeaderEpoch));
  for (int b = 0; b < kMaxReplicas; ++b)
    ok.push_back(b >= rf ? p.follower_leo[b] == num(kNoOffset) : valid_offset(p.follower_leo[b]));
  for (int b = 0; b < rf; ++b) {
    const SymReplica& r = s.replica[b];
    ok.push_back(!(r.has(Replica::kLeader) && r.has(Replica::kFenced) && connected(s, b)));
    ok.push_back(r.has(Replica::kUp) || r.has(Replica::kFenced));
  }
  for (int l = 0; l < rf; ++l) {
    const SymReplica& lr = s.replica[l];
    Parts led(ctx());
    led.push_back(in_set(p.isr, l));
    led.push_back(is_current_leader(s, l) && connected(s, l) && !lr.has(Replica::kFenced));
    for (int b = 0; b < rf; ++b)
      if (b != l)
        led.push_back(!(s.replica[b].has(Replica::kLeader) && s.replica[b].known_epoch == p.leader_epoch));
    for (int f = 0; f < rf; ++f) {
      if (f == l) continue;
      led.push_back(z3::implies(in_set(p.isr, f) && p.follower_leo[f] != num(kNoOffset),
                                p.follower_leo[f] <= lr.log_end_offset));
    }
    for (const expr& e : led) ok.push_back(z3::implies(p.leader == num(l), e));
  }
  return ok;
}

Parts check_epoch_order(const SymConfig& c, const SymState& s) {
  Parts ok(ctx());
  for (int b = 0; b < c.replication_factor; ++b) {
    const SymReplica& r = s.replica[b];
    for (int o = 1; o < kMaxLog; ++o)
      ok.push_back(z3::implies(num(o) < r.log_end_offset, r.log[o].epoch >= r.log[o - 1].epoch));
  }
  return ok;
}

Parts log_matching(const SymConfig& c, const SymState& s) {
  auto settled = [&](int b) {
    const SymReplica& r = s.replica[b];
    return r.has(Replica::kUp) && !r.has(Replica::kNeedsTruncation) &&
           r.known_epoch == s.partition.leader_epoch;
  };
  Parts ok(ctx());
  for (int a = 0; a < c.replication_factor; ++a)
    for (int b = a + 1; b < c.replication_factor; ++b) {
      const SymReplica& ra = s.replica[a];
      const SymReplica& rb = s.replica[b];
      const expr below = sym::min(ra.high_watermark, rb.high_watermark);
      for (int o = 0; o < kMaxLog; ++o)
        ok.push_back(z3::implies(settled(a) && settled(b) && num(o) < below, equal(ra.log[o], rb.log[o])));
    }
  return ok;
}

Parts check_log_matching_from_2_0(const SymConfig& c, const SymState& s) {
  Parts out(ctx());
  for (const expr& e : log_matching(c, s)) out.push_back(z3::implies(c.at_least({2, 0, 0}), e));
  return out;
}

Parts isolated_brokers_are_fenced(const SymConfig& c, const SymState& s) {
  Parts ok(ctx());
  for (int b = 0; b < c.replication_factor; ++b)
    ok.push_back(z3::implies(s.replica[b].has(Replica::kIsolated), s.replica[b].has(Replica::kFenced)));
  return ok;
}

Parts high_watermark_below_follower_leos(const SymConfig& c, const SymState& s) {
  const SymPartition& p = s.partition;
  Parts ok(ctx());
  for (int l = 0; l < c.replication_factor; ++l)
    for (int f = 0; f < c.replication_factor; ++f) {
      if (f == l) continue;
      ok.push_back(z3::implies(p.leader == num(l) && in_set(p.isr, f) && p.follower_leo[f] != num(kNoOffset),
                               s.replica[l].high_watermark <= p.follower_leo[f] &&
                                   p.follower_leo[f] <= s.replica[f].log_end_offset));
    }
  return ok;
}

Parts connected_brokers_know_the_epoch(const SymConfig& c, const SymState& s) {
  Parts ok(ctx());
  for (int b = 0; b < c.replication_factor; ++b)
    ok.push_back(z3::implies(s.partition.leader != num(kNoBroker) && connected(s, b) &&
                                 !s.replica[b].has(Replica::kFenced),
                             s.replica[b].known_epoch == s.partition.leader_epoch));
  return ok;
}

Parts sequence_numbers_are_fresh(const SymConfig& c, const SymState& s) {
  const SymProducer& p = s.producer;
  Parts ok(ctx());
  for (int b = 0; b < c.replication_factor; ++b)
    for (int o = 0; o < kMaxLog; ++o) {
      const SymRecord& rec = s.replica[b].log[o];
      ok.push_back(z3::implies(num(o) < s.replica[b].log_end_offset && !rec.is_control() &&
                                   rec.producer_id == p.producer_id,
                               rec.seq < p.next_seq));
    }
  Parts out(ctx());
  for (const expr& e : ok) out.push_back(z3::implies(c.idempotence, e));
  return out;
}

}  // namespace

std::vector<SymInvariant> invariants(const SymConfig& c, const SymState& s) {
  auto make = [](const char* name, const Parts& parts) {
    SymInvariant inv{name, all(parts), {}};
    for (const expr& e : parts) {
      expr x = e.simplify();
      if (!x.is_true()) inv.parts.push_back(x);
    }
    return inv;
  };
  return {
      make("replicas", check_replicas(c, s)),
      make("producer_shape", check_producer_shape(c, s)),
      make("consumer_and_sink", check_consumer_and_sink(c, s)),
      make("budget_and_effects", check_budget_and_effects(c, s)),
      make("transactions", check_transactions(c, s)),
      make("partition", check_partition(c, s)),
      make("epoch_order", check_epoch_order(c, s)),
      make("log_matching_from_2_0", check_log_matching_from_2_0(c, s)),
      make("isolated_brokers_are_fenced", isolated_brokers_are_fenced(c, s)),
      make("high_watermark_below_follower_leos", high_watermark_below_follower_leos(c, s)),
      make("connected_brokers_know_the_epoch", connected_brokers_know_the_epoch(c, s)),
      make("sequence_numbers_are_fresh", sequence_numbers_are_fresh(c, s)),
  };
}

}  // namespace kdc::sym
