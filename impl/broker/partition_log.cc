#include "impl/broker/partition_log.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <sstream>

namespace kdc::impl {

const char kLogDir[] = "topic-0";
const char kEpochCheckpoint[] = "topic-0/leader-epoch-checkpoint";
const char kHighWatermarkCheckpoint[] = "replication-offset-checkpoint";

namespace {

constexpr uint8_t kMagic = 0x4b;  // 'K'
constexpr size_t kCrcAt = kRecordBytes - 4;

uint32_t crc32(const char* data, size_t n) {
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; ++i) {
    c ^= static_cast<uint8_t>(data[i]);
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
  }
  return ~c;
}

template <typename T>
void put(std::string& s, size_t at, T v) {
  std::memcpy(&s[at], &v, sizeof(T));
}
template <typename T>
T get(const std::string& s, size_t at) {
  T v;
  std::memcpy(&v, s.data() + at, sizeof(T));
  return v;
}

bool is_segment(const std::string& name) {
  return name.size() == 24 && name.compare(20, 4, ".log") == 0;
}

// "topic-0/00000000000000001000.log" → 1000, or -1 for any other file.
int64_t segment_base(const std::string& path) {
  std::string prefix = std::string(kLogDir) + "/";
  if (path.compare(0, prefix.size(), prefix) != 0) return -1;
  std::string name = path.substr(prefix.size());
  if (!is_segment(name)) return -1;
  return std::stoll(name.substr(0, 20));
}

}  // namespace

std::string segment_name(int64_t base_offset) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s/%020lld.log", kLogDir, static_cast<long long>(base_offset));
  return buf;
}

std::string encode_entry(const LogEntry& e) {
  std::string s(kRecordBytes, '\0');
  const Record& r = e.record;
  put<uint8_t>(s, 0, kMagic);
  put<int64_t>(s, 1, r.offset);
  put<int32_t>(s, 9, r.leader_epoch);
  put<int32_t>(s, 13, r.msg);
  put<int8_t>(s, 17, r.gen);
  put<int64_t>(s, 18, r.producer_id);
  put<int16_t>(s, 26, r.producer_epoch);
  put<int32_t>(s, 28, r.seq);
  uint8_t flags = (r.transactional ? 1 : 0) | (e.batch_last ? 2 : 0);
  put<uint8_t>(s, 32, flags);
  put<uint8_t>(s, 33, static_cast<uint8_t>(r.control));
  put<uint32_t>(s, kCrcAt, crc32(s.data(), kCrcAt));
  return s;
}

bool decode_entry(const std::string& bytes, size_t at, LogEntry* out) {
  if (at + kRecordBytes > bytes.size()) return false;
  std::string s = bytes.substr(at, kRecordBytes);
  if (get<uint8_t>(s, 0) != kMagic) return false;
  if (get<uint32_t>(s, kCrcAt) != crc32(s.data(), kCrcAt)) return false;
  uint8_t control = get<uint8_t>(s, 33);
  if (control > static_cast<uint8_t>(Control::kAbort)) return false;
  Record& r = out->record;
  r.offset = get<int64_t>(s, 1);
  r.leader_epoch = get<int32_t>(s, 9);
  r.msg = get<int32_t>(s, 13);
  r.gen = get<int8_t>(s, 17);
  r.producer_id = get<int64_t>(s, 18);
  r.producer_epoch = get<int16_t>(s, 26);
  r.seq = get<int32_t>(s, 28);
  uint8_t flags = get<uint8_t>(s, 32);
  r.transactional = (flags & 1) != 0;
  out->batch_last = (flags & 2) != 0;
  r.control = static_cast<Control>(control);
  return true;
}

void WritebackIndex::on_writeback(const std::string& path, uint64_t size) {
  int64_t base = segment_base(path);
  if (base < 0) return;
  int64_t n = base + static_cast<int64_t>(size / kRecordBytes);
  std::lock_guard<std::mutex> g(mu_);
  if (n <= durable_) return;
  durable_ = n;
  Event e;
  e.type = EventType::kWriteback;
  e.broker = static_cast<int8_t>(broker_);
  e.offset = static_cast<int32_t>(n);
  trace_.record(e);
}

void WritebackIndex::truncated(int64_t log_end) {
  std::lock_guard<std::mutex> g(mu_);
  durable_ = std::min(durable_, log_end);
}

