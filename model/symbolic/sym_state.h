// The model's State with every field a Z3 term: the symbolic engine's picture of one
// state. It mirrors model/state.h field for field (same names, same meaning), so an
// encoded step reads like its executable counterpart in model/*.cc.
//
// Contract: every numeric field is a 16-bit bit-vector holding the C++ value as an int
// (uint8_t fields zero-extended, int8_t fields sign-extended: kNoOffset is 255 and
// kNoBroker is -1). 16 bits make Z3's default (signed) comparisons agree with C++'s
// integer promotion, so `a < b` means what it means in model/*.cc. A Record is kept
// decoded (msg, gen, epoch, producer_id, seq, kind); Batch bit-fields likewise.
//
// constant() and evaluate() convert to and from the executable State exactly (their
// round trip is tested), which is how a Z3 counterexample is replayed on the model.
#ifndef KDC_MODEL_SYMBOLIC_SYM_STATE_H_
#define KDC_MODEL_SYMBOLIC_SYM_STATE_H_

#include <z3++.h>

#include <string>
#include <type_traits>
#include <vector>

#include "model/state.h"

namespace kdc::sym {

using z3::expr;

// One Z3 context per thread: Sym* values default-construct their fields in it.
z3::context& ctx();

constexpr int kWidth = 16;
inline expr num(int v) { return ctx().bv_val(v, kWidth); }
inline expr null_expr() { return num(0); }
inline expr truth(bool b) { return ctx().bool_val(b); }

struct SymRecord {
  expr msg = null_expr(), gen = null_expr(), epoch = null_expr();
  expr producer_id = null_expr(), seq = null_expr(), kind = null_expr();
  expr is_control() const { return kind >= num(Record::kCommitMarker); }
  expr is_transactional() const { return kind != num(Record::kPlain); }
  std::vector<expr*> fields();
};

struct SymReplica {
  SymRecord log[kMaxLog];
  expr log_end_offset = null_expr(), flushed = null_expr(), high_watermark = null_expr();
  expr known_epoch = null_expr(), flags = null_expr();
  expr has(uint8_t f) const { return (flags & num(f)) != num(0); }
  void set(uint8_t f, const expr& on) { flags = z3::ite(on, flags | num(f), flags & num(~f & 0xff)); }
  std::vector<expr*> fields();
};

struct SymPartition {
  expr leader = null_expr(), leader_epoch = null_expr(), isr = null_expr(), elr = null_expr();
  expr last_leader = null_expr(), isolated_isr_view = null_expr();
  expr follower_leo[kMaxReplicas] = {null_expr(), null_expr(), null_expr()};
  expr committed_gens[kMaxMessages] = {null_expr(), null_expr(), null_expr(), null_expr()};
  std::vector<expr*> fields();
};

struct SymBatch {
  expr msg = null_expr(), gen = null_expr(), retries = null_expr(), unused = null_expr();
  expr seq = null_expr(), producer_id = null_expr(), broker = null_expr(), stage = null_expr();
  expr result = null_expr(), offset = null_expr();
  std::vector<expr*> fields();
};

struct SymProducer {
  expr txn = null_expr(), txn_flags = null_expr(), txn_msg = null_expr(), resend = null_expr();
  expr sent = null_expr(), input_committed = null_expr(), metadata_leader = null_expr();
  expr producer_id = null_expr(), next_seq = null_expr(), last_acked_seq = null_expr();
  expr next_msg = null_expr(), queued = null_expr(), in_flight = null_expr();
  SymBatch queue[kMaxBatches];
  SymBatch flight[kMaxBatches];
  expr gen[kMaxMessages] = {null_expr(), null_expr(), null_expr(), null_expr()};
  expr acked = null_expr(), dropped = null_expr(), abandoned = null_expr();
  std::vector<expr*> fields();
};

struct SymPolled {
  expr msg_gen = null_expr(), offset = null_expr(), epoch = null_expr();
  std::vector<expr*> fields();
};

struct SymConsumer {
  expr position = null_expr(), committed = null_expr(), pending_commit = null_expr();
  expr polled = null_expr();
  SymPolled buffer[kMaxPolled];
  expr flags = null_expr(), leader_epoch = null_expr(), position_epoch = null_expr();
  expr committed_epoch = null_expr(), pending_epoch = null_expr();
  expr has(uint8_t f) const { return (flags & num(f)) != num(0); }
  void set(uint8_t f, const expr& on) { flags = z3::ite(on, flags | num(f), flags & num(~f & 0xff)); }
  std::vector<expr*> fields();
};

struct SymSink {
  expr count[kMaxMessages] = {null_expr(), null_expr(), null_expr(), null_expr()};
  SymPolled first[kMaxMessages];
  expr applied_gens[kMaxMessages] = {null_expr(), null_expr(), null_expr(), null_expr()};
  expr highest_first = null_expr(), reserved = null_expr();
  std::vector<expr*> fields();
};

struct SymCoordinator {
  expr epoch = null_expr(), status = null_expr(), flags = null_expr(), msg = null_expr();
  expr gen = null_expr(), marker_epoch = null_expr(), marker_offset = null_expr();
  expr pending_offset = null_expr(), zombie_epoch = null_expr(), reserved = null_expr();
  expr aborted_gens[kMaxMessages] = {null_expr(), null_expr(), null_expr(), null_expr()};
  std::vector<expr*> fields();
};

struct SymState {
  expr effects = null_expr();
  SymReplica replica[kMaxReplicas];
  SymPartition partition;
  SymProducer producer;
  SymConsumer consumer;
  SymSink sink;
  SymCoordinator coordinator;
  expr faults_used[kFaultKinds] = {null_expr(), null_expr(), null_expr(), null_expr(),
                                   null_expr(), null_expr(), null_expr(), null_expr(),
                                   null_expr(), null_expr(), null_expr(), null_expr()};
  expr faults_total = null_expr();

