// The event vocabulary: every step of a run, whether taken by the model, performed by
// the implementation or read back from a trace, is one Event. Defined once here; the
// JSONL encoding (docs/trace-format.md) is the only wire form.
//
// An Event names the step (type), who took it, and the facts a reader needs to follow
// the story (which message, which offset, which error). Fields a type does not use stay
// at their "absent" value (-1 / kNone) and are not written to JSON.
#ifndef KDC_MODEL_VOCABULARY_EVENT_H_
#define KDC_MODEL_VOCABULARY_EVENT_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace kdc {

enum class EventType : uint8_t {
  // Producer: application thread, record accumulator, sender (I/O) thread.
  kSend,             // app calls send(msg): the record enters the accumulator
  kProduceRequest,   // sender drains a batch and sends Produce to `broker`
  kProduceResponse,  // sender reads the response; `outcome` says what the producer did
  kMetadataUpdate,   // producer learns that `broker` leads the partition
  // Broker: partition leader and followers.
  kHandleProduce,    // leader `broker` handles Produce: `result` appended/duplicate/rejected
  kProduceComplete,  // delayed acks=all produce completes (HW reached, or error)
  kFetch,            // follower `broker` fetches from leader `peer`, appends `count` records
  kTruncate,         // follower `broker` truncates its log to `offset`
  kIsrShrink,        // leader `broker` removes `peer` from the ISR (lagging)
  kIsrExpand,        // leader `broker` adds `peer` back to the ISR (caught up)
  kWriteback,        // the OS writes `broker`'s page cache to disk up to `offset`
  kBrokerRestart,    // `broker` process starts again
  kNetworkHeal,      // `broker` can reach the controller and the other brokers again
  // Controller.
  kFenceBroker,      // controller fences `broker` (missed heartbeats); leaves ISR unless last
  kUnfenceBroker,    // controller unfences `broker` after it registers again
  kElectLeader,      // controller elects `broker` leader in `leader_epoch` (`result`: clean/unclean/elr)
  kLeaderAndIsr,     // `broker` learns `leader_epoch` and its role (leader or follower)
  // Consumer application and its sink.
  kPoll,             // consumer fetches `count` records from `offset` on leader `broker`
  kProcess,          // the sink applies record `msg` read at `offset`
  kCommit,           // consumer commits `offset` (`result`: auto/sync/async, or failed)
  kCommitComplete,   // an async commit of `offset` lands at the group coordinator
  kOffsetReset,      // auto.offset.reset moves the position to `offset`
  kConsumerRejoin,   // after a rebalance the consumer rejoins and resumes from the committed offset
  kValidatePosition, // (2.1+, KIP-320) consumer checks its position against leader `broker`'s
                     // epoch `leader_epoch`; a truncated log rewinds it to `offset`
  // Transactions (KIP-98): the transactional producer, its coordinator, the processor of a
  // consume-transform-produce pipeline. `producer_id` is the producer epoch's number.
  kInitProducerId,   // a new producer instance registers its transactional.id (epoch bump)
  kAddPartitionsToTxn, // the producer adds the partition to its open transaction
  kAddOffsetsToTxn,  // the processor sends input offset `offset` to the transaction
  kEndTxn,           // commitTransaction()/abortTransaction(): `result` commit/abort or an error
  kWriteTxnMarker,   // coordinator writes the COMMIT/ABORT marker at `offset` on leader `broker`
  kCompleteTxn,      // coordinator completes the transaction (markers replicated)
  kOffsetFetch,      // the processor resumes from its group's committed input offset `offset`
  // Faults: each bounded by a fault.* key.
  kRequestTimeout,   // producer gives up waiting for the Produce of `msg` (fate unknown)
  kDeliveryTimeout,  // delivery.timeout.ms expires the batch holding `msg`
  kProducerCrash,    // producer process dies (buffered records lost) and restarts with a new id
  kBrokerCrash,      // `broker` process dies; its page cache survives
  kBrokerPowerLoss,  // `broker` loses power: its unflushed suffix is gone
  kClusterPowerLoss, // every broker loses power at once
  kNetworkPartition, // `broker` is cut off from the controller and the other brokers
  kConsumerCrash,    // consumer dies and restarts from the committed offset
  kConsumerRebalance,// the group rebalances; this member's generation is fenced
  kOffsetLoss,       // the committed offset disappears (expired, new group id)
  kTransactionTimeout, // transaction.timeout.ms expires: the coordinator aborts the open transaction
  kProducerZombie,   // a new producer instance starts while the old one keeps running
  kCount,
};

