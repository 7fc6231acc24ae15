// KafkaConsumer: one network thread (the "io" actor: Kafka's ConsumerNetworkClient, which the
// classic consumer drives from poll() and its heartbeat thread) and the application's thread,
// on which every answer is delivered.
//
// poll() is a small state machine run on the io actor, one request at a time, in the order
// ClassicKafkaConsumer.poll → updateAssignmentMetadataIfNeeded → pollForFetches takes its
// steps: (re)join the group and fetch the committed offset, auto-commit, refresh metadata,
// reset or validate the position, fetch. A hiccup (an error, a lost request) ends the poll()
// with no records, as Kafka's poll(timeout) returns empty; the next poll() goes on from the
// state reached.
#include "impl/consumer/kafka_consumer.h"

#include <map>
#include <mutex>
#include <type_traits>
#include <utility>
#include <variant>

#include "impl/consumer/consumer_coordinator.h"
#include "impl/consumer/fetcher.h"
#include "impl/consumer/subscription_state.h"

namespace kdc::impl {
namespace {

// request.timeout.ms, the consumer's default since 2.0. A request to a broker that died or
// is unreachable is only ever answered by this timer (the network drops it silently).
constexpr Millis kRequestTimeoutMs = 30000;

int64_t correlation_of(const Payload& p) {
  return std::visit(
      [](const auto& m) -> int64_t {
        if constexpr (requires { m.correlation_id; }) {
          return m.correlation_id;
        } else {
          return -1;
        }
      },
      p);
}

int8_t as_broker(NodeId n) { return static_cast<int8_t>(n); }
int32_t as_offset(int64_t o) { return static_cast<int32_t>(o); }

}  // namespace

class KafkaConsumer::Impl {
 public:
  using PollDone = std::function<void(Error, std::vector<Record>)>;
  // Runs on the io actor without the lock; `response` is null when the request failed (the
  // connection broke, or request.timeout.ms passed).
  using Continuation = std::function<void(Payload* response)>;

  Impl(const Env& env, int instance, ActorId app_actor)
      : env_(env),
        node_(kConsumerBase + instance),
        app_actor_(app_actor),
        kip320_(env.config.version >= KafkaVersion{2, 1, 0}),
        isolation_(env.config.reader_isolation() == Isolation::kReadCommitted
                       ? IsolationLevel::kReadCommitted
                       : IsolationLevel::kReadUncommitted),
        // With offsets in the sink Kafka holds none for this consumer (Config::offsets_in_sink).
        auto_commit_(env.config.enable_auto_commit && !env.config.offsets_in_sink()) {
    io_ = env_.runtime.spawn("consumer-" + std::to_string(instance) + "/io");
    env_.network.attach(
        node_, io_, [this](Message m) { handle(std::move(m)); },
        [this](NodeId peer) { on_disconnect(peer); });
  }

  ~Impl() { crash(); }

  void crash() {
    {
      std::lock_guard<std::mutex> g(mu_);
      if (crashed_) return;
      crashed_ = true;
      poll_done_ = nullptr;
    }
    env_.runtime.stop(io_);
    env_.network.detach(node_);
  }

  void poll(PollDone done) {
    std::lock_guard<std::mutex> g(mu_);
    if (crashed_) return;
    poll_done_ = std::move(done);
    env_.runtime.post(io_, [this] { advance(); });
  }

