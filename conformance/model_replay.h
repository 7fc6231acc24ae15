// Replays a trace against the model: every event must be a step the model allows from a
// state the earlier events can have led to. Some events do not pin down one successor (a
// cluster power loss does not say how much of each log survived), so the replay carries
// the set of model states consistent with the trace so far: its frontier.
//
// Two modes, chosen by the trace header's "source":
//
//  - "model" (exact): each event is exactly one model step, as `kdc check` wrote it.
//  - "impl": a trace recorded by the implementation (impl/). Its events are matched, not
//    compared: absent fields are wildcards, annotations (writeback, fencing, LeaderAndIsr)
//    must agree with some frontier state, no-op events (an empty fetch the model would not
//    take) are stutters, the consumer's local steps may come in any interleaving, and
//    between two logged events the replay searches the model steps the implementation
//    does not log (bounded, deduplicated by fingerprint). docs/conformance.md states every
//    rule and why it is sound.
//
// On divergence the result says which event no model state allows, how many states the
// frontier (and the search) held, what one frontier state allows, and how the closest
// model step differs from the event.
#ifndef KDC_CONFORMANCE_MODEL_REPLAY_H_
#define KDC_CONFORMANCE_MODEL_REPLAY_H_

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "model/model.h"
#include "model/vocabulary/trace.h"

namespace kdc {

// How one event of an implementation trace was explained.
enum class Match : uint8_t {
  kStep,        // a model step with the same type whose fields agree
  kStutter,     // a no-op: the model state is unchanged (e.g. an empty fetch)
  kAnnotation,  // an event the model folds into other steps, consistent with the state
};

struct ReplayOptions {
  // The search for unlogged model steps before each logged event: at most this many
  // steps deep, and at most this many distinct states per event.
  int max_silent_depth = 3;
  int max_silent_states = 20'000;
  // Frontier states kept after each event (the rest are dropped, and the result says so).
  int max_frontier = 2'000;
};

struct ReplayResult {
  bool ok = true;
  int steps = 0;           // events replayed successfully
  int failed_step = 0;     // 1-based index of the first event no model state allows
  std::string error;       // why, in words, with what the model allowed instead
  std::vector<State> frontier;  // model states after the last replayed event
  std::vector<State> after;     // after[i]: one model state consistent with events 0..i
  EffectSet effects = 0;   // effects in every frontier state (losses judged if quiesced)
  bool quiesced = false;   // some frontier state has no successor

  // Implementation traces (zero for exact replays).
  int silent_steps = 0;    // unlogged model steps inferred, summed over the events
  int stutters = 0;        // events matched as no-ops
  int annotations = 0;     // events matched as annotations
  std::vector<Match> how;  // how[i]: how event i was explained
  std::vector<int> silent_before;  // silent_before[i]: unlogged steps inferred before event i
  bool frontier_truncated = false;  // max_frontier dropped states somewhere
  bool search_truncated = false;    // max_silent_states stopped a search somewhere

  // On divergence.
  int frontier_size = 0;   // frontier states before the event (after: at the end)
  int searched_states = 0; // distinct states the silent search reached for that event
  std::string state_diff;  // the closest model step, its field differences, state change
};

// Exact replay: each event must equal one model step.
ReplayResult replay_on_model(const Config& config, const std::vector<Event>& events);

// Matching replay of an implementation trace (see above).
ReplayResult replay_impl_trace(const Config& config, const std::vector<Event>& events,
                               const ReplayOptions& options = {});

// By the header: "model" replays exactly, anything else ("impl") by matching.
ReplayResult replay_trace(const Config& config, const Trace& trace,
                          const ReplayOptions& options = {});

// True when `event` matches the model step `step`: same type, and every field the event
// specifies (not at its absent value) equal to the step's.
bool event_matches(const Event& event, const Event& step);

// A line diff of two describe_state() pictures ("- old", "+ new"; unchanged lines left out).
std::string state_difference(const Config& config, const State& from, const State& to);

// The configuration a trace header records (its "config" settings).
std::variant<Config, ConfigError> config_of(const TraceHeader& header);

}  // namespace kdc

#endif  // KDC_CONFORMANCE_MODEL_REPLAY_H_
