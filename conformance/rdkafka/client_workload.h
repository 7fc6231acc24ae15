// A real librdkafka producer and consumer running kdc's workload (the one `kdc run` runs on
// kdc's own implementation) against librdkafka's mock cluster or a real cluster, with
// faults, recorded as a Jepsen history (conformance/history.h) and judged twice: by
// Jepsen's checks (conformance/history_checker.h) and by kdc's effect names.
//
// The workload: one topic with one partition (history key 0). The producer application
// sends messages 0..N-1 (history value = message number; the record value also carries a
// run id, so records of other runs in a reused topic are ignored), asynchronously, with a
// delivery-report callback; on a failed report it drops or re-sends (app.on.send.error),
// after a crash it re-sends the unacknowledged or skips them (app.on.producer.restart). The
// consumer application is assigned the partition (no group membership: see
// docs/conformance.md, "Real clients"), polls, and processes each record into an in-memory
// sink, committing as app.commit says. The group starts with the partition's end offset
// committed, as the model's group does. After the faults heal, the run waits until
// everything sent is resolved and the consumer has caught up, then reads the whole
// partition once (the log) to tell a record never written from one never processed.
//
// Faults (FaultKind) strike at a point chosen from the seed: before the producer sends
// message k, or after the consumer polled record k. Broker faults need the mock cluster.
// The seed fixes the schedule; librdkafka's own threads still decide the interleaving, so
// a run is repeatable only as far as they allow.
#ifndef KDC_CONFORMANCE_RDKAFKA_CLIENT_WORKLOAD_H_
#define KDC_CONFORMANCE_RDKAFKA_CLIENT_WORKLOAD_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "conformance/history.h"
#include "conformance/history_checker.h"
#include "conformance/rdkafka/client_config.h"

namespace kdc::rdkafka {

enum class FaultKind : uint8_t {
  kRequestTimeout,  // the leader appends a Produce, its response comes after request.timeout.ms
  kProduceError,    // the next Produce fails (NOT_LEADER / REQUEST_TIMED_OUT / NETWORK_EXCEPTION), not appended
  kBrokerDown,      // the leader goes down, leadership moves, it comes back a second later
  kLeaderChange,    // leadership moves to another broker
  kSlowLink,        // every response of the leader is late by more than request.timeout.ms, for a while
  kProducerCrash,   // the producer application dies: its handle is destroyed unflushed; a new one starts
  kConsumerCrash,   // the consumer application dies (before or after processing a batch); a new one starts
};
const char* name(FaultKind k);  // "request-timeout"
bool parse_fault_kind(const std::string& s, FaultKind* out);
bool needs_mock(FaultKind k);

struct ClientOptions {
  bool mock = true;
  std::string bootstrap;         // a real cluster's bootstrap.servers (mock == false)
  std::string topic;             // "" : "kdc" on the mock, a fresh name on a real cluster
  int messages = 100;
  int64_t duration_ms = 30000;   // the whole run, faults and catching up included
  uint64_t seed = 1;
  // "" : from the fault.* budget; "none"; or kinds "request-timeout,consumer-crash:before*2".
  std::string faults;
  int64_t connect_timeout_ms = 5000;
  std::function<void(const std::string&)> on_progress;  // about once a second
};

struct MessageFate {
  int msg = 0;
  int sends = 0;           // by the application (re-sends included)
  bool acknowledged = false;
  int copies_in_log = 0;
  int processed = 0;
  std::vector<std::string> effects;  // kdc's names: L_ack, D_int, ...
};

struct ClientReport {
  std::string librdkafka_version;
  bool mock = true;
  std::string bootstrap;
  std::string topic;
  int messages = 0;
  int sent = 0;           // sends by the application
  int acknowledged = 0;   // messages with a successful delivery report
  int delivered = 0;      // messages processed at least once
  int lost = 0;           // messages with an L_* effect
  int duplicated = 0;     // messages with a D_* effect
  std::map<std::string, int> effects;  // kdc effect name -> messages showing it
  std::vector<MessageFate> fates;
  std::vector<std::string> faults_injected;  // what struck, when, on which broker
  std::vector<FaultKind> injected;          // the same, by kind
  std::vector<std::string> notes;
  bool settled = false;   // everything resolved and consumed before the deadline
  int64_t run_ms = 0;
  double messages_per_second = 0;  // acknowledged messages / time until the last acknowledgement
  History history;
  HistoryReport check;
};

struct FaultSpec {
  FaultKind kind;
  // consumer-crash: -1 the seed chooses, 0 before processing the batch, 1 after
  // (--faults consumer-crash:before / consumer-crash:after).
  int stage = -1;
};

// The faults a run would inject, in order. Returns false and sets
// *error for an unknown kind or a kind that needs the mock on a real cluster.
bool fault_plan(const Config& config, const ClientOptions& options, std::vector<FaultSpec>* out,
                std::vector<std::string>* notes, std::string* error);

// Runs the workload. Returns false and sets *error when it cannot run (the cluster cannot
// be reached within connect_timeout_ms, the topic cannot be created, a configuration the
// workload does not support); the report is then incomplete.
bool run_client_workload(const ClientConfig& config, const ClientOptions& options, ClientReport* report,
                         std::string* error);

}  // namespace kdc::rdkafka

#endif  // KDC_CONFORMANCE_RDKAFKA_CLIENT_WORKLOAD_H_
