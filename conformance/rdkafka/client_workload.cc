#include "conformance/rdkafka/client_workload.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <set>
#include <thread>

namespace kdc::rdkafka {
namespace {

constexpr int16_t kProduceApiKey = 0;
constexpr int kMockBrokers = 3;
constexpr int kMaxLibrdkafkaLogLines = 8;

using Clock = std::chrono::steady_clock;

const std::pair<FaultKind, const char*> kFaultNames[] = {
    {FaultKind::kRequestTimeout, "request-timeout"}, {FaultKind::kProduceError, "produce-error"},
    {FaultKind::kBrokerDown, "broker-down"},         {FaultKind::kLeaderChange, "leader-change"},
    {FaultKind::kSlowLink, "slow-link"},             {FaultKind::kProducerCrash, "producer-crash"},
    {FaultKind::kConsumerCrash, "consumer-crash"},
};

int64_t setting(const std::vector<std::pair<std::string, std::string>>& list, const std::string& name,
                int64_t fallback) {
  for (const auto& [n, v] : list)
    if (n == name) {
      try {
        return std::stoll(v);
      } catch (...) {
        return fallback;
      }
    }
  return fallback;
}

struct Planned {
  FaultKind kind;
  int at = 0;              // message number (producer faults) or records polled (consumer crash)
  bool before_processing = true;  // consumer crash: the stage it strikes
  bool fired = false;
};

class Workload {
 public:
  Workload(const ClientConfig& cc, const ClientOptions& o, ClientReport* r)
      : cc_(cc), c_(cc.config), o_(o), r_(r), rng_(o.seed) {}

