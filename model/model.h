// The executable delivery model: initial state and the enabled steps of any state.
//
// Contract: successors() is a pure function of (config, state). Every step it yields is
// one Event of the shared vocabulary together with the state it leads to; the order of
// the steps is deterministic, so a path is fully described by the index of the step
// taken at each state (that is how the checker stores and replays counterexamples).
//
// A state with no successors has quiesced: every fault has healed, every crashed node
// has restarted, the producer has nothing left to do and the consumer has caught up.
// Losses are judged there (losses_at_quiescence); duplicates and reordering are safety
// effects, recorded in State::effects at the step that causes them.
#ifndef KDC_MODEL_MODEL_H_
#define KDC_MODEL_MODEL_H_

#include <string>
#include <vector>

#include "model/effects.h"
#include "model/state.h"
#include "model/vocabulary/config.h"
#include "model/vocabulary/event.h"

namespace kdc {

struct Step {
  Event event;
  State next;
};

State initial_state(const Config& config);

// Clears *out and fills it with every enabled step. Returns how many steps were cut
// because a bound (model/bounds.h) would have been exceeded.
int successors(const Config& config, const State& state, std::vector<Step>* out);
// The same without the partial-order reduction (docs/model.md, "Reduction"): every enabled
// step of every actor. For replaying runs whose consumer interleaves its local work with
// the other actors (conformance/model_replay.cc), which the reduction reorders but allows.
int all_successors(const Config& config, const State& state, std::vector<Step>* out);

// The losses a quiesced state shows (L_ack, L_fail, L_unsent, L_skip), and, per
// message, which one (or none). A message whose loss no rule explains is reported in
// *unexplained (a model bug: tests require it to stay empty).
struct LossReport {
  EffectSet effects = 0;
  Effect per_message[kMaxMessages];
  bool lost[kMaxMessages] = {};
  std::vector<int> unexplained;
};
LossReport losses_at_quiescence(const Config& config, const State& state);

// A readable multi-line picture of a state: each broker's log with LEO, HW and flushed
// prefix, ISR, leader, producer queue and in-flight requests, consumer and sink.
std::string describe_state(const Config& config, const State& state);

}  // namespace kdc

#endif  // KDC_MODEL_MODEL_H_
