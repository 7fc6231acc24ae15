// The partition's log on one broker: segment files on the broker's Disk, an in-memory copy
// of the records (reads never go to disk), the leader-epoch cache and the high-watermark
// checkpoint, as Kafka's UnifiedLog / LocalLog / LeaderEpochFileCache keep them.
//
// Contract:
//  - Not thread-safe: the broker's mutex guards it. The one exception is the Disk's
//    writeback listener, which runs under the Disk's lock and only touches the small
//    WritebackIndex (its own leaf mutex), so a writeback never waits for the broker.
//  - Every append and truncation is written through to the Disk (page cache) at once.
//    flush.messages: once that many records are unflushed, the log fsyncs (UnifiedLog.append).
//  - Segments are "topic-0/<20-digit base offset>.log", rolled every kSegmentRecords
//    records; the previous segment is fsynced at the roll, so the durable records are
//    always a prefix of the log and the writeback listener can count them from one file.
//  - Records are fixed-size and carry a CRC, so recovery truncates at the first torn or
//    corrupt record (LogSegment.recover → truncateTo(validBytes)).
#ifndef KDC_IMPL_BROKER_PARTITION_LOG_H_
#define KDC_IMPL_BROKER_PARTITION_LOG_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "impl/protocol/records.h"
#include "impl/runtime/trace_recorder.h"
#include "impl/storage/disk.h"

namespace kdc::impl {

constexpr int64_t kSegmentRecords = 1000;
constexpr uint64_t kRecordBytes = 40;
extern const char kLogDir[];                 // "topic-0"
extern const char kEpochCheckpoint[];        // "topic-0/leader-epoch-checkpoint"
extern const char kHighWatermarkCheckpoint[];// "replication-offset-checkpoint"

std::string segment_name(int64_t base_offset);  // "topic-0/00000000000000001000.log"

// One stored record: the Record plus whether it closes its producer batch (the batch
// boundaries are what idempotent de-duplication compares, so followers and recovery keep them).
struct LogEntry {
  Record record;
  bool batch_last = true;
};

std::string encode_entry(const LogEntry& e);
// False for a torn or corrupt record.
bool decode_entry(const std::string& bytes, size_t at, LogEntry* out);

// How many records are durable, kept where the Disk's listener can reach it without the
// broker's lock. It outlives the broker process (the OS keeps writing back after a crash).
class WritebackIndex {
 public:
  WritebackIndex(TraceRecorder& trace, NodeId broker) : trace_(trace), broker_(broker) {}
  // Listener body: `path`'s durable size grew to `size`.
  void on_writeback(const std::string& path, uint64_t size);
  // A truncation is durable at once: the durable prefix can only shrink to it.
  void truncated(int64_t log_end);
  void reset(int64_t durable);
  int64_t durable() const;

 private:
  mutable std::mutex mu_;
  TraceRecorder& trace_;
  NodeId broker_;
  int64_t durable_ = 0;
};

struct EpochEntry {
  int32_t epoch = -1;
  int64_t start_offset = 0;
  bool operator==(const EpochEntry&) const = default;
};

class PartitionLog {
 public:
  PartitionLog(Disk& disk, TraceRecorder& trace, NodeId broker, int64_t flush_interval_messages);

  // Reads the segments through the Disk, truncates at the first invalid record, rebuilds
  // the epoch cache and loads the high-watermark checkpoint. Registers the writeback
  // listener. Returns the log end offset.
  int64_t recover();

  int64_t log_end_offset() const { return static_cast<int64_t>(entries_.size()); }
  const std::vector<LogEntry>& entries() const { return entries_; }
  const Record& at(int64_t offset) const { return entries_[static_cast<size_t>(offset)].record; }

  // Appends entries whose offsets are already the next ones (to the page cache); returns
  // true if flush.messages now asks for a flush. The caller records the append's events
  // and then calls maybe_flush(), so a trace shows the append before its writeback.
  bool append(const std::vector<LogEntry>& entries);
  // Removes every record at or above `offset` (a no-op at or past the log end).
  void truncate_to(int64_t offset);

  // Leader-epoch cache (LeaderEpochFileCache).
  void assign_epoch(int32_t epoch, int64_t start_offset);
  int32_t latest_epoch() const { return epochs_.empty() ? -1 : epochs_.back().epoch; }
  // The largest epoch <= requested and where it ends (the next epoch's start, or the log
  // end for the latest); (-1, -1) if requested is newer than every epoch or undefined.
  std::pair<int32_t, int64_t> end_offset_for(int32_t requested) const {
    return end_offset_for(requested, log_end_offset());
  }
  // The same, as if the log (and the cache) were truncated to `log_end` (KIP-279 asks
  // again after each intermediate truncation; the fetcher computes those without doing them).
  std::pair<int32_t, int64_t> end_offset_for(int32_t requested, int64_t log_end) const;
  // Start offset of `epoch`, or -1 if the cache has no such epoch.
  int64_t epoch_start(int32_t epoch) const;
  // The epoch of the last record below `offset` (-1 for none).
  int32_t epoch_of_last_record_below(int64_t offset) const;
  const std::vector<EpochEntry>& epochs() const { return epochs_; }

  int64_t high_watermark() const { return high_watermark_; }
  void set_high_watermark(int64_t hw);

  int64_t flushed_offset() const { return index_->durable(); }
  void flush();
  // UnifiedLog.append's flush: fsyncs once flush.messages records are unflushed.
  bool maybe_flush();

 private:
  void write_epoch_checkpoint();

  Disk& disk_;
  int64_t flush_interval_;
  std::shared_ptr<WritebackIndex> index_;
  std::vector<LogEntry> entries_;
  std::vector<EpochEntry> epochs_;
  int64_t high_watermark_ = 0;
  int64_t recovery_point_ = 0;  // records below it were flushed by this process
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_BROKER_PARTITION_LOG_H_
