#include "model/invariants.h"

#include <absl/container/flat_hash_set.h>

#include <algorithm>
#include <cstring>
#include <sstream>
#include <type_traits>

#include "model/checker/explicit_checker.h"
#include "model/partition_log.h"
#include "model/producer.h"
#include "model/steps.h"

namespace kdc {
namespace {

template <typename T>
bool all_zero(const T& value) {
  static_assert(std::has_unique_object_representations_v<T>);
  T zero{};
  std::memset(static_cast<void*>(&zero), 0, sizeof(T));
  return std::memcmp(&value, &zero, sizeof(T)) == 0;
}

uint8_t mask_of(int n) { return uint8_t((1u << n) - 1); }

bool valid_offset(uint8_t offset) { return offset == kNoOffset || offset <= kMaxLog; }

// The messages the producer has sent so far. A processor rewinds its input position
// after an abort or a restart, so it keeps the set; an application only moves forward.
uint8_t sent_messages(const Config& c, const ProducerState& p) {
  return c.processor() ? uint8_t(p.sent | mask_of(p.next_msg)) : mask_of(p.next_msg);
}
bool was_sent(const Config& c, const ProducerState& p, int m) { return (sent_messages(c, p) >> m) & 1; }


// Collects the first violation; each check is `if (bad) return fail() << "what";`.
class Violation {
 public:
  std::ostringstream& fail() {
    failed_ = true;
    return text_;
  }
  std::optional<std::string> result() const {
    return failed_ ? std::optional<std::string>(text_.str()) : std::nullopt;
  }
  bool failed() const { return failed_; }

