#include "model/testing/config_for_test.h"
#include "model/partition_log.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "model/idempotence.h"

namespace kdc {
namespace {

// A replica whose log holds one record per epoch given, message ids 0, 1, 2, ...
Replica LogWithEpochs(const std::vector<int>& epochs) {
  Replica r;
  r.set(Replica::kUp, true);
  for (size_t i = 0; i < epochs.size(); ++i)
    r.log[i] = Record::make(int(i) & 3, 0, epochs[i], 0, 0);
  r.log_end_offset = uint8_t(epochs.size());
  return r;
}

std::vector<int> Epochs(const Replica& r) {
  std::vector<int> out;
  for (int i = 0; i < r.log_end_offset; ++i) out.push_back(r.log[i].epoch());
  return out;
}

// ---- Record packing ----

TEST(RecordTest, PacksEveryFieldWithinItsBits) {
  Record r = Record::make(3, 2, 15, 7, 31);
  EXPECT_EQ(r.msg(), 3);
  EXPECT_EQ(r.gen(), 2);
  EXPECT_EQ(r.epoch(), 15);
  EXPECT_EQ(r.producer_id(), 7);
  EXPECT_EQ(r.seq(), 31);
  Record s = Record::make(1, 0, 2, 1, 5);
  EXPECT_EQ(s.msg_gen_epoch_lo, 1 | (0 << 2) | (2 << 4));
  EXPECT_EQ(s.pid_seq, 1 | (5 << 3));
}

// ---- append_record and the flush policy ----

TEST(AppendTest, DefaultFlushPolicyLeavesEverythingInThePageCache) {
  Config c = Cfg({});
  ASSERT_EQ(c.flush_interval_messages, INT64_MAX);
  Replica r;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(append_record(c, &r, Record::make(i, 0, 1, 0, 0)));
  EXPECT_EQ(r.log_end_offset, 3);
  EXPECT_EQ(r.flushed, 0);
  EXPECT_EQ(r.high_watermark, 0);  // appending never moves the HW
  EXPECT_EQ(r.log[2].msg(), 2);
}

TEST(AppendTest, FlushesOnceTheIntervalOfUnflushedRecordsIsReached) {
  Config c = Cfg({"flush.messages=2"});
  Replica r;
  std::vector<int> flushed;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(append_record(c, &r, Record::make(i & 3, 0, 1, 0, 0)));
    flushed.push_back(r.flushed);
  }
  EXPECT_EQ(flushed, (std::vector<int>{0, 2, 2, 4, 4}));
  EXPECT_EQ(r.log_end_offset, 5);
}

TEST(AppendTest, FlushIntervalOneFlushesEveryAppend) {
  Config c = Cfg({"flush.messages=1"});
  Replica r;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(append_record(c, &r, Record::make(i, 0, 1, 0, 0)));
    EXPECT_EQ(r.flushed, i + 1);
  }
}

TEST(AppendTest, FullLogRefusesAndChangesNothing) {
  Config c = Cfg({"flush.messages=1"});
  Replica r;
  for (int i = 0; i < kMaxLog; ++i) ASSERT_TRUE(append_record(c, &r, Record::make(0, 0, 1, 0, 0)));
  Replica before = r;
  EXPECT_FALSE(append_record(c, &r, Record::make(1, 0, 2, 0, 0)));
  EXPECT_EQ(std::memcmp(&before, &r, sizeof(Replica)), 0);
}

// ---- truncate_to and lose_unflushed ----

TEST(TruncateTest, DropsTheSuffixZeroesSlotsAndClampsHwAndFlushed) {
  Replica r = LogWithEpochs({1, 1, 2, 2});
  r.high_watermark = 3;
  r.flushed = 4;
  truncate_to(&r, 2);
  EXPECT_EQ(r.log_end_offset, 2);
  EXPECT_EQ(r.high_watermark, 2);
  EXPECT_EQ(r.flushed, 2);
  EXPECT_EQ(Epochs(r), (std::vector<int>{1, 1}));
  for (int i = 2; i < kMaxLog; ++i) EXPECT_EQ(r.log[i], Record{}) << i;
}

