// The active controller: one actor reading heartbeats and AlterPartition requests, session
// timers that fence silent brokers, elections, and LeaderAndIsr published to every replica
// on every change (and again to a broker whose heartbeat shows it missed one).
#include "impl/controller/controller.h"

#include <map>
#include <mutex>
#include <set>

#include "impl/controller/election.h"

namespace kdc::impl {

class Controller::Impl {
 public:
  explicit Impl(const Env& env);
  ~Impl();
  View view() const;

 private:
  void on_message(Message m);
  void on_heartbeat_locked(const BrokerHeartbeatRequest& hb);
  void on_alter_partition_locked(NodeId from, const AlterPartitionRequest& req);
  void arm_session_locked(NodeId broker);
  void fence_locked(NodeId broker);
  void unfence_locked(NodeId broker, bool new_incarnation);
  void maybe_elect_locked();
  void publish_locked();
  void record_locked(EventType type, NodeId broker, int32_t leader_epoch = -1,
                     Result result = Result::kNone);

  const Env env_;
  ActorId actor_ = -1;
  mutable std::mutex mu_;
  PartitionState state_;
  std::set<NodeId> fenced_;
  std::map<NodeId, int64_t> incarnation_;
  std::map<NodeId, TimerId> session_;
};

Controller::Controller(const Env& env) : impl_(std::make_unique<Impl>(env)) {}
Controller::~Controller() = default;
Controller::View Controller::view() const { return impl_->view(); }

Controller::Impl::Impl(const Env& env) : env_(env) {
  LeaderAndIsr& p = state_.published;
  p.leader = 0;
  p.leader_epoch = 1;
  p.partition_epoch = 0;
  for (NodeId r = 0; r < env_.config.replication_factor; ++r) {
    p.replicas.push_back(r);
    p.isr.push_back(r);
    incarnation_[r] = 0;
  }
  state_.last_known_leader = 0;
  actor_ = env_.runtime.spawn("controller");
  env_.network.attach(kController, actor_, [this](Message m) { on_message(std::move(m)); },
                      [](NodeId) {});
  std::lock_guard<std::mutex> g(mu_);
  publish_locked();
  for (NodeId r : p.replicas) arm_session_locked(r);
}

Controller::Impl::~Impl() {
  env_.network.detach(kController);
  env_.runtime.stop(actor_);
}

Controller::View Controller::Impl::view() const {
  std::lock_guard<std::mutex> g(mu_);
  View v;
  v.leader = state_.published.leader;
  v.leader_epoch = state_.published.leader_epoch;
  v.isr = state_.published.isr;
  v.elr = state_.published.elr;
  v.fenced.assign(fenced_.begin(), fenced_.end());
  return v;
}

void Controller::Impl::record_locked(EventType type, NodeId broker, int32_t leader_epoch, Result result) {
  Event e;
  e.type = type;
  e.broker = static_cast<int8_t>(broker);
  e.leader_epoch = leader_epoch;
  e.result = result;
  env_.trace.record(e);
}

void Controller::Impl::on_message(Message m) {
  std::lock_guard<std::mutex> g(mu_);
  if (auto* hb = std::get_if<BrokerHeartbeatRequest>(&m.payload)) {
    on_heartbeat_locked(*hb);
  } else if (auto* ap = std::get_if<AlterPartitionRequest>(&m.payload)) {
    on_alter_partition_locked(m.from, *ap);
  }
}

void Controller::Impl::arm_session_locked(NodeId broker) {
  auto it = session_.find(broker);
  if (it != session_.end()) env_.runtime.cancel(it->second);
  TimerId id = env_.runtime.after(actor_, env_.timings.broker_session_timeout_ms, [this, broker] {
    std::lock_guard<std::mutex> g(mu_);
    session_.erase(broker);
    if (fenced_.count(broker) == 0) {
      fence_locked(broker);
      maybe_elect_locked();
      publish_locked();
    }
  });
  session_[broker] = id;
}

void Controller::Impl::on_heartbeat_locked(const BrokerHeartbeatRequest& hb) {
  NodeId b = hb.broker;
  if (incarnation_.count(b) == 0) return;  // not a replica of the partition
  bool changed = false;
  if (hb.incarnation != incarnation_[b]) {
    // A new process registers: KRaft fences the old incarnation first (it registers
    // fenced), then unfences it; every restart is an unclean shutdown (KIP-966).
    if (fenced_.count(b) == 0) fence_locked(b);
    incarnation_[b] = hb.incarnation;
    unfence_locked(b, /*new_incarnation=*/true);
    changed = true;
  } else if (fenced_.count(b) > 0) {
    unfence_locked(b, /*new_incarnation=*/false);
    changed = true;
  }
  arm_session_locked(b);
  if (changed) {
    maybe_elect_locked();
    publish_locked();
  }
  env_.network.send(kController, b, BrokerHeartbeatResponse{false});
  const LeaderAndIsr& p = state_.published;
  if (!changed && (hb.leader_epoch != p.leader_epoch || hb.partition_epoch != p.partition_epoch)) {
    env_.network.send(kController, b, p);
  }
}

void Controller::Impl::fence_locked(NodeId broker) {
  fenced_.insert(broker);
  record_locked(EventType::kFenceBroker, broker);
  fence_replica(state_, broker, env_.config);
}

void Controller::Impl::unfence_locked(NodeId broker, bool new_incarnation) {
  fenced_.erase(broker);
  record_locked(EventType::kUnfenceBroker, broker);
  if (new_incarnation) unclean_restart(state_, broker, env_.config);
}

void Controller::Impl::maybe_elect_locked() {
  Election e = choose_leader(state_, fenced_, env_.config);
  if (e.leader < 0) return;
  apply_election(state_, e);
  record_locked(EventType::kElectLeader, e.leader, state_.published.leader_epoch, e.kind);
}

void Controller::Impl::on_alter_partition_locked(NodeId from, const AlterPartitionRequest& req) {
  AlterPartitionResponse resp;
  resp.correlation_id = req.correlation_id;
  resp.error = alter_isr(state_, req, fenced_, env_.config);
  const LeaderAndIsr& p = state_.published;
  resp.leader = p.leader;
  resp.leader_epoch = p.leader_epoch;
  resp.partition_epoch = p.partition_epoch;
  resp.isr = p.isr;
  // The response first, so the leader records the change it asked for before the
  // published state reaches it on the same connection.
  env_.network.send(kController, from, resp);
  if (resp.error == Error::kNone) publish_locked();
}

void Controller::Impl::publish_locked() {
  for (NodeId r : state_.published.replicas) env_.network.send(kController, r, state_.published);
}

}  // namespace kdc::impl
