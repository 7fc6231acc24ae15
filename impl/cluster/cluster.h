// One run of the implementation: the brokers (each with its own disk), the controller,
// the coordinators, the producer and consumer applications, the network between them and
// the fault injector, wired together on one runtime.
//
// Contract: run() drives the workload (config.messages messages, or options.messages) to
// its end state — every message resolved by the producer application, every fault healed,
// the consumer caught up with the leader's high watermark (LSO under read_committed), and
// so for `settle_ms` — or to the deadline, and returns the report. The trace is in
// trace(). With options.deterministic the same seed gives the same trace, byte for byte.
#ifndef KDC_IMPL_CLUSTER_CLUSTER_H_
#define KDC_IMPL_CLUSTER_CLUSTER_H_

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "model/vocabulary/event.h"

#include "impl/cluster/env.h"
#include "impl/cluster/run_report.h"
#include "impl/net/network.h"
#include "impl/runtime/trace_recorder.h"

namespace kdc::impl {

// A fault that strikes right after a given step of the run, before any other thread moves:
// how a model counterexample's faults are placed on the implementation
// (conformance/impl_reproduction.h).
struct DirectedFault {
  EventType fault = EventType::kBrokerCrash;  // a fault event type
  int broker = -1;                            // for broker faults
  // Strike right after the `occurrence`-th event that matches `after`: same type, and each
  // of msg, gen, broker, peer, result and outcome equal where `after` sets it.
  Event after;
  int occurrence = 1;
  Millis heal_after = 5000;  // restart or heal this long after it struck
  int count = -1;            // request timeout: 0 if the broker read none of the requests
  // Delivery timeout: the batch holding this record expires (msg -1: the oldest
  // unacknowledged batch), where it is: in the accumulator or in flight.
  int32_t msg = -1;
  int8_t gen = -1;
  // Producer zombie: the replacement instance starts at once (it reads what the old one
  // recorded) but its initTransactions() runs only right after the `init_occurrence`-th
  // event matching `init_after` (occurrence 0: at once). The model's replacement may
  // initialise any time later; this places its InitProducerId where the counterexample has it.
  Event init_after{};
  int init_occurrence = 0;
};

struct RunOptions {
  uint64_t seed = 1;
  bool deterministic = true;
  int messages = 0;               // 0: config.messages
  // Deterministic: virtual time after which the run is cut (it is reported as not
  // quiesced). Threaded: how long the workload and its faults run, in wall-clock ms; the
  // run then heals every fault and waits up to as long again to settle.
  Millis duration_ms = 0;         // 0: 3,600,000 virtual / 10,000 wall-clock
  Millis settle_ms = -1;          // how long the end state must hold (-1: 20 s virtual, 2 s wall)
  bool inject_faults = true;      // the config's fault.* budget; false: a fault-free run
  // Instead of the seeded plan (inject_faults is then ignored): these, in order.
  std::vector<DirectedFault> directed_faults;
  bool keep_trace = true;         // load runs count events without keeping them
  std::filesystem::path data_dir; // broker disks go here (a temporary directory if empty)
  Timings timings;
  NetworkOptions network;
  // Called now and then on the runner's thread with (run time ms, events so far).
  std::function<void(int64_t, uint64_t)> on_progress;
  // Deterministic only: when set, every scheduling and random choice comes from `choices`
  // (make_deterministic_runtime_with_choices) instead of the seed.
  bool scripted = false;
  std::vector<uint32_t> choices;
  // Bugs switched on for the conformance suite to catch (impl/cluster/seeded_bugs.h).
  SeededBugs bugs;
};

class Cluster {
 public:
  Cluster(const Config& config, const RunOptions& options);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  RunReport run();
  const TraceRecorder& trace() const;

  // Faults and healing. Each records its fault event (the timeouts excepted: the producer
  // records those when its timers fire) and is what the fault injector calls.
  void crash_broker(NodeId b);
  void power_loss_broker(NodeId b);
  void cluster_power_loss();
  void restart_broker(NodeId b);
  void partition_broker(NodeId b);
  void heal_broker(NodeId b);
  void crash_producer();
  void restart_producer();
  void start_zombie_producer();
  // delivery.timeout.ms strikes the producer's batch holding (msg, gen), or with msg -1 its
  // oldest unacknowledged batch, where it is (KafkaProducer::expire_delivery); records
  // `delivery_timeout`. False if the producer has no such batch.
  bool expire_producer_batch(int32_t msg = -1, int8_t gen = -1);
  void crash_consumer();
  void restart_consumer();
  void rebalance_consumer();
  void lose_offsets();
  // Make the producer's requests to the leader, or to the transaction coordinator, take
  // longer than the timeout that should fire.
  void slow_producer_to_leader(Millis extra, Millis window);
  void slow_producer_to_coordinator(Millis extra, Millis window);

  // The end state (see the contract above), read under the cluster's lock.
  bool settled();

  // Stepping a deterministic run from outside, for tests that apply their own faults
  // between steps (properties/impl_stateful_properties.cc). run_to(t) runs the work due
  // before virtual time t (the run's housekeeping starts on the first call); faults are
  // then called on the caller's thread, between two work items. heal_all() restarts and
  // heals whatever is down; run() afterwards settles the run and judges it.
  void run_to(Millis t);
  // Runs the next `n` work items (virtual time jumps to timers as needed).
  void run_steps(int n);
  Millis now() const;
  void heal_all();
  // Choices the scripted runtime consumed so far (0 unless options.scripted).
  uint64_t choices_made() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_CLUSTER_CLUSTER_H_
