#include "model/symbolic/sym_state.h"

#include <cstdint>

namespace kdc::sym {

z3::context& ctx() {
  thread_local z3::context context;
  return context;
}

std::vector<expr*> SymRecord::fields() { return {&msg, &gen, &epoch, &producer_id, &seq, &kind}; }

std::vector<expr*> SymReplica::fields() {
  std::vector<expr*> f;
  for (SymRecord& r : log)
    for (expr* e : r.fields()) f.push_back(e);
  for (expr* e : {&log_end_offset, &flushed, &high_watermark, &known_epoch, &flags}) f.push_back(e);
  return f;
}

std::vector<expr*> SymPartition::fields() {
  std::vector<expr*> f = {&leader, &leader_epoch, &isr, &elr, &last_leader, &isolated_isr_view};
  for (expr& e : follower_leo) f.push_back(&e);
  for (expr& e : committed_gens) f.push_back(&e);
  return f;
}

std::vector<expr*> SymBatch::fields() {
  return {&msg, &gen, &retries, &unused, &seq, &producer_id, &broker, &stage, &result, &offset};
}

std::vector<expr*> SymProducer::fields() {
  std::vector<expr*> f = {&txn, &txn_flags, &txn_msg, &resend, &sent, &input_committed,
                          &metadata_leader, &producer_id, &next_seq, &last_acked_seq,
                          &next_msg, &queued, &in_flight};
  for (SymBatch& b : queue)
    for (expr* e : b.fields()) f.push_back(e);
  for (SymBatch& b : flight)
    for (expr* e : b.fields()) f.push_back(e);
  for (expr& e : gen) f.push_back(&e);
  for (expr* e : {&acked, &dropped, &abandoned}) f.push_back(e);
  return f;
}

std::vector<expr*> SymPolled::fields() { return {&msg_gen, &offset, &epoch}; }

std::vector<expr*> SymConsumer::fields() {
  std::vector<expr*> f = {&position, &committed, &pending_commit, &polled};
  for (SymPolled& p : buffer)
    for (expr* e : p.fields()) f.push_back(e);
  for (expr* e : {&flags, &leader_epoch, &position_epoch, &committed_epoch, &pending_epoch})
    f.push_back(e);
  return f;
}

std::vector<expr*> SymSink::fields() {
  std::vector<expr*> f;
  for (expr& e : count) f.push_back(&e);
  for (SymPolled& p : first)
    for (expr* e : p.fields()) f.push_back(e);
  for (expr& e : applied_gens) f.push_back(&e);
  f.push_back(&highest_first);
  f.push_back(&reserved);
  return f;
}

std::vector<expr*> SymCoordinator::fields() {
  std::vector<expr*> f = {&epoch, &status, &flags, &msg, &gen, &marker_epoch, &marker_offset,
                          &pending_offset, &zombie_epoch, &reserved};
  for (expr& e : aborted_gens) f.push_back(&e);
  return f;
}

std::vector<expr*> SymState::fields() {
  std::vector<expr*> f = {&effects};
  for (SymReplica& r : replica)
    for (expr* e : r.fields()) f.push_back(e);
  for (expr* e : partition.fields()) f.push_back(e);
  for (expr* e : producer.fields()) f.push_back(e);
  for (expr* e : consumer.fields()) f.push_back(e);
  for (expr* e : sink.fields()) f.push_back(e);
  for (expr* e : coordinator.fields()) f.push_back(e);
  for (expr& e : faults_used) f.push_back(&e);
  f.push_back(&faults_total);
  return f;
}

std::vector<const expr*> SymState::fields() const {
  auto f = const_cast<SymState*>(this)->fields();
  return std::vector<const expr*>(f.begin(), f.end());
}

namespace {

// The executable State's fields as ints, in SymState::fields() order, read or written
// through one visitor so that the two directions cannot drift apart.
template <class S, class V>
void visit_state(S& s, V&& v) {
  auto u8 = [&](auto& field) { v.u(field); };
  auto i8 = [&](auto& field) { v.i(field); };
  v.u16(s.effects);
  for (auto& r : s.replica) {
    for (auto& rec : r.log) v.record(rec);
    u8(r.log_end_offset), u8(r.flushed), u8(r.high_watermark), u8(r.known_epoch), u8(r.flags);
  }
  auto& p = s.partition;
  i8(p.leader), u8(p.leader_epoch), u8(p.isr), u8(p.elr), i8(p.last_leader), u8(p.isolated_isr_view);
  for (auto& l : p.follower_leo) u8(l);
  for (auto& g : p.committed_gens) u8(g);
  auto& pr = s.producer;
  u8(pr.txn), u8(pr.txn_flags), u8(pr.txn_msg), u8(pr.resend), u8(pr.sent), u8(pr.input_committed);
  i8(pr.metadata_leader), u8(pr.producer_id), u8(pr.next_seq), i8(pr.last_acked_seq);
  u8(pr.next_msg), u8(pr.queued), u8(pr.in_flight);
  for (auto& b : pr.queue) v.batch(b);
  for (auto& b : pr.flight) v.batch(b);
  for (auto& g : pr.gen) u8(g);
  u8(pr.acked), u8(pr.dropped), u8(pr.abandoned);
  auto& c = s.consumer;
  u8(c.position), u8(c.committed), u8(c.pending_commit), u8(c.polled);
  for (auto& b : c.buffer) u8(b.msg_gen), u8(b.offset), u8(b.epoch);
  u8(c.flags), u8(c.leader_epoch), u8(c.position_epoch), u8(c.committed_epoch), u8(c.pending_epoch);
  auto& k = s.sink;
  for (auto& n : k.count) u8(n);
  for (auto& f : k.first) u8(f.msg_gen), u8(f.offset), u8(f.epoch);
  for (auto& g : k.applied_gens) u8(g);
  i8(k.highest_first), u8(k.reserved);
  auto& t = s.coordinator;
  u8(t.epoch), u8(t.status), u8(t.flags), u8(t.msg), u8(t.gen), u8(t.marker_epoch);
  u8(t.marker_offset), u8(t.pending_offset), u8(t.zombie_epoch), u8(t.reserved);
  for (auto& g : t.aborted_gens) u8(g);
  for (auto& f : s.faults_used) u8(f);
  u8(s.faults_total);
}

struct Reader {  // State -> ints
  std::vector<int> out;
  void u(const uint8_t& x) { out.push_back(x); }
  void i(const int8_t& x) { out.push_back(x); }
  void u16(const uint16_t& x) { out.push_back(x); }
  void record(const Record& r) {
    for (int x : {r.msg(), r.gen(), r.epoch(), r.producer_id(), r.seq(), int(r.kind)}) out.push_back(x);
  }
  void batch(const Batch& b) {
    for (int x : {int(b.msg), int(b.gen), int(b.retries), int(b.unused), int(b.seq),
                  int(b.producer_id), int(b.broker), int(b.stage), int(b.result), int(b.offset)})
      out.push_back(x);
  }
};

struct Writer {  // ints -> State
  const std::vector<int>& in;
  size_t at = 0;
  int next() { return in[at++]; }
  void u(uint8_t& x) { x = uint8_t(next()); }
  void i(int8_t& x) { x = int8_t(next()); }
  void u16(uint16_t& x) { x = uint16_t(next()); }
  void record(Record& r) {
    int msg = next(), gen = next(), epoch = next(), pid = next(), seq = next(), kind = next();
    r = Record::make(msg, gen, epoch, pid, seq, Record::Kind(kind));
  }
  void batch(Batch& b) {
    b.msg = uint8_t(next() & 3), b.gen = uint8_t(next() & 3), b.retries = uint8_t(next() & 3);
    b.unused = uint8_t(next() & 3);
    b.seq = int8_t(next()), b.producer_id = uint8_t(next()), b.broker = int8_t(next());
    b.stage = uint8_t(next()), b.result = uint8_t(next()), b.offset = uint8_t(next());
  }
};

int signed_value(const expr& value) {
  // 16-bit two's complement, as stored.
  uint64_t raw = value.get_numeral_uint64();
  return raw >= 0x8000 ? int(raw) - 0x10000 : int(raw);
}

}  // namespace

std::vector<int> field_values(const State& s) {
  Reader r;
  visit_state(s, r);
  return std::move(r.out);
}

SymState constant(const State& s) {
  Reader r;
  visit_state(s, r);
  SymState out;
  auto f = out.fields();
  for (size_t i = 0; i < f.size(); ++i) *f[i] = num(r.out[i]);
  return out;
}

SymState fresh(const std::string& prefix) {
  SymState out;
  auto f = out.fields();
  for (size_t i = 0; i < f.size(); ++i)
    *f[i] = ctx().bv_const((prefix + "." + std::to_string(i)).c_str(), kWidth);
  return out;
}

State evaluate(const z3::model& m, const SymState& s) {
  std::vector<int> values;
  for (const expr* e : s.fields()) values.push_back(signed_value(m.eval(*e, true)));
  State out;
  Writer w{values};
  visit_state(out, w);
  return out;
}

expr popcount(const expr& set) {
  expr n = num(0);
  for (int b = 0; b < 8; ++b) n = n + (z3::lshr(set, b) & num(1));
  return n;
}

expr countr_zero(const expr& set) {
  expr out = num(8);
  for (int b = 7; b >= 0; --b) out = z3::ite(in_set(set, b), num(b), out);
  return out;
}

}  // namespace kdc::sym