 private:
  bool failed_ = false;
  std::ostringstream text_;
};

constexpr uint8_t kReplicaFlags = Replica::kUp | Replica::kLeader | Replica::kNeedsTruncation |
                                  Replica::kFenced | Replica::kIsolated |
                                  Replica::kUncleanShutdown;
constexpr uint8_t kConsumerFlags =
    ConsumerState::kMustCommit | ConsumerState::kFenced | ConsumerState::kStuck;

// ---- Shape: canonical form and bounds ----

void check_replicas(const Config& c, const State& s, Violation* v) {
  const int rf = replica_count(c);
  for (int b = 0; b < kMaxReplicas && !v->failed(); ++b) {
    const Replica& r = s.replica[b];
    if (b >= rf) {
      if (!all_zero(r)) v->fail() << "broker " << b << " is beyond replication.factor but not zero";
      continue;
    }
    if (r.log_end_offset > kMaxLog) {
      v->fail() << "broker " << b << ": LEO " << int(r.log_end_offset) << " > kMaxLog";
    } else if (r.high_watermark > r.log_end_offset) {
      v->fail() << "broker " << b << ": HW " << int(r.high_watermark) << " > LEO "
                << int(r.log_end_offset);
    } else if (r.flushed > r.log_end_offset) {
      v->fail() << "broker " << b << ": flushed " << int(r.flushed) << " > LEO "
                << int(r.log_end_offset);
    } else if (r.flags & ~kReplicaFlags) {
      v->fail() << "broker " << b << ": unknown flag bits " << int(r.flags);
    } else if (r.known_epoch > s.partition.leader_epoch) {
      v->fail() << "broker " << b << " knows epoch " << int(r.known_epoch)
                << " beyond the controller's " << int(s.partition.leader_epoch);
    } else if (!r.has(Replica::kUp) &&
               (r.has(Replica::kLeader) || r.has(Replica::kNeedsTruncation))) {
      v->fail() << "broker " << b << " is down but flagged leader or needing truncation";
    } else if (r.has(Replica::kLeader) && r.has(Replica::kNeedsTruncation)) {
      v->fail() << "broker " << b << " is flagged leader and needing truncation";
    }
    for (int o = 0; o < kMaxLog && !v->failed(); ++o) {
      const Record& rec = r.log[o];
      if (o >= r.log_end_offset) {
        if (!(rec == Record{})) v->fail() << "broker " << b << ": slot " << o << " past LEO not zero";
      } else if (rec.kind > Record::kAbortMarker || (rec.is_transactional() != c.transactional)) {
        v->fail() << "broker " << b << ": record at " << o << " has kind " << int(rec.kind)
                  << (c.transactional ? " from a transactional producer" : " without transactions");
      } else if (rec.is_control() && (rec.msg_gen_epoch_lo & 15) != 0) {
        v->fail() << "broker " << b << ": marker at " << o << " names a message";
      } else if (rec.msg() >= c.messages || rec.epoch() < 1 ||
                 rec.epoch() > s.partition.leader_epoch) {
        v->fail() << "broker " << b << ": record at " << o << " has msg " << rec.msg()
                  << " epoch " << rec.epoch() << " (controller epoch "
                  << int(s.partition.leader_epoch) << ")";
      } else if (!c.idempotence && rec.pid_seq != 0) {
        v->fail() << "broker " << b << ": record at " << o
                  << " carries a producer id without idempotence";
      }
    }
  }
}

void check_producer_shape(const Config& c, const State& s, Violation* v) {
  const ProducerState& p = s.producer;
  const int rf = replica_count(c);
  if (p.queued > kMaxBatches || p.in_flight > kMaxBatches)
    return void(v->fail() << "producer: queued " << int(p.queued) << " / in flight "
                          << int(p.in_flight) << " beyond kMaxBatches");
  if (p.next_msg > c.messages || (p.sent & ~mask_of(c.messages)))
    return void(v->fail() << "producer sent more than model.messages");
  if (p.producer_id < 1 || p.producer_id > kMaxProducerId)
    return void(v->fail() << "producer id " << int(p.producer_id) << " out of range");
  if (p.metadata_leader < kNoBroker || p.metadata_leader >= rf)
    return void(v->fail() << "producer metadata leader " << int(p.metadata_leader) << " out of range");
  const uint8_t sent = sent_messages(c, p);
  if ((p.acked | p.dropped | p.abandoned | p.resend) & ~sent)
    return void(v->fail() << "producer ledger names a message never sent");
  for (int m = 0; m < kMaxMessages; ++m) {
    if (p.gen[m] > kMaxGen || (!was_sent(c, p, m) && p.gen[m] != 0))
      return void(v->fail() << "producer gen[" << m << "] = " << int(p.gen[m]));
  }
  auto batch_ok = [&](const Batch& b) {
    return was_sent(c, p, b.msg) && b.gen <= p.gen[b.msg] && b.retries <= kMaxRetriesTracked &&
           (c.idempotence || (b.seq == -1 && b.producer_id == 0)) &&
           (b.seq == -1) == (b.producer_id == 0) && b.seq <= kMaxSeq;
  };
  for (int i = 0; i < kMaxBatches; ++i) {
    const Batch& b = p.queue[i];
    if (i >= p.queued) {
      if (!(b == Batch{})) return void(v->fail() << "producer queue slot " << i << " unused but not zero");
      continue;
    }
    if (!batch_ok(b) || b.stage != Batch::kQueued || b.broker != kNoBroker || b.result != 0 ||
        b.offset != kNoOffset)
      return void(v->fail() << "producer queue slot " << i << " is not a queued batch");
  }
  for (int i = 0; i < kMaxBatches; ++i) {
    const Batch& b = p.flight[i];
    if (i >= p.in_flight) {
      if (!(b == Batch{})) return void(v->fail() << "producer flight slot " << i << " unused but not zero");
      continue;
    }
    const bool stage_ok = b.stage == Batch::kInNetwork || b.stage == Batch::kInPurgatory ||
                          b.stage == Batch::kResponded || b.stage == Batch::kOrphan;
    if (!batch_ok(b) || !stage_ok || b.broker < 0 || b.broker >= rf)
      return void(v->fail() << "producer flight slot " << i << " is not a request in flight");
    // The append offset is kept from the append until the response is read (ProduceComplete
    // leaves it in place); requests not yet appended have none.
    if ((b.stage == Batch::kInPurgatory && b.offset == kNoOffset) ||
        ((b.stage == Batch::kInNetwork || b.stage == Batch::kOrphan) && b.offset != kNoOffset))
      return void(v->fail() << "producer flight slot " << i
                            << ": an offset is kept exactly while in purgatory or responded");
    if ((b.stage == Batch::kResponded) != (b.result != 0))
      return void(v->fail() << "producer flight slot " << i
                            << ": a result is kept exactly once responded");
    if (b.stage == Batch::kInPurgatory && c.acks != Acks::kAll)
      return void(v->fail() << "producer flight slot " << i << " in purgatory without acks=all");
    if (c.acks == Acks::kZero && b.stage != Batch::kOrphan)
      return void(v->fail() << "acks=0 but flight slot " << i << " waits for a response");
  }
  // A transactional producer's callback succeeds before its transaction commits: an aborted
  // transaction's message can be acknowledged, then given up on when the application (or
  // a processor re-reading its input after a rejoin, before KIP-447) decides so.
  if (!c.transactional && (p.acked & (p.dropped | p.abandoned)))
    return void(v->fail() << "producer ledger: a message both acknowledged and given up on");
  // Every record any replica holds was sent, by this producer id or an earlier one.
  for (int b = 0; b < rf; ++b) {
    const Replica& r = s.replica[b];
    for (int o = 0; o < r.log_end_offset; ++o) {
      const Record& rec = r.log[o];
      if (rec.is_control()) continue;
      if (!was_sent(c, p, rec.msg()) || rec.gen() > p.gen[rec.msg()])
        return void(v->fail() << "broker " << b << " holds m" << rec.msg() << " gen "
                              << rec.gen() << " at " << o << ", never sent");
      if (rec.producer_id() > std::max(p.producer_id, s.coordinator.epoch))
        return void(v->fail() << "broker " << b << " holds producer id " << rec.producer_id()
                              << " at " << o << ", beyond the producer's " << int(p.producer_id));
    }
  }
  if (waiting_requests(p) > c.max_in_flight)
    return void(v->fail() << "producer waits for " << waiting_requests(p)
                          << " requests, above max.in.flight " << c.max_in_flight);
}

void check_consumer_and_sink(const Config& c, const State& s, Violation* v) {
  const ConsumerState& cs = s.consumer;
  if (!valid_offset(cs.position) || !valid_offset(cs.committed) || !valid_offset(cs.pending_commit))
    return void(v->fail() << "consumer offsets out of range: position " << int(cs.position)
                          << " committed " << int(cs.committed) << " pending "
                          << int(cs.pending_commit));
  if (cs.polled > kMaxPolled) return void(v->fail() << "consumer polled " << int(cs.polled));
  if (cs.flags & ~kConsumerFlags) return void(v->fail() << "consumer: unknown flag bits");
  if (cs.pending_commit == kNoOffset && cs.pending_epoch != 0)
    return void(v->fail() << "consumer: pending epoch without a pending commit");
  if (cs.committed == kNoOffset && cs.committed_epoch != 0)
    return void(v->fail() << "consumer: committed epoch without a committed offset");
  if (c.commit != CommitMode::kProcessThenCommitAsync && cs.pending_commit != kNoOffset)
    return void(v->fail() << "consumer: async commit pending without commitAsync");
  if (!c.application_commits() && cs.has(ConsumerState::kMustCommit))
    return void(v->fail() << "consumer: must commit without manual commits");
  for (int i = 0; i < kMaxPolled; ++i) {
    const PolledRecord& r = cs.buffer[i];
    if (i >= cs.polled) {
      if (!(r == PolledRecord{})) return void(v->fail() << "consumer buffer slot " << i << " unused but not zero");
    } else if (!was_sent(c, s.producer, r.msg_gen & 3) || r.offset >= kMaxLog) {
      return void(v->fail() << "consumer buffer slot " << i << " holds no record");
    }
  }
  const SinkState& k = s.sink;
  int highest = -1;
  for (int m = 0; m < kMaxMessages; ++m) {
    if (k.count[m] > 3) return void(v->fail() << "sink count[" << m << "] = " << int(k.count[m]) << " > 3");
    if ((k.count[m] == 0) != (k.applied_gens[m] == 0) || (k.applied_gens[m] >> (kMaxGen + 1)))
      return void(v->fail() << "sink applied_gens[" << m << "] disagrees with count");
    if (!was_sent(c, s.producer, m) && k.count[m] != 0)
      return void(v->fail() << "sink applied m" << m << ", which was never sent");
    if (k.count[m] == 0) {
      if (!(k.first[m] == PolledRecord{}))
        return void(v->fail() << "sink first[" << m << "] set for an unapplied message");
    } else {
      highest = m;
      if ((k.first[m].msg_gen & 3) != m)
        return void(v->fail() << "sink first[" << m << "] is a copy of another message");
    }
  }
  if (k.highest_first != highest || k.reserved != 0)
    return void(v->fail() << "sink highest_first " << int(k.highest_first) << ", expected "
                          << highest);
}

void check_budget_and_effects(const Config& c, const State& s, Violation* v) {
  int total = 0;
  for (int k = 0; k < kFaultKinds; ++k) {
    total += s.faults_used[k];
    if (s.faults_used[k] > budget_of(c.faults, FaultKind(k)))
      return void(v->fail() << "fault kind " << k << " used " << int(s.faults_used[k])
                            << " times, beyond its budget");
  }
  if (total != s.faults_total || s.faults_total > c.faults.max_total)
    return void(v->fail() << "faults_total " << int(s.faults_total) << " (sum " << total
                          << ", fault.max.total " << int(c.faults.max_total) << ")");
  if (s.effects >> int(Effect::kCount))
    return void(v->fail() << "unknown effect bits " << s.effects);
  if (s.effects & kLossEffects)
    return void(v->fail() << "a loss effect recorded during a run (losses are judged at quiescence)");
  if ((s.effects & bit(Effect::kUncommitted)) && !c.transactional)
    return void(v->fail() << "V_unc without transactions");
}

// ---- Transactions ----

// The transactional state is all zero without a transactional.id; with one, the producer,
// its coordinator and the processor's offsets are consistent:
//   - the producer's epoch never exceeds the coordinator's, a zombie's is older;
//   - an Empty coordinator holds no transaction; a marker offset exists only while the
//     coordinator completes a decision; pending input offsets exactly while they are in the
//     transaction;
//   - a fenced epoch never commits: a commit decision is in the newest epoch;
//   - the last stable offset never passes the high watermark, and only transactions
//     whose marker is below the high watermark are behind it.
void check_transactions(const Config& c, const State& s, Violation* v) {
  const ProducerState& p = s.producer;
  const TxnCoordinatorState& t = s.coordinator;
  TxnCoordinatorState empty;
  if (!c.transactional) {
    if (p.txn || p.txn_flags || p.txn_msg || p.resend || p.sent || p.input_committed ||
        std::memcmp(&t, &empty, sizeof t) != 0)
      return void(v->fail() << "transactional state without a transactional.id");
    return;
  }
  if (p.txn > ProducerState::kNeedsInit || t.status > TxnCoordinatorState::kPrepareAbort)
    return void(v->fail() << "transaction state out of range");
  if (t.epoch < 1 || p.producer_id > t.epoch)
    return void(v->fail() << "producer epoch " << int(p.producer_id) << " beyond the coordinator's "
                          << int(t.epoch));
  if (t.zombie_epoch >= t.epoch && t.zombie_epoch != 0 && t.zombie_epoch != t.epoch)
    return void(v->fail() << "zombie epoch " << int(t.zombie_epoch) << " newer than the coordinator's");
  if (t.status == TxnCoordinatorState::kEmpty &&
      (t.flags || t.msg || t.gen || t.marker_offset != kNoOffset || t.pending_offset != kNoOffset ||
       t.marker_epoch))
    return void(v->fail() << "coordinator Empty but holding a transaction");
  const bool preparing = t.status == TxnCoordinatorState::kPrepareCommit ||
                         t.status == TxnCoordinatorState::kPrepareAbort;
  if (t.marker_offset != kNoOffset && (!preparing || !(t.flags & TxnCoordinatorState::kPartitionAdded)))
    return void(v->fail() << "a marker offset outside PrepareCommit/PrepareAbort");
  if ((t.pending_offset != kNoOffset) != bool(t.flags & TxnCoordinatorState::kOffsetsAdded))
    return void(v->fail() << "pending input offset without offsets in the transaction");
  if (t.status == TxnCoordinatorState::kPrepareCommit && t.marker_epoch != t.epoch)
    return void(v->fail() << "a commit decided in epoch " << int(t.marker_epoch)
                          << " although epoch " << int(t.epoch) << " fenced it");
  if (!c.processor() && (p.sent || p.input_committed))
    return void(v->fail() << "processor state without app.commit=transactional");
  if (p.input_committed > c.messages) return void(v->fail() << "committed input offset beyond the input");
  if (p.txn_flags & ~uint8_t(31)) return void(v->fail() << "unknown transaction flag bits");
  for (int b = 0; b < replica_count(c); ++b) {
    const Replica& r = s.replica[b];
    const int lso = last_stable_offset(r);
    if (lso > r.high_watermark) return void(v->fail() << "broker " << b << ": LSO beyond the HW");
    for (int o = 0; o < lso; ++o) {
      if (r.log[o].kind != Record::kTransactional) continue;
      bool resolved = false;
      for (int k = o + 1; k < r.high_watermark && !resolved; ++k) resolved = r.log[k].is_control();
      if (!resolved)
        return void(v->fail() << "broker " << b << ": offset " << o << " below the LSO is unresolved");
    }
  }
}

// ---- Replication ----

void check_partition(const Config& c, const State& s, Violation* v) {
  const PartitionState& p = s.partition;
  const int rf = replica_count(c);
  const uint8_t all = mask_of(rf);
  if (p.leader < kNoBroker || p.leader >= rf)
    return void(v->fail() << "partition leader " << int(p.leader) << " out of range");
  if ((p.isr & ~all) || (p.elr & ~all))
    return void(v->fail() << "ISR or ELR names a broker beyond replication.factor");
  if (p.isr & p.elr) return void(v->fail() << "ISR and ELR intersect");
  if (p.elr && !c.eligible_leader_replicas)
    return void(v->fail() << "ELR non-empty without eligible leader replicas");
  if (p.isr == 0 && !c.eligible_leader_replicas)
    return void(v->fail() << "ISR empty without eligible leader replicas");
  if (p.last_leader < kNoBroker || p.last_leader >= rf ||
      (p.last_leader != kNoBroker && (!c.eligible_leader_replicas || p.leader != kNoBroker)))
    return void(v->fail() << "last_leader " << int(p.last_leader) << " with leader "
                          << int(p.leader));
  if (p.leader_epoch < 1 || p.leader_epoch > kMaxLeaderEpoch)
    return void(v->fail() << "leader epoch " << int(p.leader_epoch) << " out of range");
  for (int b = 0; b < kMaxReplicas; ++b) {
    const uint8_t seen = p.follower_leo[b];
    if (b >= rf ? seen != kNoOffset : !valid_offset(seen))
      return void(v->fail() << "follower_leo[" << b << "] = " << int(seen));
  }
  for (int b = 0; b < rf; ++b) {
    const Replica& r = s.replica[b];
    if (r.has(Replica::kLeader) && r.has(Replica::kFenced) && connected(s, b))
      return void(v->fail() << "broker " << b << " is connected, fenced and flagged leader");
    if (!r.has(Replica::kUp) && !r.has(Replica::kFenced))
      return void(v->fail() << "broker " << b << " is down but not fenced");
  }
  if (p.leader == kNoBroker) return;

  const int l = p.leader;
  const Replica& lr = s.replica[l];
  if (!in_set(p.isr, l)) return void(v->fail() << "leader " << l << " is not in the ISR");
  if (!is_current_leader(s, l) || !connected(s, l) || lr.has(Replica::kFenced))
    return void(v->fail() << "leader " << l
                          << " is not up, connected, unfenced and aware of leading epoch "
                          << int(p.leader_epoch));
  for (int b = 0; b < rf; ++b) {
    if (b != l && s.replica[b].has(Replica::kLeader) && s.replica[b].known_epoch == p.leader_epoch)
      return void(v->fail() << "broker " << b << " also believes it leads epoch "
                            << int(p.leader_epoch));
  }
  // The leader never heard of a follower LEO beyond its own (a follower fetches only up to
  // the leader's LEO, and the leader's log does not shrink while it leads).
  for (int f = 0; f < rf; ++f) {
    if (f == l || !in_set(p.isr, f)) continue;
    const uint8_t seen = p.follower_leo[f];
    if (seen == kNoOffset) continue;
    if (seen > lr.log_end_offset)
      return void(v->fail() << "follower_leo of " << f << " = " << int(seen) << " > leader LEO "
                            << int(lr.log_end_offset));
  }
}

// Every log's leader epochs never decrease (each leader appends in its own epoch, higher
// than any before, and followers copy a prefix of the leader's log after truncating).
void check_epoch_order(const Config& c, const State& s, Violation* v) {
  for (int b = 0; b < replica_count(c); ++b) {
    const Replica& r = s.replica[b];
    for (int o = 1; o < r.log_end_offset; ++o) {
      if (r.log[o].epoch() < r.log[o - 1].epoch())
        return void(v->fail() << "broker " << b << ": epoch decreases at offset " << o);
    }
  }
}

void log_matching(const Config& c, const State& s, Violation* v) {
  const int rf = replica_count(c);
  auto settled = [&](int b) {
    const Replica& r = s.replica[b];
    return r.has(Replica::kUp) && !r.has(Replica::kNeedsTruncation) &&
           r.known_epoch == s.partition.leader_epoch;
  };
  for (int a = 0; a < rf; ++a) {
    if (!settled(a)) continue;
    for (int b = a + 1; b < rf; ++b) {
      if (!settled(b)) continue;
      const Replica& ra = s.replica[a];
      const Replica& rb = s.replica[b];
      const int below = std::min(ra.high_watermark, rb.high_watermark);
      for (int o = 0; o < below; ++o) {
        if (!(ra.log[o] == rb.log[o]))
          return void(v->fail() << "brokers " << a << " and " << b << " differ at offset " << o
                                << " below both high watermarks (" << int(ra.high_watermark)
                                << ", " << int(rb.high_watermark) << ")");
      }
    }
  }
}

// Log matching below the high watermark holds from 2.0 (KIP-279) on; see invariants.h.
void check_log_matching_from_2_0(const Config& c, const State& s, Violation* v) {
  if (c.version >= KafkaVersion{2, 0, 0}) log_matching(c, s, v);
}

// ---- Kafka invariants the model breaks (model/model_test.cc, ModelRegressions) ----

void isolated_brokers_are_fenced(const Config& c, const State& s, Violation* v) {
  for (int b = 0; b < replica_count(c); ++b) {
    const Replica& r = s.replica[b];
    if (r.has(Replica::kIsolated) && !r.has(Replica::kFenced))
      return void(v->fail() << "broker " << b << " is isolated but not fenced");
  }
}

void high_watermark_below_follower_leos(const Config& c, const State& s, Violation* v) {
  const PartitionState& p = s.partition;
  if (p.leader == kNoBroker) return;
  const Replica& lr = s.replica[p.leader];
  for (int f = 0; f < replica_count(c); ++f) {
    if (f == p.leader || !in_set(p.isr, f) || p.follower_leo[f] == kNoOffset) continue;
    if (lr.high_watermark > p.follower_leo[f])
      return void(v->fail() << "leader " << int(p.leader) << " HW " << int(lr.high_watermark)
                            << " > follower_leo of ISR member " << f << " = "
                            << int(p.follower_leo[f]));
    if (p.follower_leo[f] > s.replica[f].log_end_offset)
      return void(v->fail() << "leader " << int(p.leader) << " believes ISR member " << f
                            << " has LEO " << int(p.follower_leo[f]) << ", it has "
                            << int(s.replica[f].log_end_offset));
  }
}

void connected_brokers_know_the_epoch(const Config& c, const State& s, Violation* v) {
  if (s.partition.leader == kNoBroker) return;
  for (int b = 0; b < replica_count(c); ++b) {
    const Replica& r = s.replica[b];
    if (connected(s, b) && !r.has(Replica::kFenced) && r.known_epoch != s.partition.leader_epoch)
      return void(v->fail() << "broker " << b << " is connected and unfenced but knows epoch "
                            << int(r.known_epoch) << ", not " << int(s.partition.leader_epoch));
  }
}

// The idempotent producer never numbers a batch with a (producer id, sequence) a record
// in some log already has: the broker would take it for a duplicate of that record.
void sequence_numbers_are_fresh(const Config& c, const State& s, Violation* v) {
  if (!c.idempotence) return;
  const ProducerState& p = s.producer;
  for (int b = 0; b < replica_count(c); ++b) {
    const Replica& r = s.replica[b];
    for (int o = 0; o < r.log_end_offset; ++o) {
      const Record& rec = r.log[o];
      if (!rec.is_control() && rec.producer_id() == p.producer_id && rec.seq() >= p.next_seq)
        return void(v->fail() << "broker " << b << " holds producer id " << rec.producer_id()
                              << " seq " << rec.seq() << " at " << o
                              << ", which the producer will number again (next seq "
                              << int(p.next_seq) << ")");
    }
  }
}

using Check = void (*)(const Config&, const State&, Violation*);

std::optional<std::string> run(std::initializer_list<Check> checks, const Config& c,
                               const State& s) {
  Violation v;
  for (Check check : checks) {
    check(c, s, &v);
    if (v.failed()) break;
  }
  return v.result();
}

template <Check f>
std::optional<std::string> one(const Config& c, const State& s) {
  return run({f}, c, s);
}

}  // namespace

const std::vector<NamedStateCheck>& invariant_checks() {
  static const std::vector<NamedStateCheck> checks = {
      {"replicas", one<check_replicas>},
      {"producer_shape", one<check_producer_shape>},
      {"consumer_and_sink", one<check_consumer_and_sink>},
      {"budget_and_effects", one<check_budget_and_effects>},
      {"transactions", one<check_transactions>},
      {"partition", one<check_partition>},
      {"epoch_order", one<check_epoch_order>},
      {"log_matching_from_2_0", one<check_log_matching_from_2_0>},
      {"isolated_brokers_are_fenced", one<isolated_brokers_are_fenced>},
      {"high_watermark_below_follower_leos", one<high_watermark_below_follower_leos>},
      {"connected_brokers_know_the_epoch", one<connected_brokers_know_the_epoch>},
      {"sequence_numbers_are_fresh", one<sequence_numbers_are_fresh>},
  };
  return checks;
}

std::optional<std::string> check_log_matching(const Config& c, const State& s) {
  return run({log_matching}, c, s);
}

std::optional<std::string> check_invariants_model_breaks(const Config& c, const State& s) {
  return run({isolated_brokers_are_fenced, high_watermark_below_follower_leos,
              connected_brokers_know_the_epoch, sequence_numbers_are_fresh},
             c, s);
}

std::optional<std::string> check_invariants(const Config& c, const State& s) {
  if (auto why = run({check_replicas, check_producer_shape, check_consumer_and_sink,
                      check_budget_and_effects, check_transactions, check_partition, check_epoch_order,
                      check_log_matching_from_2_0},
                     c, s))
    return why;
  return check_invariants_model_breaks(c, s);  // fixed bugs: now ordinary invariants
}

InvariantSweep sweep_invariants(const Config& config, uint64_t max_states, StateCheck check) {
  InvariantSweep sweep;
  absl::flat_hash_set<uint64_t> visited;
  std::vector<uint32_t> parent{0};
  std::vector<uint16_t> choice{0};
  std::vector<State> frontier{initial_state(config)}, next;
  visited.insert(fingerprint(frontier[0]));
  uint32_t base = 0;
  std::vector<Step> steps;
  auto report = [&](uint32_t id, const State& s, std::string why) {
    std::vector<uint16_t> path;
    for (; id != 0; id = parent[id]) path.push_back(choice[id]);
    std::reverse(path.begin(), path.end());
    State last;
    replay_choices(config, path, &sweep.trace, &last);
    sweep.violation = std::move(why);
    sweep.state = s;
  };
  if (auto why = check(config, frontier[0])) {
    report(0, frontier[0], *why);
    sweep.states = 1;
    return sweep;
  }
  while (!frontier.empty()) {
    const uint32_t next_base = uint32_t(parent.size());
    for (size_t i = 0; i < frontier.size(); ++i) {
      const uint32_t id = base + uint32_t(i);
      successors(config, frontier[i], &steps);
      sweep.transitions += steps.size();
      for (size_t k = 0; k < steps.size(); ++k) {
        const State& n = steps[k].next;
        if (!visited.insert(fingerprint(n)).second) continue;
        parent.push_back(id);
        choice.push_back(uint16_t(k));
        if (auto why = check(config, n)) {
          report(uint32_t(parent.size() - 1), n, *why);
          sweep.states = parent.size();
          return sweep;
        }
        next.push_back(n);
      }
    }
    if (parent.size() > max_states) {
      sweep.complete = false;
      break;
    }
    base = next_base;
    frontier.swap(next);
    next.clear();
  }
  sweep.states = parent.size();
  return sweep;
}

}  // namespace kdc
