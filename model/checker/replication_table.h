// The replication protocol's history, as kdc's model sees it: for each Kafka release
// whose truncation or election rules changed, each replica count and each fault
// workload, does replication safety (model/replication_safety.h) hold? Each cell is an
// exhaustive explicit-state check; `kdc replication` prints the table and
// docs/replication.md holds it.
#ifndef KDC_MODEL_CHECKER_REPLICATION_TABLE_H_
#define KDC_MODEL_CHECKER_REPLICATION_TABLE_H_

#include <string>
#include <vector>

#include "model/checker/explicit_checker.h"
#include "model/vocabulary/trace.h"

namespace kdc {

// A release whose replication rules differ from the one before it.
struct ReplicationRelease {
  std::string version;  // a kafka.version value: "0.11"
  std::string rule;     // what changed, in Kafka's words
  std::string source;   // the KIP or JIRA that changed it
};
const std::vector<ReplicationRelease>& replication_releases();

// A fault workload: what may go wrong in each run. The producer sends two records with
// acks=1 and no retries (the client is not what these checks are about; two records are
// the fewest that can diverge), min.insync.replicas is min(2, replicas), no unclean
// elections.
struct ReplicationWorkload {
  std::string name;   // "crash"
  std::string title;  // "two broker crashes"
  std::vector<std::string> settings;  // fault.* keys
};
const std::vector<ReplicationWorkload>& replication_workloads();

// The key=value settings of one cell (what `kdc check` would be given).
std::vector<std::string> replication_cell_settings(const ReplicationRelease& release, int replicas,
                                                   const ReplicationWorkload& workload,
                                                   int max_leader_epoch);

struct ReplicationCell {
  std::string version;
  int replicas = 0;
  std::string workload;
  Config config;
  CheckResult result;  // result.replication[k]: the shortest run breaking property k
};

// Runs the explicit checker on one cell. Returns false (and sets *error) when the
// settings do not load (a bug in the tables above, reported rather than hidden).
bool check_replication_cell(const ReplicationRelease& release, int replicas,
                            const ReplicationWorkload& workload, int max_leader_epoch,
                            const CheckOptions& options, ReplicationCell* cell, std::string* error);

// The shortest run breaking one property as a trace: no delivery effect (null), what broke
// in the note. `kdc check` and `kdc replication` write these.
Trace replication_trace(const Config& config, const ReplicationCounterexample& rx);
// "log-divergence", "committed-record-loss": the property in file names.
std::string replication_slug(ReplicationViolation v);
// "holds", or each property broken with the length of its shortest run:
// "log divergence (10), committed-record loss (14)"; markdown bolds the names.
std::string replication_verdict(const CheckResult& result, bool markdown = false);

}  // namespace kdc

#endif  // KDC_MODEL_CHECKER_REPLICATION_TABLE_H_
