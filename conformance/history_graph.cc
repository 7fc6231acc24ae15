#include "conformance/history_graph.h"

#include <algorithm>
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/strong_components.hpp>
#include <utility>

namespace kdc {
namespace {

// Edge bundle: the edge's position in the caller's list, to explain a cycle's steps.
using Csr = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, int32_t>;

struct Component {
  Csr graph;
  std::vector<int32_t> comp;  // per compact vertex
};

// Builds the graph of the edges `keep` accepts (self-edges dropped) and labels its strong
// components.
template <typename Keep>
Component components(int32_t n, const std::vector<DepEdge>& edges, const std::vector<int32_t>& vertex,
                     Keep keep) {
  std::vector<std::pair<int32_t, int32_t>> pairs;
  std::vector<int32_t> ids;
  for (size_t i = 0; i < edges.size(); ++i) {
    const DepEdge& e = edges[i];
    if (e.from == e.to || !keep(e)) continue;
    pairs.emplace_back(vertex[e.from], vertex[e.to]);
    ids.push_back(int32_t(i));
  }
  Component c{Csr(boost::edges_are_unsorted_multi_pass, pairs.begin(), pairs.end(), ids.begin(), size_t(n)),
              std::vector<int32_t>(size_t(n), 0)};
  boost::strong_components(
      c.graph, boost::make_iterator_property_map(c.comp.begin(), boost::get(boost::vertex_index, c.graph)));
  return c;
}

// A shortest path from `from` to `to` inside their component, as edge ids; `parent` and
// `seen` are scratch space the size of the graph, left clean for the next search.
std::vector<int32_t> path_within(const Component& c, int32_t from, int32_t to,
                                 const std::vector<DepEdge>& edges, const std::vector<int32_t>& vertex,
                                 std::vector<int32_t>& parent, std::vector<char>& seen) {
  std::vector<int32_t> queue{from}, touched{from};
  seen[from] = 1;
  int32_t want = c.comp[from];
  for (size_t q = 0; q < queue.size() && !seen[to]; ++q) {
    int32_t u = queue[q];
    auto [it, end] = boost::out_edges(Csr::vertex_descriptor(u), c.graph);
    for (; it != end; ++it) {
      auto e = *it;
      int32_t v = int32_t(boost::target(e, c.graph));
      if (seen[v] || c.comp[v] != want) continue;
      seen[v] = 1;
      parent[v] = c.graph[e];
      touched.push_back(v);
      queue.push_back(v);
    }
  }
  std::vector<int32_t> path;
  // Both ends share a strong component, so `to` is reached; the guard keeps a broken
  // invariant from looping.
  for (int32_t v = to; seen[to] && v != from;) {
    int32_t id = parent[v];
    path.push_back(id);
    v = vertex[edges[id].from];
  }
  std::reverse(path.begin(), path.end());
  for (int32_t v : touched) seen[v] = 0;
  return path;
}

}  // namespace

std::vector<DepCycle> find_cycles(int32_t node_count, const std::vector<DepEdge>& edges) {
  // Only operations with an edge take part: compact them to 0..n-1.
  std::vector<int32_t> vertex(size_t(node_count), -1);
  int32_t n = 0;
  for (const DepEdge& e : edges) {
    if (e.from == e.to) continue;
    if (vertex[e.from] < 0) vertex[e.from] = n++;
    if (vertex[e.to] < 0) vertex[e.to] = n++;
  }
  std::vector<DepCycle> cycles;
  if (n == 0) return cycles;
  std::vector<int32_t> parent(size_t(n), -1);
  std::vector<char> seen(size_t(n), 0);

  // One cycle per component through its first internal edge that `pick` accepts.
  auto report = [&](const Component& c, const char* anomaly, auto pick) {
    std::vector<char> done(size_t(n), 0);  // per component id
    for (size_t i = 0; i < edges.size(); ++i) {
      const DepEdge& e = edges[i];
      if (e.from == e.to || !pick(e)) continue;
      int32_t u = vertex[e.from], v = vertex[e.to];
      int32_t cu = c.comp[u];
      if (cu != c.comp[v] || done[cu]) continue;
      done[cu] = 1;
      std::vector<int32_t> back = path_within(c, v, u, edges, vertex, parent, seen);
      if (back.empty()) continue;
      DepCycle cycle;
      cycle.anomaly = anomaly;
      cycle.ops.push_back(e.from);
      cycle.steps.push_back(e);
      for (int32_t id : back) {
        cycle.ops.push_back(edges[id].from);
        cycle.steps.push_back(edges[id]);
      }
      cycle.ops.push_back(e.from);
      cycles.push_back(std::move(cycle));
    }
  };

  auto ww = [](const DepEdge& e) { return e.kind == DepEdge::kWW; };
  auto any = [](const DepEdge&) { return true; };
  auto wr = [](const DepEdge& e) { return e.kind == DepEdge::kWR; };
  // G0: a cycle of ww edges alone. Searched in the ww-only graph, so a G1c component that
  // also holds a pure write cycle reports both, as Elle does.
  bool has_ww = std::any_of(edges.begin(), edges.end(), ww);
  if (has_ww) report(components(n, edges, vertex, ww), "G0", ww);
  // G1c: a cycle of ww and wr edges with at least one wr edge: start from a wr edge whose
  // ends share a component and close it with any path back.
  report(components(n, edges, vertex, any), "G1c", wr);

  std::stable_sort(cycles.begin(), cycles.end(), [](const DepCycle& a, const DepCycle& b) {
    if (a.anomaly != b.anomaly) return a.anomaly < b.anomaly;
    return *std::min_element(a.ops.begin(), a.ops.end()) < *std::min_element(b.ops.begin(), b.ops.end());
  });
  return cycles;
}

}  // namespace kdc
