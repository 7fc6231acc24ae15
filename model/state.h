// The state of one run of the pipeline: producer app → one topic partition on
// replication.factor brokers → consumer app → sink. A pure value: fixed size, no pointers,
// no padding (hash and compare its bytes). Unused slots are always zero, so two states
// that mean the same thing have the same bytes.
#ifndef KDC_MODEL_STATE_H_
#define KDC_MODEL_STATE_H_

#include <cstdint>
#include <type_traits>

#include "model/bounds.h"
#include "model/effects.h"
#include "model/fault_kind.h"

namespace kdc {

inline constexpr int8_t kNoBroker = -1;
inline constexpr uint8_t kNoOffset = 0xff;

// One record in a partition log, packed into 16 bits: which message and which application
// send() of it, the leader epoch it was appended in, and the idempotent producer's id and
// sequence number (producer_id 0 = written by a non-idempotent producer).
//
// A transactional producer has one producer id; its epochs are numbered like producer ids
// (1, 2, ...: a bump is the next number), so producer_id() is the producer epoch then.
// Transaction markers (control records) take an offset like any record; they carry the
// producer epoch and no message.
struct Record {
  uint8_t msg_gen_epoch_lo = 0;  // msg:2 gen:2 epoch:4
  uint8_t pid_seq = 0;           // producer_id:3 seq:5
  uint8_t kind = kPlain;         // Kind

  enum Kind : uint8_t {
    kPlain = 0,          // written outside any transaction
    kTransactional = 1,  // a record of a transaction
    kCommitMarker = 2,   // control record: the producer's open transaction committed
    kAbortMarker = 3,    // control record: ... aborted
  };

  static Record make(int msg, int gen, int epoch, int pid, int seq, Kind kind = kPlain) {
    Record r;
    r.msg_gen_epoch_lo = uint8_t((msg & 3) | ((gen & 3) << 2) | ((epoch & 15) << 4));
    r.pid_seq = uint8_t((pid & 7) | ((seq & 31) << 3));
    r.kind = kind;
    return r;
  }
  static Record marker(bool commit, int epoch, int producer_epoch) {
    return make(0, 0, epoch, producer_epoch, 0, commit ? kCommitMarker : kAbortMarker);
  }
  int msg() const { return msg_gen_epoch_lo & 3; }
  int gen() const { return (msg_gen_epoch_lo >> 2) & 3; }
  int epoch() const { return msg_gen_epoch_lo >> 4; }
  int producer_id() const { return pid_seq & 7; }
  int seq() const { return pid_seq >> 3; }
  bool is_control() const { return kind >= kCommitMarker; }
  bool is_transactional() const { return kind != kPlain; }  // data or marker
  bool operator==(const Record&) const = default;
};

// A broker, and its replica of the partition.
struct Replica {
  Record log[kMaxLog];
  uint8_t log_end_offset = 0;   // LEO: records in the log (page cache included)
  uint8_t flushed = 0;          // records on disk; a power loss keeps only these
  uint8_t high_watermark = 0;   // this replica's own view of the HW
  uint8_t known_epoch = 0;      // the leader epoch this broker last learned
  uint8_t flags = 0;

