// Exhaustive explicit-state exploration of the model within its bounds (messages, fault
// budget, model/bounds.h), breadth first, so each effect's counterexample is a shortest
// one. Visited states are kept as 64-bit fingerprints (as TLC does); a path is kept as
// (parent, index of the step taken), so every counterexample is a replay on the model.
#ifndef KDC_MODEL_CHECKER_EXPLICIT_CHECKER_H_
#define KDC_MODEL_CHECKER_EXPLICIT_CHECKER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "model/model.h"
#include "model/replication_safety.h"

namespace kdc {

struct CheckProgress {
  uint64_t states = 0;
  uint64_t frontier = 0;
  int depth = 0;
  double seconds = 0;
};

struct CheckOptions {
  uint64_t max_states = 50'000'000;  // stop (incomplete) beyond this many distinct states
  // Called about once per `progress_interval` seconds while exploring.
  std::function<void(const CheckProgress&)> on_progress;
  double progress_interval = 1.0;
  // Worker threads (0: one per core). Any number gives the same states, in the same
  // order, and the same counterexamples as one thread.
  int threads = 0;
  // Explore only runs of at most this many steps (-1: all). The symbolic engine's bound,
  // so that the two engines can be compared at equal bounds.
  int max_depth = -1;
};

struct Counterexample {
  Effect effect;
  std::vector<Event> events;  // from the initial state
  State final_state;
  int message = -1;           // the message the effect concerns, when one does
};

// The shortest run to a state that breaks replication safety (model/replication_safety.h).
struct ReplicationCounterexample {
  ReplicationFinding finding;
  std::vector<Event> events;  // from the initial state
  State final_state;
  uint32_t state_id = 0;      // breadth-first order: a smaller id is as short or shorter
};

struct CheckResult {
  EffectSet effects = 0;
  std::vector<Counterexample> counterexamples;  // one per effect, shortest, in Effect order
  uint64_t states = 0;           // distinct states explored
  uint64_t transitions = 0;
  uint64_t quiescent_states = 0;
  uint64_t bound_hits = 0;       // steps cut by a bound
  uint64_t cut_states = 0;       // states left with no step only because of a bound
  uint64_t unexplained = 0;      // losses no rule explains (a model bug)
  std::vector<Event> unexplained_trace;  // the shortest run showing one, for the bug report
  // Per ReplicationViolation kind, the first state (in breadth-first order) that breaks
  // it: a shortest run. None when every explored state keeps it.
  std::optional<ReplicationCounterexample> replication[kReplicationViolations];
  // The shortest of those (the earlier state when both are as short), or null.
  const ReplicationCounterexample* first_replication_violation() const;
  int depth = 0;                 // BFS levels
  double seconds = 0;
  bool complete = true;          // false when max_states stopped the search
  bool depth_limited = false;    // max_depth left some state unexpanded
};

CheckResult check(const Config& config, const CheckOptions& options = {});

// The events along a path given as step indices from the initial state; false if an
// index is out of range.
bool replay_choices(const Config& config, const std::vector<uint16_t>& choices,
                    std::vector<Event>* events, State* final_state);

uint64_t fingerprint(const State& s);

}  // namespace kdc

#endif  // KDC_MODEL_CHECKER_EXPLICIT_CHECKER_H_
