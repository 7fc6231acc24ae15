// The model's state invariants, stated once. Every state successors() can reach from
// initial_state() satisfies them; tests check that exhaustively for small configurations
// (model/model_test.cc) and along random walks for generated ones
// (properties/model_properties.cc).
//
// Three groups:
//   Shape: the fixed-size State is in canonical form (unused slots zero, counts match the
//     slots in use, every field within its bound). The checker hashes and compares states
//     as bytes, so two states that mean the same thing must have the same bytes.
//   Replication: the controller's and the leader's bookkeeping (leader, ISR, ELR, high
//     watermark, follower LEOs) agree with the replicas' logs.
//   Clients: producer ledger, consumer offsets, sink counters and the fault budget.
//
// The invariants (each message of check_invariants() names the one violated):
//   Shape: unused replica, log, queue, flight, buffer slots are zero; LEO <= kMaxLog;
//     HW <= LEO; flushed <= LEO; every record, batch, polled record and sink entry names
//     a message already sent; a queued batch has no broker, result or offset; a request
//     keeps its append offset exactly from the append until its response is read; acks=0
//     requests are orphans; waiting requests <= max.in.flight; sink counts <= 3 and
//     highest_first is the highest applied message; positions and commits are offsets
//     <= kMaxLog or kNoOffset; the fault counters add up within every budget; no loss
//     effect (judged at quiescence) and no V_unc is ever recorded in State::effects.
//   Replication: ISR, ELR within replication.factor and disjoint; ELR (and an empty ISR)
//     only with eligible leader replicas; a down broker is fenced; a partition leader is up, connected, unfenced, in the ISR, flagged leader and knows
//     the current epoch, and no other broker believes it leads that epoch; no connected
//     broker is flagged leader and fenced; the leader never heard of a follower LEO beyond
//     its own; every log's leader epochs never decrease; from 2.0, log matching below
//     the high watermark (check_log_matching).
//
// What deliberately is NOT an invariant (each shown by a reachable state in the tests):
//   - Log matching below the high watermark fails before 2.0: truncating to the own HW
//     (before 0.11, KIP-101's motivating bug) and a single OffsetsForLeaderEpoch round
//     (0.11-1.1, KIP-279's motivating bug) can leave two in-sync replicas with different
//     records below both high watermarks. It is checked from 2.0 on only. Unclean
//     elections and power losses do not break it from 2.0: the reconciling follower is
//     exempt until its Truncate step, and truncation cuts its HW with its log.
//   - Records below a replica's HW are not durable: a power loss may drop them (the HW is
//     cut with the log), so no invariant compares a state with its predecessors.
#ifndef KDC_MODEL_INVARIANTS_H_
#define KDC_MODEL_INVARIANTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/model.h"

namespace kdc {

// A description of the first invariant `state` violates, or nullopt when all hold.
std::optional<std::string> check_invariants(const Config& config, const State& state);

// Log matching below the high watermark, whatever kafka.version: replicas that are up,
// know the current leader epoch and have reconciled with its leader (no pending Truncate)
// hold the same records below the smaller of their high watermarks. check_invariants()
// applies it from 2.0 only; tests show it fails before (see the comment above).
std::optional<std::string> check_log_matching(const Config& config, const State& state);

// Invariants Kafka keeps that the model once broke: each was a model bug, is fixed, and is
// pinned by a test in model/model_test.cc (ModelRegressions.*). check_invariants() includes
// them; they stay a separate function so the regression tests can name them.
//   - A broker cut off by a network partition stays fenced (the controller cannot hear it).
//   - The leader's HW never exceeds the follower LEO it knows for an ISR member, and that
//     knowledge is not ahead of the follower's actual log.
//   - While the partition has a leader, every connected unfenced broker knows its epoch.
//   - The idempotent producer never reuses a (producer id, sequence) already in a log
//     (the KIP-360 epoch bump is cut at kMaxProducerId rather than reuse an id).
std::optional<std::string> check_invariants_model_breaks(const Config& config,
                                                         const State& state);

// The checks check_invariants() runs, in its order, each by name. The Z3 engine has a
// symbolic twin of each under the same name (model/symbolic/invariant_encoding.h), compared
// with these one by one; a check may assume every check before it holds (check_invariants()
// stops at the first violation, and later checks index arrays by fields earlier ones bound).
using StateCheck = std::optional<std::string> (*)(const Config&, const State&);
struct NamedStateCheck {
  const char* name;
  StateCheck check;
};
const std::vector<NamedStateCheck>& invariant_checks();

// Breadth-first search of every state reachable from initial_state(config) (as many as
// `max_states`), checking `check` (by default check_invariants()) in each. On a violation, `trace` is a
// shortest run that reaches the offending state.
struct InvariantSweep {
  uint64_t states = 0;
  uint64_t transitions = 0;
  bool complete = true;                  // false when max_states stopped the search
  std::optional<std::string> violation;  // the first one found
  std::vector<Event> trace;              // from the initial state to the violating state
  State state;                           // the violating state
};
InvariantSweep sweep_invariants(const Config& config, uint64_t max_states = 5'000'000,
                                StateCheck check = check_invariants);

}  // namespace kdc

#endif  // KDC_MODEL_INVARIANTS_H_
