// The model's transition relation as Z3 terms: for a symbolic state, every step the
// executable model (model/*.cc) could take, each as a guard and the state it leads to.
//
// Each file here encodes the step group of the model file with the same name
// (producer.cc -> producer_encoding.cc) and is read side by side with it: same order,
// same names, the same guard and effect, written over terms. Where C++ loops over a
// count held in the state (queued, in_flight, log_end_offset), the encoding loops over
// the capacity (model/bounds.h) and guards each iteration with `i < count`. Where C++
// emits several steps (one per parameter), the encoding emits one per possible parameter
// value, each guarded by "this value is valid".
//
// Contract (tested by encoding_agreement_test.cc on reachable states of a set of
// configurations): for a constant state s, the guards that evaluate to true are exactly
// the steps model::successors() yields, with the same next states, and some cut guard is
// true exactly when the model cuts a step.
#ifndef KDC_MODEL_SYMBOLIC_ENCODING_H_
#define KDC_MODEL_SYMBOLIC_ENCODING_H_

#include <string>
#include <vector>

#include "model/symbolic/sym_config.h"
#include "model/symbolic/sym_state.h"

namespace kdc::sym {

struct SymStep {
  std::string name;  // the step and its parameters, e.g. "ProduceResponse(b=1)"
  expr guard;
  SymState next;
};

struct StepSink {
  const SymConfig& config;
  std::vector<SymStep> steps;
  std::vector<expr> cuts;  // each: "a step is cut by a bound here"

  // A step enabled when `guard` holds (guards of false are dropped).
  void emit(const std::string& name, const expr& guard, const SymState& next);
  // When `guard` holds, the model would take a step that a bound does not allow.
  void cut(const expr& guard);
};

// ---- Step groups (one per model file; the same order as model.cc's successors()) ----

void producer_steps(const SymState& s, StepSink* sink);         // producer_encoding.cc
void produce_handling_steps(const SymState& s, StepSink* sink);   // broker_produce_encoding.cc
void transaction_steps(const SymState& s, StepSink* sink);      // transactions_encoding.cc
void replication_steps(const SymState& s, StepSink* sink);      // replication_encoding.cc
void controller_steps(const SymState& s, StepSink* sink);       // controller_encoding.cc
void consumer_steps(const SymState& s, StepSink* sink);         // consumer_encoding.cc
void local_consumer_steps(const SymState& s, StepSink* sink);   // consumer_encoding.cc
void broker_fault_steps(const SymState& s, StepSink* sink);     // broker_faults_encoding.cc
expr consumer_has_local_work(const SymConfig& c, const SymState& s);  // consumer_encoding.cc

// The whole relation, with model.cc's partial-order reduction (transition.cc).
void successors(const SymConfig& c, const SymState& s, StepSink* sink);
SymState initial_state(const SymConfig& c);  // transition.cc
// No step enabled and none cut: a quiesced state, where losses are judged.
expr quiescent(const StepSink& steps);
// The loss effects (EffectSet bits) losses_at_quiescence() reports for s (transition.cc).
expr losses_at_quiescence(const SymConfig& c, const SymState& s);

// ---- Helpers shared by the groups: the symbolic twins of model/steps.h, producer.h,
// partition_log.h, sink.h, transactions.h, idempotence.h. Same names, same contracts;
// where C++ returns false/kCount for "cut", the twin returns a term `ok` instead. ----

inline expr connected(const SymState& s, int b) {
  return s.replica[b].has(Replica::kUp) && !s.replica[b].has(Replica::kIsolated);
}
inline expr is_current_leader(const SymState& s, int b) {
  const SymReplica& r = s.replica[b];
  return s.partition.leader == num(b) && r.has(Replica::kUp) && r.has(Replica::kLeader) &&
         r.known_epoch == s.partition.leader_epoch;
}
inline expr acts_as_leader(const SymState& s, int b) {
  return s.replica[b].has(Replica::kUp) && s.replica[b].has(Replica::kLeader);
}
inline expr isr_known_by(const SymState& s, int b) {
  return z3::ite(s.replica[b].has(Replica::kIsolated), s.partition.isolated_isr_view, s.partition.isr);
}
expr fault_allowed(const SymConfig& c, const SymState& s, FaultKind kind);  // transition.cc
void spend_fault(SymState* s, FaultKind kind);                             // transition.cc

// producer_encoding.cc
expr waiting_requests(const SymProducer& p);
void remove_flight(SymProducer* p, const expr& index);

// partition_log_encoding.cc (partition_log.cc and idempotence.cc)
expr append_record(const SymConfig& c, SymReplica* replica, const SymRecord& record);  // ok
void truncate_to(SymReplica* replica, const expr& offset);
void lose_unflushed(SymReplica* replica);
struct SymEpochEnd {
  expr epoch;
  expr end_offset;
};
SymEpochEnd epoch_end_offset(const SymReplica& leader, const expr& epoch);
expr divergence_offset(const SymConfig& c, const SymReplica& leader, const SymReplica& follower);
expr last_epoch(const SymReplica& replica);
expr epoch_start_offset(const SymReplica& replica, const expr& epoch);
expr last_stable_offset(const SymReplica& replica);
expr aborted_in_log(const SymReplica& replica, const expr& offset);
expr visible_to_reader(const SymReplica& replica, const expr& offset, const expr& read_committed);
expr latest_producer_epoch(const SymReplica& replica);
struct SymSequenceCheck {
  expr kind;              // SequenceCheck::Kind
  expr duplicate_offset;  // -1 unless kDuplicate
};
SymSequenceCheck check_sequence(const SymConfig& c, const SymReplica& leader, const expr& producer_id,
                                const expr& seq);

// replication_encoding.cc
void maybe_advance_high_watermark(const SymConfig& c, SymState* s);

// controller_encoding.cc
void fence(const SymConfig& c, SymState* s, int b);
void unfence(const SymConfig& c, SymState* s, int b);
void learn_leadership(const SymConfig& c, SymState* s, int b);

// sink_encoding.cc
SymPolled polled_record(const SymRecord& r, const expr& offset);
void apply_to_sink(SymState* s, const SymPolled& record);
void mark_aborted(SymState* s, const expr& msg, const expr& gen);
expr delivered(const SymState& s, int msg);

// transactions_encoding.cc
void restart_fenced_producer(const SymConfig& c, SymState* s);
void give_up_transaction(const SymConfig& c, SymState* s);
expr bump_coordinator_epoch(SymState* s);  // ok

}  // namespace kdc::sym

#endif  // KDC_MODEL_SYMBOLIC_ENCODING_H_