  enum : uint8_t {
    kUp = 1,               // the broker process runs
    kLeader = 2,           // it believes it leads the partition in known_epoch
    kNeedsTruncation = 4,  // a follower that must reconcile with the leader before fetching
    kFenced = 8,           // the controller has fenced it (not eligible as leader)
    kIsolated = 16,        // network partition: cut off from controller and brokers
    kUncleanShutdown = 32, // restarted after a power loss (KIP-966: not an ELR candidate)
  };
  bool has(uint8_t f) const { return (flags & f) != 0; }
  void set(uint8_t f, bool on) { flags = on ? uint8_t(flags | f) : uint8_t(flags & ~f); }
};

// What the controller knows about the partition, plus the leader's view of its followers.
struct PartitionState {
  int8_t leader = kNoBroker;
  uint8_t leader_epoch = 0;
  uint8_t isr = 0;  // bitmask of brokers
  uint8_t elr = 0;  // eligible leader replicas (KIP-966), bitmask
  int8_t last_leader = kNoBroker;  // with ELR: the leader when the partition lost it
  // The ISR as the network-partitioned broker last learned it (one broker at most is cut
  // off): it cannot hear the controller's changes, so it acts on this view.
  uint8_t isolated_isr_view = 0;
  // The LEO of each follower as the leader last saw it in a fetch (the leader's basis for
  // advancing the high watermark). Reset when leadership changes.
  uint8_t follower_leo[kMaxReplicas] = {};
  // History, for the replication-safety property (model/replication_safety.h): per
  // message, a bitmask of the sends (gen) a leader ever had below its high watermark.
  // Nothing in the protocol reads it.
  uint8_t committed_gens[kMaxMessages] = {};
};

// A producer batch (one record; see docs/model.md, "Batching").
struct Batch {
  uint8_t msg : 2 = 0;
  uint8_t gen : 2 = 0;        // which application send() of msg
  uint8_t retries : 2 = 0;    // retries used, saturating at kMaxRetriesTracked
  uint8_t unused : 2 = 0;
  int8_t seq = -1;            // assigned when first drained by an idempotent producer
  uint8_t producer_id = 0;
  int8_t broker = kNoBroker;  // target of the request (in flight only)
  uint8_t stage = 0;          // Stage
  uint8_t result = 0;         // kdc::Result of the response, once responded
  uint8_t offset = kNoOffset; // where the leader appended it (in purgatory)

