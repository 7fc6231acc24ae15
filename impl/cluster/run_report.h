// What a finished run of the implementation shows, judged from the outside: the
// applications' ledger (what was sent, acknowledged, given up, applied in the sink) and the
// final leader's log. The definitions are the model's (docs/model.md, section 2), computed
// here independently from the implementation's own facts.
#ifndef KDC_IMPL_CLUSTER_RUN_REPORT_H_
#define KDC_IMPL_CLUSTER_RUN_REPORT_H_

#include <cstdint>
#include <map>
#include <string>
#include <set>
#include <utility>
#include <vector>

#include "impl/app/ledger.h"
#include "impl/protocol/records.h"

namespace kdc::impl {

struct MessageFate {
  int32_t msg = -1;
  int sends = 0;
  bool acknowledged = false;
  int deliveries = 0;       // times it took effect in the sink
  std::vector<std::string> effects;  // "L_ack", "D_int", ... for this message
};

struct RunReport {
  // The run.
  uint64_t seed = 0;
  bool deterministic = true;
  bool quiesced = false;      // reached the end state (faults healed, consumer caught up)
  std::string stop_reason;    // why it ended
  int64_t run_ms = 0;         // virtual ms (deterministic) or wall-clock ms
  uint64_t events = 0;
  uint64_t work_items = 0;
  uint64_t network_messages = 0;
  std::vector<std::string> faults;  // "broker_crash(1) at 1234 ms", in order

  // The outcome.
  int messages = 0;
  int sent = 0;
  int acknowledged = 0;
  int delivered = 0;    // distinct messages that took effect at least once
  int lost = 0;         // sent, never took effect
  int duplicated = 0;   // took effect more than once
  std::map<std::string, int> effects;  // effect name → number of messages showing it
  int unexplained_losses = 0;          // lost with no reason the ledger knows (a bug)
  std::vector<MessageFate> fates;      // only messages with an effect

  // Load figures (threaded runs).
  double messages_per_second = 0;
  double ack_latency_p50_ms = 0;
  double ack_latency_p99_ms = 0;
};

// Judges a run. `leader_log` is the final leader's log (markers included); read_committed
// decides whether an applied record of an aborted transaction counts (V_unc).
// `aborted_sends` is the transaction coordinator's view: the sends (message, send number)
// whose transaction it aborted. A record of such a send that takes effect is V_unc even if
// a later COMMIT marker of the same producer closed it on the partition (KAFKA-14053: a late
// write of an aborted transaction, appended after its ABORT marker, joins the next one); as
// in the model (docs/transactions.md, section 4), a second copy of a message where either
// copy is aborted is V_unc, not also a duplicate.
RunReport judge_run(const Ledger::Snapshot& ledger, const std::vector<Record>& leader_log,
                    int messages, const std::set<std::pair<int32_t, int8_t>>& aborted_sends = {});

}  // namespace kdc::impl

#endif  // KDC_IMPL_CLUSTER_RUN_REPORT_H_
