// The model's state invariants (model/invariants.h) over terms, for induction: a proof by
// induction needs the states it starts from to be plausible, and these say which are.
//
// Contract: invariants() returns one term per check in invariant_checks(), same name, same
// order. For a constant state s that satisfies every check before it, the term is true
// exactly when the C++ check passes on s (tested on reachable and on mutated states by
// invariant_encoding_test.cc). Where C++ relies on an earlier check to keep an index in
// range, the term is false whenever that earlier check is.
//
// These are candidates, not facts: induction.cc proves the ones it uses inductive with Z3
// before it relies on them.
#ifndef KDC_MODEL_SYMBOLIC_INVARIANT_ENCODING_H_
#define KDC_MODEL_SYMBOLIC_INVARIANT_ENCODING_H_

#include <string>
#include <vector>

#include "model/symbolic/sym_config.h"
#include "model/symbolic/sym_state.h"

namespace kdc::sym {

struct SymInvariant {
  std::string name;  // as in kdc::invariant_checks()
  expr holds;
  // holds as a conjunction of small facts (the C++ check's conditions, per broker, slot or
  // offset), for induction: one fact that is not inductive need not take the others along.
  std::vector<expr> parts;
};

std::vector<SymInvariant> invariants(const SymConfig& c, const SymState& s);

}  // namespace kdc::sym

#endif  // KDC_MODEL_SYMBOLIC_INVARIANT_ENCODING_H_
