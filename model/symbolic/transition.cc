// The whole transition relation (model.cc's successors(), initial_state(), fault budget)
// and the loss ledger (delivery_ledger.cc) over terms.
#include "model/symbolic/encoding.h"

namespace kdc::sym {

void StepSink::emit(const std::string& name, const expr& guard, const SymState& next) {
  expr g = guard.simplify();
  if (g.is_false()) return;
  steps.push_back(SymStep{name, g, next});
}

void StepSink::cut(const expr& guard) {
  expr g = guard.simplify();
  if (!g.is_false()) cuts.push_back(g);
}

expr fault_allowed(const SymConfig& c, const SymState& s, FaultKind kind) {
  return s.faults_used[int(kind)] < num(budget_of(c.faults, kind)) &&
         s.faults_total < num(c.faults.max_total);
}

void spend_fault(SymState* s, FaultKind kind) {
  s->faults_used[int(kind)] = s->faults_used[int(kind)] + num(1);
  s->faults_total = s->faults_total + num(1);
}

SymState initial_state(const SymConfig& c) {
  State base;  // the executable initial state's shape, with no config-dependent field set
  SymState s = constant(base);
  for (int b = 0; b < c.replication_factor; ++b) {
    s.replica[b].set(Replica::kUp, truth(true));
    s.replica[b].known_epoch = num(1);
    s.partition.isr = s.partition.isr | bit_of(b);
  }
  s.replica[0].set(Replica::kLeader, truth(true));
  s.partition.leader = num(0);
  s.partition.leader_epoch = num(1);
  for (int b = 0; b < kMaxReplicas; ++b)
    s.partition.follower_leo[b] = num(b < c.replication_factor ? 0 : kNoOffset);
  s.producer.metadata_leader = num(0);
  s.producer.producer_id = num(1);
  s.coordinator.epoch = z3::ite(c.transactional, num(1), num(0));
  for (expr* f : s.fields()) *f = f->simplify();
  return s;
}

// model.cc: while the sync consumer has local work, only its local steps are taken (the
// partial-order reduction documented there).
void successors(const SymConfig& c, const SymState& s, StepSink* sink) {
  const expr local = consumer_has_local_work(c, s).simplify();
  StepSink local_sink{c}, other{c};
  local_consumer_steps(s, &local_sink);
  producer_steps(s, &other);
  produce_handling_steps(s, &other);
  transaction_steps(s, &other);
  replication_steps(s, &other);
  controller_steps(s, &other);
  consumer_steps(s, &other);
  broker_fault_steps(s, &other);
  for (SymStep& st : local_sink.steps) sink->emit(st.name, local && st.guard, st.next);
  for (expr& g : local_sink.cuts) sink->cut(local && g);
  for (SymStep& st : other.steps) sink->emit(st.name, !local && st.guard, st.next);
  for (expr& g : other.cuts) sink->cut(!local && g);
}

expr quiescent(const StepSink& steps) {
  z3::expr_vector any(ctx());
  for (const SymStep& st : steps.steps) any.push_back(st.guard);
  for (const expr& g : steps.cuts) any.push_back(g);
  return any.empty() ? truth(true) : !z3::mk_or(any);
}

expr losses_at_quiescence(const SymConfig& c, const SymState& s) {
  expr effects = num(0);
  const SymProducer& p = s.producer;
  const SymReplica leader = select(s.replica, s.partition.leader);
  for (int m = 0; m < c.messages; ++m) {
    expr in_log = truth(false);
    for (int o = 0; o < kMaxLog; ++o) {
      const SymRecord& rec = leader.log[o];
      in_log = in_log || (num(o) < leader.log_end_offset && !rec.is_control() && rec.msg == num(m) &&
                          !in_set(s.coordinator.aborted_gens[m], rec.gen) &&
                          !aborted_in_log(leader, num(o)));
    }
    in_log = in_log && s.partition.leader != num(kNoBroker);
    auto has = [&](const expr& mask) { return in_set(mask, m); };
    // An unexplained loss is a model bug the checker reports separately; it adds no effect.
    expr e = z3::ite(in_log, num(bit(Effect::kLostSkipped)),
             z3::ite(has(p.acked), num(bit(Effect::kLostAcked)),
             z3::ite(has(p.dropped), num(bit(Effect::kLostFailed)),
             z3::ite(has(p.abandoned), num(bit(Effect::kLostUnsent)), num(0)))));
    effects = effects | z3::ite(delivered(s, m), num(0), e);
  }
  return effects;
}

}  // namespace kdc::sym
