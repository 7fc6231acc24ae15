// Replication safety: what the partition's replicas owe each other, separate from what
// the producer and consumer see. Two properties, after the TLA+ specifications of Kafka
// replication (hachikuji/kafka-specification: StrongIsr; Vanlightly/kafka-tlaplus: no
// loss of committed records):
//
//   Committed records are in the ISR (StrongIsr): a broker that presumes leadership
//     holds, below its high watermark, the same record at each offset as every running
//     member of the controller's ISR. Otherwise a clean election can pick a replica
//     without a record consumers have read (log divergence: two replicas disagree below
//     the HW; Jepsen's inconsistent-offsets when consumers read both).
//   Committed records survive: a send that was ever below a leader's high watermark
//     (State::partition.committed_gens) is still in the log of some replica, running or
//     not. Otherwise it is gone for good (committed-record loss).
//
// Both are state predicates, checked on every reachable state by the explicit checker
// (CheckResult::replication), which keeps the shortest run to the first violating state.
// Neither is an invariant of every configuration: unclean elections, power losses of
// unflushed logs and pre-KIP-101 truncation break them, and the point is to show which.
#ifndef KDC_MODEL_REPLICATION_SAFETY_H_
#define KDC_MODEL_REPLICATION_SAFETY_H_

#include <optional>
#include <string>
#include <vector>

#include "model/state.h"
#include "model/vocabulary/config.h"

namespace kdc {

enum class ReplicationViolation : uint8_t {
  kDivergence,     // a running ISR member differs from a leader below its HW
  kCommittedLoss,  // a committed send is in no replica's log
};
const char* name(ReplicationViolation v);  // "log divergence", "committed-record loss"

struct ReplicationFinding {
  ReplicationViolation kind;
  std::string detail;  // "broker 1 (ISR) has m0 at offset 0, leader 0 has m1 (HW 1)"
};

inline constexpr int kReplicationViolations = 2;

// The violation of `kind` that `state` shows, or nullopt when that property holds.
std::optional<ReplicationFinding> check_replication_safety(const Config& config, const State& state,
                                                           ReplicationViolation kind);
// The first violation of either kind (committed-record loss first), or nullopt.
std::optional<ReplicationFinding> check_replication_safety(const Config& config,
                                                           const State& state);

// Along a run (states[i]: the state after step i + 1), the first step whose state breaks
// either property, 1-based, with what broke; 0 and nullopt when none does.
struct ReplicationBreak {
  int step = 0;
  std::optional<ReplicationFinding> finding;
};
ReplicationBreak first_replication_break(const Config& config, const std::vector<State>& states);

}  // namespace kdc

#endif  // KDC_MODEL_REPLICATION_SAFETY_H_
