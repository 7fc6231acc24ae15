#include "impl/cluster/cluster.h"

#include <atomic>
#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <unistd.h>
#include <vector>

#include "impl/app/consumer_app.h"
#include "impl/app/ledger.h"
#include "impl/app/processor_app.h"
#include "impl/app/producer_app.h"
#include "impl/broker/broker.h"
#include "impl/cluster/fault_plan.h"
#include "impl/controller/controller.h"
#include "impl/coordinator/group_coordinator.h"
#include "impl/coordinator/transaction_coordinator.h"
#include "impl/storage/disk.h"

namespace kdc::impl {
namespace {

// The producer side of the pipeline is a plain producer application or, with
// app.commit=transactional, a consume-transform-produce processor; the harness needs only
// these two things of either.
class ProducerSide {
 public:
  virtual ~ProducerSide() = default;
  virtual void crash() = 0;
  virtual bool finished() const = 0;
  virtual bool expire_delivery(int32_t msg, int8_t gen) = 0;
  virtual void defer_init() = 0;
  virtual void release_init() = 0;
};

template <typename App>
class ProducerSideOf final : public ProducerSide {
 public:
  ProducerSideOf(const Env& env, Ledger& ledger, int instance, int messages)
      : app_(env, ledger, instance, messages) {}
  void crash() override { app_.crash(); }
  bool finished() const override { return app_.finished(); }
  bool expire_delivery(int32_t msg, int8_t gen) override { return app_.expire_delivery(msg, gen); }
  void defer_init() override {
    if constexpr (requires(App& a) { a.defer_init(); }) app_.defer_init();
  }
  void release_init() override {
    if constexpr (requires(App& a) { a.release_init(); }) app_.release_init();
  }

 private:
  App app_;
};

Event fault_event(EventType type) {
  Event e;
  e.type = type;
  return e;
}

}  // namespace

class Cluster::Impl {
 public:
  Impl(const Config& config, const RunOptions& options)
      : config_(config),
        options_(options),
        runtime_(!options.deterministic ? make_threaded_runtime(options.seed)
                 : options.scripted     ? make_deterministic_runtime_with_choices(options.choices)
                                        : make_deterministic_runtime(options.seed)),
        network_(*runtime_, options.network),
        env_{*runtime_, network_, trace_, config_, options.timings, options.bugs} {
    messages_ = options.messages > 0 ? options.messages : config.messages;
    trace_.set_keep(options.keep_trace);
    init_seen_.assign(options.directed_faults.size(), 0);
    trace_.set_observer([this](const Event& e) {
      observe_latency(e);
      observe_directed(e);
      if (e.type == EventType::kDeliveryTimeout) last_expired_at_ = e.broker;
    });
    data_dir_ = options.data_dir;
    if (data_dir_.empty()) {
      data_dir_ = std::filesystem::temp_directory_path() /
                  ("kdc-run-" + std::to_string(::getpid()) + "-" + std::to_string(options.seed));
    }
    harness_ = runtime_->spawn("harness");
    rf_ = config.replication_factor;
    for (int b = 0; b < rf_; ++b) {
      disks_.push_back(std::make_unique<Disk>(data_dir_ / ("broker-" + std::to_string(b))));
      incarnation_.push_back(0);
      brokers_.push_back(nullptr);
    }
    // The controller and coordinators never fail; brokers bind their addresses before the
    // controller publishes the initial partition state (broker 0 leads in epoch 1).
    // As in the model, the pipeline was running before the run starts: the group has
    // committed offset 0, so only an offset loss makes auto.offset.reset matter.
    group_ = std::make_unique<GroupCoordinator>(env_, /*initial_committed_offset=*/0);
    txn_ = std::make_unique<TransactionCoordinator>(env_);
    for (int b = 0; b < rf_; ++b) {
      brokers_[b] = std::make_unique<Broker>(env_, b, *disks_[b], incarnation_[b]);
    }
    controller_ = std::make_unique<Controller>(env_);
    // Likewise a consumer that keeps its offsets in the sink has stored offset 0.
    if (config.offsets_in_sink()) ledger_.store_offset(0);
    start_producer_locked();
    start_consumer_locked();
  }

  ~Impl() {
    runtime_->shutdown();
    std::error_code ec;
    if (options_.data_dir.empty()) std::filesystem::remove_all(data_dir_, ec);
  }

  // ---- faults ----

