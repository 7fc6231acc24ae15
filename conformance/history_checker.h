// Checks a Kafka history for the anomalies of Jepsen's Kafka workload
// (jepsen/src/jepsen/tests/kafka.clj, `analysis`), under Jepsen's names. docs/history.md
// defines each one. Only client operations (integer :process) are considered, as Jepsen's
// h/client-ops does.
//
// Cost: linear in the history (hash maps; offsets are bucketed, sorted only when sparse),
// plus the dependency graph's strong components (history_graph.h).
#ifndef KDC_CONFORMANCE_HISTORY_CHECKER_H_
#define KDC_CONFORMANCE_HISTORY_CHECKER_H_

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "conformance/history.h"

namespace kdc {

struct HistoryOptions {
  // Jepsen's :ww-deps: infer ww edges from each key's offset order. Off by default, as in
  // Jepsen, because Kafka does not isolate writes: with it on, G1c is expected (allowed).
  bool ww_deps = false;
};

struct HistoryReport {
  // Anomaly name -> one JSON object per case, with the fields of Jepsen's error map for it
  // (operations shown as {"index", "process", "type", "f", "line"}). Names absent here were
  // not found.
  std::map<std::string, std::vector<nlohmann::json>> anomalies;
  // The names found that Jepsen's allowed-error-types does not excuse; valid iff empty.
  std::vector<std::string> bad;
  bool valid = true;
  // What was read: client operations, distinct keys.
  int64_t client_ops = 0;
  int64_t keys = 0;
};

// The anomalies Jepsen lets a Kafka history have while staying valid: int-send-skip and G0
// always; poll-skip and nonmonotonic-poll when the history subscribes (a consumer group may
// rebalance between polls); G1c with ww_deps.
bool anomaly_allowed(const std::string& anomaly, bool subscribes, const HistoryOptions& options);

HistoryReport check_history(const History& h, const HistoryOptions& options = {});

}  // namespace kdc

#endif  // KDC_CONFORMANCE_HISTORY_CHECKER_H_