  // Every field, in a fixed order (the same for every SymState).
  std::vector<expr*> fields();
  std::vector<const expr*> fields() const;
};

// ---- Conversions ----

SymState constant(const State& s);
// Fresh, unconstrained variables named prefix.<field index>.
SymState fresh(const std::string& prefix);
// The executable State's fields as ints, in fields() order (what constant() makes terms of).
std::vector<int> field_values(const State& s);
// The executable State a model assigns to `s` (fields read as C++ values and packed).
State evaluate(const z3::model& m, const SymState& s);

// ---- Generic operations over mirrored structs (SymState, SymBatch, SymRecord, ...) ----

// c ? a : b, sharing the term when both are the same.
inline expr choose(const expr& c, const expr& a, const expr& b) {
  return z3::eq(a, b) ? a : z3::ite(c, a, b);
}

// c ? a : b for a mirrored struct, field by field (for a single term: choose, or z3::ite).
template <class T>
T ite(const expr& c, const T& then_value, const T& else_value) {
  if constexpr (std::is_same_v<T, expr>) {
    return choose(c, then_value, else_value);
  } else {
  T out = then_value;
  T other = else_value;
  auto a = out.fields();
  auto b = other.fields();
  for (size_t i = 0; i < a.size(); ++i)
    if (!z3::eq(*a[i], *b[i])) *a[i] = z3::ite(c, *a[i], *b[i]);
  return out;
  }
}

template <class T>
expr equal(const T& x, const T& y) {
  if constexpr (std::is_same_v<T, expr>) return x == y;
  T a = x, b = y;
  auto fa = a.fields();
  auto fb = b.fields();
  z3::expr_vector parts(ctx());
  for (size_t i = 0; i < fa.size(); ++i)
    if (!z3::eq(*fa[i], *fb[i])) parts.push_back(*fa[i] == *fb[i]);
  return parts.empty() ? truth(true) : z3::mk_and(parts);
}

// arr[index] for a symbolic index (the last element when index is out of range: callers
// guard the index, as the C++ code does).
template <class T, size_t N>
T select(const T (&arr)[N], const expr& index) {
  T out = arr[N - 1];
  for (int i = int(N) - 2; i >= 0; --i) out = sym::ite<T>(index == num(i), arr[i], out);
  return out;
}
// arr[index] = value for a symbolic index (no slot changes when out of range).
template <class T, size_t N>
void store(T (&arr)[N], const expr& index, const T& value) {
  for (size_t i = 0; i < N; ++i) arr[i] = sym::ite<T>(index == num(int(i)), value, arr[i]);
}

// Bit helpers in C++'s terms.
inline expr bit_of(int b) { return num(1 << b); }
inline expr bit_of(const expr& b) { return z3::shl(num(1), b); }
inline expr in_set(const expr& set, int b) { return (set & num(1 << b)) != num(0); }
inline expr in_set(const expr& set, const expr& b) { return (z3::lshr(set, b) & num(1)) != num(0); }
expr popcount(const expr& set);           // set_size()
expr countr_zero(const expr& set);        // std::countr_zero on a uint8_t (8 when 0)
inline expr min(const expr& a, const expr& b) { return z3::ite(a < b, a, b); }
inline expr max(const expr& a, const expr& b) { return z3::ite(a < b, b, a); }

}  // namespace kdc::sym

#endif  // KDC_MODEL_SYMBOLIC_SYM_STATE_H_
