#include "impl/app/consumer_app.h"

#include <gtest/gtest.h>

#include <atomic>

#include "impl/consumer/testing/cluster_for_test.h"

namespace kdc::impl {
namespace {

using testing::ClusterForTest;

Config app_config(CommitMode mode, Processing processing = Processing::kSync) {
  Config c;
  c.commit = mode;
  c.processing = processing;
  c.enable_auto_commit = mode == CommitMode::kAuto;
  c.auto_offset_reset = OffsetReset::kEarliest;
  return c;
}

struct AppTest {
  explicit AppTest(Config cfg, int records = 2) : c(std::move(cfg)) {
    c.start();
    for (int m = 0; m < records; ++m) c.leader->append(m, 1);
  }
  size_t applied() const { return ledger.snapshot().applied.size(); }
  std::vector<int32_t> applied_msgs() const {
    std::vector<int32_t> out;
    for (const auto& a : ledger.snapshot().applied) out.push_back(a.msg);
    return out;
  }
  // Trace positions of the events of `type`.
  std::vector<int> positions(EventType type) const {
    std::vector<int> out;
    std::vector<Event> all = c.trace.events();
    for (size_t i = 0; i < all.size(); ++i) {
      if (all[i].type == type) out.push_back(static_cast<int>(i));
    }
    return out;
  }
  ClusterForTest c;
  Ledger ledger;
};

TEST(ConsumerApp, ProcessThenCommitSyncProcessesTheBatchThenCommits) {
  AppTest t(app_config(CommitMode::kProcessThenCommitSync));
  ConsumerApp app(t.c.env, t.ledger, 0);
  ASSERT_TRUE(t.c.run_until([&] { return t.c.coordinator->committed_offset() == 2 && !app.busy(); }));
  EXPECT_EQ(t.applied_msgs(), (std::vector<int32_t>{0, 1}));
  auto process = t.positions(EventType::kProcess);
  auto commit = t.positions(EventType::kCommit);
  ASSERT_EQ(process.size(), 2u);
  ASSERT_EQ(commit.size(), 1u);
  EXPECT_LT(process[1], commit[0]);
  auto commits = t.c.events(EventType::kCommit);
  EXPECT_EQ(commits[0].result, Result::kCommitSync);
  EXPECT_EQ(commits[0].offset, 2);
  auto processed = t.c.events(EventType::kProcess);
  EXPECT_EQ(processed[0].msg, 0);
  EXPECT_EQ(processed[0].gen, 0);
  EXPECT_EQ(processed[0].offset, 0);
  EXPECT_EQ(processed[0].leader_epoch, 1);
  EXPECT_EQ(app.processed_upto(), 2);
}

TEST(ConsumerApp, CommitThenProcessCommitsBeforeProcessing) {
  AppTest t(app_config(CommitMode::kCommitThenProcess));
  ConsumerApp app(t.c.env, t.ledger, 0);
  ASSERT_TRUE(t.c.run_until([&] { return t.applied() == 2; }));
  auto process = t.positions(EventType::kProcess);
  auto commit = t.positions(EventType::kCommit);
  ASSERT_EQ(commit.size(), 1u);
  EXPECT_LT(commit[0], process[0]);
  EXPECT_EQ(t.c.events(EventType::kCommit)[0].result, Result::kCommitSync);
}

TEST(ConsumerApp, ProcessThenCommitAsyncCommitsAfterProcessingAndCompletesLater) {
  AppTest t(app_config(CommitMode::kProcessThenCommitAsync));
  ConsumerApp app(t.c.env, t.ledger, 0);
  ASSERT_TRUE(t.c.run_until([&] { return t.c.coordinator->committed_offset() == 2 && !app.busy(); }));
  auto process = t.positions(EventType::kProcess);
  auto commit = t.positions(EventType::kCommit);
  auto complete = t.positions(EventType::kCommitComplete);
  ASSERT_EQ(commit.size(), 1u);
  ASSERT_EQ(complete.size(), 1u);
  EXPECT_LT(process[1], commit[0]);
  EXPECT_LT(commit[0], complete[0]);
  EXPECT_EQ(t.c.events(EventType::kCommit)[0].result, Result::kCommitAsync);
  EXPECT_EQ(t.c.events(EventType::kCommitComplete)[0].result, Result::kCommitAsync);
}

TEST(ConsumerApp, AutoCommitCommitsInsideALaterPoll) {
  AppTest t(app_config(CommitMode::kAuto));
  ConsumerApp app(t.c.env, t.ledger, 0);
  ASSERT_TRUE(t.c.run_until([&] { return t.c.coordinator->committed_offset() == 2; }));
  auto commits = t.c.events(EventType::kCommit);
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_EQ(commits[0].result, Result::kAutoCommit);
  EXPECT_LT(t.positions(EventType::kProcess)[1], t.positions(EventType::kCommit)[0]);
  EXPECT_GE(t.c.runtime->now(), t.c.env.timings.auto_commit_interval_ms);
}

TEST(ConsumerApp, CrashBetweenProcessAndCommitProcessesAgain) {
  AppTest t(app_config(CommitMode::kProcessThenCommitSync));
  std::atomic<bool> processed_one{false};
  t.c.trace.set_observer([&](const Event& e) {
    if (e.type == EventType::kProcess) processed_one = true;
  });
  {
    ConsumerApp first(t.c.env, t.ledger, 0);
    ASSERT_TRUE(t.c.run_until([&] { return processed_one.load(); }));
    first.crash();
  }
  EXPECT_EQ(t.c.coordinator->committed_offset(), -1);
  ConsumerApp second(t.c.env, t.ledger, 1);
  ASSERT_TRUE(t.c.run_until([&] { return t.c.coordinator->committed_offset() == 2; }));
  // m0 took effect twice: the crash fell between the sink write and the commit (D_proc).
  EXPECT_EQ(t.applied_msgs(), (std::vector<int32_t>{0, 0, 1}));
}

TEST(ConsumerApp, CommitThenProcessCrashSkipsTheBatch) {
  AppTest t(app_config(CommitMode::kCommitThenProcess));
  std::atomic<bool> committed{false};
  t.c.trace.set_observer([&](const Event& e) {
    if (e.type == EventType::kCommit) committed = true;
  });
  {
    ConsumerApp first(t.c.env, t.ledger, 0);
    ASSERT_TRUE(t.c.run_until([&] { return committed.load(); }));
    first.crash();
  }
  EXPECT_EQ(t.c.coordinator->committed_offset(), 2);
  ConsumerApp second(t.c.env, t.ledger, 1);
  ASSERT_TRUE(t.c.run_until([&] { return second.processed_upto() == 2 && !second.busy(); }));
  t.c.run_for(1000);
  EXPECT_EQ(t.applied(), 0u);  // both records skipped (L_skip)
}

TEST(ConsumerApp, RebalanceFailsTheCommitAndTheAppRejoinsFromTheCommittedOffset) {
  AppTest t(app_config(CommitMode::kCommitThenProcess));
  t.c.env.timings.group_heartbeat_interval_ms = 1000000;  // the commit finds the fence first
  ConsumerApp app(t.c.env, t.ledger, 0);
  ASSERT_TRUE(t.c.run_until([&] { return t.applied() == 2 && !app.busy(); }));
  t.c.coordinator->rebalance();
  t.c.leader->append(2, 1);
  ASSERT_TRUE(t.c.run_until([&] { return t.applied() == 3; }));
  EXPECT_EQ(t.applied_msgs(), (std::vector<int32_t>{0, 1, 2}));
  auto commits = t.c.events(EventType::kCommit);
  ASSERT_EQ(commits.size(), 3u);
  EXPECT_EQ(commits[1].result, Result::kCommitFailed);
  EXPECT_EQ(commits[1].offset, 3);
  EXPECT_EQ(commits[2].result, Result::kCommitSync);
  auto rejoins = t.c.events(EventType::kConsumerRejoin);
  ASSERT_EQ(rejoins.size(), 1u);
  EXPECT_EQ(rejoins[0].offset, 2);
  EXPECT_LT(t.positions(EventType::kConsumerRejoin)[0], t.positions(EventType::kCommit)[2]);
}

TEST(ConsumerApp, ExternalAtomicResumesFromTheSinkOffset) {
  AppTest t(app_config(CommitMode::kExternalAtomic));
  {
    ConsumerApp first(t.c.env, t.ledger, 0);
    ASSERT_TRUE(t.c.run_until([&] { return t.applied() == 2; }));
    first.crash();
  }
  EXPECT_EQ(t.ledger.stored_offset(), 2);
  t.c.leader->append(2, 1);
  ConsumerApp second(t.c.env, t.ledger, 1);
  ASSERT_TRUE(t.c.run_until([&] { return t.applied() == 3 && !second.busy(); }));
  t.c.run_for(1000);
  EXPECT_EQ(t.applied_msgs(), (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(t.ledger.stored_offset(), 3);
  EXPECT_TRUE(t.c.events(EventType::kCommit).empty());
  EXPECT_EQ(t.c.coordinator->committed_offset(), -1);
}

TEST(ConsumerApp, AsyncProcessingCommitsWhileTheWorkerProcesses) {
  AppTest t(app_config(CommitMode::kProcessThenCommitSync, Processing::kAsync), 3);
  ConsumerApp app(t.c.env, t.ledger, 0);
  ASSERT_TRUE(t.c.run_until([&] {
    return t.applied() == 3 && t.c.coordinator->committed_offset() == 3 && !app.busy();
  }));
  EXPECT_EQ(t.applied_msgs(), (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(app.processed_upto(), 3);
}

TEST(ConsumerApp, ResetNoneStopsTheApplication) {
  Config cfg = app_config(CommitMode::kProcessThenCommitSync);
  cfg.auto_offset_reset = OffsetReset::kNone;
  AppTest t(cfg);
  ConsumerApp app(t.c.env, t.ledger, 0);
  ASSERT_TRUE(t.c.run_until([&] { return app.stopped(); }));
  EXPECT_EQ(t.applied(), 0u);
}

TEST(ConsumerApp, DownstreamReaderOfAProcessorReadsCommittedWithoutTheGroup) {
  Config cfg = app_config(CommitMode::kTransactional);
  cfg.transactional = true;
  cfg.isolation = Isolation::kReadUncommitted;
  cfg.output_isolation = Isolation::kReadCommitted;
  AppTest t(cfg, 0);
  t.c.leader->append(0, 1, 3, true);                     // aborted
  t.c.leader->append(-1, 1, 3, true, Control::kAbort);
  t.c.leader->append(0, 1, 4, true);                     // m0 again, committed
  t.c.leader->append(-1, 1, 4, true, Control::kCommit);
  t.c.leader->aborted = {AbortedTransaction{3, 0}};
  ConsumerApp app(t.c.env, t.ledger, 0);
  ASSERT_TRUE(t.c.run_until([&] { return app.processed_upto() == 4 && !app.busy(); }));
  auto snap = t.ledger.snapshot();
  ASSERT_EQ(snap.applied.size(), 1u);
  EXPECT_EQ(snap.applied[0].offset, 2);
  EXPECT_EQ(snap.applied[0].producer_id, 4);
  EXPECT_EQ(t.c.coordinator->generation(), 0);  // it never joined the processor's group
  EXPECT_EQ(t.ledger.stored_offset(), 3);
}

}  // namespace
}  // namespace kdc::impl
