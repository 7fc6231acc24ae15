// A check of the model itself: from every reachable state, some quiesced state (no
// successors) must be reachable. Losses are judged only at quiesced states, so a model
// that can get stuck in a cycle (a livelock) would hide them. Builds the explicit state
// graph, so it is for small configurations (tests), not for users' checks.
#ifndef KDC_MODEL_CHECKER_PROGRESS_CHECK_H_
#define KDC_MODEL_CHECKER_PROGRESS_CHECK_H_

#include <cstdint>
#include <vector>

#include "model/model.h"

namespace kdc {

struct ProgressReport {
  uint64_t states = 0;
  uint64_t edges = 0;
  bool complete = true;           // false: stopped at max_states
  uint64_t stuck_states = 0;      // states from which no quiesced state is reachable
  uint64_t bottom_components = 0; // strongly connected components with no way out
  std::vector<Event> path_to_stuck;  // shortest run into a stuck state (empty if none)
  std::vector<Event> cycle;          // events around that state's component
};

ProgressReport check_progress(const Config& config, uint64_t max_states = 2'000'000);

}  // namespace kdc

#endif  // KDC_MODEL_CHECKER_PROGRESS_CHECK_H_