void WritebackIndex::reset(int64_t durable) {
  std::lock_guard<std::mutex> g(mu_);
  durable_ = durable;
}

int64_t WritebackIndex::durable() const {
  std::lock_guard<std::mutex> g(mu_);
  return durable_;
}

PartitionLog::PartitionLog(Disk& disk, TraceRecorder& trace, NodeId broker,
                           int64_t flush_interval_messages)
    : disk_(disk),
      flush_interval_(flush_interval_messages),
      index_(std::make_shared<WritebackIndex>(trace, broker)) {}

int64_t PartitionLog::recover() {
  entries_.clear();
  std::vector<std::string> names = disk_.list(kLogDir);
  bool broken = false;
  int64_t durable = 0;
  bool durable_prefix = true;
  for (const std::string& name : names) {
    if (!is_segment(name)) continue;
    std::string path = std::string(kLogDir) + "/" + name;
    int64_t base = std::stoll(name.substr(0, 20));
    if (broken || base != log_end_offset()) {
      // Everything after the first invalid record goes, later segments included.
      disk_.remove(path);
      broken = true;
      continue;
    }
    std::string bytes = disk_.read(path);
    size_t valid = 0;
    while (valid + kRecordBytes <= bytes.size()) {
      LogEntry e;
      if (!decode_entry(bytes, valid, &e) || e.record.offset != log_end_offset()) break;
      entries_.push_back(e);
      valid += kRecordBytes;
    }
    if (valid < bytes.size()) {
      disk_.truncate(path, valid);
      broken = true;
    }
    if (valid == 0) {
      disk_.remove(path);
      broken = true;
      continue;
    }
    if (durable_prefix) {
      uint64_t d = std::min<uint64_t>(disk_.durable_size(path), valid);
      durable = base + static_cast<int64_t>(d / kRecordBytes);
      durable_prefix = d == valid;
    }
  }
  index_->reset(durable);
  std::shared_ptr<WritebackIndex> index = index_;
  disk_.set_writeback_listener(
      [index](const std::string& path, uint64_t size) { index->on_writeback(path, size); });

  // The epoch cache: every record carries the epoch of the leader that appended it, as a
  // batch's partitionLeaderEpoch does (LogSegment.recover re-assigns epochs from batches);
  // the checkpoint adds epochs a leader began at the log end without writing records.
  epochs_.clear();
  for (const LogEntry& e : entries_) {
    if (epochs_.empty() || e.record.leader_epoch > epochs_.back().epoch) {
      epochs_.push_back({e.record.leader_epoch, e.record.offset});
    }
  }
  {
    std::istringstream in(disk_.read(kEpochCheckpoint));
    int version = 0, n = 0;
    if (in >> version >> n) {
      for (int i = 0; i < n; ++i) {
        EpochEntry cp;
        if (!(in >> cp.epoch >> cp.start_offset)) break;
        if (cp.start_offset <= log_end_offset() && cp.epoch > latest_epoch() &&
            (epochs_.empty() || cp.start_offset >= epochs_.back().start_offset)) {
          epochs_.push_back(cp);
        }
      }
    }
  }
  write_epoch_checkpoint();

  high_watermark_ = 0;
  {
    std::istringstream in(disk_.read(kHighWatermarkCheckpoint));
    int version = 0, n = 0;
    std::string topic;
    int partition = 0;
    int64_t hw = 0;
    if (in >> version >> n >> topic >> partition >> hw) high_watermark_ = hw;
  }
  high_watermark_ = std::clamp<int64_t>(high_watermark_, 0, log_end_offset());
  recovery_point_ = log_end_offset();
  return log_end_offset();
}

bool PartitionLog::append(const std::vector<LogEntry>& entries) {
  for (const LogEntry& e : entries) {
    int64_t offset = log_end_offset();
    if (offset > 0 && offset % kSegmentRecords == 0) {
      // Roll: the finished segment is flushed (Kafka schedules it right after the roll),
      // which keeps the durable records a prefix of the log.
      disk_.fsync(segment_name(offset - kSegmentRecords));
    }
    LogEntry stored = e;
    stored.record.offset = offset;
    disk_.append(segment_name(offset - offset % kSegmentRecords), encode_entry(stored));
    entries_.push_back(stored);
    if (latest_epoch() < stored.record.leader_epoch) {
      assign_epoch(stored.record.leader_epoch, offset);
    }
  }
  return log_end_offset() - recovery_point_ >= flush_interval_;
}

