#include "model/checker/progress_check.h"

#include <absl/container/flat_hash_map.h>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/strong_components.hpp>
#include <deque>

#include "model/checker/explicit_checker.h"

namespace kdc {

ProgressReport check_progress(const Config& config, uint64_t max_states) {
  ProgressReport report;
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
  Graph graph;
  absl::flat_hash_map<uint64_t, uint32_t> id_of;
  std::vector<State> states{initial_state(config)};
  std::vector<uint32_t> parent{0};
  std::vector<uint16_t> choice{0};
  std::vector<bool> quiesced;
  id_of[fingerprint(states[0])] = 0;
  boost::add_vertex(graph);
  std::vector<Step> steps;
  for (uint32_t i = 0; i < states.size(); ++i) {
    successors(config, states[i], &steps);
    quiesced.push_back(steps.empty());
    for (size_t k = 0; k < steps.size(); ++k) {
      auto [it, fresh] = id_of.try_emplace(fingerprint(steps[k].next), uint32_t(states.size()));
      if (fresh) {
        if (states.size() >= max_states) {
          report.complete = false;
          id_of.erase(it);
          continue;
        }
        states.push_back(steps[k].next);
        parent.push_back(i);
        choice.push_back(uint16_t(k));
        boost::add_vertex(graph);
      }
      boost::add_edge(i, it->second, graph);
      ++report.edges;
    }
  }
  report.states = states.size();

  // Reverse reachability from the quiesced states.
  std::vector<std::vector<uint32_t>> reverse(states.size());
  for (auto [e, end] = boost::edges(graph); e != end; ++e)
    reverse[boost::target(*e, graph)].push_back(uint32_t(boost::source(*e, graph)));
  std::vector<bool> can_finish(states.size(), false);
  std::deque<uint32_t> queue;
  for (uint32_t i = 0; i < states.size(); ++i)
    if (quiesced[i]) can_finish[i] = true, queue.push_back(i);
  while (!queue.empty()) {
    uint32_t v = queue.front();
    queue.pop_front();
    for (uint32_t u : reverse[v])
      if (!can_finish[u]) can_finish[u] = true, queue.push_back(u);
  }
  uint32_t first_stuck = UINT32_MAX;
  for (uint32_t i = 0; i < states.size(); ++i) {
    if (can_finish[i]) continue;
    ++report.stuck_states;
    if (first_stuck == UINT32_MAX) first_stuck = i;  // BFS order: a shortest run reaches it
  }

  // Bottom components: no edge leaves them. Those that are not a single quiesced state
  // are where a run can circle forever.
  std::vector<int> component(states.size());
  const int components = boost::strong_components(graph, component.data());
  std::vector<bool> has_exit(components, false);
  for (auto [e, end] = boost::edges(graph); e != end; ++e)
    if (component[boost::source(*e, graph)] != component[boost::target(*e, graph)])
      has_exit[component[boost::source(*e, graph)]] = true;
  std::vector<int> size(components, 0);
  for (int c : component) ++size[c];
  for (uint32_t i = 0; i < states.size(); ++i)
    if (!has_exit[component[i]] && !quiesced[i] && component[i] >= 0) {
      ++report.bottom_components;
      has_exit[component[i]] = true;  // count each component once
    }

  if (first_stuck != UINT32_MAX) {
    std::vector<uint16_t> path;
    for (uint32_t v = first_stuck; v != 0; v = parent[v]) path.push_back(choice[v]);
    std::reverse(path.begin(), path.end());
    State last;
    replay_choices(config, path, &report.path_to_stuck, &last);
    // Walk inside the component until back at the start, to show the cycle.
    const int c = component[first_stuck];
    uint32_t v = first_stuck;
    for (int guard = 0; guard < 64; ++guard) {
      successors(config, states[v], &steps);
      bool moved = false;
      for (const Step& s : steps) {
        auto it = id_of.find(fingerprint(s.next));
        if (it == id_of.end() || component[it->second] != c) continue;
        report.cycle.push_back(s.event);
        v = it->second;
        moved = true;
        break;
      }
      if (!moved || v == first_stuck) break;
    }
  }
  return report;
}

}  // namespace kdc
