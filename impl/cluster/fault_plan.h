// Which faults a run injects, and when: drawn from the seed within the configuration's
// fault budget (fault.* keys, fault.max.total), so that the faults the model explores are
// the ones the implementation suffers for real.
#ifndef KDC_IMPL_CLUSTER_FAULT_PLAN_H_
#define KDC_IMPL_CLUSTER_FAULT_PLAN_H_

#include <string>
#include <vector>

#include "impl/runtime/runtime.h"
#include "model/vocabulary/event.h"
#include "model/vocabulary/config.h"

namespace kdc::impl {



struct PlannedFault {
  EventType kind = EventType::kBrokerCrash;  // a fault event type of the vocabulary
  Millis at = 0;          // when it strikes, from the start of the run
  Millis heal_after = 0;  // restart / heal this long after it struck (where it heals)
  int broker = -1;        // the broker it hits, where it hits one
  int count = -1;         // request timeout: requests the broker had read (-1: the seed decides)
  int32_t msg = -1;       // delivery timeout: the record whose batch expires (-1: the oldest)
  int8_t gen = -1;
  // Producer zombie: the directed fault's index, whose init_after holds the replacement's
  // initTransactions() (-1: none).
  int directed = -1;
};

// At least one fault when the budget allows any (a run without faults is asked for with
// RunOptions::inject_faults = false), at most fault.max.total; kinds drawn among those with
// budget left; times uniform in [0, window].
std::vector<PlannedFault> plan_faults(const Config& config, Runtime& random, Millis window);

}  // namespace kdc::impl

#endif  // KDC_IMPL_CLUSTER_FAULT_PLAN_H_
