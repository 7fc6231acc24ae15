#include "impl/consumer/kafka_consumer.h"

#include <gtest/gtest.h>

#include "impl/consumer/fetcher.h"
#include "impl/consumer/testing/cluster_for_test.h"

namespace kdc::impl {
namespace {

using testing::ClusterForTest;

Config base_config() {
  Config c;
  c.enable_auto_commit = false;
  c.auto_offset_reset = OffsetReset::kEarliest;
  c.commit = CommitMode::kProcessThenCommitSync;
  return c;
}

// A consumer with its application thread, and a synchronous-looking poll for tests.
struct TestConsumer {
  TestConsumer(ClusterForTest& c, int instance = 0) : cluster(c) {
    app = c.runtime->spawn("test/app");
    consumer = std::make_unique<KafkaConsumer>(c.env, instance, app);
  }
  // One poll(); returns its error and records.
  std::pair<Error, std::vector<Record>> poll() {
    bool done = false;
    std::pair<Error, std::vector<Record>> out;
    cluster.runtime->post(app, [&] {
      consumer->poll([&](Error e, std::vector<Record> r) {
        out = {e, std::move(r)};
        done = true;
      });
    });
    EXPECT_TRUE(cluster.run_until([&] { return done; }));
    return out;
  }
  // Polls until a poll returns records (or `tries` polls).
  std::vector<Record> poll_records(int tries = 10) {
    for (int i = 0; i < tries; ++i) {
      auto [e, r] = poll();
      if (e != Error::kNone || !r.empty()) return r;
    }
    return {};
  }
  Error commit(bool sync, int64_t offset, int32_t epoch) {
    bool done = false;
    Error out = Error::kNone;
    cluster.runtime->post(app, [&] {
      auto cb = [&](Error e) {
        out = e;
        done = true;
      };
      if (sync) {
        consumer->commit_sync(offset, epoch, cb);
      } else {
        consumer->commit_async(offset, epoch, cb);
      }
    });
    EXPECT_TRUE(cluster.run_until([&] { return done; }));
    return out;
  }
  ClusterForTest& cluster;
  ActorId app;
  std::unique_ptr<KafkaConsumer> consumer;
};

TEST(KafkaConsumer, PollMovesThePositionPastTheRecordsReturned) {
  ClusterForTest c(base_config());
  c.start();
  for (int m = 0; m < 3; ++m) c.leader->append(m, 1);
  TestConsumer tc(c);
  std::vector<Record> r = tc.poll_records();
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].msg, 0);
  EXPECT_EQ(r[2].offset, 2);
  EXPECT_EQ(tc.consumer->position(), 3);
  EXPECT_EQ(tc.consumer->position_epoch(), 1);
  EXPECT_EQ(tc.consumer->generation(), 1);

  auto resets = c.events(EventType::kOffsetReset);
  ASSERT_EQ(resets.size(), 1u);
  EXPECT_EQ(resets[0].result, Result::kEarliest);
  EXPECT_EQ(resets[0].offset, 0);
  EXPECT_EQ(resets[0].broker, 0);
  auto polls = c.events(EventType::kPoll);
  ASSERT_EQ(polls.size(), 1u);
  EXPECT_EQ(polls[0].offset, 0);
  EXPECT_EQ(polls[0].count, 3);
  EXPECT_EQ(polls[0].broker, 0);

  // Nothing new: the next poll returns nothing and records no poll event.
  auto [e, more] = tc.poll();
  EXPECT_EQ(e, Error::kNone);
  EXPECT_TRUE(more.empty());
  EXPECT_EQ(c.events(EventType::kPoll).size(), 1u);
  // The fetch asked in the leader's epoch (KIP-320).
  EXPECT_EQ(c.leader->fetch_requests.back().current_leader_epoch, 1);
  EXPECT_EQ(c.leader->fetch_requests.back().fetch_offset, 3);
}

