// The transaction dependency graph of a Kafka history and its cycles (Jepsen's G0 and G1c,
// as jepsen.tests.kafka asks Elle for them). Nodes are operations (their position in
// History::ops); the checker (history_checker.h) decides the edges:
//
//   ww  T1 sent v1 to k, T2 sent v2 to k, and v1 immediately precedes v2 in k's version
//       order (only with --ww-deps: offsets order writes of different transactions)
//   wr  T1 sent v to k and T2 polled v from k
//
// Jepsen's kafka workload draws no rw edges (its rw-graph is commented out), so neither do
// we, and G-single / G2 cannot arise.
#ifndef KDC_CONFORMANCE_HISTORY_GRAPH_H_
#define KDC_CONFORMANCE_HISTORY_GRAPH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "conformance/history.h"

namespace kdc {

struct DepEdge {
  enum Kind : uint8_t { kWW, kWR };
  int32_t from = -1, to = -1;  // operation positions
  Kind kind = kWR;
  Atom key;
  Atom value;   // ww: the earlier value; wr: the value read
  Atom value2;  // ww: the later value
};

struct DepCycle {
  std::string anomaly;          // "G0" (ww edges only) or "G1c" (ww and wr, at least one wr)
  std::vector<int32_t> ops;     // T0, T1, ..., T0
  std::vector<DepEdge> steps;   // steps[i] leads from ops[i] to ops[i+1]
};

// Strongly connected components (Boost.Graph) of the ww+wr graph and of its ww-only part;
// one cycle per non-trivial component: a G0 cycle in each ww-only component, and a G1c
// cycle through a wr edge in each component that holds one. Self-edges are ignored.
// Linear in nodes + edges, plus one breadth-first search per reported cycle. Cycles come in
// a deterministic order (by their smallest operation).
std::vector<DepCycle> find_cycles(int32_t node_count, const std::vector<DepEdge>& edges);

}  // namespace kdc

#endif  // KDC_CONFORMANCE_HISTORY_GRAPH_H_
