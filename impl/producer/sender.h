// The producer's sender thread (Sender.java with the NetworkClient parts it relies on):
// learns the leader (Metadata), sends coordinator requests one at a time, drains ready
// batches to the leader (max.in.flight.requests.per.connection per broker), reads the
// responses in order, and applies the retry rule (retries, retry.backoff.ms,
// request.timeout.ms, delivery.timeout.ms, idempotent sequence handling, KIP-360).
//
// Every step is taken on the sender's actor under the core's mutex, and recorded there.
// Its actor is also the producer's network reader.
#ifndef KDC_IMPL_PRODUCER_SENDER_H_
#define KDC_IMPL_PRODUCER_SENDER_H_

#include <deque>
#include <map>

#include "impl/producer/producer_core.h"

namespace kdc::impl {

class Sender {
 public:
  explicit Sender(ProducerCore& core);
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  // Spawns the sender's actor and attaches the producer's network node.
  void start();
  // The process died: the actor stops, the node detaches (its connections break).
  void crash();
  // Something changed on the application side: run the sender loop soon. Any thread.
  void wakeup();

  // A delivery-timeout fault: the batch holding record (msg, gen) — with msg < 0 the
  // oldest unacknowledged batch — reaches delivery.timeout.ms now, where it is: in the
  // accumulator it is dropped and never sent (RecordAccumulator.expiredBatches); in flight
  // (from 2.1, Sender.getExpiredInflightBatches) it fails while its request stays on the
  // connection, whose response is then ignored. Its callback gets the timeout. False if
  // there is no such batch (or it is in flight before 2.1). Any thread, synchronously.
  bool expire_now(int32_t msg, int8_t gen);

 private:
  struct InFlight {
    int64_t correlation_id = 0;
    BatchPtr batch;
    Millis sent_ms = 0;
  };
  enum class Fate : uint8_t { kAck, kRetry, kFail };
  struct Decision {
    Fate fate = Fate::kFail;
    Result outcome = Result::kNone;
    bool bump = false;      // KIP-360: a new producer id/epoch before the next drain
    bool fatal = false;     // transactional: fenced
  };

  void on_message(Message m);
  void on_disconnect(NodeId peer);

  // The sender loop (Sender.runOnce); the caller holds core_.mu.
  void run_locked();
  void expire_locked(Millis now, Millis* wake);
  void expire_batch_locked(const BatchPtr& b, NodeId broker, Millis now);
  void check_request_timeouts_locked(Millis now, Millis* wake);
  void maybe_metadata_locked(Millis now, Millis* wake);
  void maybe_transaction_progress_locked();
  void maybe_coordinator_request_locked(Millis now, Millis* wake);
  void drain_locked(Millis now);
  void schedule_locked(Millis now, Millis wake);

  void handle_produce_response_locked(NodeId broker, const ProduceResponse& r);
  void handle_metadata_response_locked(NodeId broker, const MetadataResponse& r);
  void handle_coordinator_response_locked(const Payload& p);

  // What the producer does with batch `b` failed by `error` (Sender.completeBatch/canRetry).
  Decision decide_locked(const ProducerBatch& b, Error error, Millis now) const;
  Result failure_outcome() const;
  // Carries out `d` for `b`: callbacks, re-enqueue, epoch bump, transaction errors. The
  // events are the caller's.
  void apply_locked(const BatchPtr& b, const Decision& d, Error error, int64_t base_offset,
                    Millis now);
  void fatal_locked(Error e);
  void coordinator_error_locked(Error e, bool fatal);
  void end_txn_done_locked(bool commit, int16_t new_epoch);
  bool produce_in_flight_locked() const;
  Event produce_event(EventType type, NodeId broker, const ProducerBatch& b, size_t i) const;

  ProducerCore& core_;
  ActorId actor_ = -1;
  int64_t next_correlation_ = 1;

  // Metadata: the leader the producer knows.
  NodeId leader_ = -1;
  int32_t leader_epoch_ = -1;
  bool metadata_wanted_ = true;
  int64_t metadata_corr_ = 0;  // 0: none in flight
  NodeId metadata_broker_ = -1;
  Millis metadata_deadline_ = 0;
  Millis metadata_retry_at_ = 0;
  Millis metadata_last_ms_ = 0;
  int metadata_next_ = 0;  // brokers are asked in turn

  std::map<NodeId, std::deque<InFlight>> in_flight_;

  Millis coordinator_retry_at_ = 0;
  bool init_queued_ = false;  // idempotent producer: InitProducerId queued or in flight

  // This loop (run_locked, Sender.runOnce) drained its partition's one batch; another was
  // ready, so the sender loops again at once.
  bool drained_this_loop_ = false;
  bool more_to_drain_ = false;

  TimerId wake_timer_ = 0;
  Millis wake_at_ = -1;
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_PRODUCER_SENDER_H_