  void crash_broker(NodeId b, bool power) {
    std::lock_guard<std::mutex> g(mu_);
    if (!brokers_[b]) return;
    Event e = fault_event(power ? EventType::kBrokerPowerLoss : EventType::kBrokerCrash);
    e.broker = static_cast<int8_t>(b);
    trace_.record(e);
    stop_broker_locked(b, power);
  }

  void cluster_power_loss() {
    std::lock_guard<std::mutex> g(mu_);
    trace_.record(fault_event(EventType::kClusterPowerLoss));
    for (int b = 0; b < rf_; ++b) {
      if (brokers_[b]) {
        stop_broker_locked(b, true);
      } else {
        disks_[b]->power_loss();
      }
    }
  }

  void restart_broker(NodeId b) {
    std::lock_guard<std::mutex> g(mu_);
    if (brokers_[b]) return;
    brokers_[b] = std::make_unique<Broker>(env_, b, *disks_[b], ++incarnation_[b]);
  }

  void partition_broker(NodeId b) {
    std::lock_guard<std::mutex> g(mu_);
    Event e = fault_event(EventType::kNetworkPartition);
    e.broker = static_cast<int8_t>(b);
    trace_.record(e);
    std::set<NodeId> others = {kController, kGroupCoordinator, kTxnCoordinator};
    for (int o = 0; o < rf_; ++o) others.insert(o);
    network_.isolate(b, others);
    isolated_.insert(b);
  }

  void heal_broker(NodeId b) {
    std::lock_guard<std::mutex> g(mu_);
    if (!isolated_.count(b)) return;
    isolated_.erase(b);
    network_.heal(b);
    Event e;
    e.type = EventType::kNetworkHeal;
    e.broker = static_cast<int8_t>(b);
    trace_.record(e);
  }

  void crash_producer() {
    std::lock_guard<std::mutex> g(mu_);
    if (!producer_) return;
    trace_.record(fault_event(EventType::kProducerCrash));
    producer_->crash();
    producer_.reset();
  }

  void restart_producer() {
    std::lock_guard<std::mutex> g(mu_);
    if (!producer_) start_producer_locked();
  }

  void start_zombie_producer(int directed = -1) {
    std::lock_guard<std::mutex> g(mu_);
    if (!producer_) return;
    trace_.record(fault_event(EventType::kProducerZombie));
    zombies_.push_back(std::move(producer_));
    start_producer_locked();
    // A directed zombie whose counterexample initialises the replacement after a later
    // step: hold its initTransactions() until that step (observe_directed releases it).
    if (directed >= 0 && options_.directed_faults[directed].init_occurrence > 0) {
      std::lock_guard<std::mutex> t(init_mu_);
      const DirectedFault& d = options_.directed_faults[directed];
      if (init_seen_[directed] < d.init_occurrence) {
        producer_->defer_init();
        init_held_ = directed;
      }
    }
  }

  bool expire_producer_batch(int32_t msg, int8_t gen) {
    std::lock_guard<std::mutex> g(mu_);
    if (!producer_) return false;
    return producer_->expire_delivery(msg, gen);
  }

  void crash_consumer() {
    std::lock_guard<std::mutex> g(mu_);
    if (!consumer_) return;
    Event e = fault_event(EventType::kConsumerCrash);
    e.offset = static_cast<int32_t>(resume_offset_locked());
    trace_.record(e);
    consumer_->crash();
    consumer_.reset();
  }

  void restart_consumer() {
    std::lock_guard<std::mutex> g(mu_);
    if (!consumer_) start_consumer_locked();
  }

  void rebalance_consumer() {
    std::lock_guard<std::mutex> g(mu_);
    trace_.record(fault_event(EventType::kConsumerRebalance));
    group_->rebalance();
  }

  void lose_offsets() {
    std::lock_guard<std::mutex> g(mu_);
    Event e = fault_event(EventType::kOffsetLoss);
    e.offset = static_cast<int32_t>(group_->committed_offset());
    trace_.record(e);
    group_->lose_offsets();
  }