TEST(KafkaConsumer, PollReadsOnlyBelowTheHighWatermark) {
  ClusterForTest c(base_config());
  c.start();
  for (int m = 0; m < 3; ++m) c.leader->append(m, 1);
  c.leader->hw = 1;
  TestConsumer tc(c);
  EXPECT_EQ(tc.poll_records().size(), 1u);
  EXPECT_EQ(tc.consumer->position(), 1);
}

TEST(KafkaConsumer, OffsetResetLatestStartsAtTheHighWatermark) {
  Config cfg = base_config();
  cfg.auto_offset_reset = OffsetReset::kLatest;
  ClusterForTest c(cfg);
  c.start();
  for (int m = 0; m < 3; ++m) c.leader->append(m, 1);
  TestConsumer tc(c);
  auto [e, r] = tc.poll();
  EXPECT_EQ(e, Error::kNone);
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(tc.consumer->position(), 3);
  auto resets = c.events(EventType::kOffsetReset);
  ASSERT_EQ(resets.size(), 1u);
  EXPECT_EQ(resets[0].result, Result::kLatest);
  EXPECT_EQ(resets[0].offset, 3);
  c.leader->append(3, 1);
  auto r2 = tc.poll_records();
  ASSERT_EQ(r2.size(), 1u);
  EXPECT_EQ(r2[0].msg, 3);
}

TEST(KafkaConsumer, OffsetResetNoneStopsTheConsumer) {
  Config cfg = base_config();
  cfg.auto_offset_reset = OffsetReset::kNone;
  ClusterForTest c(cfg);
  c.start();
  c.leader->append(0, 1);
  TestConsumer tc(c);
  auto [e, r] = tc.poll();
  EXPECT_EQ(e, Error::kOffsetOutOfRange);
  EXPECT_TRUE(tc.consumer->stopped());
  auto resets = c.events(EventType::kOffsetReset);
  ASSERT_EQ(resets.size(), 1u);
  EXPECT_EQ(resets[0].result, Result::kNoReset);
  EXPECT_EQ(resets[0].offset, -1);
  EXPECT_EQ(tc.poll().first, Error::kOffsetOutOfRange);
  EXPECT_EQ(c.leader->fetches, 0);
}

TEST(KafkaConsumer, StartsFromTheCommittedOffsetAndValidatesIt) {
  ClusterForTest c(base_config());
  c.start();
  for (int m = 0; m < 3; ++m) c.leader->append(m, 1);
  {
    TestConsumer first(c, 0);
    ASSERT_EQ(first.poll_records().size(), 3u);
    EXPECT_EQ(first.commit(true, 2, 1), Error::kNone);
    first.consumer->crash();
  }
  EXPECT_EQ(c.coordinator->committed_offset(), 2);
  TestConsumer second(c, 1);
  std::vector<Record> r = second.poll_records();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].offset, 2);
  EXPECT_EQ(c.coordinator->generation(), 2);
  // A new instance knows no leader epoch: it validates the committed position first.
  auto v = c.events(EventType::kValidatePosition);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].offset, 2);
  EXPECT_EQ(v[0].leader_epoch, 1);
  EXPECT_EQ(c.events(EventType::kOffsetReset).size(), 1u);  // the first instance's only
}

// The leader of epoch 1 had m0..m2 at 0..2; the new leader of epoch 2 has only offset 0 and
// then appended m3 at offset 1 in epoch 2.
void truncate_under_the_consumer(testing::FakeLeader& leader) {
  leader.log.resize(1);
  leader.epoch = 2;
  leader.append(3, 2);
}

TEST(KafkaConsumer, Kip320DetectsTruncationAndRewinds) {
  ClusterForTest c(base_config());
  c.start();
  for (int m = 0; m < 3; ++m) c.leader->append(m, 1);
  TestConsumer tc(c);
  ASSERT_EQ(tc.poll_records().size(), 3u);
  truncate_under_the_consumer(*c.leader);
  std::vector<Record> r = tc.poll_records();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].msg, 3);
  EXPECT_EQ(r[0].offset, 1);
  auto v = c.events(EventType::kValidatePosition);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].leader_epoch, 2);
  EXPECT_EQ(v[0].offset, 1);  // rewound to where epoch 1 ends on the new leader
  EXPECT_EQ(c.events(EventType::kOffsetReset).size(), 1u);
}

