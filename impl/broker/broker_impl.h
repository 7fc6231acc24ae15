// Broker::Impl: the state of one broker process and the methods of its threads, split by
// concern over broker.cc (lifecycle, request dispatch, leadership, ISR, serving fetches),
// produce_handler.cc (Produce, WriteTxnMarkers, the purgatory) and replica_fetcher.cc (the
// follower: reconciliation and the fetch loop).
//
// Threads (actors): "network" reads requests and responses (the Network's reader actor;
// KafkaRequestHandler), "fetcher" is the ReplicaFetcherThread, "scheduler" runs the
// heartbeat and the ISR check. One mutex guards all state; trace events are recorded
// under it, in the critical section of their step.
//
// A connection is muted after a request is read until its response is sent
// (SocketServer's selector.mute), so a client's next request waits while one sits in the
// purgatory or in transaction verification.
#ifndef KDC_IMPL_BROKER_BROKER_IMPL_H_
#define KDC_IMPL_BROKER_BROKER_IMPL_H_

#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "impl/broker/broker.h"
#include "impl/broker/delayed_produce.h"
#include "impl/broker/partition_log.h"
#include "impl/broker/producer_state.h"
#include "impl/protocol/message.h"

namespace kdc::impl {

class Broker::Impl {
 public:
  Impl(const Env& env, NodeId id, Disk& disk, int64_t incarnation);
  ~Impl();
  void crash();
  View view() const;

 private:
  struct Connection {
    uint64_t id = 0;  // bumped when the connection breaks
    bool muted = false;
    std::deque<Message> unread;
  };
  // The leader's view of one follower (Kafka's Replica / ReplicaState).
  struct FollowerState {
    int64_t log_end_offset = -1;  // its last fetch offset; -1 unknown
    Millis last_caught_up = 0;
    Millis last_fetch_time = 0;
    int64_t last_fetch_leader_leo = -1;
  };
  struct PendingAlter {
    AlterPartitionRequest request;
  };
  // KIP-890: a transactional Produce waiting for the coordinator's verification.
  struct PendingVerification {
    NodeId from = -1;
    uint64_t connection = 0;
    ProduceRequest request;
  };
  struct VerificationGuard {
    int64_t token = 0;
    bool verified = false;
  };
  enum class FetcherState { kIdle, kTruncating, kFetching };

  // --- broker.cc
  void start();
  void on_message(Message m);
  void on_disconnect(NodeId peer);
  void handle_request_locked(const Message& m);
  void mute_locked(NodeId peer) { conns_[peer].muted = true; }
  void unmute_locked(NodeId peer, uint64_t connection);
  void drain_unread(NodeId peer);
  bool is_request(const Payload& p) const;
  void send_locked(NodeId to, Payload p);
  void record_locked(Event e);

  void heartbeat();
  void isr_check();
  void apply_leader_and_isr_locked(const LeaderAndIsr& s);
  void become_leader_locked(const LeaderAndIsr& s, bool record);
  void become_follower_locked(const LeaderAndIsr& s, bool record);
  void resign_locked();
  void on_alter_partition_response_locked(const AlterPartitionResponse& r);
  void confirm_isr_change_locked(const std::vector<NodeId>& new_isr, int32_t partition_epoch);
  void maybe_expand_isr_locked(NodeId follower, int64_t fetch_offset);
  void maybe_advance_high_watermark_locked();
  bool under_min_isr_locked() const;
  int64_t last_stable_offset_locked() const;

  void handle_fetch_locked(const Message& m, const FetchRequest& req);
  // The response to a fetch as the log is now (records, high watermark, LSO, aborted).
  FetchResponse read_for_fetch_locked(const FetchRequest& req);
  // DelayedFetch: a follower fetch with nothing to return waits (replica.fetch.wait.max.ms)
  // until the leader's log grows, so replication costs no polling delay.
  void complete_delayed_fetches_locked();
  void on_fetch_wait_expired(NodeId follower, uint64_t key);
  void handle_offsets_for_leader_epoch_locked(const Message& m, const OffsetsForLeaderEpochRequest& req);
  void handle_list_offsets_locked(const Message& m, const ListOffsetsRequest& req);
  void handle_metadata_locked(const Message& m, const MetadataRequest& req);
  Error check_epoch_locked(int32_t current_leader_epoch) const;

  // --- produce_handler.cc
  // True if the request waits (purgatory or verification) with its connection muted.
  bool handle_produce_locked(NodeId from, uint64_t connection, const ProduceRequest& req,
                             bool after_verification);
  void reject_produce_locked(NodeId from, const ProduceRequest& req, Error error, Result result);
  void on_verification_response_locked(const AddPartitionsToTxnResponse& r);
  void fail_verifications_locked();
  void handle_write_txn_markers_locked(const Message& m, const WriteTxnMarkersRequest& req);
  void complete_delayed_locked();
  void finish_delayed_locked(DelayedOperation& op, Error error);
  void on_produce_timeout(uint64_t key);

  // --- replica_fetcher.cc
  void fetcher_run(uint64_t generation);
  void fetcher_schedule_locked(Millis delay);
  void on_fetch_response_locked(const FetchResponse& r);
  void on_epoch_response_locked(const OffsetsForLeaderEpochResponse& r);
  void on_fetcher_timeout(uint64_t generation, int64_t correlation_id);
  void finish_truncation_locked(int64_t point);
  void fetcher_backoff_locked();

  const Env env_;
  const NodeId id_;
  Disk& disk_;
  const int64_t incarnation_;
  ActorId reader_ = -1;
  ActorId fetcher_ = -1;
  ActorId scheduler_ = -1;

  mutable std::mutex mu_;
  bool dead_ = false;
  PartitionLog log_;
  ProducerStateManager producers_;
  std::map<NodeId, Connection> conns_;
  int64_t next_correlation_ = 1;

  // The metadata cache: the partition state this broker last learned from the controller.
  LeaderAndIsr known_;
  bool is_leader_ = false;
  int32_t leader_epoch_ = -1;
  NodeId leader_id_ = -1;
  std::vector<NodeId> isr_;

  // Leader.
  std::map<NodeId, FollowerState> followers_;
  std::optional<PendingAlter> pending_alter_;
  Purgatory purgatory_;
  struct DelayedFetch {
    uint64_t key = 0;
    uint64_t connection = 0;
    FetchRequest request;
    TimerId timer = 0;
  };
  std::map<NodeId, DelayedFetch> delayed_fetches_;  // by follower
  uint64_t next_delayed_fetch_ = 1;
  std::map<int64_t, PendingVerification> verifications_;  // by correlation id
  std::map<int64_t, VerificationGuard> guards_;            // by producer id

  // Follower (the replica fetcher).
  FetcherState fetch_state_ = FetcherState::kIdle;
  uint64_t fetch_generation_ = 0;  // bumped on every role change: stale responses are ignored
  int64_t fetch_inflight_ = 0;     // correlation id of the outstanding request, 0 if none
  bool fetch_scheduled_ = false;
  int64_t probe_end_ = 0;          // KIP-279: the log end the reconciliation has reached so far
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_BROKER_BROKER_IMPL_H_