  ~Workload() {
    join_healers();
    if (producer_) rd_kafka_destroy(producer_);
    if (consumer_) rd_kafka_destroy_flags(consumer_, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    if (mock_) rd_kafka_mock_cluster_destroy(mock_);
    if (mock_host_) rd_kafka_destroy(mock_host_);
  }

  bool run(std::string* error) {
    start_ = Clock::now();
    r_->librdkafka_version = rd_kafka_version_str();
    r_->mock = o_.mock;
    r_->messages = o_.messages;
    r_->notes = cc_.notes;
    if (c_.transactional || c_.processor()) {
      *error = "kdc client does not run transactional workloads yet (transactional.id / app.commit=transactional)";
      return false;
    }
    if (c_.processing == Processing::kAsync) {
      *error = "kdc client runs app.processing=sync only (async processing is not emulated)";
      return false;
    }
    std::vector<FaultSpec> kinds;
    if (!fault_plan(c_, o_, &kinds, &r_->notes, error)) return false;
    request_timeout_ms_ = setting(cc_.producer, "socket.timeout.ms", 30000);
    auto_commit_interval_ms_ = setting(cc_.consumer, "auto.commit.interval.ms", 5000);
    run_id_ = std::to_string(o_.seed) + "." +
              std::to_string(std::chrono::system_clock::now().time_since_epoch().count() % 1000000007);
    if (!start_cluster(error)) return false;
    plan(kinds);
    fates_.resize(o_.messages);
    for (int m = 0; m < o_.messages; ++m) to_send_.push_back(m);
    if (!start_producer(error) || !prepare_topic(error) || !start_consumer(error)) return false;
    loop();
    finish();
    return true;
  }

 private:
  struct Send {
    int msg;
    int64_t process;
    bool open;
  };
  struct Ledger {
    int sends = 0;
    int open_sends = 0;
    bool acked = false;
    bool gave_up = false;    // a failed send the application dropped
    bool abandoned = false;  // unacknowledged at a producer crash, not re-sent
    int processed = 0;
  };

  int64_t elapsed_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start_).count();
  }
  int64_t elapsed_ns() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start_).count();
  }

  // ---- history --------------------------------------------------------------------------
  Operation& emit(int64_t process, OpType type, OpF f) {
    Operation op;
    op.index = int64_t(h().ops.size());
    op.time = elapsed_ns();
    op.process = Atom::integer(process);
    op.type = type;
    op.f = f;
    h().ops.push_back(std::move(op));
    return h().ops.back();
  }
  History& h() { return r_->history; }
  void send_op(int64_t process, OpType type, int msg, int64_t offset, bool pair) {
    MicroOp m;
    m.kind = MicroOp::kSend;
    m.key = Atom::integer(0);
    m.value = Atom::integer(msg);
    m.offset = offset;
    m.pair = pair;
    emit(process, type, OpF::kSend).mops.push_back(m);
  }
  void other_op(int64_t process, OpType type, const char* f) {
    emit(process, type, OpF::kOther).other_f = f;
  }
  void crash_op(int64_t* process) {
    emit(*process, OpType::kInvoke, OpF::kCrash);
    emit(*process, OpType::kInfo, OpF::kCrash);
    *process += 2;  // Jepsen's rule: a crashed client continues as a new process
  }

  // ---- librdkafka plumbing --------------------------------------------------------------
  static void log_cb(const rd_kafka_t*, int level, const char* fac, const char* buf) {
    if (level > 4) return;  // warnings and worse
    std::lock_guard<std::mutex> lock(log_mutex_);
    if (log_lines_ == nullptr || int(log_lines_->size()) >= kMaxLibrdkafkaLogLines) return;
    std::string line = std::string("librdkafka ") + fac + ": " + buf;
    if (std::find(log_lines_->begin(), log_lines_->end(), line) == log_lines_->end()) log_lines_->push_back(line);
  }

  rd_kafka_conf_t* new_conf(const std::vector<std::pair<std::string, std::string>>& settings) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char err[512];
    for (const auto& [n, v] : settings) rd_kafka_conf_set(conf, n.c_str(), v.c_str(), err, sizeof err);
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap_.c_str(), err, sizeof err);
    rd_kafka_conf_set_log_cb(conf, log_cb);
    rd_kafka_conf_set_opaque(conf, this);
    return conf;
  }

  bool start_cluster(std::string* error) {
    if (!o_.mock) {
      bootstrap_ = o_.bootstrap;
      r_->bootstrap = bootstrap_;
      r_->topic = o_.topic.empty() ? "kdc-client-" + run_id_ : o_.topic;
      return true;
    }
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, log_cb);
    mock_host_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!mock_host_) {
      *error = std::string("cannot start librdkafka for the mock cluster: ") + err;
      return false;
    }
    brokers_ = std::max(kMockBrokers, cc_.replication_factor);
    mock_ = rd_kafka_mock_cluster_new(mock_host_, brokers_);
    if (!mock_) {
      *error = "cannot start librdkafka's mock cluster";
      return false;
    }
    bootstrap_ = rd_kafka_mock_cluster_bootstraps(mock_);
    r_->bootstrap = bootstrap_;
    r_->topic = o_.topic.empty() ? "kdc" : o_.topic;
    if (rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(mock_, r_->topic.c_str(), 1, cc_.replication_factor)) {
      *error = "mock cluster: cannot create topic " + r_->topic + ": " + rd_kafka_err2str(e);
      return false;
    }
    return true;
  }

  static void dr_cb(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    static_cast<Workload*>(opaque)->on_delivery(m);
  }

  bool start_producer(std::string* error) {
    rd_kafka_conf_t* conf = new_conf(cc_.producer);
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    char err[512];
    producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!producer_) {
      *error = std::string("librdkafka refuses the producer configuration: ") + err;
      return false;
    }
    crashed_producer_ = false;
    return true;
  }

  // The first producer also checks the cluster is there, within a bounded time.
  bool prepare_topic(std::string* error) {
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_resp_err_t e = rd_kafka_metadata(producer_, 0, nullptr, &md, int(o_.connect_timeout_ms));
    if (e) {
      *error = "cannot reach the cluster at " + bootstrap_ + " within " + std::to_string(o_.connect_timeout_ms) +
               " ms: " + rd_kafka_err2str(e);
      return false;
    }
    rd_kafka_metadata_destroy(md);
    if (!o_.mock && !create_real_topic(error)) return false;
    leader_ = partition_leader();
    int64_t low = 0, high = 0;
    e = rd_kafka_query_watermark_offsets(producer_, r_->topic.c_str(), 0, &low, &high, int(o_.connect_timeout_ms));
    if (e) {
      *error = "cannot read the end offset of " + r_->topic + ": " + rd_kafka_err2str(e);
      return false;
    }
    start_offset_ = high;
    return true;
  }

  bool create_real_topic(std::string* error) {
    char err[512];
    rd_kafka_NewTopic_t* t = rd_kafka_NewTopic_new(r_->topic.c_str(), 1, cc_.replication_factor, err, sizeof err);
    if (!t) {
      *error = std::string("cannot describe topic ") + r_->topic + ": " + err;
      return false;
    }
    for (const auto& [k, v] : cc_.topic_configs) rd_kafka_NewTopic_set_config(t, k.c_str(), v.c_str());
    rd_kafka_queue_t* q = rd_kafka_queue_new(producer_);
    rd_kafka_CreateTopics(producer_, &t, 1, nullptr, q);
    rd_kafka_event_t* ev = rd_kafka_queue_poll(q, int(o_.connect_timeout_ms) * 2);
    bool ok = false;
    if (!ev) {
      *error = "creating topic " + r_->topic + " timed out";
    } else if (rd_kafka_event_error(ev)) {
      *error = "cannot create topic " + r_->topic + ": " + rd_kafka_event_error_string(ev);
    } else {
      size_t n = 0;
      const rd_kafka_topic_result_t** res = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
      rd_kafka_resp_err_t e = n ? rd_kafka_topic_result_error(res[0]) : RD_KAFKA_RESP_ERR_NO_ERROR;
      if (e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        r_->notes.push_back("topic " + r_->topic + " exists: reused as it is (its configs unchanged); records of "
                            "other runs are ignored");
        ok = true;
      } else if (e) {
        *error = "cannot create topic " + r_->topic + ": " + rd_kafka_err2str(e);
      } else {
        ok = true;
      }
    }
    if (ev) rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(t);
    return ok;
  }

  int32_t partition_leader() {
    const rd_kafka_metadata_t* md = nullptr;
    int32_t leader = -1;
    if (rd_kafka_metadata(producer_, 1, nullptr, &md, 2000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      for (int i = 0; i < md->topic_cnt; ++i)
        if (r_->topic == md->topics[i].topic && md->topics[i].partition_cnt > 0)
          leader = md->topics[i].partitions[0].leader;
      rd_kafka_metadata_destroy(md);
    }
    return leader;
  }

  rd_kafka_topic_partition_list_t* partition_at(int64_t offset) {
    rd_kafka_topic_partition_list_t* l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, r_->topic.c_str(), 0)->offset = offset;
    return l;
  }

  bool start_consumer(std::string* error) {
    std::vector<std::pair<std::string, std::string>> settings = cc_.consumer;
    bool has_group = false;
    for (const auto& [n, v] : settings) has_group |= n == "group.id";
    if (!has_group) settings.push_back({"group.id", "kdc-client-" + run_id_});
    char err[512];
    consumer_ = rd_kafka_new(RD_KAFKA_CONSUMER, new_conf(settings), err, sizeof err);
    if (!consumer_) {
      *error = std::string("librdkafka refuses the consumer configuration: ") + err;
      return false;
    }
    if (first_consumer_) {
      first_consumer_ = false;
      // The model's group starts with offset 0 committed (it subscribed before the first
      // send): here the partition's end offset at the start of the run.
      if (c_.offsets_in_sink()) {
        sink_offset_ = start_offset_;
      } else {
        rd_kafka_topic_partition_list_t* l = partition_at(start_offset_);
        rd_kafka_resp_err_t e = rd_kafka_commit(consumer_, l, 0);
        rd_kafka_topic_partition_list_destroy(l);
        if (e) {
          *error = std::string("cannot commit the starting offset: ") + rd_kafka_err2str(e);
          return false;
        }
      }
    }
    last_record_ms_ = elapsed_ms();
    emit(consumer_process_, OpType::kInvoke, OpF::kAssign).keys.push_back(Atom::integer(0));
    // Resume where the group committed (then auto.offset.reset), or where the sink says.
    rd_kafka_topic_partition_list_t* l = partition_at(c_.offsets_in_sink() ? sink_offset_ : RD_KAFKA_OFFSET_STORED);
    rd_kafka_resp_err_t e = rd_kafka_assign(consumer_, l);
    rd_kafka_topic_partition_list_destroy(l);
    emit(consumer_process_, e ? OpType::kFail : OpType::kOk, OpF::kAssign).keys.push_back(Atom::integer(0));
    return true;
  }

  // ---- faults ---------------------------------------------------------------------------
  void plan(const std::vector<FaultSpec>& specs) {
    std::uniform_int_distribution<int> at(0, std::max(0, o_.messages - 1));
    for (const FaultSpec& f : specs) {
      Planned p;
      p.kind = f.kind;
      p.at = at(rng_);
      const bool coin = std::bernoulli_distribution(0.5)(rng_);
      p.before_processing = f.stage < 0 ? coin : f.stage == 0;
      planned_.push_back(p);
    }
  }

  int32_t other_broker(int32_t b) {
    // Mock broker ids are 1..brokers_; the seed picks which one takes over.
    std::uniform_int_distribution<int> pick(1, brokers_ - 1);
    int32_t next = (std::max(b, 1) - 1 + pick(rng_)) % brokers_ + 1;
    return next;
  }

  void fire_producer_faults(int next_msg) {
    for (Planned& p : planned_) {
      if (p.fired || p.kind == FaultKind::kConsumerCrash || p.at > next_msg) continue;
      p.fired = true;
      const std::string where = " before m" + std::to_string(next_msg) + " was sent";
      // librdkafka scans for timed-out requests once a second: a response must be later
      // than the timeout by more than that to be sure to miss it.
      const int late_ms = int(request_timeout_ms_ + 1500);
      switch (p.kind) {
        case FaultKind::kRequestTimeout:
          rd_kafka_mock_broker_push_request_error_rtts(mock_, leader_, kProduceApiKey, 1, RD_KAFKA_RESP_ERR_NO_ERROR,
                                                       late_ms);
          fault(FaultKind::kRequestTimeout, std::string("request-timeout") + where + ": broker " + std::to_string(leader_) +
                " answers the next Produce after " + std::to_string(late_ms) + " ms (request.timeout.ms " +
                std::to_string(request_timeout_ms_) + ")");
          break;
        case FaultKind::kProduceError: {
          static const rd_kafka_resp_err_t kErrors[] = {RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                                                        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
                                                        RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION};
          rd_kafka_resp_err_t e = kErrors[std::uniform_int_distribution<int>(0, 2)(rng_)];
          rd_kafka_mock_push_request_errors(mock_, kProduceApiKey, 1, e);
          fault(FaultKind::kProduceError, std::string("produce-error") + where + ": the next Produce fails with " + rd_kafka_err2name(e) +
                " (not appended)");
          break;
        }
        case FaultKind::kBrokerDown: {
          int32_t next = other_broker(leader_);
          rd_kafka_mock_broker_set_down(mock_, leader_);
          rd_kafka_mock_partition_set_leader(mock_, r_->topic.c_str(), 0, next);
          schedule_heal(FaultKind::kBrokerDown, leader_, 1000);
          fault(FaultKind::kBrokerDown, std::string("broker-down") + where + ": broker " + std::to_string(leader_) + " down for 1000 ms, broker " +
                std::to_string(next) + " leads");
          leader_ = next;
          break;
        }
        case FaultKind::kLeaderChange: {
          int32_t next = other_broker(leader_);
          rd_kafka_mock_partition_set_leader(mock_, r_->topic.c_str(), 0, next);
          fault(FaultKind::kLeaderChange, std::string("leader-change") + where + ": broker " + std::to_string(next) + " leads instead of " +
                std::to_string(leader_));
          leader_ = next;
          break;
        }
        case FaultKind::kSlowLink:
          rd_kafka_mock_broker_set_rtt(mock_, leader_, late_ms);
          schedule_heal(FaultKind::kSlowLink, leader_, 2 * late_ms);
          fault(FaultKind::kSlowLink, std::string("slow-link") + where + ": broker " + std::to_string(leader_) + " answers everything " +
                std::to_string(late_ms) + " ms late, for " + std::to_string(2 * late_ms) + " ms");
          break;
        case FaultKind::kProducerCrash:
          crash_producer(where);
          break;
        case FaultKind::kConsumerCrash:
          break;
      }
    }
  }

  // Healing runs on its own thread: the application's thread may be blocked in a
  // commitSync to the very broker that is down.
  void schedule_heal(FaultKind kind, int32_t broker, int64_t after_ms) {
    ++unhealed_;
    healers_.emplace_back([this, kind, broker, after_ms] {
      std::this_thread::sleep_for(std::chrono::milliseconds(after_ms));
      if (kind == FaultKind::kBrokerDown) rd_kafka_mock_broker_set_up(mock_, broker);
      if (kind == FaultKind::kSlowLink) rd_kafka_mock_broker_set_rtt(mock_, broker, 0);
      --unhealed_;
    });
  }

  // Every fault has struck and healed, except consumer crashes still waiting for a record
  // (finish() reports those as not injected).
  bool faults_done_but_consumer() const {
    for (const Planned& p : planned_)
      if (!p.fired && p.kind != FaultKind::kConsumerCrash) return false;
    return unhealed_ == 0;
  }

  void fault(FaultKind k, const std::string& what) {
    r_->faults_injected.push_back(what);
    r_->injected.push_back(k);
  }

  // ---- producer application -------------------------------------------------------------
  void on_delivery(const rd_kafka_message_t* m) {
    if (crashed_producer_) return;  // a dead application sees nothing
    size_t id = size_t(reinterpret_cast<intptr_t>(m->_private));
    if (id >= sends_.size() || !sends_[id].open) return;
    Send& s = sends_[id];
    s.open = false;
    Ledger& l = fates_[s.msg];
    --l.open_sends;
    if (!m->err) {
      l.acked = true;
      send_op(s.process, OpType::kOk, s.msg, m->offset >= 0 ? m->offset : kNilOffset, true);
      last_ack_ms_ = elapsed_ms();
      return;
    }
    // A failed produce may still have been appended (an earlier attempt), so :info.
    send_op(s.process, OpType::kInfo, s.msg, kNilOffset, false);
    if (l.acked) return;
    if (c_.on_send_error == OnSendError::kResend) {
      to_send_.push_back(s.msg);
    } else if (l.open_sends == 0) {
      l.gave_up = true;
    }
  }

  void send_some() {
    if (!producer_) return;
    const int burst = std::max(1, o_.messages / 20);
    for (int i = 0; i < burst && !to_send_.empty(); ++i) {
      if (!first_sends_done(to_send_.front())) fire_producer_faults(to_send_.front());
      if (!producer_ || to_send_.empty()) return;  // a producer that could not restart
      int msg = to_send_.front();  // a crash fault may have queued re-sends first
      std::string value = run_id_ + ":" + std::to_string(msg);
      size_t id = sends_.size();
      rd_kafka_resp_err_t e = rd_kafka_producev(
          producer_, RD_KAFKA_V_TOPIC(r_->topic.c_str()), RD_KAFKA_V_PARTITION(0),
          RD_KAFKA_V_VALUE(value.data(), value.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(intptr_t(id))), RD_KAFKA_V_END);
      if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) return;  // try again next round
      to_send_.pop_front();
      Ledger& l = fates_[msg];
      ++l.sends;
      ++r_->sent;
      highest_sent_ = std::max(highest_sent_, msg);
      send_op(producer_process_, OpType::kInvoke, msg, kNilOffset, false);
      if (e) {
        send_op(producer_process_, OpType::kFail, msg, kNilOffset, false);  // refused: never sent
        if (c_.on_send_error == OnSendError::kResend) to_send_.push_back(msg);
        else if (l.open_sends == 0) l.gave_up = true;
        continue;
      }
      sends_.push_back({msg, producer_process_, true});
      ++l.open_sends;
    }
  }
  bool first_sends_done(int msg) const { return msg <= highest_sent_; }

  void crash_producer(const std::string& where) {
    // Purge so destroy does not wait for in-flight requests: what the broker already
    // received stays there, the rest dies with the process.
    crashed_producer_ = true;
    rd_kafka_purge(producer_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT | RD_KAFKA_PURGE_F_NON_BLOCKING);
    rd_kafka_destroy(producer_);
    producer_ = nullptr;
    std::set<int> unacked;
    for (Send& s : sends_) {
      if (!s.open) continue;
      s.open = false;
      --fates_[s.msg].open_sends;
      send_op(s.process, OpType::kInfo, s.msg, kNilOffset, false);
      if (!fates_[s.msg].acked) unacked.insert(s.msg);
    }
    // Messages the application had not handed over yet are still its to send.
    crash_op(&producer_process_);
    int replayed = 0;
    for (auto it = unacked.rbegin(); it != unacked.rend(); ++it) {  // re-sent in send order
      const int msg = *it;
      if (c_.on_producer_restart == OnProducerRestart::kReplayUnacked) {
        to_send_.push_front(msg);
        ++replayed;
      } else {
        fates_[msg].abandoned = true;
      }
    }
    std::string error;
    start_producer(&error);
    fault(FaultKind::kProducerCrash, "producer-crash" + where + ": " + std::to_string(unacked.size()) + " unacknowledged message(s) " +
          (c_.on_producer_restart == OnProducerRestart::kReplayUnacked ? "re-sent by the new producer" : "skipped") +
          (error.empty() ? "" : "; the new producer failed: " + error));
    (void)replayed;
  }

  // ---- consumer application -------------------------------------------------------------
  void commit(bool async, int64_t next_offset) {
    other_op(consumer_process_, OpType::kInvoke, "commit");
    rd_kafka_topic_partition_list_t* l = partition_at(next_offset);
    rd_kafka_resp_err_t e = rd_kafka_commit(consumer_, l, async ? 1 : 0);
    rd_kafka_topic_partition_list_destroy(l);
    // An async commit's outcome is unknown to the application when it moves on.
    other_op(consumer_process_, async ? OpType::kInfo : (e ? OpType::kFail : OpType::kOk), "commit");
  }

  void crash_consumer(const Planned& p, int64_t batch_first_offset) {
    fault(FaultKind::kConsumerCrash, std::string("consumer-crash ") + (p.before_processing ? "before" : "after") +
          " processing the batch from offset " + std::to_string(batch_first_offset) +
          (p.before_processing && c_.enable_auto_commit
               ? " (after stalling " + std::to_string(auto_commit_interval_ms_ + 300) +
                     " ms, past auto.commit.interval.ms)"
               : ""));
    rd_kafka_destroy_flags(consumer_, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    consumer_ = nullptr;
    crash_op(&consumer_process_);
    std::string error;
    if (!start_consumer(&error)) r_->notes.push_back("the consumer could not restart: " + error);
  }

  // Returns true when it polled something.
  bool consume(int timeout_ms) {
    if (!consumer_) return false;
    std::vector<rd_kafka_message_t*> batch;
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer_, timeout_ms);
    while (m) {
      if (m->err) {
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF && consumer_errors_.size() < 4)
          consumer_errors_.insert(std::string("consumer error: ") + rd_kafka_message_errstr(m));
        rd_kafka_message_destroy(m);
      } else {
        batch.push_back(m);
      }
      if (batch.size() >= 500) break;
      m = rd_kafka_consumer_poll(consumer_, 0);
    }
    if (batch.empty()) return false;
    last_record_ms_ = elapsed_ms();
    polled_ += int(batch.size());
    const int64_t next_offset = batch.back()->offset + 1;
    MicroOp invoke;
    invoke.kind = MicroOp::kPoll;
    emit(consumer_process_, OpType::kInvoke, OpF::kPoll).mops.push_back(invoke);
    MicroOp done;
    done.kind = MicroOp::kPoll;
    done.polled = true;

    Planned* crash = nullptr;
    for (Planned& p : planned_)
      if (!p.fired && p.kind == FaultKind::kConsumerCrash && p.at < polled_) {
        p.fired = true;
        crash = &p;
        break;
      }
    auto finish_poll = [&] {
      emit(consumer_process_, OpType::kOk, OpF::kPoll).mops.push_back(done);
      for (rd_kafka_message_t* msg : batch) rd_kafka_message_destroy(msg);
    };

    if (c_.commit == CommitMode::kCommitThenProcess) commit(false, next_offset);
    if (crash && crash->before_processing) {
      // A stall between poll and processing, long enough for a background auto-commit.
      if (c_.enable_auto_commit)
        std::this_thread::sleep_for(std::chrono::milliseconds(auto_commit_interval_ms_ + 300));
      int64_t first = batch.front()->offset;
      finish_poll();
      crash_consumer(*crash, first);
      return true;
    }
    for (rd_kafka_message_t* msg : batch) {
      std::string v(static_cast<const char*>(msg->payload), msg->len);
      int id = -1;
      if (v.rfind(run_id_ + ":", 0) == 0) id = std::atoi(v.c_str() + run_id_.size() + 1);
      if (id < 0 || id >= o_.messages) continue;  // another run's record
      ++fates_[id].processed;
      processed_.push_back({msg->offset, id});
      done.reads.push_back({Atom::integer(0), msg->offset, Atom::integer(id)});
    }
    if (c_.offsets_in_sink()) sink_offset_ = next_offset;  // stored with the results, atomically
    if (crash) {
      int64_t first = batch.front()->offset;
      finish_poll();
      crash_consumer(*crash, first);
      return true;
    }
    if (c_.commit == CommitMode::kProcessThenCommitSync) commit(false, next_offset);
    if (c_.commit == CommitMode::kProcessThenCommitAsync) commit(true, next_offset);
    finish_poll();
    return true;
  }

  // ---- the run --------------------------------------------------------------------------
  bool producer_resolved() const {
    if (!to_send_.empty()) return false;
    for (const Send& s : sends_)
      if (s.open) return false;
    return true;
  }

  bool caught_up() {
    if (!consumer_) return false;
    int64_t low = 0, high = 0;
    if (rd_kafka_query_watermark_offsets(consumer_, r_->topic.c_str(), 0, &low, &high, 1000)) return false;
    rd_kafka_topic_partition_list_t* l = partition_at(RD_KAFKA_OFFSET_INVALID);
    rd_kafka_position(consumer_, l);
    int64_t position = l->elems[0].offset;
    if (position < 0) {
      // Nothing consumed since the assignment: where the group resumes.
      l->elems[0].offset = RD_KAFKA_OFFSET_INVALID;
      if (c_.offsets_in_sink()) position = sink_offset_;
      else if (rd_kafka_committed(consumer_, l, 1000) == RD_KAFKA_RESP_ERR_NO_ERROR) position = l->elems[0].offset;
    }
    rd_kafka_topic_partition_list_destroy(l);
    // No position and no commit: auto.offset.reset decides, and a second of silence says
    // there is nothing more for this consumer to read.
    return position >= high || (position < 0 && elapsed_ms() - last_record_ms_ > 1000);
  }

  void loop() {
    int64_t next_progress = 1000;
    while (true) {
      const int64_t now = elapsed_ms();
      if (now >= o_.duration_ms) {
        r_->notes.push_back("did not settle within " + std::to_string(o_.duration_ms) +
                            " ms (--duration): unresolved messages are reported as such");
        break;
      }
      if (o_.on_progress && now >= next_progress) {
        next_progress += 1000;
        int acked = 0;
        for (const Ledger& l : fates_) acked += l.acked;
        o_.on_progress(std::to_string(now / 1000) + " s: " + std::to_string(r_->sent) + " sent, " +
                       std::to_string(acked) + " acknowledged, " + std::to_string(polled_) + " polled");
      }
      send_some();
      const bool producing = !producer_resolved();
      if (producer_) rd_kafka_poll(producer_, producing ? 1 : 0);
      const bool got = consume(producing ? 1 : 20);
      if (producing || got || elapsed_ms() - last_record_ms_ <= 200) continue;
      // Everything is sent and resolved and the consumer is idle: a consumer crash planned
      // at a record that never came strikes at the next batch, if one comes.
      bool waiting = false;
      for (Planned& p : planned_) {
        if (p.fired) continue;
        if (p.kind == FaultKind::kConsumerCrash && polled_ > 0 && p.at >= polled_) p.at = polled_ - 1;
        waiting |= p.kind != FaultKind::kConsumerCrash;
      }
      if (!waiting && faults_done_but_consumer() && caught_up()) {
        r_->settled = true;
        break;
      }
    }
  }

  void join_healers() {
    for (std::thread& t : healers_)
      if (t.joinable()) t.join();
    healers_.clear();
  }

  void finish() {
    r_->run_ms = elapsed_ms();
    join_healers();
    for (const Planned& p : planned_)
      if (!p.fired) r_->notes.push_back(std::string(name(p.kind)) + " planned but not injected: the run ended first");
    if (producer_) {
      crashed_producer_ = true;  // the run is over: later reports are not the application's
      rd_kafka_purge(producer_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT | RD_KAFKA_PURGE_F_NON_BLOCKING);
      rd_kafka_destroy(producer_);
      producer_ = nullptr;
    }
    if (consumer_) {
      rd_kafka_consumer_close(consumer_);
      rd_kafka_destroy(consumer_);
      consumer_ = nullptr;
    }
    read_log();
    judge();
    for (const std::string& e : consumer_errors_) r_->notes.push_back(e);
    std::lock_guard<std::mutex> lock(log_mutex_);
    for (const std::string& l : log_lines_storage_) r_->notes.push_back(l);
  }

  // The partition as the brokers hold it, from the run's start offset to its end.
  void read_log() {
    std::vector<std::pair<std::string, std::string>> settings = {{"enable.auto.commit", "false"},
                                                                 {"group.id", "kdc-client-verifier-" + run_id_}};
    char err[512];
    rd_kafka_t* reader = rd_kafka_new(RD_KAFKA_CONSUMER, new_conf(settings), err, sizeof err);
    if (!reader) return;
    int64_t low = 0, high = 0;
    if (rd_kafka_query_watermark_offsets(reader, r_->topic.c_str(), 0, &low, &high, 5000) == 0) {
      rd_kafka_topic_partition_list_t* l = partition_at(std::max(start_offset_, low));
      rd_kafka_assign(reader, l);
      rd_kafka_topic_partition_list_destroy(l);
      int64_t next = std::max(start_offset_, low);
      const auto deadline = Clock::now() + std::chrono::seconds(5);
      while (next < high && Clock::now() < deadline) {
        rd_kafka_message_t* m = rd_kafka_consumer_poll(reader, 100);
        if (!m) continue;
        if (!m->err) {
          next = m->offset + 1;
          std::string v(static_cast<const char*>(m->payload), m->len);
          if (v.rfind(run_id_ + ":", 0) == 0) {
            int id = std::atoi(v.c_str() + run_id_.size() + 1);
            if (id >= 0 && id < o_.messages) log_.push_back({m->offset, id});
          }
        }
        rd_kafka_message_destroy(m);
      }
      if (next < high) r_->notes.push_back("the final read of the log stopped early, at offset " + std::to_string(next));
    } else {
      r_->notes.push_back("could not read the log at the end: losses cannot be told from skips");
    }
    rd_kafka_consumer_close(reader);
    rd_kafka_destroy(reader);
  }

  // kdc's effect names for what happened to each message (docs/model.md, "Effects").
  void judge() {
    std::vector<int> copies(o_.messages, 0);
    for (const auto& [offset, msg] : log_) ++copies[msg];
    std::map<int64_t, int> processed_at;
    for (const auto& [offset, msg] : processed_) ++processed_at[offset];
    std::set<int> dup_proc, reordered;
    for (const auto& [offset, count] : processed_at)
      if (count > 1)
        for (const auto& [o, msg] : processed_)
          if (o == offset) dup_proc.insert(msg);
    // Reordered: processed for the first time after a message sent later was.
    std::set<int> seen;
    int highest = -1;
    for (const auto& [offset, msg] : processed_) {
      if (seen.insert(msg).second) {
        if (msg < highest) reordered.insert(msg);
        highest = std::max(highest, msg);
      }
    }
    int64_t acked_count = 0;
    for (int m = 0; m < o_.messages; ++m) {
      const Ledger& l = fates_[m];
      MessageFate f;
      f.msg = m;
      f.sends = l.sends;
      f.acknowledged = l.acked;
      f.copies_in_log = copies[m];
      f.processed = l.processed;
      if (l.processed == 0) {
        if (copies[m] > 0) f.effects.push_back("L_skip");
        else if (l.acked) f.effects.push_back("L_ack");
        else if (l.gave_up) f.effects.push_back("L_fail");
        else if (l.abandoned) f.effects.push_back("L_unsent");
      }
      if (copies[m] > 1) f.effects.push_back(l.sends > 1 ? "D_app" : "D_int");
      if (dup_proc.count(m)) f.effects.push_back("D_proc");
      if (reordered.count(m)) f.effects.push_back("R");
      bool lost = false, dup = false;
      for (const std::string& e : f.effects) {
        ++r_->effects[e];
        lost |= e[0] == 'L';
        dup |= e[0] == 'D';
      }
      r_->lost += lost;
      r_->duplicated += dup;
      r_->acknowledged += l.acked;
      r_->delivered += l.processed > 0;
      acked_count += l.acked;
      if (l.processed == 0 && f.effects.empty())
        r_->notes.push_back("m" + std::to_string(m) + " unresolved when the run ended (neither acknowledged nor failed)");
      r_->fates.push_back(std::move(f));
    }
    if (last_ack_ms_ > 0) r_->messages_per_second = double(acked_count) * 1000.0 / double(last_ack_ms_);
    r_->check = check_history(r_->history);
  }

  const ClientConfig& cc_;
  const Config& c_;
  const ClientOptions& o_;
  ClientReport* r_;
  std::mt19937_64 rng_;
  Clock::time_point start_;
  std::string run_id_;
  std::string bootstrap_;
  rd_kafka_t* mock_host_ = nullptr;
  rd_kafka_mock_cluster_t* mock_ = nullptr;
  int brokers_ = 0;
  int32_t leader_ = -1;
  int64_t start_offset_ = 0;
  int64_t request_timeout_ms_ = 30000;
  int64_t auto_commit_interval_ms_ = 5000;

  rd_kafka_t* producer_ = nullptr;
  bool crashed_producer_ = false;
  int64_t producer_process_ = 0;
  std::vector<Send> sends_;
  std::deque<int> to_send_;
  int highest_sent_ = -1;
  std::vector<Ledger> fates_;
  int64_t last_ack_ms_ = 0;

  rd_kafka_t* consumer_ = nullptr;
  bool first_consumer_ = true;
  int64_t consumer_process_ = 1;
  int64_t sink_offset_ = 0;
  int polled_ = 0;
  int64_t last_record_ms_ = 0;
  std::vector<std::pair<int64_t, int>> processed_;  // (offset, msg) in processing order
  std::vector<std::pair<int64_t, int>> log_;        // (offset, msg) the partition holds
  std::set<std::string> consumer_errors_;

  std::vector<Planned> planned_;
  std::vector<std::thread> healers_;
  std::atomic<int> unhealed_{0};

 public:
  static std::mutex log_mutex_;
  static std::vector<std::string>* log_lines_;
  std::vector<std::string> log_lines_storage_;
};

