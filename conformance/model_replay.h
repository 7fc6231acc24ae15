// Replays a trace against the model: every event must be a step the model allows from a
// state the earlier events can have led to. Some events do not pin down one successor (a
// cluster power loss does not say how much of each log survived), so the replay carries
// the set of model states consistent with the trace so far: its frontier.
#ifndef KDC_CONFORMANCE_MODEL_REPLAY_H_
#define KDC_CONFORMANCE_MODEL_REPLAY_H_

#include <string>
#include <variant>
#include <vector>

#include "model/model.h"
#include "model/vocabulary/trace.h"

namespace kdc {

struct ReplayResult {
  bool ok = true;
  int steps = 0;           // events replayed successfully
  int failed_step = 0;     // 1-based index of the first event no model state allows
  std::string error;       // why, in words, with what the model allowed instead
  std::vector<State> frontier;  // model states after the last replayed event
  std::vector<State> after;     // after[i]: one model state consistent with events 0..i
  EffectSet effects = 0;   // effects in every frontier state (losses judged if quiesced)
  bool quiesced = false;   // some frontier state has no successor
};

ReplayResult replay_on_model(const Config& config, const std::vector<Event>& events);

// The configuration a trace header records (its "config" settings).
std::variant<Config, ConfigError> config_of(const TraceHeader& header);

}  // namespace kdc

#endif  // KDC_CONFORMANCE_MODEL_REPLAY_H_