  void commit(int64_t offset, int32_t leader_epoch, CommitKind kind,
              std::function<void(Error)> done) {
    std::lock_guard<std::mutex> g(mu_);
    if (crashed_) return;
    if (kind == CommitKind::kAsync) {
      Event e;
      e.type = EventType::kCommit;
      e.offset = as_offset(offset);
      e.result = Result::kCommitAsync;
      env_.trace.record(e);
      ++async_in_flight_;
    }
    const int64_t corr = next_correlation_++;
    send_locked(kGroupCoordinator,
                OffsetCommitRequest{corr, coord_.generation(), offset, leader_epoch, kind}, corr,
                [this, kind, done = std::move(done)](Payload* p) {
                  std::lock_guard<std::mutex> g(mu_);
                  Error e = p ? std::get<OffsetCommitResponse>(*p).error
                              : Error::kNetworkException;
                  if (ConsumerCoordinator::is_fencing(e)) {
                    coord_.fenced();
                    e = Error::kIllegalGeneration;  // CommitFailedException
                  }
                  if (kind == CommitKind::kAsync) {
                    --async_in_flight_;
                    // A rejoin may have been waiting for the commit to settle.
                    if (poll_done_) env_.runtime.post(io_, [this] { advance(); });
                  }
                  if (done) env_.runtime.post(app_actor_, [done, e] { done(e); });
                });
  }

  void seek(int64_t offset) {
    std::lock_guard<std::mutex> g(mu_);
    subs_.seek_unvalidated(offset, -1);
  }

  int64_t position() const {
    std::lock_guard<std::mutex> g(mu_);
    return subs_.has_position() ? subs_.position() : -1;
  }
  int32_t position_epoch() const {
    std::lock_guard<std::mutex> g(mu_);
    return subs_.has_position() ? subs_.offset_epoch() : -1;
  }
  int32_t generation() const {
    std::lock_guard<std::mutex> g(mu_);
    return coord_.generation();
  }
  bool stopped() const {
    std::lock_guard<std::mutex> g(mu_);
    return subs_.stopped();
  }
  void on_assigned_seek(std::function<int64_t()> stored) {
    std::lock_guard<std::mutex> g(mu_);
    stored_offset_ = std::move(stored);
  }
  void assign_manually() {
    std::lock_guard<std::mutex> g(mu_);
    group_ = false;
  }

 private:
  struct InFlight {
    NodeId to = -1;
    TimerId timer = 0;
    Continuation k;
  };

  // ---- Requests and responses (io actor) ----

  void send_locked(NodeId to, Payload payload, int64_t corr, Continuation k) {
    TimerId timer = env_.runtime.after(io_, kRequestTimeoutMs, [this, corr] { fail(corr); });
    inflight_[corr] = InFlight{to, timer, std::move(k)};
    env_.network.send(node_, to, std::move(payload));
  }

  void handle(Message m) {
    const int64_t corr = correlation_of(m.payload);
    Continuation k;
    {
      std::lock_guard<std::mutex> g(mu_);
      auto it = inflight_.find(corr);
      if (it == inflight_.end() || it->second.to != m.from) return;  // late: already failed
      env_.runtime.cancel(it->second.timer);
      k = std::move(it->second.k);
      inflight_.erase(it);
    }
    k(&m.payload);
  }

  void fail(int64_t corr) {
    Continuation k;
    {
      std::lock_guard<std::mutex> g(mu_);
      auto it = inflight_.find(corr);
      if (it == inflight_.end()) return;
      k = std::move(it->second.k);
      inflight_.erase(it);
    }
    k(nullptr);
  }