TEST(TruncateTest, KeepsHwAndFlushedBelowTheCut) {
  Replica r = LogWithEpochs({1, 1, 2, 2});
  r.high_watermark = 1;
  r.flushed = 0;
  truncate_to(&r, 3);
  EXPECT_EQ(r.log_end_offset, 3);
  EXPECT_EQ(r.high_watermark, 1);
  EXPECT_EQ(r.flushed, 0);
}

TEST(TruncateTest, AtOrBeyondTheEndIsANoOp) {
  Replica r = LogWithEpochs({1, 2});
  r.high_watermark = 2;
  Replica before = r;
  truncate_to(&r, 2);
  truncate_to(&r, 7);
  EXPECT_EQ(std::memcmp(&before, &r, sizeof(Replica)), 0);
}

TEST(TruncateTest, PowerLossKeepsTheFlushedPrefix) {
  Replica r = LogWithEpochs({1, 1, 1});
  r.flushed = 1;
  r.high_watermark = 3;
  lose_unflushed(&r);
  EXPECT_EQ(r.log_end_offset, 1);
  EXPECT_EQ(r.high_watermark, 1);
  EXPECT_EQ(r.flushed, 1);
}

// ---- Leader epoch arithmetic ----

TEST(EpochTest, LastEpochAndEpochStartOffset) {
  Replica empty;
  EXPECT_EQ(last_epoch(empty), -1);
  EXPECT_EQ(epoch_start_offset(empty, 1), 0);
  Replica r = LogWithEpochs({1, 1, 2, 4});
  EXPECT_EQ(last_epoch(r), 4);
  EXPECT_EQ(epoch_start_offset(r, 0), 0);
  EXPECT_EQ(epoch_start_offset(r, 1), 0);
  EXPECT_EQ(epoch_start_offset(r, 2), 2);
  EXPECT_EQ(epoch_start_offset(r, 3), 3);  // first record in epoch 3 *or later*
  EXPECT_EQ(epoch_start_offset(r, 4), 3);
  EXPECT_EQ(epoch_start_offset(r, 5), 4);  // none: LEO
}

TEST(EpochTest, EpochEndOffsetAnswersLikeOffsetsForLeaderEpoch) {
  Replica leader = LogWithEpochs({1, 1, 2, 4});
  struct Case {
    int asked, epoch, end;
  } cases[] = {
      {1, 1, 2},  // epoch 1 ends where epoch 2 starts
      {2, 2, 3},
      {3, 2, 3},  // no epoch 3: the largest epoch <= 3 is 2
      {4, 4, 4},  // the latest epoch ends at the LEO
      {9, 4, 4},
  };
  for (const Case& k : cases) {
    EpochEnd e = epoch_end_offset(leader, k.asked);
    EXPECT_EQ(e.epoch, k.epoch) << "asked " << k.asked;
    EXPECT_EQ(e.end_offset, k.end) << "asked " << k.asked;
  }
  EXPECT_EQ(epoch_end_offset(leader, 0).epoch, -1);
  EXPECT_EQ(epoch_end_offset(Replica{}, 3).epoch, -1);
}

// ---- divergence_offset: KIP-101 (0.11-1.1) versus KIP-279 (2.0+) ----

TEST(DivergenceTest, FollowerWithAPrefixOfTheLeaderKeepsItsWholeLog) {
  Replica leader = LogWithEpochs({1, 1, 2, 3});
  Replica follower = LogWithEpochs({1, 1, 2});
  for (const char* v : {"0.11", "1.1", "2.0", "3.7"})
    EXPECT_EQ(divergence_offset(Cfg({std::string("kafka.version=") + v}), leader, follower), 3) << v;
}

TEST(DivergenceTest, EmptyFollowerAndLeaderWithoutTheEpoch) {
  Replica leader = LogWithEpochs({3});
  EXPECT_EQ(divergence_offset(Cfg({"kafka.version=2.0"}), leader, Replica{}), 0);
  // The leader has nothing from epoch 2 or earlier: everything goes.
  Replica follower = LogWithEpochs({1, 2});
  EXPECT_EQ(divergence_offset(Cfg({"kafka.version=0.11"}), leader, follower), 0);
  EXPECT_EQ(divergence_offset(Cfg({"kafka.version=2.0"}), leader, follower), 0);
}

