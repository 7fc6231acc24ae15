#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "cli/commands.h"
#include "conformance/model_replay.h"

namespace kdc {

int run_replay(const ReplayArgs& args, std::ostream& out, std::ostream& err) {
  Trace trace;
  std::string error;
  if (!read_trace(args.trace, &trace, &error)) {
    err << "kdc replay: " << error << "\n";
    return 2;
  }
  auto loaded = config_of(trace.header);
  if (auto* e = std::get_if<ConfigError>(&loaded)) {
    err << "kdc replay: " << args.trace << ":1: header config: " << e->key << ": " << e->message
        << "\n";
    return 2;
  }
  const Config& config = std::get<Config>(loaded);
  ReplayResult r = replay_on_model(config, trace.events);

  if (args.json) {
    nlohmann::ordered_json j;
    j["trace"] = args.trace;
    j["legal"] = r.ok;
    j["steps"] = trace.events.size();
    j["replayed"] = r.steps;
    if (!r.ok) {
      j["failed_step"] = r.failed_step;
      j["error"] = r.error;
    }
    j["quiesced"] = r.quiesced;
    j["effects"] = nlohmann::json::array();
    for (int e = 0; e < int(Effect::kCount); ++e)
      if (r.effects & (1u << e)) j["effects"].push_back(name(Effect(e)));
    out << j.dump() << "\n";
    return r.ok ? 0 : 1;
  }

  out << "Replaying " << args.trace << " (" << trace.events.size() << " events, source "
      << trace.header.source << ")";
  if (!trace.header.effect.empty()) out << ", claimed effect " << trace.header.effect;
  out << "\n";
  for (size_t i = 0; i < trace.events.size(); ++i) {
    out << std::setw(4) << i + 1 << "  " << describe(trace.events[i]) << "\n";
    if (int(i) + 1 == r.failed_step) break;
    if (args.show_states) {
      std::istringstream state(describe_state(config, r.after[i]));
      for (std::string line; std::getline(state, line);) out << "        " << line << "\n";
    }
  }
  if (!r.ok) {
    out << "DIVERGES at " << r.error << "\n";
    return 1;
  }
  out << "Every step is a legal model step";
  if (r.quiesced) out << "; the run ends quiesced";
  out << ". Effects: ";
  bool any = false;
  for (int e = 0; e < int(Effect::kCount); ++e)
    if (r.effects & (1u << e)) out << (any ? ", " : "") << name(Effect(e)), any = true;
  out << (any ? "" : "none") << "\n";
  if (!trace.header.effect.empty()) {
    Effect claimed;
    if (parse_effect(trace.header.effect, &claimed) && !(r.effects & bit(claimed))) {
      out << "The claimed effect " << trace.header.effect << " does NOT show on the model.\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace kdc
