// A replica's log of the partition: append (with the flush policy), truncation, the
// high watermark, and the leader-epoch arithmetic followers use to find where their
// log diverges from the leader's (KIP-101, KIP-279, KIP-320).
#ifndef KDC_MODEL_PARTITION_LOG_H_
#define KDC_MODEL_PARTITION_LOG_H_

#include "model/state.h"
#include "model/vocabulary/config.h"

namespace kdc {

// Appends one record. Returns false (and changes nothing) when the log is at capacity.
// Kafka flushes in the append path once log.flush.interval.messages unflushed records
// have accumulated (UnifiedLog.append); otherwise the page cache holds them.
bool append_record(const Config& config, Replica* replica, Record record);

// Drops every record at or above `offset`. The HW and flushed prefix shrink with it.
void truncate_to(Replica* replica, int offset);

// A power loss keeps only what reached the disk.
void lose_unflushed(Replica* replica);

// OffsetsForLeaderEpoch as the leader answers it: the largest epoch <= `epoch` that
// `leader` has, and the offset where that epoch ends in its log (its LEO for its latest).
struct EpochEnd {
  int epoch = -1;   // -1: the leader has no epoch <= the one asked for
  int end_offset = 0;
};
EpochEnd epoch_end_offset(const Replica& leader, int epoch);

// Where a follower must truncate before fetching from `leader`, by kafka.version:
// before 0.11 followers truncate to their own HW (this function is not used then);
// 0.11–1.1 one OffsetsForLeaderEpoch round (KIP-101); from 2.0 the follower also bounds
// the answer by its own end of the returned epoch and repeats (KIP-279, KIP-320).
int divergence_offset(const Config& config, const Replica& leader, const Replica& follower);

// The epoch in which `replica`'s latest record was written (-1 when the log is empty).
int last_epoch(const Replica& replica);

// First offset written in `epoch` or later (the leader epoch cache's start offset); LEO if none.
int epoch_start_offset(const Replica& replica, int epoch);

// ---- Transactions (KIP-98). A transactional record's fate is the first marker after it
// in the log: the one producer's open transaction ends at its next COMMIT or ABORT marker
// (ProducerStateManager). Only what lies below the high watermark counts, as Kafka's LSO
// waits for the marker to be replicated. ----

// The last stable offset: the first transactional record below the HW that no marker
// below the HW resolves, else the HW. read_committed consumers read up to here.
int last_stable_offset(const Replica& replica);

// The record at `offset` (below the LSO) belongs to an aborted transaction.
bool aborted_in_log(const Replica& replica, int offset);

// A record a consumer may be handed: not a marker; for read_committed, below the LSO
// and not aborted.
bool visible_to_reader(const Replica& replica, int offset, bool read_committed);

// The newest producer epoch the log has seen for the transactional producer (its records
// and markers), 0 if none: older epochs are fenced.
int latest_producer_epoch(const Replica& replica);

}  // namespace kdc

#endif  // KDC_MODEL_PARTITION_LOG_H_
