// The group coordinator, as Kafka's GroupCoordinator / GroupMetadataManager keep one group
// with one member: each JoinGroup completes a rebalance at once (there is nobody else to
// wait for) and starts a new generation, so a restarted or rejoining member fences the
// generation it had before. Offsets are stored with the generation check of
// GroupCoordinator.handleCommitOffsets; transactional offsets (KIP-98/447) wait, per
// producer id, for the transaction's marker (GroupMetadata.pendingTransactionalOffsetCommits).
//
// The coordinator records `commit` / `commit_complete` itself: a commit takes effect here,
// under this lock, and a crash of the consumer after that moment must find it in the trace.
#include "impl/coordinator/group_coordinator.h"

#include <map>
#include <mutex>
#include <type_traits>
#include <variant>

namespace kdc::impl {

class GroupCoordinator::Impl {
 public:
  Impl(const Env& env, int64_t initial_committed_offset)
      : env_(env), committed_offset_(initial_committed_offset) {
    actor_ = env_.runtime.spawn("group-coordinator");
    env_.network.attach(
        kGroupCoordinator, actor_, [this](Message m) { handle(std::move(m)); },
        [](NodeId) {});
  }

  ~Impl() {
    env_.runtime.stop(actor_);
    env_.network.detach(kGroupCoordinator);
  }

  void rebalance() {
    std::lock_guard<std::mutex> g(mu_);
    // PreparingRebalance without the member: its generation is over until it joins again.
    ++generation_;
    member_ = -1;
  }

  void lose_offsets() {
    std::lock_guard<std::mutex> g(mu_);
    committed_offset_ = -1;
    committed_epoch_ = -1;
  }

  int64_t committed_offset() const {
    std::lock_guard<std::mutex> g(mu_);
    return committed_offset_;
  }

  int32_t generation() const {
    std::lock_guard<std::mutex> g(mu_);
    return generation_;
  }

 private:
  void handle(Message m) {
    const NodeId from = m.from;
    std::visit(
        [&](auto& req) {
          using T = std::decay_t<decltype(req)>;
          if constexpr (std::is_same_v<T, JoinGroupRequest>) {
            on_join(from, req);
          } else if constexpr (std::is_same_v<T, HeartbeatRequest>) {
            on_heartbeat(from, req);
          } else if constexpr (std::is_same_v<T, OffsetCommitRequest>) {
            on_offset_commit(from, req);
          } else if constexpr (std::is_same_v<T, OffsetFetchRequest>) {
            on_offset_fetch(from, req);
          } else if constexpr (std::is_same_v<T, TxnOffsetCommitRequest>) {
            on_txn_offset_commit(from, req);
          } else if constexpr (std::is_same_v<T, WriteTxnMarkersRequest>) {
            on_write_txn_markers(from, req);
          }
          // Anything else is not addressed to a group coordinator: ignored.
        },
        m.payload);
  }

  void on_join(NodeId from, const JoinGroupRequest& req) {
    std::lock_guard<std::mutex> g(mu_);
    ++generation_;
    member_ = from;
    env_.network.send(kGroupCoordinator, from,
                      JoinGroupResponse{req.correlation_id, Error::kNone, generation_});
  }

  bool current_member_locked(NodeId from, int32_t generation) const {
    return member_ == from && generation == generation_;
  }

  void on_heartbeat(NodeId from, const HeartbeatRequest& req) {
    std::lock_guard<std::mutex> g(mu_);
    Error e = Error::kNone;
    if (!current_member_locked(from, req.generation)) {
      // A member whose generation ended learns it from its heartbeat and rejoins.
      e = req.generation < generation_ ? Error::kRebalanceInProgress : Error::kIllegalGeneration;
    }
    env_.network.send(kGroupCoordinator, from, HeartbeatResponse{req.correlation_id, e});
  }