TEST(KafkaConsumer, Kip320TruncationWithResetNoneStops) {
  Config cfg = base_config();
  cfg.auto_offset_reset = OffsetReset::kNone;
  ClusterForTest c(cfg);
  c.start();
  for (int m = 0; m < 3; ++m) c.leader->append(m, 1);
  ClusterForTest& c2 = c;
  TestConsumer member(c2, 0);
  EXPECT_EQ(member.poll().first, Error::kOffsetOutOfRange);  // no offset: NoOffsetForPartition
  EXPECT_EQ(member.commit(true, 0, -1), Error::kNone);
  member.consumer->crash();
  TestConsumer reader(c2, 1);
  ASSERT_EQ(reader.poll_records().size(), 3u);
  truncate_under_the_consumer(*c2.leader);
  Error e = Error::kNone;
  for (int i = 0; i < 5 && e == Error::kNone; ++i) e = reader.poll().first;
  EXPECT_EQ(e, Error::kOffsetOutOfRange);  // LogTruncationException
  EXPECT_TRUE(reader.consumer->stopped());
  auto v = c2.events(EventType::kValidatePosition);
  ASSERT_EQ(v.size(), 2u);  // the start (position 0), then the truncation
  EXPECT_EQ(v[1].offset, 3);  // the unchanged position
  EXPECT_EQ(v[1].leader_epoch, 2);
}

TEST(KafkaConsumer, Before21NoValidationAndOutOfRangeResets) {
  Config cfg = base_config();
  cfg.version = KafkaVersion{2, 0, 0};
  cfg.auto_offset_reset = OffsetReset::kLatest;
  ClusterForTest c(cfg);
  c.start();
  for (int m = 0; m < 3; ++m) c.leader->append(m, 1);
  c.leader->hw = 0;
  TestConsumer tc(c);
  EXPECT_TRUE(tc.poll().second.empty());  // reset to latest = 0
  c.leader->hw = -1;
  ASSERT_EQ(tc.poll_records().size(), 3u);
  EXPECT_EQ(c.leader->fetch_requests.back().current_leader_epoch, -1);
  truncate_under_the_consumer(*c.leader);
  for (int i = 0; i < 3; ++i) tc.poll();
  EXPECT_TRUE(c.events(EventType::kValidatePosition).empty());
  // Position 3 is past the new log end (2): OFFSET_OUT_OF_RANGE, reset to latest; m3 at
  // offset 1 is skipped.
  auto resets = c.events(EventType::kOffsetReset);
  ASSERT_EQ(resets.size(), 2u);
  EXPECT_EQ(resets[1].offset, 2);
  EXPECT_EQ(resets[1].result, Result::kLatest);
  EXPECT_EQ(tc.consumer->position(), 2);
}

TEST(KafkaConsumer, ReadCommittedSkipsAbortedRecordsAndStopsAtTheLastStableOffset) {
  Config cfg = base_config();
  cfg.isolation = Isolation::kReadCommitted;
  ClusterForTest c(cfg);
  c.start();
  c.leader->append(0, 1, 5, true);                   // 0: aborted
  c.leader->append(-1, 1, 5, true, Control::kAbort); // 1: its marker
  c.leader->append(1, 1, 6, true);                   // 2: committed
  c.leader->append(-1, 1, 6, true, Control::kCommit);// 3: its marker
  c.leader->append(2, 1, 7, true);                   // 4: open transaction
  c.leader->lso = 4;
  c.leader->aborted = {AbortedTransaction{5, 0}};
  TestConsumer tc(c);
  std::vector<Record> r = tc.poll_records();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].msg, 1);
  EXPECT_EQ(tc.consumer->position(), 4);
  EXPECT_EQ(c.leader->fetch_requests.back().isolation, IsolationLevel::kReadCommitted);
  auto polls = c.events(EventType::kPoll);
  ASSERT_EQ(polls.size(), 1u);
  EXPECT_EQ(polls[0].count, 1);
  EXPECT_TRUE(tc.poll().second.empty());
  EXPECT_EQ(tc.consumer->position(), 4);  // m2 waits for its transaction's end
}