  // NetworkClient fails every request it awaited on a broken connection.
  void on_disconnect(NodeId peer) {
    std::vector<Continuation> failed;
    {
      std::lock_guard<std::mutex> g(mu_);
      for (auto it = inflight_.begin(); it != inflight_.end();) {
        if (it->second.to == peer) {
          env_.runtime.cancel(it->second.timer);
          failed.push_back(std::move(it->second.k));
          it = inflight_.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (auto& k : failed) k(nullptr);
  }

  // ---- poll() ----

  void advance() {
    std::lock_guard<std::mutex> g(mu_);
    if (crashed_ || !poll_done_ || poll_waiting_) return;
    if (subs_.stopped()) {
      finish_poll_locked(Error::kOffsetOutOfRange, {});
      return;
    }
    if (group_) {
      switch (coord_.state()) {
        case ConsumerCoordinator::MemberState::kUnjoined:
          // A fenced member rejoins once its async commit settled (the commit's completion
          // calls advance() again).
          if (async_in_flight_ > 0) return;
          join_locked();
          return;
        case ConsumerCoordinator::MemberState::kJoining:
        case ConsumerCoordinator::MemberState::kAssigning:
          return;
        case ConsumerCoordinator::MemberState::kStable:
          break;
      }
      maybe_auto_commit_locked();
    } else if (!assigned_) {
      assigned_ = true;
      assign_locked(stored_offset_ ? stored_offset_() : -1, -1);
    }
    if (leader_ < 0 || metadata_stale_) {
      metadata_locked();
      return;
    }
    subs_.update_leader_epoch(leader_epoch_, kip320_);
    switch (subs_.state()) {
      case SubscriptionState::FetchState::kInitializing:
        return;
      case SubscriptionState::FetchState::kAwaitReset:
        reset_locked();
        return;
      case SubscriptionState::FetchState::kAwaitValidation:
        validate_locked();
        return;
      case SubscriptionState::FetchState::kFetching:
        fetch_locked();
        return;
    }
  }

  void continue_poll_locked() { env_.runtime.post(io_, [this] { advance(); }); }

  void finish_poll_locked(Error e, std::vector<Record> records) {
    PollDone done = std::move(poll_done_);
    poll_done_ = nullptr;
    if (!done) return;
    env_.runtime.post(app_actor_, [done = std::move(done), e, r = std::move(records)]() mutable {
      done(e, std::move(r));
    });
  }

  // JoinGroup, then (onJoinComplete) the starting offset: the group's committed offset, or
  // the one the application keeps itself.
  void join_locked() {
    coord_.join_sent();
    poll_waiting_ = true;
    const int64_t corr = next_correlation_++;
    send_locked(kGroupCoordinator, JoinGroupRequest{corr}, corr, [this](Payload* p) {
      std::lock_guard<std::mutex> g(mu_);
      poll_waiting_ = false;
      const JoinGroupResponse* r = p ? std::get_if<JoinGroupResponse>(p) : nullptr;
      if (!r || r->error != Error::kNone) {
        coord_.join_failed();
        finish_poll_locked(Error::kNone, {});
        return;
      }
      coord_.joined(r->generation);
      schedule_heartbeat_locked();
      if (stored_offset_) {
        assign_locked(stored_offset_(), -1);
        continue_poll_locked();
        return;
      }
      poll_waiting_ = true;
      const int64_t corr2 = next_correlation_++;
      send_locked(kGroupCoordinator, OffsetFetchRequest{corr2}, corr2, [this](Payload* p2) {
        std::lock_guard<std::mutex> g2(mu_);
        poll_waiting_ = false;
        const OffsetFetchResponse* f = p2 ? std::get_if<OffsetFetchResponse>(p2) : nullptr;
        if (!f || f->error != Error::kNone) {
          // Joined, but the starting offset is unknown: fetch it again with a new join.
          coord_.join_failed();
          finish_poll_locked(Error::kNone, {});
          return;
        }
        assign_locked(f->offset, f->leader_epoch);
        continue_poll_locked();
      });
    });
  }

  void assign_locked(int64_t offset, int32_t offset_epoch) {
    const bool rejoin = group_ && coord_.joined_before();
    if (group_) coord_.assigned();
    coord_.committed(offset);
    coord_.start_auto_commit_timer(env_.runtime.now(), env_.timings.auto_commit_interval_ms);
    subs_.assign();
    if (offset >= 0) {
      subs_.seek_unvalidated(offset, offset_epoch);
    } else {
      subs_.request_reset();
    }
    if (rejoin) {
      Event e;
      e.type = EventType::kConsumerRejoin;
      e.offset = as_offset(offset);
      env_.trace.record(e);
    }
  }

  void schedule_heartbeat_locked() {
    const int32_t generation = coord_.generation();
    env_.runtime.after(io_, env_.timings.group_heartbeat_interval_ms,
                       [this, generation] { heartbeat(generation); });
  }

  void heartbeat(int32_t generation) {
    std::lock_guard<std::mutex> g(mu_);
    if (crashed_ || coord_.generation() != generation ||
        coord_.state() == ConsumerCoordinator::MemberState::kUnjoined) {
      return;  // this generation is over; the next join starts a new heartbeat
    }
    const int64_t corr = next_correlation_++;
    send_locked(kGroupCoordinator, HeartbeatRequest{corr, generation}, corr,
                [this, generation](Payload* p) {
                  std::lock_guard<std::mutex> g2(mu_);
                  const HeartbeatResponse* r = p ? std::get_if<HeartbeatResponse>(p) : nullptr;
                  if (r && ConsumerCoordinator::is_fencing(r->error) &&
                      coord_.generation() == generation) {
                    coord_.fenced();
                  }
                });
    schedule_heartbeat_locked();
  }

  // maybeAutoCommitOffsetsAsync: the positions of records returned by earlier polls.
  void maybe_auto_commit_locked() {
    if (!auto_commit_ || !subs_.has_position()) return;
    const Millis now = env_.runtime.now();
    if (!coord_.auto_commit_due(now, subs_.position())) return;
    coord_.auto_commit_sent(now, env_.timings.auto_commit_interval_ms, subs_.position());
    const int64_t corr = next_correlation_++;
    send_locked(kGroupCoordinator,
                OffsetCommitRequest{corr, coord_.generation(), subs_.position(),
                                    subs_.offset_epoch(), CommitKind::kAuto},
                corr, [this](Payload* p) {
                  std::lock_guard<std::mutex> g(mu_);
                  const OffsetCommitResponse* r =
                      p ? std::get_if<OffsetCommitResponse>(p) : nullptr;
                  if (r && ConsumerCoordinator::is_fencing(r->error)) coord_.fenced();
                });
  }

  // Brokers 0 .. replication.factor-1 in turn, as the bootstrap list.
  void metadata_locked() {
    const int brokers = std::max(1, env_.config.replication_factor);
    const NodeId broker = next_metadata_broker_++ % brokers;
    poll_waiting_ = true;
    const int64_t corr = next_correlation_++;
    send_locked(broker, MetadataRequest{corr}, corr, [this](Payload* p) {
      std::lock_guard<std::mutex> g(mu_);
      poll_waiting_ = false;
      const MetadataResponse* r = p ? std::get_if<MetadataResponse>(p) : nullptr;
      // KIP-320: metadata from a broker that knows an older epoch than we do is ignored
      // (Metadata.updateLatestMetadata); before 2.1 the last answer wins.
      if (!r || r->leader < 0 || (kip320_ && r->leader_epoch < leader_epoch_)) {
        finish_poll_locked(Error::kNone, {});
        return;
      }
      leader_ = r->leader;
      leader_epoch_ = r->leader_epoch;
      metadata_stale_ = false;
      continue_poll_locked();
    });
  }

  void stop_locked(Event e) {
    env_.trace.record(e);
    subs_.stop();
    finish_poll_locked(Error::kOffsetOutOfRange, {});
  }

  // auto.offset.reset (Fetcher.resetPositionsIfNeeded / OffsetFetcher.resetPositionsAsync).
  void reset_locked() {
    const OffsetReset policy = env_.config.auto_offset_reset;
    if (policy == OffsetReset::kNone) {
      Event e;
      e.type = EventType::kOffsetReset;
      e.broker = as_broker(leader_);
      e.result = Result::kNoReset;
      stop_locked(e);  // NoOffsetForPartitionException
      return;
    }
    const NodeId broker = leader_;
    const int32_t epoch = leader_epoch_;
    poll_waiting_ = true;
    const int64_t corr = next_correlation_++;
    send_locked(broker,
                ListOffsetsRequest{corr, policy == OffsetReset::kEarliest ? -2 : -1, isolation_},
                corr, [this, broker, epoch, policy](Payload* p) {
                  std::lock_guard<std::mutex> g(mu_);
                  poll_waiting_ = false;
                  const ListOffsetsResponse* r =
                      p ? std::get_if<ListOffsetsResponse>(p) : nullptr;
                  if (!r || r->error != Error::kNone || r->offset < 0) {
                    metadata_stale_ = true;
                    finish_poll_locked(Error::kNone, {});
                    return;
                  }
                  if (subs_.state() != SubscriptionState::FetchState::kAwaitReset) {
                    continue_poll_locked();
                    return;
                  }
                  // No record precedes offset 0, so there is no epoch to validate it by.
                  subs_.seek_validated(r->offset, r->offset > 0 ? r->leader_epoch : -1, epoch);
                  Event e;
                  e.type = EventType::kOffsetReset;
                  e.broker = as_broker(broker);
                  e.offset = as_offset(r->offset);
                  e.result = policy == OffsetReset::kEarliest ? Result::kEarliest : Result::kLatest;
                  env_.trace.record(e);
                  continue_poll_locked();
                });
  }

  // KIP-320 (SubscriptionState.maybeValidatePositionForCurrentLeader / maybeCompleteValidation).
  void validate_locked() {
    const NodeId broker = leader_;
    const int32_t epoch = leader_epoch_;
    if (subs_.offset_epoch() < 0) {
      // Nothing known about the record before the position: nothing to check.
      subs_.complete_validation(subs_.position(), -1, epoch);
      record_validation_locked(broker, epoch, subs_.position());
      continue_poll_locked();
      return;
    }
    poll_waiting_ = true;
    const int64_t corr = next_correlation_++;
    send_locked(
        broker, OffsetsForLeaderEpochRequest{corr, -1, epoch, subs_.offset_epoch()}, corr,
        [this, broker, epoch](Payload* p) {
          std::lock_guard<std::mutex> g(mu_);
          poll_waiting_ = false;
          const OffsetsForLeaderEpochResponse* r =
              p ? std::get_if<OffsetsForLeaderEpochResponse>(p) : nullptr;
          if (!r || r->error != Error::kNone) {
            metadata_stale_ = true;
            finish_poll_locked(Error::kNone, {});
            return;
          }
          if (subs_.state() != SubscriptionState::FetchState::kAwaitValidation) {
            continue_poll_locked();
            return;
          }
          int64_t end = r->end_offset;
          int32_t end_epoch = r->leader_epoch;
          if (end < 0) {
            // The leader has no such epoch at all: its log was truncated to its start.
            end = 0;
            end_epoch = -1;
          }
          const int64_t position = subs_.position();
          if (end < position) {
            if (env_.config.auto_offset_reset == OffsetReset::kNone) {
              Event e;
              e.type = EventType::kValidatePosition;
              e.broker = as_broker(broker);
              e.leader_epoch = epoch;
              e.offset = as_offset(position);
              stop_locked(e);  // LogTruncationException
              return;
            }
            subs_.complete_validation(end, end_epoch, epoch);
          } else {
            subs_.complete_validation(position, subs_.offset_epoch(), epoch);
          }
          record_validation_locked(broker, epoch, subs_.position());
          continue_poll_locked();
        });
  }

  void record_validation_locked(NodeId broker, int32_t epoch, int64_t offset) {
    Event e;
    e.type = EventType::kValidatePosition;
    e.broker = as_broker(broker);
    e.leader_epoch = epoch;
    e.offset = as_offset(offset);
    env_.trace.record(e);
  }

  void fetch_locked() {
    const NodeId broker = leader_;
    const int32_t epoch = leader_epoch_;
    const int64_t fetch_offset = subs_.position();
    FetchRequest req;
    req.correlation_id = next_correlation_++;
    req.replica_id = -1;
    req.fetch_offset = fetch_offset;
    req.current_leader_epoch = kip320_ ? epoch : -1;
    req.max_records = env_.timings.max_poll_records;
    req.isolation = isolation_;
    poll_waiting_ = true;
    const int64_t corr = req.correlation_id;
    send_locked(broker, req, corr, [this, broker, epoch, fetch_offset](Payload* p) {
      std::lock_guard<std::mutex> g(mu_);
      poll_waiting_ = false;
      const FetchResponse* r = p ? std::get_if<FetchResponse>(p) : nullptr;
      const Error err = r ? r->error : Error::kNetworkException;
      if (err == Error::kOffsetOutOfRange) {
        // Past the leader's log end (before 2.1, how a truncation shows): reset, still
        // inside this poll().
        subs_.request_reset();
        continue_poll_locked();
        return;
      }
      if (err != Error::kNone) {
        // NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH, a broken
        // connection: find the leader again.
        metadata_stale_ = true;
        finish_poll_locked(Error::kNone, {});
        return;
      }
      if (subs_.state() != SubscriptionState::FetchState::kFetching ||
          subs_.position() != fetch_offset) {
        finish_poll_locked(Error::kNone, {});  // the position moved meanwhile (seek)
        return;
      }
      CompletedFetch f = complete_fetch(*r, fetch_offset, isolation_);
      if (f.next_offset <= fetch_offset) {
        finish_poll_locked(Error::kNone, {});
        return;
      }
      subs_.seek_validated(f.next_offset, f.next_offset_epoch, epoch);
      Event e;
      e.type = EventType::kPoll;
      e.broker = as_broker(broker);
      e.offset = as_offset(fetch_offset);
      e.count = static_cast<int32_t>(f.records.size());
      env_.trace.record(e);
      finish_poll_locked(Error::kNone, std::move(f.records));
    });
  }

  Env env_;
  const NodeId node_;
  const ActorId app_actor_;
  ActorId io_ = -1;
  const bool kip320_;
  const IsolationLevel isolation_;
  const bool auto_commit_;

  mutable std::mutex mu_;
  bool crashed_ = false;
  bool group_ = true;      // subscribe(); false: assign()
  bool assigned_ = false;  // assign(): the starting offset was taken
  std::function<int64_t()> stored_offset_;

  NodeId leader_ = -1;
  int32_t leader_epoch_ = -1;
  bool metadata_stale_ = true;
  int next_metadata_broker_ = 0;

  SubscriptionState subs_;
  ConsumerCoordinator coord_;
  int async_in_flight_ = 0;

  PollDone poll_done_;        // the poll() in progress
  bool poll_waiting_ = false; // one of its requests is in flight

  int64_t next_correlation_ = 1;
  std::map<int64_t, InFlight> inflight_;
};

KafkaConsumer::KafkaConsumer(const Env& env, int instance, ActorId app_actor)
    : impl_(std::make_unique<Impl>(env, instance, app_actor)) {}
KafkaConsumer::~KafkaConsumer() = default;
void KafkaConsumer::crash() { impl_->crash(); }
void KafkaConsumer::poll(std::function<void(Error, std::vector<Record>)> done) {
  impl_->poll(std::move(done));
}
void KafkaConsumer::commit_sync(int64_t offset, int32_t leader_epoch,
                                std::function<void(Error)> done) {
  impl_->commit(offset, leader_epoch, CommitKind::kSync, std::move(done));
}
void KafkaConsumer::commit_async(int64_t offset, int32_t leader_epoch,
                                 std::function<void(Error)> done) {
  impl_->commit(offset, leader_epoch, CommitKind::kAsync, std::move(done));
}
void KafkaConsumer::seek(int64_t offset) { impl_->seek(offset); }
int64_t KafkaConsumer::position() const { return impl_->position(); }
int32_t KafkaConsumer::position_epoch() const { return impl_->position_epoch(); }
int32_t KafkaConsumer::generation() const { return impl_->generation(); }
bool KafkaConsumer::stopped() const { return impl_->stopped(); }
void KafkaConsumer::on_assigned_seek(std::function<int64_t()> stored) {
  impl_->on_assigned_seek(std::move(stored));
}
void KafkaConsumer::assign_manually() { impl_->assign_manually(); }

}  // namespace kdc::impl
