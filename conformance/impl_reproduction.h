// Model → implementation: a model counterexample drives the deterministic implementation
// through the same faults, placed at the same steps, and the anomaly must reproduce there.
//
// Each fault of the trace strikes the implementation right after the step that preceded it
// in the counterexample (DirectedFault: the same event type, message, broker, result), before
// any other thread moves. What the implementation does between faults is its own: the
// scheduler's seed decides the interleaving. So the search tries seeds in turn until a run
// shows the counterexample's effect; how many it took is part of the answer. A trace whose
// effect never reproduces within the seeds is reported as such, never hidden.
#ifndef KDC_CONFORMANCE_IMPL_REPRODUCTION_H_
#define KDC_CONFORMANCE_IMPL_REPRODUCTION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "impl/cluster/cluster.h"
#include "model/vocabulary/trace.h"

namespace kdc {

struct ReproduceOptions {
  int seeds = 200;            // runs tried at most
  uint64_t first_seed = 1;
  impl::Millis heal_after = 5000;  // a crashed broker restarts, a partition heals, this later
};

struct ReproduceResult {
  bool reproduced = false;
  std::string effect;          // the effect sought (the trace header's)
  uint64_t seed = 0;           // the seed whose run showed it
  int seeds_tried = 0;
  std::vector<impl::DirectedFault> faults;  // how the trace's faults were placed
  impl::RunReport report;      // of the reproducing run, else of the last one tried
  std::vector<Event> events;   // that run's implementation trace
  std::string error;           // unreadable configuration, no effect in the header, ...
};

// The directed faults for a counterexample: one per fault event, triggered by the step
// before it (its k-th occurrence in the trace).
std::vector<impl::DirectedFault> directed_faults_of(const std::vector<Event>& events,
                                                    impl::Millis heal_after);

ReproduceResult reproduce_on_impl(const Trace& model_trace, const ReproduceOptions& options);

}  // namespace kdc

#endif  // KDC_CONFORMANCE_IMPL_REPRODUCTION_H_