TEST(DivergenceTest, TruncatesTheFollowersUncommittedEpochSuffix) {
  // The follower wrote in epoch 2 as a short-lived leader; the leader moved on to 3 from
  // offset 2. Both rounds agree: epoch 2 ends at 2 in the leader's log.
  Replica leader = LogWithEpochs({1, 2, 3});
  Replica follower = LogWithEpochs({1, 2, 2, 2});
  EXPECT_EQ(divergence_offset(Cfg({"kafka.version=0.11"}), leader, follower), 2);
  EXPECT_EQ(divergence_offset(Cfg({"kafka.version=2.0"}), leader, follower), 2);
}

// The KIP-279 scenario: the leader answers with an older epoch than asked, whose end in
// the leader's log lies beyond where that epoch ends in the follower's. One round keeps a
// record the leader does not have; iterating finds the true divergence.
TEST(DivergenceTest, Kip101SingleRoundKeepsADivergentRecordKip279DoesNot) {
  Replica leader = LogWithEpochs({1});  // [m0@e1]
  Replica follower = LogWithEpochs({2});
  follower.log[0] = Record::make(1, 0, 2, 0, 0);  // [m1@e2]: a short-lived leader's record
  // Asked about epoch 2, the leader answers epoch 1 ending at 1. KIP-101 truncates to
  // min(LEO 1, 1) = 1 and keeps m1@e2 at offset 0, where the leader has m0@e1.
  EXPECT_EQ(divergence_offset(Cfg({"kafka.version=0.11"}), leader, follower), 1);
  EXPECT_EQ(divergence_offset(Cfg({"kafka.version=1.1"}), leader, follower), 1);
  // KIP-279: epoch 1 ends at 0 in the follower's own log, so it truncates to 0.
  EXPECT_EQ(divergence_offset(Cfg({"kafka.version=2.0"}), leader, follower), 0);
  EXPECT_EQ(divergence_offset(Cfg({"kafka.version=4.3"}), leader, follower), 0);
}

TEST(DivergenceTest, Kip279IteratesOverSeveralEpochs) {
  // leader   [e1 e2]          follower [e1 e1 e3]
  // Round 1: asked 3, answer (2, end 2); own end of epoch 2 is 2 -> 2.
  // Round 2: asked 1 (prefix [e1 e1]), answer (1, end 1) -> 1.  Round 3: stable at 1.
  Replica leader = LogWithEpochs({1, 2});
  Replica follower = LogWithEpochs({1, 1, 3});
  EXPECT_EQ(divergence_offset(Cfg({"kafka.version=2.0"}), leader, follower), 1);
  // KIP-101 stops after round 1, keeping the follower's e1 record at offset 1 where the
  // leader has its e2 record.
  EXPECT_EQ(divergence_offset(Cfg({"kafka.version=0.11"}), leader, follower), 2);
}

// ---- Idempotent sequence checks (KIP-98) ----

Replica IdempotentLog(const std::vector<std::pair<int, int>>& pid_seq) {
  Replica r;
  for (size_t i = 0; i < pid_seq.size(); ++i)
    r.log[i] = Record::make(int(i) & 3, 0, 1, pid_seq[i].first, pid_seq[i].second);
  r.log_end_offset = uint8_t(pid_seq.size());
  return r;
}