  void on_offset_commit(NodeId from, const OffsetCommitRequest& req) {
    std::lock_guard<std::mutex> g(mu_);
    // A commit still on the wire when its consumer died is lost with it (the model's
    // ConsumerCrash loses the in-flight commit): it would otherwise take effect, and be
    // recorded, after the crash.
    if (!env_.network.attached(from)) return;
    const bool ok = current_member_locked(from, req.generation);
    if (ok) {
      committed_offset_ = req.offset;
      committed_epoch_ = req.leader_epoch;
    }
    Event e;
    e.offset = static_cast<int32_t>(req.offset);
    switch (req.kind) {
      case CommitKind::kSync:
        e.type = EventType::kCommit;
        e.result = ok ? Result::kCommitSync : Result::kCommitFailed;
        env_.trace.record(e);
        break;
      case CommitKind::kAsync:
        e.type = EventType::kCommitComplete;
        e.result = ok ? Result::kCommitAsync : Result::kCommitFailed;
        env_.trace.record(e);
        break;
      case CommitKind::kAuto:
        // A refused auto-commit changes nothing and the client only logs it (kafka-facts §8).
        if (ok) {
          e.type = EventType::kCommit;
          e.result = Result::kAutoCommit;
          env_.trace.record(e);
        }
        break;
    }
    env_.network.send(kGroupCoordinator, from,
                      OffsetCommitResponse{req.correlation_id,
                                           ok ? Error::kNone : Error::kIllegalGeneration});
  }

  void on_offset_fetch(NodeId from, const OffsetFetchRequest& req) {
    std::lock_guard<std::mutex> g(mu_);
    env_.network.send(kGroupCoordinator, from,
                      OffsetFetchResponse{req.correlation_id, Error::kNone, committed_offset_,
                                          committed_epoch_});
  }

  void on_txn_offset_commit(NodeId from, const TxnOffsetCommitRequest& req) {
    std::lock_guard<std::mutex> g(mu_);
    Error e = Error::kNone;
    // KIP-447: a processor whose consumer generation was fenced must not commit input
    // offsets; generation -1 is a producer that sends no group metadata (before 2.5).
    if (req.generation >= 0 && req.generation != generation_) {
      e = Error::kIllegalGeneration;
    } else {
      pending_txn_offsets_[req.producer_id] = req.offset;
    }
    env_.network.send(kGroupCoordinator, from, TxnOffsetCommitResponse{req.correlation_id, e});
  }

  void on_write_txn_markers(NodeId from, const WriteTxnMarkersRequest& req) {
    std::lock_guard<std::mutex> g(mu_);
    auto it = pending_txn_offsets_.find(req.producer_id);
    if (it != pending_txn_offsets_.end()) {
      if (req.commit) {
        committed_offset_ = it->second;
        committed_epoch_ = -1;  // TxnOffsetCommit carries no leader epoch here
      }
      pending_txn_offsets_.erase(it);
    }
    env_.network.send(kGroupCoordinator, from,
                      WriteTxnMarkersResponse{req.correlation_id, Error::kNone, -1});
  }

  Env env_;
  ActorId actor_ = -1;
  mutable std::mutex mu_;
  int32_t generation_ = 0;  // the first JoinGroup makes generation 1
  NodeId member_ = -1;      // the member of the current generation; -1 while rebalancing
  int64_t committed_offset_ = -1;
  int32_t committed_epoch_ = -1;
  std::map<int64_t, int64_t> pending_txn_offsets_;  // producer id -> input offset
};

GroupCoordinator::GroupCoordinator(const Env& env, int64_t initial_committed_offset)
    : impl_(std::make_unique<Impl>(env, initial_committed_offset)) {}
GroupCoordinator::~GroupCoordinator() = default;
void GroupCoordinator::rebalance() { impl_->rebalance(); }
void GroupCoordinator::lose_offsets() { impl_->lose_offsets(); }
int64_t GroupCoordinator::committed_offset() const { return impl_->committed_offset(); }
int32_t GroupCoordinator::generation() const { return impl_->generation(); }

}  // namespace kdc::impl