TEST(Fetcher, ReadUncommittedReturnsAbortedRecordsButNoMarkers) {
  FetchResponse resp;
  resp.high_watermark = 3;
  resp.last_stable_offset = 0;
  Record a{0, 1, 7, 0, 5, 0, 0, true, Control::kNone};
  Record m{1, 1, -1, -1, 5, 0, -1, true, Control::kAbort};
  Record b{2, 1, 8, 0, -1, -1, -1, false, Control::kNone};
  resp.records = {a, m, b};
  resp.aborted = {AbortedTransaction{5, 0}};
  CompletedFetch f = complete_fetch(resp, 0, IsolationLevel::kReadUncommitted);
  ASSERT_EQ(f.records.size(), 2u);
  EXPECT_EQ(f.records[0].msg, 7);
  EXPECT_EQ(f.next_offset, 3);
  resp.last_stable_offset = 3;
  CompletedFetch rc = complete_fetch(resp, 0, IsolationLevel::kReadCommitted);
  ASSERT_EQ(rc.records.size(), 1u);  // the aborted m7 is dropped, m8 kept
  EXPECT_EQ(rc.records[0].msg, 8);
  EXPECT_EQ(rc.next_offset, 3);
}

// Kafka's CompletedFetch never compares a record's offset with the response's high
// watermark or last stable offset: the broker is trusted to stop there. A client that
// dropped such records would hide a leader serving past them (seeded bug fetch_past_hw).
TEST(Fetcher, TrustsTheBrokerToStopAtTheHighWatermark) {
  FetchResponse resp;
  resp.high_watermark = 1;
  resp.last_stable_offset = 1;
  Record a{0, 1, 7, 0, -1, -1, -1, false, Control::kNone};
  Record b{1, 1, 8, 0, -1, -1, -1, false, Control::kNone};
  resp.records = {a, b};
  for (IsolationLevel level : {IsolationLevel::kReadUncommitted, IsolationLevel::kReadCommitted}) {
    CompletedFetch f = complete_fetch(resp, 0, level);
    ASSERT_EQ(f.records.size(), 2u);
    EXPECT_EQ(f.next_offset, 2);
  }
}

TEST(KafkaConsumer, RebalanceFencesACommitAndThePollRejoins) {
  ClusterForTest c(base_config());
  c.start();
  for (int m = 0; m < 3; ++m) c.leader->append(m, 1);
  TestConsumer tc(c);
  ASSERT_EQ(tc.poll_records().size(), 3u);
  EXPECT_EQ(tc.commit(true, 1, 1), Error::kNone);
  c.coordinator->rebalance();
  EXPECT_EQ(tc.commit(true, 3, 1), Error::kIllegalGeneration);
  EXPECT_EQ(c.coordinator->committed_offset(), 1);
  auto commits = c.events(EventType::kCommit);
  ASSERT_EQ(commits.size(), 2u);
  EXPECT_EQ(commits[0].result, Result::kCommitSync);
  EXPECT_EQ(commits[0].offset, 1);
  EXPECT_EQ(commits[1].result, Result::kCommitFailed);
  EXPECT_EQ(commits[1].offset, 3);
  // The next poll rejoins and resumes from the committed offset.
  std::vector<Record> r = tc.poll_records();
  auto rejoins = c.events(EventType::kConsumerRejoin);
  ASSERT_EQ(rejoins.size(), 1u);
  EXPECT_EQ(rejoins[0].offset, 1);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].offset, 1);
  EXPECT_EQ(tc.consumer->generation(), 3);
  // Same leader epoch: no new validation after the rejoin.
  EXPECT_EQ(c.events(EventType::kValidatePosition).size(), 0u);
}