TEST(SequenceTest, UnknownProducerIdStartsAtZeroBefore25AnywhereFrom25) {
  const Replica empty;
  const Config old = Cfg({"kafka.version=2.0"});
  const Config now = Cfg({"kafka.version=2.8"});
  EXPECT_EQ(check_sequence(old, empty, 1, 0).kind, SequenceCheck::kAppend);
  EXPECT_EQ(check_sequence(old, empty, 1, 1).kind, SequenceCheck::kOutOfOrder);
  EXPECT_EQ(check_sequence(old, empty, 1, 5).kind, SequenceCheck::kOutOfOrder);
  EXPECT_EQ(check_sequence(now, empty, 1, 0).kind, SequenceCheck::kAppend);
  EXPECT_EQ(check_sequence(now, empty, 1, 5).kind, SequenceCheck::kAppend);
  // Another producer id's records are no state for this one.
  const Replica other = IdempotentLog({{2, 0}, {2, 1}});
  EXPECT_EQ(check_sequence(old, other, 1, 1).kind, SequenceCheck::kOutOfOrder);
  EXPECT_EQ(check_sequence(old, other, 1, 0).kind, SequenceCheck::kAppend);
}

TEST(SequenceTest, NextSequenceAppendsRetriesAreDuplicatesGapsAreOutOfOrder) {
  const Config c = Cfg({});
  const Replica r = IdempotentLog({{1, 0}, {1, 1}, {1, 2}});
  EXPECT_EQ(check_sequence(c, r, 1, 3).kind, SequenceCheck::kAppend);
  SequenceCheck dup = check_sequence(c, r, 1, 1);
  EXPECT_EQ(dup.kind, SequenceCheck::kDuplicate);
  EXPECT_EQ(dup.duplicate_offset, 1);
  EXPECT_EQ(check_sequence(c, r, 1, 0).duplicate_offset, 0);
  EXPECT_EQ(check_sequence(c, r, 1, 2).duplicate_offset, 2);
  EXPECT_EQ(check_sequence(c, r, 1, 4).kind, SequenceCheck::kOutOfOrder);
}

TEST(SequenceTest, ProducerIdsAreIndependent) {
  const Config c = Cfg({});
  const Replica r = IdempotentLog({{1, 0}, {2, 0}, {1, 1}, {0, 0}});
  EXPECT_EQ(check_sequence(c, r, 2, 1).kind, SequenceCheck::kAppend);
  EXPECT_EQ(check_sequence(c, r, 1, 2).kind, SequenceCheck::kAppend);  // last of pid 1 is 1
  SequenceCheck dup = check_sequence(c, r, 2, 0);
  EXPECT_EQ(dup.kind, SequenceCheck::kDuplicate);
  EXPECT_EQ(dup.duplicate_offset, 1);
  EXPECT_EQ(check_sequence(c, r, 1, 3).kind, SequenceCheck::kOutOfOrder);
}

// The broker remembers the last five batches per producer id
// (ProducerStateEntry.NUM_BATCHES_TO_RETAIN): an older retry is out of order.
TEST(SequenceTest, OnlyTheLastFiveBatchesAreDeduplicated) {
  const Config c = Cfg({});
  const Replica r = IdempotentLog({{1, 0}, {1, 1}, {1, 2}, {1, 3}, {1, 4}, {1, 5}});
  EXPECT_EQ(check_sequence(c, r, 1, 0).kind, SequenceCheck::kOutOfOrder);
  SequenceCheck dup = check_sequence(c, r, 1, 1);
  EXPECT_EQ(dup.kind, SequenceCheck::kDuplicate);
  EXPECT_EQ(dup.duplicate_offset, 1);
  EXPECT_EQ(check_sequence(c, r, 1, 6).kind, SequenceCheck::kAppend);
  // Batches of other producer ids do not push a batch out of the cache.
  const Replica mixed = IdempotentLog({{1, 0}, {2, 0}, {2, 1}, {2, 2}, {2, 3}, {2, 4}, {1, 1}});
  EXPECT_EQ(check_sequence(c, mixed, 1, 0).duplicate_offset, 0);
}

TEST(SequenceTest, RetryOfABatchMissingFromTheLogIsOutOfOrder) {
  // The log kept seq 3 but not seq 2 (truncated away and rewritten by another leader).
  const Replica r = IdempotentLog({{1, 3}});
  EXPECT_EQ(check_sequence(Cfg({}), r, 1, 2).kind, SequenceCheck::kOutOfOrder);
}

}  // namespace
}  // namespace kdc
