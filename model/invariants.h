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
// What deliberately is NOT an invariant (each shown by a reachable state in the tests):
//   - Log matching below the high watermark fails before 2.0: truncating to the own HW
//     (before 0.11, KIP-101's motivating bug) and a single OffsetsForLeaderEpoch round
//     (0.11-1.1, KIP-279's motivating bug) can leave two in-sync replicas with different
//     records below both high watermarks. It is checked from 2.0 on only.
//   - A follower's LEO is not bounded below by the leader's HW in general: the leader only
//     knows the follower LEO from its last fetch (PartitionState::follower_leo), so only
//     HW <= follower_leo (when known) is an invariant.
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

// Invariants Kafka keeps that the model currently breaks: each one is a model bug with a
// failing test in model/model_test.cc (ModelBugs.*). Kept apart so that check_invariants()
// holds in every reachable state; move each into check_invariants() once fixed.
//   - A broker cut off by a network partition stays fenced (the controller cannot hear it).
//   - The leader's HW never exceeds the follower LEO it knows for an ISR member, and that
//     knowledge is not ahead of the follower's actual log.
//   - While the partition has a leader, every connected unfenced broker knows its epoch.
std::optional<std::string> check_invariants_model_breaks(const Config& config,
                                                         const State& state);

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
using StateCheck = std::optional<std::string> (*)(const Config&, const State&);
InvariantSweep sweep_invariants(const Config& config, uint64_t max_states = 5'000'000,
                                StateCheck check = check_invariants);

}  // namespace kdc

#endif  // KDC_MODEL_INVARIANTS_H_