TEST(KafkaConsumer, HeartbeatLearnsOfTheRebalance) {
  ClusterForTest c(base_config());
  c.start();
  c.leader->append(0, 1);
  TestConsumer tc(c);
  ASSERT_EQ(tc.poll_records().size(), 1u);
  c.coordinator->rebalance();
  c.run_for(c.env.timings.group_heartbeat_interval_ms * 2);
  tc.poll();
  EXPECT_EQ(c.events(EventType::kConsumerRejoin).size(), 1u);
  EXPECT_EQ(c.events(EventType::kConsumerRejoin)[0].offset, -1);  // nothing committed
}

TEST(KafkaConsumer, CommitAsyncRecordsTheSendAndTheCompletion) {
  ClusterForTest c(base_config());
  c.start();
  c.leader->append(0, 1);
  TestConsumer tc(c);
  ASSERT_EQ(tc.poll_records().size(), 1u);
  EXPECT_EQ(tc.commit(false, 1, 1), Error::kNone);
  c.coordinator->rebalance();
  EXPECT_EQ(tc.commit(false, 1, 1), Error::kIllegalGeneration);
  auto commits = c.events(EventType::kCommit);
  auto completes = c.events(EventType::kCommitComplete);
  ASSERT_EQ(commits.size(), 2u);
  ASSERT_EQ(completes.size(), 2u);
  EXPECT_EQ(commits[0].result, Result::kCommitAsync);
  EXPECT_EQ(completes[0].result, Result::kCommitAsync);
  EXPECT_EQ(completes[1].result, Result::kCommitFailed);
  EXPECT_LT(c.first(EventType::kCommit), c.first(EventType::kCommitComplete));
}

TEST(KafkaConsumer, AutoCommitCommitsEarlierPollsEveryInterval) {
  Config cfg = base_config();
  cfg.enable_auto_commit = true;
  cfg.commit = CommitMode::kAuto;
  ClusterForTest c(cfg);
  c.start();
  for (int m = 0; m < 2; ++m) c.leader->append(m, 1);
  TestConsumer tc(c);
  ASSERT_EQ(tc.poll_records().size(), 2u);
  EXPECT_TRUE(c.events(EventType::kCommit).empty());  // not due yet
  c.leader->append(2, 1);
  // Virtual time moves only from timer to timer (heartbeats): run past the interval.
  c.run_for(c.env.timings.auto_commit_interval_ms + c.env.timings.group_heartbeat_interval_ms);
  // This poll commits the position of the records returned before it (2), then fetches m2.
  ASSERT_EQ(tc.poll_records().size(), 1u);
  c.run_for(10);
  auto commits = c.events(EventType::kCommit);
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_EQ(commits[0].result, Result::kAutoCommit);
  EXPECT_EQ(commits[0].offset, 2);
  EXPECT_EQ(c.coordinator->committed_offset(), 2);
  tc.poll();  // within the interval: no commit
  c.run_for(10);
  EXPECT_EQ(c.events(EventType::kCommit).size(), 1u);
}

TEST(KafkaConsumer, FencedLeaderEpochRefreshesMetadata) {
  ClusterForTest c(base_config());
  c.start();
  c.leader->append(0, 1);
  TestConsumer tc(c);
  ASSERT_EQ(tc.poll_records().size(), 1u);
  c.leader->epoch = 3;  // a new election, same leader, nothing truncated
  c.leader->append(1, 3);
  std::vector<Record> r = tc.poll_records();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].msg, 1);
  auto v = c.events(EventType::kValidatePosition);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].leader_epoch, 3);
  EXPECT_EQ(v[0].offset, 1);
}

}  // namespace
}  // namespace kdc::impl