  // requests = true: the producer's requests are late (the broker may never read them
  // before the client gives up: they die with the connection); false: the responses are
  // late (the requests arrive and may be appended: orphans).
  void slow_producer_to(NodeId target_or_leader, Millis extra, Millis window, bool requests) {
    std::lock_guard<std::mutex> g(mu_);
    NodeId target = target_or_leader;
    if (target < 0) target = controller_->view().leader;
    if (target < 0) target = 0;
    NodeId producer = kProducerBase + producer_instances_ - 1;
    if (requests) {
      // Those already on the wire are lost too: the broker never reads them.
      network_.drop_in_flight(producer, target);
      network_.slow_link(producer, target, extra, runtime_->now() + window);
    } else {
      network_.slow_link(target, producer, extra, runtime_->now() + window);
    }
  }

  // ---- the end state ----

  bool settled() {
    std::lock_guard<std::mutex> g(mu_);
    return settled_locked();
  }

  bool settled_locked() {
    if (pending_faults_ > 0 || !isolated_.empty()) return false;
    for (int b = 0; b < rf_; ++b) {
      if (!brokers_[b]) return false;
    }
    if (!producer_ || !producer_->finished()) return false;
    if (txn_->busy()) return false;
    if (!consumer_) return false;
    if (consumer_->stopped()) return true;
    if (consumer_->busy()) return false;
    Controller::View c = controller_->view();
    if (c.leader < 0) return false;
    Broker::View leader = brokers_[c.leader]->view();
    if (!leader.leader || leader.leader_epoch != c.leader_epoch) return false;
    int64_t target = config_.reader_isolation() == Isolation::kReadCommitted
                         ? leader.last_stable_offset
                         : leader.high_watermark;
    if (leader.high_watermark < leader.log_end_offset) return false;
    return consumer_->processed_upto() >= target;
  }

  // ---- the run ----

  RunReport run() {
    const bool det = options_.deterministic;
    const Millis duration = options_.duration_ms > 0 ? options_.duration_ms
                                                     : (det ? 3'600'000 : 10'000);
    auto wall_start = std::chrono::steady_clock::now();
    start_once();
    const Millis settle_ms = options_.settle_ms >= 0 ? options_.settle_ms : (det ? 20'000 : 2'000);
    Millis settled_since = -1;
    uint64_t checks = 0;
    Millis last_eval = -1;
    auto done = [&]() {
      ++checks;
      if (options_.on_progress && (checks % 65536) == 0) {
        options_.on_progress(runtime_->now(), trace_.count());
      }
      // The end state is judged at most once per millisecond of run time (and every 256
      // work items): judging it copies logs, and work within one instant cannot settle it.
      const Millis now = runtime_->now();
      if (now == last_eval && checks % 256 != 0) return false;
      last_eval = now;
      bool s = settled();
      if (!s) {
        settled_since = -1;
        return false;
      }
      if (settled_since < 0) settled_since = runtime_->now();
      return runtime_->now() - settled_since >= settle_ms;
    };
    bool quiesced;
    if (det) {
      quiesced = runtime_->run_until(done, duration);
    } else {
      // The workload and its faults for at most `duration`, then heal everything and settle.
      runtime_->run_until(
          [this] {
            std::lock_guard<std::mutex> g(mu_);
            return pending_faults_ == 0 && producer_ && producer_->finished();
          },
          duration);
      stop_faults_ = true;
      heal_everything();
      quiesced = runtime_->run_until(done, runtime_->now() + duration);
    }
    RunReport report = report_locked_snapshot();
    report.quiesced = quiesced;
    report.stop_reason = quiesced ? "settled: every fault healed, the consumer caught up"
                                  : "deadline reached before the run settled";
    report.seed = options_.seed;
    report.deterministic = det;
    report.run_ms = det ? runtime_->now()
                        : std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - wall_start)
                              .count();
    report.events = trace_.count();
    report.work_items = runtime_->work_done();
    report.network_messages = network_.messages_sent();
    report.faults = fault_log_;
    runtime_->shutdown();
    add_load_figures(&report);
    return report;
  }

  const TraceRecorder& trace() const { return trace_; }

  void run_to(Millis t) {
    start_once();
    runtime_->run_until([&] { return runtime_->now() >= t; }, t);
  }

  void run_steps(int n) {
    start_once();
    int k = 0;
    runtime_->run_until([&] { return k++ >= n; }, runtime_->now() + 3'600'000);
  }

  Millis now() const { return runtime_->now(); }
  uint64_t choices_made() const { return runtime_->choices_made(); }

  void heal_all() { heal_everything(); }