std::mutex Workload::log_mutex_;
std::vector<std::string>* Workload::log_lines_ = nullptr;

}  // namespace

const char* name(FaultKind k) {
  for (const auto& [kind, n] : kFaultNames)
    if (kind == k) return n;
  return "?";
}

bool parse_fault_kind(const std::string& s, FaultKind* out) {
  for (const auto& [kind, n] : kFaultNames)
    if (s == n) {
      *out = kind;
      return true;
    }
  return false;
}

bool needs_mock(FaultKind k) { return k != FaultKind::kProducerCrash && k != FaultKind::kConsumerCrash; }

bool fault_plan(const Config& config, const ClientOptions& options, std::vector<FaultSpec>* out,
                std::vector<std::string>* notes, std::string* error) {
  out->clear();
  if (options.faults == "none") return true;
  if (!options.faults.empty()) {
    size_t pos = 0;
    while (pos <= options.faults.size()) {
      size_t comma = options.faults.find(',', pos);
      if (comma == std::string::npos) comma = options.faults.size();
      std::string item = options.faults.substr(pos, comma - pos);
      pos = comma + 1;
      if (item.empty()) continue;
      int count = 1;
      if (size_t star = item.find('*'); star != std::string::npos) {
        count = std::atoi(item.c_str() + star + 1);
        item = item.substr(0, star);
        if (count < 1 || count > 100) {
          *error = "--faults: bad count in '" + options.faults + "'";
          return false;
        }
      }
      int stage = -1;
      if (item == "consumer-crash:before" || item == "consumer-crash:after") {
        stage = item.ends_with("before") ? 0 : 1;
        item = "consumer-crash";
      }
      FaultKind k;
      if (!parse_fault_kind(item, &k)) {
        *error = "--faults: unknown fault '" + item + "'; known:";
        for (const auto& [kind, n] : kFaultNames) *error += std::string(" ") + n;
        return false;
      }
      if (needs_mock(k) && !options.mock) {
        *error = "--faults: " + item + " needs the mock cluster; on a real cluster only producer-crash and "
                 "consumer-crash can be injected";
        return false;
      }
      for (int i = 0; i < count; ++i) out->push_back({k, stage});
    }
    return true;
  }
  // From the fault.* budget: the kinds the mock can inject, at most fault.max.total of
  // them, chosen by the seed.
  const FaultBudget& f = config.faults;
  std::vector<FaultSpec> pool;
  auto add = [&](FaultKind k, int n, const char* key) {
    if (n <= 0) return;
    if (needs_mock(k) && !options.mock) {
      notes->push_back(std::string(key) + " not injected: it needs the mock cluster");
      return;
    }
    for (int i = 0; i < n; ++i) pool.push_back({k});
  };
  add(FaultKind::kRequestTimeout, f.request_timeout, "fault.request.timeout");
  add(FaultKind::kBrokerDown, f.broker_crash, "fault.broker.crash");
  add(FaultKind::kSlowLink, f.network_partition, "fault.network.partition (as a slow link to the leader)");
  add(FaultKind::kProducerCrash, f.producer_crash, "fault.producer.crash");
  add(FaultKind::kConsumerCrash, f.consumer_crash, "fault.consumer.crash");
  auto not_applied = [&](int n, const char* key, const char* why) {
    if (n > 0) notes->push_back(std::string(key) + " not injected: " + why);
  };
  not_applied(f.broker_power_loss, "fault.broker.power.loss", "the mock cluster's log lives in memory and is never lost");
  not_applied(f.cluster_power_loss, "fault.cluster.power.loss", "the mock cluster's log lives in memory and is never lost");
  not_applied(f.delivery_timeout, "fault.delivery.timeout",
              "use --faults slow-link with a delivery.timeout.ms shorter than the slow period");
  not_applied(f.consumer_rebalance, "fault.consumer.rebalance", "the consumer is assigned its partition (no group membership)");
  not_applied(f.offset_loss, "fault.offset.loss", "the mock cluster cannot drop committed offsets");
  std::mt19937_64 rng(options.seed ^ 0x6b6463u);
  std::shuffle(pool.begin(), pool.end(), rng);
  if (int(pool.size()) > f.max_total) pool.resize(f.max_total);
  *out = pool;
  if (!out->empty() && notes) {
    // Faults of a budget are picked by the seed; say which, so a run can be reproduced with --faults.
    std::string s = "faults chosen from the fault.* budget by seed " + std::to_string(options.seed) + ":";
    for (const FaultSpec& f : *out) s += std::string(" ") + name(f.kind);
    notes->push_back(s);
  }
  return true;
}

bool run_client_workload(const ClientConfig& config, const ClientOptions& options, ClientReport* report,
                         std::string* error) {
  Workload w(config, options, report);
  {
    std::lock_guard<std::mutex> lock(Workload::log_mutex_);
    Workload::log_lines_ = &w.log_lines_storage_;
  }
  bool ok = w.run(error);
  {
    std::lock_guard<std::mutex> lock(Workload::log_mutex_);
    Workload::log_lines_ = nullptr;
  }
  return ok;
}

}  // namespace kdc::rdkafka
