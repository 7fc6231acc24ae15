#include "conformance/model_replay.h"

#include <absl/container/flat_hash_set.h>

#include "model/checker/explicit_checker.h"

namespace kdc {

std::variant<Config, ConfigError> config_of(const TraceHeader& header) {
  std::vector<std::string> overrides;
  for (const auto& [key, value] : header.config) overrides.push_back(key + "=" + value);
  return load_config_text({}, overrides);
}

ReplayResult replay_on_model(const Config& config, const std::vector<Event>& events) {
  ReplayResult r;
  std::vector<State> frontier{initial_state(config)}, next;
  std::vector<Step> steps;
  for (size_t i = 0; i < events.size(); ++i) {
    absl::flat_hash_set<uint64_t> seen;
    next.clear();
    std::vector<std::string> allowed;
    for (const State& s : frontier) {
      successors(config, s, &steps);
      for (const Step& step : steps) {
        if (step.event == events[i]) {
          if (seen.insert(fingerprint(step.next)).second) next.push_back(step.next);
        } else if (allowed.size() < 12) {
          allowed.push_back(describe(step.event));
        }
      }
    }
    if (next.empty()) {
      r.ok = false;
      r.failed_step = int(i) + 1;
      r.error = "step " + std::to_string(i + 1) + " (" + describe(events[i]) +
                ") is not a step the model allows here; it allows:";
      for (const std::string& a : allowed) r.error += "\n    " + a;
      if (allowed.empty()) r.error += " nothing (the run had quiesced)";
      break;
    }
    frontier.swap(next);
    r.after.push_back(frontier.front());
    r.steps = int(i) + 1;
  }
  r.frontier = frontier;
  r.effects = 0;
  for (const State& s : frontier) {
    EffectSet e = s.effects;
    const int cut = successors(config, s, &steps);
    if (steps.empty() && cut == 0) {
      r.quiesced = true;
      e |= losses_at_quiescence(config, s).effects;
    }
    r.effects |= e;
  }
  return r;
}

}  // namespace kdc
