#include "model/checker/explicit_checker.h"

#include <absl/container/flat_hash_set.h>
#include <xxhash.h>

#include <algorithm>
#include <chrono>

namespace kdc {

uint64_t fingerprint(const State& s) { return XXH3_64bits(&s, sizeof(State)); }

bool replay_choices(const Config& config, const std::vector<uint8_t>& choices,
                    std::vector<Event>* events, State* final_state) {
  State s = initial_state(config);
  std::vector<Step> steps;
  events->clear();
  for (uint8_t k : choices) {
    successors(config, s, &steps);
    if (k >= steps.size()) return false;
    events->push_back(steps[k].event);
    s = steps[k].next;
  }
  *final_state = s;
  return true;
}

namespace {

struct Trail {
  std::vector<uint32_t> parent;
  std::vector<uint8_t> choice;

  uint32_t add(uint32_t from, uint8_t k) {
    parent.push_back(from);
    choice.push_back(k);
    return uint32_t(parent.size() - 1);
  }
  std::vector<uint8_t> path_to(uint32_t id) const {
    std::vector<uint8_t> path;
    for (; id != 0; id = parent[id]) path.push_back(choice[id]);
    std::reverse(path.begin(), path.end());
    return path;
  }
};

struct Witness {
  bool found = false;
  uint32_t state = 0;
  int message = -1;
};

}  // namespace

CheckResult check(const Config& config, const CheckOptions& options) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };

  CheckResult result;
  absl::flat_hash_set<uint64_t> visited;
  Trail trail;
  Witness witness[int(Effect::kCount)];
  EffectSet found = 0;
  uint32_t unexplained_state = 0;

  std::vector<State> frontier{initial_state(config)}, next_frontier;
  visited.insert(fingerprint(frontier[0]));
  trail.add(0, 0);
  uint32_t level_base = 0;
  std::vector<Step> steps;
  double next_report = options.progress_interval;

  while (!frontier.empty()) {
    uint32_t next_base = uint32_t(trail.parent.size());
    for (size_t i = 0; i < frontier.size(); ++i) {
      const uint32_t id = level_base + uint32_t(i);
      const State& s = frontier[i];
      result.bound_hits += successors(config, s, &steps);
      result.transitions += steps.size();
      if (steps.empty()) {
        ++result.quiescent_states;
        LossReport losses = losses_at_quiescence(config, s);
        if (!losses.unexplained.empty() && result.unexplained == 0) unexplained_state = id;
        result.unexplained += losses.unexplained.size();
        for (int m = 0; m < config.messages; ++m) {
          if (!losses.lost[m]) continue;
          const int e = int(losses.per_message[m]);
          if (witness[e].found) continue;
          witness[e] = {true, id, m};
          found |= EffectSet(1u << e);
        }
      }
      for (size_t k = 0; k < steps.size(); ++k) {
        const State& n = steps[k].next;
        if (!visited.insert(fingerprint(n)).second) continue;
        const uint32_t nid = trail.add(id, uint8_t(k));
        next_frontier.push_back(n);
        EffectSet fresh = EffectSet(n.effects & ~found);
        for (int e = 0; fresh; ++e, fresh >>= 1) {
          if (!(fresh & 1)) continue;
          witness[e] = {true, nid, steps[k].event.msg};
          found |= EffectSet(1u << e);
        }
      }
      if (options.on_progress && (i & 1023) == 0 && elapsed() >= next_report) {
        options.on_progress({trail.parent.size(), next_frontier.size() + frontier.size() - i,
                             result.depth, elapsed()});
        next_report = elapsed() + options.progress_interval;
      }
    }
    if (trail.parent.size() > options.max_states) {
      result.complete = false;
      break;
    }
    level_base = next_base;
    frontier.swap(next_frontier);
    next_frontier.clear();
    if (!frontier.empty()) ++result.depth;
  }

  result.states = trail.parent.size();
  result.effects = found;
  for (int e = 0; e < int(Effect::kCount); ++e) {
    if (!witness[e].found) continue;
    Counterexample cx;
    cx.effect = Effect(e);
    cx.message = witness[e].message;
    replay_choices(config, trail.path_to(witness[e].state), &cx.events, &cx.final_state);
    result.counterexamples.push_back(std::move(cx));
  }
  if (result.unexplained > 0) {
    State last;
    replay_choices(config, trail.path_to(unexplained_state), &result.unexplained_trace, &last);
  }
  result.seconds = elapsed();
  return result;
}

}  // namespace kdc
