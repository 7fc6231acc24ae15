#include "impl/broker/broker.h"

#include <algorithm>
#include <string>

#include "impl/broker/broker_impl.h"

namespace kdc::impl {

namespace {

bool contains(const std::vector<NodeId>& v, NodeId n) {
  return std::find(v.begin(), v.end(), n) != v.end();
}

// The model's initial state, which the controller also starts from: broker 0 leads in
// epoch 1 with every replica in the ISR.
LeaderAndIsr initial_state(int replication_factor) {
  LeaderAndIsr s;
  s.leader = 0;
  s.leader_epoch = 1;
  s.partition_epoch = 0;
  for (NodeId r = 0; r < replication_factor; ++r) {
    s.replicas.push_back(r);
    s.isr.push_back(r);
  }
  return s;
}

}  // namespace

Broker::Broker(const Env& env, NodeId id, Disk& disk, int64_t incarnation)
    : impl_(std::make_unique<Impl>(env, id, disk, incarnation)) {}
Broker::~Broker() = default;
void Broker::crash() { impl_->crash(); }
Broker::View Broker::view() const { return impl_->view(); }

Broker::Impl::Impl(const Env& env, NodeId id, Disk& disk, int64_t incarnation)
    : env_(env),
      id_(id),
      disk_(disk),
      incarnation_(incarnation),
      log_(disk, env.trace, id, env.config.flush_interval_messages),
      producers_(env.config.version) {
  {
    std::lock_guard<std::mutex> g(mu_);
    log_.recover();
    producers_.rebuild(log_.entries());
    if (incarnation_ > 0) {
      Event e;
      e.type = EventType::kBrokerRestart;
      e.offset = static_cast<int32_t>(log_.log_end_offset());
      record_locked(e);
    } else {
      // A first start: the cluster's initial state, as the controller has it.
      LeaderAndIsr s = initial_state(env_.config.replication_factor);
      known_ = s;
      if (s.leader == id_) {
        become_leader_locked(s, /*record=*/false);
      } else if (contains(s.replicas, id_)) {
        become_follower_locked(s, /*record=*/false);
      }
    }
  }
  start();
}

Broker::Impl::~Impl() {
  bool was_dead;
  {
    std::lock_guard<std::mutex> g(mu_);
    was_dead = dead_;
    dead_ = true;
  }
  if (!was_dead) {
    env_.network.detach(id_);
    env_.runtime.stop(reader_);
    env_.runtime.stop(fetcher_);
    env_.runtime.stop(scheduler_);
  }
}

void Broker::Impl::start() {
  std::string name = "broker-" + std::to_string(id_);
  reader_ = env_.runtime.spawn(name + "/network");
  fetcher_ = env_.runtime.spawn(name + "/fetcher");
  scheduler_ = env_.runtime.spawn(name + "/scheduler");
  env_.network.attach(
      id_, reader_, [this](Message m) { on_message(std::move(m)); },
      [this](NodeId peer) { on_disconnect(peer); });
  env_.runtime.post(scheduler_, [this] { heartbeat(); });
  env_.runtime.after(scheduler_, env_.timings.isr_check_interval_ms, [this] { isr_check(); });
  std::lock_guard<std::mutex> g(mu_);
  if (fetch_state_ != FetcherState::kIdle) fetcher_schedule_locked(0);
}

void Broker::Impl::crash() {
  {
    std::lock_guard<std::mutex> g(mu_);
    if (dead_) return;
    dead_ = true;
  }
  // The address goes first, so nothing more is delivered to the dying threads.
  env_.network.detach(id_);
  env_.runtime.stop(reader_);
  env_.runtime.stop(fetcher_);
  env_.runtime.stop(scheduler_);
}

Broker::View Broker::Impl::view() const {
  std::lock_guard<std::mutex> g(mu_);
  View v;
  v.id = id_;
  v.leader = is_leader_;
  v.leader_epoch = leader_epoch_;
  v.log_end_offset = log_.log_end_offset();
  v.high_watermark = log_.high_watermark();
  v.last_stable_offset = last_stable_offset_locked();
  v.flushed_offset = log_.flushed_offset();
  for (const LogEntry& e : log_.entries()) v.records.push_back(e.record);
  v.isr = isr_;
  return v;
}

void Broker::Impl::record_locked(Event e) {
  e.broker = static_cast<int8_t>(id_);
  env_.trace.record(e);
}

void Broker::Impl::send_locked(NodeId to, Payload p) { env_.network.send(id_, to, std::move(p)); }

// ---------------------------------------------------------------------------------------
// Network: requests in connection order, responses to this broker's own requests.

bool Broker::Impl::is_request(const Payload& p) const {
  return std::holds_alternative<ProduceRequest>(p) || std::holds_alternative<FetchRequest>(p) ||
         std::holds_alternative<MetadataRequest>(p) ||
         std::holds_alternative<OffsetsForLeaderEpochRequest>(p) ||
         std::holds_alternative<ListOffsetsRequest>(p) ||
         std::holds_alternative<WriteTxnMarkersRequest>(p);
}

void Broker::Impl::on_message(Message m) {
  std::lock_guard<std::mutex> g(mu_);
  if (dead_) return;
  if (is_request(m.payload)) {
    Connection& c = conns_[m.from];
    if (c.muted || !c.unread.empty()) {
      c.unread.push_back(std::move(m));
      return;
    }
    handle_request_locked(m);
    return;
  }
  if (auto* s = std::get_if<LeaderAndIsr>(&m.payload)) {
    apply_leader_and_isr_locked(*s);
  } else if (auto* r = std::get_if<AlterPartitionResponse>(&m.payload)) {
    on_alter_partition_response_locked(*r);
  } else if (auto* r = std::get_if<AddPartitionsToTxnResponse>(&m.payload)) {
    on_verification_response_locked(*r);
  } else if (std::holds_alternative<FetchResponse>(m.payload) ||
             std::holds_alternative<OffsetsForLeaderEpochResponse>(m.payload)) {
    // The fetcher thread reads its own responses.
    uint64_t gen = fetch_generation_;
    env_.runtime.post(fetcher_, [this, gen, p = std::move(m.payload)] {
      std::lock_guard<std::mutex> g2(mu_);
      if (dead_ || gen != fetch_generation_) return;
      if (auto* f = std::get_if<FetchResponse>(&p)) {
        on_fetch_response_locked(*f);
      } else {
        on_epoch_response_locked(std::get<OffsetsForLeaderEpochResponse>(p));
      }
    });
  }
  // BrokerHeartbeatResponse: the controller follows it with LeaderAndIsr when needed.
}

void Broker::Impl::handle_request_locked(const Message& m) {
  const Payload& p = m.payload;
  if (auto* r = std::get_if<ProduceRequest>(&p)) {
    handle_produce_locked(m.from, conns_[m.from].id, *r, /*after_verification=*/false);
  } else if (auto* r = std::get_if<FetchRequest>(&p)) {
    handle_fetch_locked(m, *r);
  } else if (auto* r = std::get_if<MetadataRequest>(&p)) {
    handle_metadata_locked(m, *r);
  } else if (auto* r = std::get_if<OffsetsForLeaderEpochRequest>(&p)) {
    handle_offsets_for_leader_epoch_locked(m, *r);
  } else if (auto* r = std::get_if<ListOffsetsRequest>(&p)) {
    handle_list_offsets_locked(m, *r);
  } else if (auto* r = std::get_if<WriteTxnMarkersRequest>(&p)) {
    handle_write_txn_markers_locked(m, *r);
  }
}

void Broker::Impl::unmute_locked(NodeId peer, uint64_t connection) {
  Connection& c = conns_[peer];
  if (c.id != connection) return;  // that connection broke; its unread requests are gone
  c.muted = false;
  if (!c.unread.empty()) env_.runtime.post(reader_, [this, peer] { drain_unread(peer); });
}

void Broker::Impl::drain_unread(NodeId peer) {
  std::lock_guard<std::mutex> g(mu_);
  if (dead_) return;
  Connection& c = conns_[peer];
  while (!c.muted && !c.unread.empty()) {
    Message m = std::move(c.unread.front());
    c.unread.pop_front();
    handle_request_locked(m);
  }
}

void Broker::Impl::on_disconnect(NodeId peer) {
  std::lock_guard<std::mutex> g(mu_);
  if (dead_) return;
  Connection& c = conns_[peer];
  // Requests not yet read die with the connection; one already read (in the purgatory)
  // still completes, and its response is dropped.
  ++c.id;
  c.muted = false;
  c.unread.clear();
  auto delayed = delayed_fetches_.find(peer);
  if (delayed != delayed_fetches_.end()) {
    env_.runtime.cancel(delayed->second.timer);
    delayed_fetches_.erase(delayed);
  }
  if (peer == kController) pending_alter_.reset();
  if (peer == kTxnCoordinator) fail_verifications_locked();
  if (peer == leader_id_ && !is_leader_ && fetch_inflight_ != 0) {
    fetch_inflight_ = 0;
    fetcher_backoff_locked();
  }
}

// ---------------------------------------------------------------------------------------
// Controller: heartbeats, LeaderAndIsr, AlterPartition.

void Broker::Impl::heartbeat() {
  {
    std::lock_guard<std::mutex> g(mu_);
    if (dead_) return;
    BrokerHeartbeatRequest hb;
    hb.broker = id_;
    hb.incarnation = incarnation_;
    hb.leader_epoch = known_.leader_epoch;
    hb.partition_epoch = known_.partition_epoch;
    send_locked(kController, hb);
  }
  env_.runtime.after(scheduler_, env_.timings.broker_heartbeat_interval_ms, [this] { heartbeat(); });
}

void Broker::Impl::apply_leader_and_isr_locked(const LeaderAndIsr& s) {
  bool newer = s.leader_epoch > known_.leader_epoch ||
               (s.leader_epoch == known_.leader_epoch && s.partition_epoch > known_.partition_epoch);
  if (!newer) return;
  known_ = s;
  if (s.leader == id_) {
    if (!is_leader_ || s.leader_epoch != leader_epoch_) {
      become_leader_locked(s, /*record=*/true);
      return;
    }
    // The same epoch: an ISR change, ours (AlterPartition whose response was lost) or
    // the controller's (it fenced a replica).
    if (pending_alter_ && pending_alter_->request.new_isr == s.isr) {
      confirm_isr_change_locked(s.isr, s.partition_epoch);
      return;
    }
    isr_ = s.isr;
    maybe_advance_high_watermark_locked();
    complete_delayed_locked();
    return;
  }
  if (s.leader >= 0) {
    if (is_leader_ || s.leader_epoch != leader_epoch_ || s.leader != leader_id_) {
      become_follower_locked(s, /*record=*/true);
    } else {
      isr_ = s.isr;
    }
    return;
  }
  // No leader at all (the controller could elect nobody): a broker still acting as leader
  // stops, followers stop fetching.
  if (is_leader_) resign_locked();
  is_leader_ = false;
  leader_id_ = -1;
  isr_ = s.isr;
  ++fetch_generation_;
  fetch_state_ = FetcherState::kIdle;
  fetch_inflight_ = 0;
  fetch_scheduled_ = false;
}

void Broker::Impl::become_leader_locked(const LeaderAndIsr& s, bool record) {
  ++fetch_generation_;
  fetch_state_ = FetcherState::kIdle;
  fetch_inflight_ = 0;
  fetch_scheduled_ = false;
  is_leader_ = true;
  leader_id_ = id_;
  leader_epoch_ = s.leader_epoch;
  isr_ = s.isr;
  pending_alter_.reset();
  // Partition.makeLeader: the new epoch starts at the log end.
  log_.assign_epoch(leader_epoch_, log_.log_end_offset());
  followers_.clear();
  Millis now = env_.runtime.now();
  for (NodeId r : s.replicas) {
    if (r == id_) continue;
    FollowerState f;
    f.last_caught_up = contains(s.isr, r) ? now : 0;
    followers_[r] = f;
  }
  if (record) {
    Event e;
    e.type = EventType::kLeaderAndIsr;
    e.leader_epoch = leader_epoch_;
    e.result = Result::kLeader;
    record_locked(e);
  }
  maybe_advance_high_watermark_locked();
}

void Broker::Impl::become_follower_locked(const LeaderAndIsr& s, bool record) {
  bool was_leader = is_leader_;
  is_leader_ = false;
  leader_id_ = s.leader;
  leader_epoch_ = s.leader_epoch;
  isr_ = s.isr;
  followers_.clear();
  pending_alter_.reset();
  ++fetch_generation_;
  fetch_inflight_ = 0;
  fetch_scheduled_ = false;
  if (record) {
    Event e;
    e.type = EventType::kLeaderAndIsr;
    e.leader_epoch = leader_epoch_;
    e.result = Result::kFollower;
    record_locked(e);
  }
  if (was_leader) resign_locked();
  if (!record) {
    // The cluster's first start: nothing to reconcile.
    fetch_state_ = FetcherState::kFetching;
    return;
  }
  // Seeded bug truncate_to_hw: the pre-KIP-101 rule in every release.
  if (!(env_.config.version >= KafkaVersion{0, 11, 0}) || env_.bugs.truncate_to_hw) {
    // Before KIP-101 a follower truncates to its own high watermark (makeFollowers).
    if (log_.high_watermark() < log_.log_end_offset()) {
      log_.truncate_to(log_.high_watermark());
      producers_.rebuild(log_.entries());
    }
    fetch_state_ = FetcherState::kFetching;
  } else {
    fetch_state_ = FetcherState::kTruncating;
    probe_end_ = log_.log_end_offset();
  }
  fetcher_schedule_locked(0);
}

void Broker::Impl::resign_locked() {
  // ReplicaManager.makeFollowers → completeDelayedOperationsWhenNotPartitionLeader.
  std::vector<DelayedOperation> ops = purgatory_.take_all();
  for (DelayedOperation& op : ops) finish_delayed_locked(op, Error::kNotLeaderOrFollower);
  fail_verifications_locked();
  pending_alter_.reset();
  complete_delayed_fetches_locked();
}

void Broker::Impl::isr_check() {
  {
    std::lock_guard<std::mutex> g(mu_);
    if (dead_) return;
    if (is_leader_ && !pending_alter_) {
      // Partition.maybeShrinkIsr: a follower is out of sync if it has not caught up to the
      // log end within replica.lag.time.max.ms.
      Millis now = env_.runtime.now();
      int64_t leo = log_.log_end_offset();
      std::vector<NodeId> keep;
      for (NodeId r : isr_) {
        if (r == id_) {
          keep.push_back(r);
          continue;
        }
        const FollowerState& f = followers_[r];
        bool caught_up = f.log_end_offset >= leo ||
                         now - f.last_caught_up <= env_.timings.replica_lag_time_max_ms;
        if (caught_up) keep.push_back(r);
      }
      if (keep.size() < isr_.size()) {
        AlterPartitionRequest req;
        req.correlation_id = next_correlation_++;
        req.leader = id_;
        req.leader_epoch = leader_epoch_;
        req.partition_epoch = known_.partition_epoch;
        req.new_isr = keep;
        pending_alter_ = PendingAlter{req};
        send_locked(kController, req);
      }
    }
  }
  env_.runtime.after(scheduler_, env_.timings.isr_check_interval_ms, [this] { isr_check(); });
}

void Broker::Impl::maybe_expand_isr_locked(NodeId follower, int64_t fetch_offset) {
  if (!is_leader_ || pending_alter_ || contains(isr_, follower)) return;
  // Partition.isFollowerInSync: caught up to the high watermark and into the current epoch.
  int64_t epoch_start = log_.epoch_start(leader_epoch_);
  if (fetch_offset < log_.high_watermark() || epoch_start < 0 || fetch_offset < epoch_start) return;
  AlterPartitionRequest req;
  req.correlation_id = next_correlation_++;
  req.leader = id_;
  req.leader_epoch = leader_epoch_;
  req.partition_epoch = known_.partition_epoch;
  req.new_isr = isr_;
  req.new_isr.push_back(follower);
  std::sort(req.new_isr.begin(), req.new_isr.end());
  pending_alter_ = PendingAlter{req};
  send_locked(kController, req);
}

void Broker::Impl::on_alter_partition_response_locked(const AlterPartitionResponse& r) {
  if (!pending_alter_ || r.correlation_id != pending_alter_->request.correlation_id) return;
  if (r.error != Error::kNone || !is_leader_ || r.leader != id_ || r.leader_epoch != leader_epoch_) {
    pending_alter_.reset();
    return;
  }
  confirm_isr_change_locked(r.isr, r.partition_epoch);
}

void Broker::Impl::confirm_isr_change_locked(const std::vector<NodeId>& new_isr,
                                             int32_t partition_epoch) {
  pending_alter_.reset();
  if (partition_epoch > known_.partition_epoch || known_.isr != new_isr) {
    known_.partition_epoch = std::max(known_.partition_epoch, partition_epoch);
    known_.isr = new_isr;
  }
  for (NodeId r : isr_) {
    if (!contains(new_isr, r)) {
      Event e;
      e.type = EventType::kIsrShrink;
      e.peer = static_cast<int8_t>(r);
      e.leader_epoch = leader_epoch_;
      record_locked(e);
    }
  }
  for (NodeId r : new_isr) {
    if (!contains(isr_, r)) {
      Event e;
      e.type = EventType::kIsrExpand;
      e.peer = static_cast<int8_t>(r);
      e.leader_epoch = leader_epoch_;
      record_locked(e);
    }
  }
  isr_ = new_isr;
  maybe_advance_high_watermark_locked();
  complete_delayed_locked();
}

bool Broker::Impl::under_min_isr_locked() const {
  return static_cast<int>(isr_.size()) < env_.config.min_insync_replicas;
}

void Broker::Impl::maybe_advance_high_watermark_locked() {
  if (!is_leader_) return;
  // KAFKA-15583 (3.7, and with ELR): no advance while the ISR is under min.insync.replicas.
  if ((env_.config.version >= KafkaVersion{3, 7, 0} || env_.config.eligible_leader_replicas) &&
      under_min_isr_locked()) {
    return;
  }
  int64_t hw = log_.log_end_offset();
  for (NodeId r : isr_) {
    // Seeded bug hw_before_isr: the followers' fetch offsets are not consulted.
    if (env_.bugs.hw_before_isr) break;
    if (r == id_) continue;
    auto it = followers_.find(r);
    if (it == followers_.end() || it->second.log_end_offset < 0) return;
    hw = std::min(hw, it->second.log_end_offset);
  }
  if (hw > log_.high_watermark()) {
    log_.set_high_watermark(hw);
    complete_delayed_locked();
  }
}

int64_t Broker::Impl::last_stable_offset_locked() const {
  return last_stable_offset(log_.entries(), log_.high_watermark());
}

// ---------------------------------------------------------------------------------------
// Reads: Fetch, OffsetsForLeaderEpoch, ListOffsets, Metadata.

Error Broker::Impl::check_epoch_locked(int32_t current_leader_epoch) const {
  if (current_leader_epoch < 0) return Error::kNone;
  if (current_leader_epoch < leader_epoch_) return Error::kFencedLeaderEpoch;
  if (current_leader_epoch > leader_epoch_) return Error::kUnknownLeaderEpoch;
  return Error::kNone;
}

void Broker::Impl::handle_fetch_locked(const Message& m, const FetchRequest& req) {
  FetchResponse resp;
  resp.correlation_id = req.correlation_id;
  resp.leader_epoch = leader_epoch_;
  bool follower = req.replica_id >= 0;
  if (!is_leader_) {
    resp.error = Error::kNotLeaderOrFollower;
  } else if (follower || env_.config.version >= KafkaVersion{2, 1, 0}) {
    resp.error = check_epoch_locked(req.current_leader_epoch);
  }
  int64_t leo = log_.log_end_offset();
  if (resp.error == Error::kNone && (req.fetch_offset < 0 || req.fetch_offset > leo)) {
    resp.error = Error::kOffsetOutOfRange;
  }
  resp.log_end_offset = leo;
  if (resp.error != Error::kNone) {
    send_locked(m.from, resp);
    return;
  }
  // Partition.fetchRecords: the records and the high watermark are read before the fetch
  // is counted, so a follower learns what its fetch made committed one fetch later.
  FetchResponse read = read_for_fetch_locked(req);
  read.log_end_offset = leo;
  resp = std::move(read);
  if (follower) {
    auto it = followers_.find(req.replica_id);
    if (it != followers_.end()) {
      // Partition.updateFollowerFetchState / Replica.updateFetchState.
      FollowerState& f = it->second;
      Millis now = env_.runtime.now();
      if (req.fetch_offset >= leo) {
        f.last_caught_up = now;
      } else if (req.fetch_offset >= f.last_fetch_leader_leo) {
        f.last_caught_up = std::max(f.last_caught_up, f.last_fetch_time);
      }
      f.log_end_offset = req.fetch_offset;
      f.last_fetch_leader_leo = leo;
      f.last_fetch_time = now;
      maybe_expand_isr_locked(req.replica_id, req.fetch_offset);
      maybe_advance_high_watermark_locked();
    }
    // Nothing to return: the fetch waits in the purgatory until the log grows or
    // replica.fetch.wait.max.ms passes (DelayedFetch), its connection muted meanwhile.
    if (resp.records.empty() && env_.timings.replica_fetch_wait_max_ms > 0 && is_leader_) {
      DelayedFetch& d = delayed_fetches_[req.replica_id];
      if (d.timer != 0) env_.runtime.cancel(d.timer);
      d.key = next_delayed_fetch_++;
      d.connection = conns_[m.from].id;
      d.request = req;
      NodeId follower = req.replica_id;
      uint64_t key = d.key;
      d.timer = env_.runtime.after(reader_, env_.timings.replica_fetch_wait_max_ms,
                                   [this, follower, key] { on_fetch_wait_expired(follower, key); });
      mute_locked(m.from);
      return;
    }
  }
  send_locked(m.from, resp);
}

FetchResponse Broker::Impl::read_for_fetch_locked(const FetchRequest& req) {
  FetchResponse resp;
  resp.correlation_id = req.correlation_id;
  resp.leader_epoch = leader_epoch_;
  const bool follower = req.replica_id >= 0;
  int64_t leo = log_.log_end_offset();
  resp.log_end_offset = leo;
  int64_t hw = log_.high_watermark();
  int64_t lso = last_stable_offset_locked();
  int64_t upper = leo;
  // Seeded bug fetch_past_hw: a consumer reads what the ISR may not have yet.
  if (!follower && !env_.bugs.fetch_past_hw) {
    upper = req.isolation == IsolationLevel::kReadCommitted ? lso : hw;
  }
  upper = std::min<int64_t>(upper, req.fetch_offset + std::max<int32_t>(req.max_records, 0));
  resp.high_watermark = hw;
  resp.last_stable_offset = lso;
  const std::vector<LogEntry>& entries = log_.entries();
  for (int64_t o = req.fetch_offset; o < upper; ++o) {
    resp.records.push_back(entries[static_cast<size_t>(o)].record);
    if (follower) resp.batch_last.push_back(entries[static_cast<size_t>(o)].batch_last ? 1 : 0);
  }
  if (!follower && req.isolation == IsolationLevel::kReadCommitted) {
    resp.aborted = aborted_transactions(entries, req.fetch_offset, upper);
  }
  return resp;
}

void Broker::Impl::complete_delayed_fetches_locked() {
  for (auto it = delayed_fetches_.begin(); it != delayed_fetches_.end();) {
    NodeId follower = it->first;
    DelayedFetch& d = it->second;
    const bool grew = log_.log_end_offset() > d.request.fetch_offset;
    if (is_leader_ && !grew) {
      ++it;
      continue;
    }
    env_.runtime.cancel(d.timer);
    FetchResponse resp;
    if (is_leader_) {
      resp = read_for_fetch_locked(d.request);
    } else {
      resp.correlation_id = d.request.correlation_id;
      resp.error = Error::kNotLeaderOrFollower;
      resp.leader_epoch = leader_epoch_;
    }
    uint64_t connection = d.connection;
    it = delayed_fetches_.erase(it);
    if (conns_[follower].id != connection) continue;  // the connection broke meanwhile
    send_locked(follower, resp);
    unmute_locked(follower, connection);
  }
}

void Broker::Impl::on_fetch_wait_expired(NodeId follower, uint64_t key) {
  std::lock_guard<std::mutex> g(mu_);
  if (dead_) return;
  auto it = delayed_fetches_.find(follower);
  if (it == delayed_fetches_.end() || it->second.key != key) return;
  DelayedFetch d = std::move(it->second);
  delayed_fetches_.erase(it);
  if (conns_[follower].id != d.connection) return;
  FetchResponse resp;
  if (is_leader_) {
    resp = read_for_fetch_locked(d.request);
  } else {
    resp.correlation_id = d.request.correlation_id;
    resp.error = Error::kNotLeaderOrFollower;
  }
  send_locked(follower, resp);
  unmute_locked(follower, d.connection);
}

void Broker::Impl::handle_offsets_for_leader_epoch_locked(const Message& m,
                                                          const OffsetsForLeaderEpochRequest& req) {
  OffsetsForLeaderEpochResponse resp;
  resp.correlation_id = req.correlation_id;
  if (!is_leader_) {
    resp.error = Error::kNotLeaderOrFollower;
  } else {
    resp.error = check_epoch_locked(req.current_leader_epoch);
  }
  if (resp.error == Error::kNone) {
    auto [epoch, end] = log_.end_offset_for(req.leader_epoch);
    resp.leader_epoch = epoch;
    resp.end_offset = end;
  }
  send_locked(m.from, resp);
}

void Broker::Impl::handle_list_offsets_locked(const Message& m, const ListOffsetsRequest& req) {
  ListOffsetsResponse resp;
  resp.correlation_id = req.correlation_id;
  resp.leader_epoch = leader_epoch_;
  if (!is_leader_) {
    resp.error = Error::kNotLeaderOrFollower;
  } else if (req.timestamp == -2) {
    resp.offset = 0;
  } else {
    resp.offset = req.isolation == IsolationLevel::kReadCommitted ? last_stable_offset_locked()
                                                                   : log_.high_watermark();
  }
  send_locked(m.from, resp);
}

void Broker::Impl::handle_metadata_locked(const Message& m, const MetadataRequest& req) {
  MetadataResponse resp;
  resp.correlation_id = req.correlation_id;
  resp.leader = known_.leader;
  resp.leader_epoch = known_.leader_epoch;
  resp.replicas = known_.replicas;
  resp.isr = known_.isr;
  if (is_leader_) {
    // A leader answers with what it acts on (a partitioned zombie: its stale facts).
    resp.isr = isr_;
  }
  send_locked(m.from, resp);
}

}  // namespace kdc::impl