 private:
  // The fault plan and the operating system's writeback start with the run, once.
  void start_once() {
    if (started_) return;
    started_ = true;
    const Millis duration = options_.duration_ms > 0 ? options_.duration_ms
                                                     : (options_.deterministic ? 3'600'000 : 10'000);
    if (!options_.directed_faults.empty()) {
      pending_faults_ = static_cast<int>(options_.directed_faults.size());
    } else if (options_.inject_faults) {
      schedule_faults(options_.deterministic ? 10'000 + 20 * messages_ : duration / 2);
    }
    schedule_writeback();
  }

  // Acknowledgement latency: from the application's send() to its callback's success.
  // Runs under the trace recorder's lock (so needs none of its own).
  void observe_latency(const Event& e) {
    const bool acked = e.outcome == Result::kAcked &&
                       (e.type == EventType::kProduceResponse || e.type == EventType::kProduceRequest);
    if (e.type != EventType::kSend && !acked) return;
    double now_us = options_.deterministic
                        ? static_cast<double>(runtime_->now()) * 1000.0
                        : std::chrono::duration<double, std::micro>(
                              std::chrono::steady_clock::now().time_since_epoch())
                              .count();
    int64_t key = (static_cast<int64_t>(e.msg) << 8) | static_cast<uint8_t>(e.gen);
    if (e.type == EventType::kSend) {
      if (first_send_us_ < 0) first_send_us_ = now_us;
      send_us_[key] = now_us;
      return;
    }
    auto it = send_us_.find(key);
    if (it == send_us_.end()) return;
    latencies_us_.push_back(now_us - it->second);
    send_us_.erase(it);
    last_ack_us_ = now_us;
  }

  static bool matches(const Event& e, const Event& want) {
    if (e.type != want.type) return false;
    if (want.msg >= 0 && e.msg != want.msg) return false;
    if (want.gen >= 0 && e.gen != want.gen) return false;
    if (want.broker >= 0 && e.broker != want.broker) return false;
    if (want.peer >= 0 && e.peer != want.peer) return false;
    if (want.result != Result::kNone && e.result != want.result) return false;
    if (want.outcome != Result::kNone && e.outcome != want.outcome) return false;
    return true;
  }

  // Runs under the trace recorder's lock: only counts, and queues the strike first in line
  // on the harness actor.
  void observe_directed(const Event& e) {
    {
      std::lock_guard<std::mutex> t(init_mu_);
      for (size_t i = 0; i < options_.directed_faults.size(); ++i) {
        const DirectedFault& d = options_.directed_faults[i];
        if (d.init_occurrence <= 0 || !matches(e, d.init_after)) continue;
        if (++init_seen_[i] == d.init_occurrence && init_held_ == static_cast<int>(i)) {
          init_held_ = -1;
          runtime_->post_first(harness_, [this] {
            std::lock_guard<std::mutex> g(mu_);
            if (producer_) producer_->release_init();
          });
        }
      }
    }
    if (directed_next_ >= options_.directed_faults.size()) return;
    const DirectedFault& f = options_.directed_faults[directed_next_];
    if (!matches(e, f.after) || ++directed_seen_ < f.occurrence) return;
    directed_seen_ = 0;
    ++directed_next_;
    const int index = static_cast<int>(directed_next_ - 1);
    runtime_->post_first(harness_, [this, f, index] {
      PlannedFault p = planned(f);
      p.directed = index;
      strike(p);
    });
  }

  static PlannedFault planned(const DirectedFault& d) {
    PlannedFault p;
    p.kind = d.fault;
    p.broker = d.broker >= 0 ? d.broker : 0;
    p.heal_after = d.heal_after;
    p.count = d.count;
    p.msg = d.msg;
    p.gen = d.gen;
    return p;
  }

  void add_load_figures(RunReport* report) {
    std::vector<double> l = trace_latencies();
    if (l.empty()) return;
    std::sort(l.begin(), l.end());
    auto pct = [&](double p) { return l[std::min(l.size() - 1, static_cast<size_t>(p * l.size()))] / 1000.0; };
    report->ack_latency_p50_ms = pct(0.50);
    report->ack_latency_p99_ms = pct(0.99);
    double span_s = (last_ack_us_ - first_send_us_) / 1e6;
    if (span_s > 0) report->messages_per_second = static_cast<double>(l.size()) / span_s;
  }

  std::vector<double> trace_latencies() {
    // The observer writes under the recorder's lock; by now every actor has stopped.
    return latencies_us_;
  }

  void stop_broker_locked(NodeId b, bool power) {
    brokers_[b]->crash();
    disks_[b]->set_writeback_listener(nullptr);
    brokers_[b].reset();
    if (power) disks_[b]->power_loss();
  }

  void start_producer_locked() {
    int instance = producer_instances_++;
    if (config_.processor()) {
      producer_ = std::make_unique<ProducerSideOf<ProcessorApp>>(env_, ledger_, instance, messages_);
    } else {
      producer_ = std::make_unique<ProducerSideOf<ProducerApp>>(env_, ledger_, instance, messages_);
    }
  }

  void start_consumer_locked() {
    consumer_ = std::make_unique<ConsumerApp>(env_, ledger_, consumer_instances_++);
  }

  int64_t resume_offset_locked() const {
    return config_.offsets_in_sink() ? ledger_.stored_offset() : group_->committed_offset();
  }

  void log_fault(const std::string& what) {
    fault_log_.push_back(what + " at " + std::to_string(runtime_->now()) + " ms");
  }

  // Each planned fault strikes on the harness actor at its time; what it broke is healed
  // `heal_after` later. pending_faults_ counts faults not yet struck or not yet healed.
  void schedule_faults(Millis window) {
    std::vector<PlannedFault> plan = plan_faults(config_, *runtime_, window);
    pending_faults_ = static_cast<int>(plan.size());
    for (const PlannedFault& f : plan) {
      runtime_->after(harness_, f.at, [this, f] { strike(f); });
    }
  }

  void healed() {
    std::lock_guard<std::mutex> g(mu_);
    --pending_faults_;
  }

  void later(Millis delay, std::function<void()> heal) {
    runtime_->after(harness_, delay, [this, heal = std::move(heal)] {
      heal();
      healed();
    });
  }

  void strike(const PlannedFault& f) {
    if (stop_faults_) {
      healed();
      return;
    }
    const Config& c = config_;
    NodeId b = f.broker;
    log_fault(std::string(name(f.kind)) + (b >= 0 && (f.kind == EventType::kBrokerCrash ||
                                               f.kind == EventType::kBrokerPowerLoss ||
                                               f.kind == EventType::kNetworkPartition)
                                        ? "(" + std::to_string(b) + ")"
                                        : ""));
    switch (f.kind) {
      case EventType::kRequestTimeout:
        // Which requests the broker had read when the client gave up: a directed fault
        // says (count 0: none), else the seed decides.
        slow_producer_to(-1, c.request_timeout_ms + 1000, 1000,
                         f.count >= 0 ? f.count == 0 : runtime_->random(2) == 0);
        later(c.request_timeout_ms + 2000, [] {});
        return;
      case EventType::kDeliveryTimeout:
        // The batch's delivery.timeout.ms runs out now, where it is (in the accumulator or
        // in flight), as KIP-91's expiry does; no link is slowed, so no request times out.
        // The request of a batch expired in flight arrives heal_after later (well within
        // request.timeout.ms, so that what follows it on the connection does not time out).
        strike_delivery_timeout_when_a_batch_is_waiting(
            f.msg, f.gen, std::min<Millis>(f.heal_after, c.request_timeout_ms / 2));
        return;
      case EventType::kTransactionTimeout:
        // The producer's next transaction request (its EndTxn) reaches the coordinator
        // only after transaction.timeout.ms: the coordinator aborts first.
        slow_producer_to(kTxnCoordinator, c.transaction_timeout_ms + 1000, 1000, true);
        later(c.transaction_timeout_ms + 2000, [] {});
        return;
      case EventType::kProducerCrash:
        crash_producer();
        later(f.heal_after % 2000, [this] { restart_producer(); });
        return;
      case EventType::kProducerZombie:
        strike_zombie_when_a_transaction_is_open(f.directed);
        return;
      case EventType::kBrokerCrash:
        crash_broker(b, false);
        later(f.heal_after, [this, b] { restart_broker(b); });
        return;
      case EventType::kBrokerPowerLoss:
        crash_broker(b, true);
        later(f.heal_after, [this, b] { restart_broker(b); });
        return;
      case EventType::kClusterPowerLoss:
        cluster_power_loss();
        later(f.heal_after, [this] {
          for (int x = 0; x < rf_; ++x) restart_broker(x);
        });
        return;
      case EventType::kNetworkPartition:
        // The model fences a partitioned broker in the partition's own step (docs/model.md,
        // section 5, "Controller"): a partition shorter than broker.session.timeout.ms is
        // outside it (docs/conformance.md, finding F3), so the harness keeps it longer.
        partition_broker(b);
        later(std::max<Millis>(f.heal_after, options_.timings.broker_session_timeout_ms +
                                                 2 * options_.timings.broker_heartbeat_interval_ms),
              [this, b] { heal_broker(b); });
        return;
      case EventType::kConsumerCrash:
        crash_consumer();
        later(f.heal_after % 3000, [this] { restart_consumer(); });
        return;
      case EventType::kConsumerRebalance:
        rebalance_consumer();
        healed();
        return;
      case EventType::kOffsetLoss:
        lose_offsets();
        healed();
        return;
      default:  // not a fault event: nothing to strike
        healed();
        return;
    }
  }

  // A zombie matters while the old instance has a transaction open (the model starts one
  // only then: finding F5); wait for one, and give up once the producer has finished.
  void strike_zombie_when_a_transaction_is_open(int directed) {
    bool open, finished;
    {
      std::lock_guard<std::mutex> g(mu_);
      open = txn_->busy();
      finished = !producer_ || producer_->finished();
    }
    if (open) {
      start_zombie_producer(directed);
      healed();
    } else if (finished) {
      healed();
    } else {
      runtime_->after(harness_, 5, [this, directed] { strike_zombie_when_a_transaction_is_open(directed); });
    }
  }

  // A delivery timeout needs a batch to expire: wait for one (the named record's, if any),
  // and give up once the producer has finished.
  void strike_delivery_timeout_when_a_batch_is_waiting(int32_t msg, int8_t gen, Millis late) {
    last_expired_at_ = -1;
    if (expire_producer_batch(msg, gen)) {
      // A batch expires in flight because its request is slow (delivery.timeout.ms >=
      // linger.ms + request.timeout.ms); the client stops waiting for it but the connection
      // stays open (Sender.getExpiredInflightBatches fails the batch, NetworkClient keeps
      // the channel), so the request is still on the wire and reaches the leader later —
      // after whatever the application does next, such as abortTransaction() (KAFKA-14053).
      const NodeId at = last_expired_at_;
      if (at >= 0) {
        std::lock_guard<std::mutex> g(mu_);
        network_.delay_in_flight(kProducerBase + producer_instances_ - 1, at, late);
      }
      return healed();
    }
    bool finished;
    {
      std::lock_guard<std::mutex> g(mu_);
      finished = producer_ && producer_->finished();
    }
    if (finished) return healed();
    runtime_->after(harness_, 5, [this, msg, gen, late] {
      if (stop_faults_) return healed();
      strike_delivery_timeout_when_a_batch_is_waiting(msg, gen, late);
    });
  }

  void heal_everything() {
    for (int b = 0; b < rf_; ++b) {
      heal_broker(b);
      restart_broker(b);
    }
    restart_producer();
    restart_consumer();
    std::lock_guard<std::mutex> g(mu_);
    pending_faults_ = 0;
  }

  // The operating system writes dirty pages back on its own schedule: every few seconds a
  // running broker's dirty files are written back, wholly or in part.
  void schedule_writeback() {
    Millis interval = options_.timings.os_writeback_interval_ms;
    runtime_->after(harness_, interval / 2 + static_cast<Millis>(runtime_->random(interval)),
                    [this] {
                      {
                        std::lock_guard<std::mutex> g(mu_);
                        for (int b = 0; b < rf_; ++b) {
                          if (!brokers_[b]) continue;
                          for (const std::string& path : disks_[b]->dirty_files()) {
                            int64_t bytes = runtime_->random(2) == 0
                                                ? -1
                                                : static_cast<int64_t>(runtime_->random(4096));
                            disks_[b]->writeback(path, bytes);
                          }
                        }
                      }
                      schedule_writeback();
                    });
  }

  RunReport report_locked_snapshot() {
    std::lock_guard<std::mutex> g(mu_);
    std::vector<Record> log;
    Controller::View c = controller_->view();
    NodeId leader = c.leader;
    if (leader < 0 || !brokers_[leader]) {
      int64_t best = -1;
      for (int b = 0; b < rf_; ++b) {
        if (!brokers_[b]) continue;
        Broker::View v = brokers_[b]->view();
        if (v.log_end_offset > best) {
          best = v.log_end_offset;
          leader = b;
        }
      }
    }
    if (leader >= 0 && brokers_[leader]) log = brokers_[leader]->view().records;
    std::set<std::pair<int32_t, int8_t>> aborted;
    if (txn_) aborted = txn_->aborted_sends();
    return judge_run(ledger_.snapshot(), log, messages_, aborted);
  }

  Config config_;
  RunOptions options_;
  std::unique_ptr<Runtime> runtime_;
  TraceRecorder trace_;
  Network network_;
  Env env_;
  Ledger ledger_;
  std::filesystem::path data_dir_;
  ActorId harness_ = -1;
  int rf_ = 1;
  int messages_ = 0;

  std::mutex mu_;  // the component pointers: the harness actor changes them, the runner reads
  std::vector<std::unique_ptr<Disk>> disks_;
  std::vector<int64_t> incarnation_;
  std::vector<std::unique_ptr<Broker>> brokers_;  // null while the process is down
  std::unique_ptr<Controller> controller_;
  std::unique_ptr<GroupCoordinator> group_;
  std::unique_ptr<TransactionCoordinator> txn_;
  std::unique_ptr<ProducerSide> producer_;
  std::vector<std::unique_ptr<ProducerSide>> zombies_;
  std::unique_ptr<ConsumerApp> consumer_;
  int producer_instances_ = 0;
  int consumer_instances_ = 0;
  std::set<NodeId> isolated_;
  int pending_faults_ = 0;
  bool stop_faults_ = false;
  bool started_ = false;
  std::vector<std::string> fault_log_;
  std::map<int64_t, double> send_us_;
  std::vector<double> latencies_us_;
  std::atomic<int> last_expired_at_{-1};  // where the batch of the last delivery_timeout was
  std::mutex init_mu_;            // the three below
  std::vector<int> init_seen_;    // per directed fault: events matching its init_after
  int init_held_ = -1;            // the directed zombie whose replacement waits to initialise
  size_t directed_next_ = 0;  // the next directed fault waiting for its step
  int directed_seen_ = 0;     // matching steps seen for it so far
  double first_send_us_ = -1;
  double last_ack_us_ = -1;
};

Cluster::Cluster(const Config& config, const RunOptions& options)
    : impl_(std::make_unique<Impl>(config, options)) {}
Cluster::~Cluster() = default;
RunReport Cluster::run() { return impl_->run(); }
const TraceRecorder& Cluster::trace() const { return impl_->trace(); }
void Cluster::crash_broker(NodeId b) { impl_->crash_broker(b, false); }
void Cluster::power_loss_broker(NodeId b) { impl_->crash_broker(b, true); }
void Cluster::cluster_power_loss() { impl_->cluster_power_loss(); }
void Cluster::restart_broker(NodeId b) { impl_->restart_broker(b); }
void Cluster::partition_broker(NodeId b) { impl_->partition_broker(b); }
void Cluster::heal_broker(NodeId b) { impl_->heal_broker(b); }
void Cluster::crash_producer() { impl_->crash_producer(); }
void Cluster::restart_producer() { impl_->restart_producer(); }
void Cluster::start_zombie_producer() { impl_->start_zombie_producer(); }
bool Cluster::expire_producer_batch(int32_t msg, int8_t gen) {
  return impl_->expire_producer_batch(msg, gen);
}
void Cluster::crash_consumer() { impl_->crash_consumer(); }
void Cluster::restart_consumer() { impl_->restart_consumer(); }
void Cluster::rebalance_consumer() { impl_->rebalance_consumer(); }
void Cluster::lose_offsets() { impl_->lose_offsets(); }
void Cluster::slow_producer_to_leader(Millis extra, Millis window) {
  impl_->slow_producer_to(-1, extra, window, false);
}
void Cluster::slow_producer_to_coordinator(Millis extra, Millis window) {
  impl_->slow_producer_to(kTxnCoordinator, extra, window, true);
}
bool Cluster::settled() { return impl_->settled(); }
void Cluster::run_to(Millis t) { impl_->run_to(t); }
void Cluster::run_steps(int n) { impl_->run_steps(n); }
Millis Cluster::now() const { return impl_->now(); }
void Cluster::heal_all() { impl_->heal_all(); }
uint64_t Cluster::choices_made() const { return impl_->choices_made(); }

}  // namespace kdc::impl