  enum Stage : uint8_t {
    kQueued = 0,      // in the accumulator
    kInNetwork = 1,   // request sent, not yet handled by the broker
    kInPurgatory = 2, // appended; the leader waits for the HW (acks=all)
    kResponded = 3,   // response on its way back
    kOrphan = 4,      // request still in the network, but nobody waits for its response
  };
  bool operator==(const Batch&) const = default;
};

struct ProducerState {
  // The transactional producer's state (KIP-98), one transaction at a time, one message
  // per transaction (docs/model.md, "Transactions").
  enum Txn : uint8_t {
    kReady = 0,      // no open transaction (beginTransaction() is next)
    kOngoing = 1,    // a transaction is open
    kAbortable = 2,  // an abortable error: the application must abortTransaction()
    kNeedsInit = 3,  // a new instance: initTransactions() (InitProducerId) is next
  };
  enum TxnFlags : uint8_t {
    kPartitionAdded = 1,  // AddPartitionsToTxn succeeded for this transaction
    kOffsetsAdded = 2,    // the processor's sendOffsetsToTransaction succeeded
    kBatchAcked = 4,      // the transaction's record was acknowledged (flush done)
    kNeedsOffsetFetch = 8,   // the processor must fetch its committed input offset first
    kGenerationFenced = 16,  // the processor's consumer generation was fenced (rebalance)
  };
  uint8_t txn = kReady;
  uint8_t txn_flags = 0;
  uint8_t txn_msg = 0;                 // the message of the open transaction
  uint8_t resend = 0;                  // bitmask: to send again, each in a new transaction
  uint8_t sent = 0;                    // processor: bitmask of input records processed before
  uint8_t input_committed = 0;         // processor: the group's committed input offset
  int8_t metadata_leader = kNoBroker;  // where the sender sends Produce
  uint8_t producer_id = 1;             // 0 means "not idempotent"
  uint8_t next_seq = 0;
  int8_t last_acked_seq = -1;          // highest sequence acknowledged under producer_id
  uint8_t next_msg = 0;                // messages the application has sent so far
  uint8_t queued = 0;                  // batches in the accumulator
  uint8_t in_flight = 0;               // requests in flight (orphans included)
  Batch queue[kMaxBatches];            // the accumulator's deque, front first
  Batch flight[kMaxBatches];           // in-flight requests, oldest first
  // The application's ledger, per message.
  uint8_t gen[kMaxMessages] = {};      // the latest send() of each message
  uint8_t acked = 0;                   // bitmask: callback success
  uint8_t dropped = 0;                 // bitmask: callback error, application dropped it
  uint8_t abandoned = 0;               // bitmask: buffered at a crash, not replayed
};

// A polled record waiting to be processed: enough to tell apart two copies of a message.
struct PolledRecord {
  uint8_t msg_gen = 0;       // msg:2 gen:2
  uint8_t offset = 0;
  uint8_t epoch = 0;
  bool operator==(const PolledRecord&) const = default;
};

struct ConsumerState {
  uint8_t position = 0;              // next offset to fetch
  uint8_t committed = 0;             // kNoOffset: the group has no committed offset
  uint8_t pending_commit = kNoOffset;  // an async commit in flight
  uint8_t polled = 0;                // records in `buffer`
  PolledRecord buffer[kMaxPolled];
  uint8_t flags = 0;
  // Kafka 2.1+ (KIP-320): the leader epoch the consumer fetches in, and the epoch of the
  // record just before its position (also stored with commits), to detect truncation.
  uint8_t leader_epoch = 1;
  uint8_t position_epoch = 0;
  uint8_t committed_epoch = 0;
  uint8_t pending_epoch = 0;
  enum : uint8_t {
    kMustCommit = 1,  // commit-then-process: commit before processing this batch;
                      // process-then-commit: commit after processing it
    kFenced = 2,      // the group rebalanced; this generation's commits fail
    kStuck = 4,       // auto.offset.reset=none with no valid offset: the consumer stopped
  };
  bool has(uint8_t f) const { return (flags & f) != 0; }
  void set(uint8_t f, bool on) { flags = on ? uint8_t(flags | f) : uint8_t(flags & ~f); }
};

// What the sink has applied: how many times each message, and which copy first.
struct SinkState {
  uint8_t count[kMaxMessages] = {};    // saturates at 3
  PolledRecord first[kMaxMessages];    // the first applied copy of each message
  uint8_t applied_gens[kMaxMessages] = {};  // per message: bitmask of the sends applied
  int8_t highest_first = -1;           // highest message id applied so far (ordering)
  uint8_t reserved = 0;
};

// The transaction coordinator's entry for the one transactional.id, and what it decided.
struct TxnCoordinatorState {
  enum Status : uint8_t { kEmpty = 0, kOngoing, kPrepareCommit, kPrepareAbort };
  enum Flags : uint8_t {
    kPartitionAdded = 1,  // the partition is in the transaction (needs a marker)
    kOffsetsAdded = 2,    // input offsets are in the transaction (pending_offset)
  };
  uint8_t epoch = 0;       // the newest producer epoch of the transactional.id
  uint8_t status = kEmpty;
  uint8_t flags = 0;
  uint8_t msg = 0;         // the message (and send) the transaction holds
  uint8_t gen = 0;
  uint8_t marker_epoch = 0;          // the producer epoch the markers carry
  uint8_t marker_offset = kNoOffset; // where the marker was written on the leader
  uint8_t pending_offset = kNoOffset;  // processor: input offset committed with the transaction
  uint8_t zombie_epoch = 0;  // an older instance still running, in this epoch (0: none)
  uint8_t reserved = 0;
  uint8_t aborted_gens[kMaxMessages] = {};  // per message: bitmask of sends whose transaction aborted
};

struct State {
  EffectSet effects = 0;  // safety effects witnessed so far (duplicates, reordering)
  Replica replica[kMaxReplicas];
  PartitionState partition;
  ProducerState producer;
  ConsumerState consumer;
  SinkState sink;
  TxnCoordinatorState coordinator;
  uint8_t faults_used[kFaultKinds] = {};  // per fault kind (model/faults.h)
  uint8_t faults_total = 0;

  bool operator==(const State& o) const;
};

static_assert(std::has_unique_object_representations_v<State>,
              "State must have no padding: it is hashed and compared as bytes");

}  // namespace kdc

#endif  // KDC_MODEL_STATE_H_