// Errors and outcomes, by Kafka's names where Kafka has one.
enum class Result : uint8_t {
  kNone,
  // kHandleProduce / kProduceComplete / kProduceResponse results.
  kAppended,
  kDuplicate,                        // idempotent dedup: already in the log
  kNotLeaderOrFollower,
  kNotEnoughReplicas,
  kNotEnoughReplicasAfterAppend,
  kOutOfOrderSequence,
  kNetworkException,                 // connection to the broker broke
  kRequestTimedOut,
  kDeliveryTimedOut,
  // What the producer did with a response (kProduceResponse, timeouts).
  kAcked,            // callback success: acknowledged to the application
  kRetry,            // re-enqueued by the sender (retries left)
  kFailedDropped,    // callback error; app.on.send.error=drop
  kFailedResent,     // callback error; app.on.send.error=resend: the app calls send() again
  kAbortableError,   // transactional producer: the app must abort the transaction
  // kElectLeader.
  kClean,
  kUnclean,
  kEligibleLeaderReplica,
  kLastKnownLeader,  // KIP-966: no ISR or ELR member is eligible; the last leader returns
  // kLeaderAndIsr.
  kLeader,
  kFollower,
  // kCommit.
  kAutoCommit,
  kCommitSync,
  kCommitAsync,
  kCommitFailed,     // CommitFailedException: the member's generation was fenced
  // kOffsetReset.
  kEarliest,
  kLatest,
  kNoReset,          // auto.offset.reset=none: the consumer stops with an error
  // Transactions.
  kCommitTxn,        // kEndTxn / kWriteTxnMarker / kCompleteTxn: the transaction commits
  kAbortTxn,         // ... aborts
  kProducerFenced,   // a newer epoch of the transactional.id exists: fatal for this instance
  kInvalidProducerEpoch, // Produce with an epoch older than the partition has seen
  kInvalidTxnState,  // (KIP-890) Produce for a transaction the coordinator does not have open
  kIllegalGeneration,    // (KIP-447) offsets of a fenced consumer generation
  kConcurrentTransactions, // InitProducerId waits: the previous transaction is being aborted
  kCount,
};

struct Event {
  EventType type = EventType::kSend;
  int8_t broker = -1;        // the broker taking the step (or the one it concerns)
  int8_t peer = -1;          // the other broker (leader fetched from, replica shrunk, ...)
  int32_t msg = -1;          // message id, 0-based, in send order
  int8_t gen = -1;           // which application send() of msg: 0 first, 1 after a resend, ...
  int32_t offset = -1;       // log offset (append, truncate, poll start, commit)
  int32_t count = -1;        // records fetched or polled
  int32_t leader_epoch = -1;
  int32_t seq = -1;          // idempotent producer sequence number
  int32_t producer_id = -1;  // producer instance (a restart gets a new id)
  Result result = Result::kNone;   // what the step found: broker response, election kind, ...
  Result outcome = Result::kNone;  // what the producer did about it: acked/retry/failed_*

  bool operator==(const Event&) const = default;
};

std::string_view name(EventType t);   // "handle_produce"
std::string_view name(Result r);      // "not_enough_replicas"
bool parse_event_type(std::string_view s, EventType* out);
bool parse_result(std::string_view s, Result* out);
// A broker error as Kafka prints it (org.apache.kafka.common.protocol.Errors):
// "NOT_LEADER_OR_FOLLOWER"; a name without a Kafka error code (outcomes, elections) as name(r).
std::string kafka_error(Result r);

// True for the steps a fault.* key bounds.
bool is_fault(EventType t);

// One JSON object on one line (no trailing newline); `step` is the 1-based index in its trace.
std::string to_json_line(const Event& e, int step);
// Parses one line written by to_json_line. On failure returns false and sets *error.
bool from_json_line(std::string_view line, Event* out, std::string* error);

// A sentence a Kafka engineer can read: "leader broker 1 appends m0 at offset 0 (epoch 1)".
std::string describe(const Event& e);

}  // namespace kdc

#endif  // KDC_MODEL_VOCABULARY_EVENT_H_