bool PartitionLog::maybe_flush() {
  if (log_end_offset() - recovery_point_ < flush_interval_) return false;
  flush();
  return true;
}

void PartitionLog::flush() {
  int64_t leo = log_end_offset();
  if (leo > 0) {
    int64_t last = leo - 1;
    disk_.fsync(segment_name(last - last % kSegmentRecords));
  }
  recovery_point_ = leo;
}

void PartitionLog::truncate_to(int64_t offset) {
  if (offset >= log_end_offset()) return;
  offset = std::max<int64_t>(offset, 0);
  int64_t last_base = (log_end_offset() - 1) - (log_end_offset() - 1) % kSegmentRecords;
  int64_t keep_base = offset - offset % kSegmentRecords;
  for (int64_t base = last_base; base > keep_base; base -= kSegmentRecords) {
    disk_.remove(segment_name(base));
  }
  if (offset == keep_base) {
    disk_.remove(segment_name(keep_base));
  } else {
    disk_.truncate(segment_name(keep_base), static_cast<uint64_t>(offset - keep_base) * kRecordBytes);
  }
  entries_.resize(static_cast<size_t>(offset));
  index_->truncated(offset);
  recovery_point_ = std::min(recovery_point_, offset);
  // LeaderEpochFileCache.truncateFromEnd: epochs that start at or after the new end go.
  bool changed = false;
  while (!epochs_.empty() && epochs_.back().start_offset >= offset) {
    epochs_.pop_back();
    changed = true;
  }
  if (changed) write_epoch_checkpoint();
  if (high_watermark_ > offset) set_high_watermark(offset);
}

void PartitionLog::assign_epoch(int32_t epoch, int64_t start_offset) {
  if (!epochs_.empty() && epochs_.back().epoch == epoch) return;
  if (!epochs_.empty() && epochs_.back().epoch > epoch) return;
  while (!epochs_.empty() && epochs_.back().start_offset >= start_offset) epochs_.pop_back();
  epochs_.push_back({epoch, start_offset});
  write_epoch_checkpoint();
}

std::pair<int32_t, int64_t> PartitionLog::end_offset_for(int32_t requested, int64_t log_end) const {
  std::vector<EpochEntry> epochs;
  for (const EpochEntry& e : epochs_) {
    if (log_end >= log_end_offset() || e.start_offset < log_end) epochs.push_back(e);
  }
  if (requested < 0 || epochs.empty()) return {-1, -1};
  if (requested == epochs.back().epoch) return {requested, log_end};
  // LeaderEpochFileCache.endOffsetFor: the floor epoch ends where the next higher one starts.
  const EpochEntry* floor = nullptr;
  const EpochEntry* higher = nullptr;
  for (const EpochEntry& e : epochs) {
    if (e.epoch <= requested) floor = &e;
    if (e.epoch > requested && higher == nullptr) higher = &e;
  }
  if (higher == nullptr) return {-1, -1};
  if (floor == nullptr) return {requested, higher->start_offset};
  return {floor->epoch, higher->start_offset};
}

int64_t PartitionLog::epoch_start(int32_t epoch) const {
  for (const EpochEntry& e : epochs_) {
    if (e.epoch == epoch) return e.start_offset;
  }
  return -1;
}

int32_t PartitionLog::epoch_of_last_record_below(int64_t offset) const {
  int32_t result = -1;
  for (const EpochEntry& e : epochs_) {
    if (e.start_offset < offset) result = e.epoch;
  }
  return result;
}

void PartitionLog::set_high_watermark(int64_t hw) {
  if (hw == high_watermark_) return;
  high_watermark_ = hw;
  // Kafka's format: version, count, then "topic partition offset".
  std::ostringstream out;
  out << "0\n1\ntopic 0 " << hw << "\n";
  std::string s = out.str();
  disk_.replace(kHighWatermarkCheckpoint, s);
}

void PartitionLog::write_epoch_checkpoint() {
  std::ostringstream out;
  out << "0\n" << epochs_.size() << "\n";
  for (const EpochEntry& e : epochs_) out << e.epoch << " " << e.start_offset << "\n";
  disk_.replace(kEpochCheckpoint, out.str());
}

}  // namespace kdc::impl
