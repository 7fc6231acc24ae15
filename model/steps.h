// Internal to model/: how each Kafka concept contributes its steps. Every step group
// follows one shape, so each action reads as a guard and an effect:
//
//   for each parameter choice:
//     if (!guard) continue;
//     State next = state;  ...effect on next...;  sink->emit(event, next);
//
// The order of groups and of parameters is fixed: the successor order is part of the
// model's contract (see model.h).
#ifndef KDC_MODEL_STEPS_H_
#define KDC_MODEL_STEPS_H_

#include <bit>
#include <vector>

#include "model/model.h"

namespace kdc {

struct StepSink {
  const Config& config;
  std::vector<Step>* out;
  int bound_hits = 0;

  void emit(const Event& event, const State& next) { out->push_back(Step{event, next}); }
  void cut() { ++bound_hits; }  // a step that a bound (model/bounds.h) does not allow
};

void producer_steps(const State& s, StepSink* sink);        // producer.cc
void produce_handling_steps(const State& s, StepSink* sink);  // broker_produce.cc
void replication_steps(const State& s, StepSink* sink);     // replication.cc
void controller_steps(const State& s, StepSink* sink);      // controller.cc
void broker_fault_steps(const State& s, StepSink* sink);    // broker_faults.cc
void transaction_steps(const State& s, StepSink* sink);     // transactions.cc
void consumer_steps(const State& s, StepSink* sink);        // consumer.cc
void local_consumer_steps(const State& s, StepSink* sink);  // consumer.cc
// In the sync poll loop, between a poll and the next one (records to process, a commit
// due, or a fenced generation to rejoin with), Poll and OffsetReset are disabled and stay
// disabled whatever other actors do; see model.cc for why that lets the model take the
// consumer's local steps first.
bool consumer_has_local_work(const Config& c, const State& s);  // consumer.cc

// ---- Queries shared by the groups ----

inline int replica_count(const Config& c) { return c.replication_factor; }
inline bool in_set(uint8_t set, int b) { return (set >> b) & 1; }
inline int set_size(uint8_t set) { return std::popcount(set); }

// The broker process runs and can talk to the controller and the other brokers.
inline bool connected(const State& s, int b) {
  const Replica& r = s.replica[b];
  return r.has(Replica::kUp) && !r.has(Replica::kIsolated);
}

// `b` leads the partition in the controller's current epoch and knows it.
inline bool is_current_leader(const State& s, int b) {
  const Replica& r = s.replica[b];
  return s.partition.leader == b && r.has(Replica::kUp) && r.has(Replica::kLeader) &&
         r.known_epoch == s.partition.leader_epoch;
}

// `b` believes it leads (possibly a stale leader cut off by a network partition).
inline bool acts_as_leader(const State& s, int b) {
  const Replica& r = s.replica[b];
  return r.has(Replica::kUp) && r.has(Replica::kLeader);
}

// The ISR as broker `b` knows it: the controller's, unless b is cut off from the controller.
inline uint8_t isr_known_by(const State& s, int b) {
  return s.replica[b].has(Replica::kIsolated) ? s.partition.isolated_isr_view : s.partition.isr;
}

// The leader advances its high watermark to the smallest LEO among ISR members, as far
// as follower fetches have told it. From 3.7 (KAFKA-15583), and with eligible leader
// replicas, not while the ISR is smaller than min.insync.replicas. It never moves back.
void maybe_advance_high_watermark(const Config& c, State* s);  // replication.cc

// Controller bookkeeping that happens inside other steps (controller.cc): fencing a
// broker that stopped heartbeating, unfencing it when it registers again, and a broker
// learning the current leader epoch and its role in it.
void fence(const Config& c, State* s, int b);
void unfence(const Config& c, State* s, int b);
void learn_leadership(const Config& c, State* s, int b);

// Fault budget: each fault.* key bounds its kind; fault.max.total bounds them all.
bool fault_allowed(const Config& c, const State& s, FaultKind kind);  // model.cc
void spend_fault(State* s, FaultKind kind);                           // model.cc

}  // namespace kdc

#endif  // KDC_MODEL_STEPS_H_
