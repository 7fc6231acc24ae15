#include "impl/broker/partition_log.h"

#include <gtest/gtest.h>

#include "impl/broker/producer_state.h"

namespace kdc::impl {
namespace {

std::vector<LogEntry> records(int64_t from, int n, int32_t epoch) {
  std::vector<LogEntry> out;
  for (int i = 0; i < n; ++i) {
    LogEntry e;
    e.record.offset = from + i;
    e.record.leader_epoch = epoch;
    e.record.msg = static_cast<int32_t>(from + i);
    e.record.gen = 0;
    out.push_back(e);
  }
  return out;
}

int writebacks(const TraceRecorder& t, int32_t* last) {
  int n = 0;
  for (const Event& e : t.events()) {
    if (e.type == EventType::kWriteback) {
      ++n;
      *last = e.offset;
    }
  }
  return n;
}

TEST(PartitionLog, AppendsRollsAndRecoversAfterCrash) {
  Disk disk("/tmp/kdc_broker_tests/log_roll");
  TraceRecorder trace;
  {
    PartitionLog log(disk, trace, 0, INT64_MAX);
    log.recover();
    log.append(records(0, 1200, 1));
    log.append(records(1200, 300, 2));
  }
  EXPECT_TRUE(disk.exists(segment_name(0)));
  EXPECT_TRUE(disk.exists(segment_name(1000)));
  EXPECT_EQ(disk.size(segment_name(1000)), 500 * kRecordBytes);
  // A process crash keeps the page cache: everything is recovered.
  PartitionLog again(disk, trace, 0, INT64_MAX);
  EXPECT_EQ(again.recover(), 1500);
  EXPECT_EQ(again.at(1499).msg, 1499);
  EXPECT_EQ(again.epochs(), (std::vector<EpochEntry>{{1, 0}, {2, 1200}}));
  // The roll flushed the first segment.
  EXPECT_EQ(again.flushed_offset(), 1000);
}

TEST(PartitionLog, PowerLossKeepsOnlyTheFlushedPrefix) {
  Disk disk("/tmp/kdc_broker_tests/log_power");
  TraceRecorder trace;
  {
    PartitionLog log(disk, trace, 3, /*flush.messages=*/3);
    log.recover();
    for (int i = 0; i < 5; ++i) {
      log.append(records(i, 1, 1));
      log.maybe_flush();
    }
    EXPECT_EQ(log.flushed_offset(), 3);
  }
  int32_t last = -1;
  EXPECT_EQ(writebacks(trace, &last), 1);
  EXPECT_EQ(last, 3);
  EXPECT_EQ(trace.events().back().broker, 3);
  disk.power_loss();
  PartitionLog again(disk, trace, 3, 3);
  EXPECT_EQ(again.recover(), 3);
  // The OS writes back the rest later: the listener counts records.
  again.append(records(3, 2, 1));
  disk.writeback(segment_name(0), -1);
  EXPECT_EQ(writebacks(trace, &last), 2);
  EXPECT_EQ(last, 5);
}

TEST(PartitionLog, TruncatesATornTail) {
  Disk disk("/tmp/kdc_broker_tests/log_torn");
  TraceRecorder trace;
  {
    PartitionLog log(disk, trace, 0, INT64_MAX);
    log.recover();
    log.append(records(0, 4, 1));
  }
  // A half-written record, then a corrupt one in the middle of another run.
  disk.append(segment_name(0), std::string(17, 'x'));
  PartitionLog a(disk, trace, 0, INT64_MAX);
  EXPECT_EQ(a.recover(), 4);
  EXPECT_EQ(disk.size(segment_name(0)), 4 * kRecordBytes);
  std::string bytes = disk.read(segment_name(0));
  bytes[2 * kRecordBytes + 5] ^= 0x40;
  disk.replace(segment_name(0), bytes);
  PartitionLog b(disk, trace, 0, INT64_MAX);
  EXPECT_EQ(b.recover(), 2);
  EXPECT_EQ(disk.size(segment_name(0)), 2 * kRecordBytes);
}

TEST(PartitionLog, EpochCacheEndOffsets) {
  Disk disk("/tmp/kdc_broker_tests/log_epochs");
  TraceRecorder trace;
  PartitionLog log(disk, trace, 0, INT64_MAX);
  log.recover();
  log.append(records(0, 2, 1));
  log.append(records(2, 3, 3));
  log.assign_epoch(5, 5);  // a leader in epoch 5 that has not written yet
  EXPECT_EQ(log.end_offset_for(1), (std::pair<int32_t, int64_t>{1, 2}));
  EXPECT_EQ(log.end_offset_for(2), (std::pair<int32_t, int64_t>{1, 2}));
  EXPECT_EQ(log.end_offset_for(3), (std::pair<int32_t, int64_t>{3, 5}));
  EXPECT_EQ(log.end_offset_for(5), (std::pair<int32_t, int64_t>{5, 5}));
  EXPECT_EQ(log.end_offset_for(0), (std::pair<int32_t, int64_t>{0, 0}));
  EXPECT_EQ(log.end_offset_for(6), (std::pair<int32_t, int64_t>{-1, -1}));
  // As if truncated to 3: epoch 3 is then the latest, ending at 3.
  EXPECT_EQ(log.end_offset_for(3, 3), (std::pair<int32_t, int64_t>{3, 3}));
  log.truncate_to(2);
  EXPECT_EQ(log.latest_epoch(), 1);
  EXPECT_EQ(log.log_end_offset(), 2);
}

RecordBatch batch(int64_t pid, int16_t epoch, int32_t seq, int n, bool txn = false) {
  RecordBatch b;
  b.producer_id = pid;
  b.producer_epoch = epoch;
  b.base_sequence = seq;
  b.transactional = txn;
  for (int i = 0; i < n; ++i) b.records.push_back(Record{});
  return b;
}

std::vector<LogEntry> as_entries(const RecordBatch& b, int64_t offset) {
  std::vector<LogEntry> out;
  for (size_t i = 0; i < b.records.size(); ++i) {
    LogEntry e;
    e.record.offset = offset + static_cast<int64_t>(i);
    e.record.producer_id = b.producer_id;
    e.record.producer_epoch = b.producer_epoch;
    e.record.seq = b.base_sequence + static_cast<int32_t>(i);
    e.record.transactional = b.transactional;
    e.batch_last = i + 1 == b.records.size();
    out.push_back(e);
  }
  return out;
}

TEST(ProducerState, DeduplicatesTheLastFiveBatchesAndChecksSequences) {
  ProducerStateManager p(KafkaVersion{3, 0, 0});
  int64_t offset = 0;
  for (int k = 0; k < 7; ++k) {
    RecordBatch b = batch(1, 0, 2 * k, 2);
    ASSERT_EQ(p.check(b).kind, ProducerCheck::kAppend);
    p.on_append(as_entries(b, offset));
    offset += 2;
  }
  ProducerCheck dup = p.check(batch(1, 0, 10, 2));
  EXPECT_EQ(dup.kind, ProducerCheck::kDuplicate);
  EXPECT_EQ(dup.duplicate_first_offset, 10);
  // Batch 1 (seq 2-3) is older than the last five: no longer recognised.
  EXPECT_EQ(p.check(batch(1, 0, 2, 2)).error, Error::kOutOfOrderSequenceNumber);
  EXPECT_EQ(p.check(batch(1, 0, 15, 1)).result, Result::kOutOfOrderSequence);
  EXPECT_EQ(p.check(batch(1, 0, 14, 1)).kind, ProducerCheck::kAppend);
  // A producer with no state: any sequence from 2.5.
  EXPECT_EQ(p.check(batch(2, 0, 7, 1)).kind, ProducerCheck::kAppend);
  // Rebuilt from the log, the same answers.
  std::vector<LogEntry> log;
  offset = 0;
  for (int k = 0; k < 7; ++k) {
    for (const LogEntry& e : as_entries(batch(1, 0, 2 * k, 2), offset)) log.push_back(e);
    offset += 2;
  }
  ProducerStateManager q(KafkaVersion{3, 0, 0});
  q.rebuild(log);
  EXPECT_EQ(q.check(batch(1, 0, 12, 2)).kind, ProducerCheck::kDuplicate);
}

TEST(ProducerState, UnknownProducerBefore25) {
  ProducerStateManager p(KafkaVersion{2, 4, 0});
  ProducerCheck c = p.check(batch(9, 0, 3, 1));
  EXPECT_EQ(c.kind, ProducerCheck::kReject);
  EXPECT_EQ(c.error, Error::kUnknownProducerId);
  EXPECT_EQ(c.result, Result::kOutOfOrderSequence);
  EXPECT_EQ(p.check(batch(9, 0, 0, 1)).kind, ProducerCheck::kAppend);
}

TEST(ProducerState, FencesOlderEpochsAndTracksTransactions) {
  ProducerStateManager p(KafkaVersion{3, 0, 0});
  p.on_append(as_entries(batch(5, 2, 0, 1, true), 0));
  ASSERT_NE(p.find(5), nullptr);
  EXPECT_EQ(p.find(5)->txn_first_offset, 0);
  EXPECT_EQ(p.check(batch(5, 1, 1, 1, true)).error, Error::kInvalidProducerEpoch);
  ProducerStateManager old(KafkaVersion{2, 6, 0});
  old.on_append(as_entries(batch(5, 2, 0, 1, true), 0));
  EXPECT_EQ(old.check(batch(5, 1, 1, 1, true)).result, Result::kProducerFenced);
  // A new epoch starts at sequence 0.
  EXPECT_EQ(p.check(batch(5, 3, 4, 1, true)).error, Error::kOutOfOrderSequenceNumber);
  LogEntry marker;
  marker.record.offset = 1;
  marker.record.producer_id = 5;
  marker.record.producer_epoch = 2;
  marker.record.transactional = true;
  marker.record.control = Control::kAbort;
  p.on_append({marker});
  EXPECT_EQ(p.find(5)->txn_first_offset, -1);
  std::vector<LogEntry> log = as_entries(batch(5, 2, 0, 1, true), 0);
  log.push_back(marker);
  EXPECT_EQ(last_stable_offset(log, 1), 0);  // the marker is not replicated yet
  EXPECT_EQ(last_stable_offset(log, 2), 2);
  std::vector<AbortedTransaction> aborted = aborted_transactions(log, 0, 2);
  ASSERT_EQ(aborted.size(), 1u);
  EXPECT_EQ(aborted[0].producer_id, 5);
  EXPECT_EQ(aborted[0].first_offset, 0);
}

}  // namespace
}  // namespace kdc::impl
