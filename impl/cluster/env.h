// What every component of impl/ is given: the runtime it runs on, the network, the trace it
// records into, the user's configuration (the same Config the model checks), and the
// timings Kafka has but the model abstracts away (lag time, session timeouts, intervals).
#ifndef KDC_IMPL_CLUSTER_ENV_H_
#define KDC_IMPL_CLUSTER_ENV_H_

#include "impl/cluster/seeded_bugs.h"
#include "impl/net/network.h"
#include "impl/runtime/runtime.h"
#include "impl/runtime/trace_recorder.h"
#include "model/vocabulary/config.h"

namespace kdc::impl {

// Kafka's timing settings that the model leaves out (docs/model.md, section 5: they decide
// *when* a step happens, not *whether* it can). Kafka's defaults, except where a comment
// says why not.
struct Timings {
  Millis replica_lag_time_max_ms = 30000;     // replica.lag.time.max.ms
  Millis replica_fetch_wait_max_ms = 500;     // replica.fetch.wait.max.ms
  Millis replica_fetch_backoff_ms = 1000;     // replica.fetch.backoff.ms
  Millis broker_heartbeat_interval_ms = 2000; // broker.heartbeat.interval.ms
  Millis broker_session_timeout_ms = 9000;    // broker.session.timeout.ms
  Millis isr_check_interval_ms = 5000;        // how often the leader looks for lagging replicas
  Millis retry_backoff_ms = 100;              // retry.backoff.ms
  Millis metadata_max_age_ms = 300000;        // metadata.max.age.ms
  int batch_records = 16;                     // batch.size, counted in records
  Millis auto_commit_interval_ms = 5000;      // auto.commit.interval.ms
  Millis consumer_poll_interval_ms = 100;     // how long the poll loop waits between empty polls
  Millis fetch_max_wait_ms = 500;             // fetch.max.wait.ms
  int max_poll_records = 500;                 // max.poll.records
  Millis group_heartbeat_interval_ms = 3000;  // heartbeat.interval.ms
  Millis os_writeback_interval_ms = 5000;     // dirty_writeback_centisecs (Linux: 5 s)
  // The workload: how far apart the producer application sends (0: as fast as it can).
  Millis app_send_interval_ms = 2;
};

struct Env {
  Runtime& runtime;
  Network& network;
  TraceRecorder& trace;
  const Config& config;
  Timings timings;
  SeededBugs bugs;  // all off but in the conformance suite's own runs
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_CLUSTER_ENV_H_
