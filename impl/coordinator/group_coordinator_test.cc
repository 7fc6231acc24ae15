#include "impl/coordinator/group_coordinator.h"

#include <gtest/gtest.h>

#include <optional>

#include "impl/consumer/testing/cluster_for_test.h"

namespace kdc::impl {
namespace {

using testing::ClusterForTest;

// A raw client node: sends one request, waits for the answer.
struct RawClient {
  RawClient(ClusterForTest& c, NodeId node) : cluster(c), node(node) {
    actor = c.runtime->spawn("raw-client");
    c.network.attach(node, actor, [this](Message m) { last = std::move(m.payload); },
                     [](NodeId) {});
  }
  template <typename Response>
  Response call(Payload request, NodeId to = kGroupCoordinator) {
    last.reset();
    cluster.network.send(node, to, std::move(request));
    EXPECT_TRUE(cluster.run_until([&] { return last.has_value(); }));
    return std::get<Response>(*last);
  }
  ClusterForTest& cluster;
  NodeId node;
  ActorId actor;
  std::optional<Payload> last;
};

TEST(GroupCoordinator, EachJoinStartsANewGenerationAndFencesTheOldOne) {
  ClusterForTest c(Config{});
  c.start();
  RawClient a(c, kConsumerBase);
  RawClient b(c, kConsumerBase + 1);
  EXPECT_EQ(a.call<JoinGroupResponse>(JoinGroupRequest{1}).generation, 1);
  EXPECT_EQ(a.call<HeartbeatResponse>(HeartbeatRequest{2, 1}).error, Error::kNone);
  EXPECT_EQ(b.call<JoinGroupResponse>(JoinGroupRequest{3}).generation, 2);
  EXPECT_EQ(a.call<HeartbeatResponse>(HeartbeatRequest{4, 1}).error,
            Error::kRebalanceInProgress);
  EXPECT_EQ(a.call<OffsetCommitResponse>(OffsetCommitRequest{5, 1, 7, 1, CommitKind::kSync})
                .error,
            Error::kIllegalGeneration);
  EXPECT_EQ(b.call<OffsetCommitResponse>(OffsetCommitRequest{6, 2, 3, 1, CommitKind::kSync})
                .error,
            Error::kNone);
  EXPECT_EQ(c.coordinator->committed_offset(), 3);
  auto f = a.call<OffsetFetchResponse>(OffsetFetchRequest{7});
  EXPECT_EQ(f.offset, 3);
  EXPECT_EQ(f.leader_epoch, 1);
  auto commits = c.events(EventType::kCommit);
  ASSERT_EQ(commits.size(), 2u);
  EXPECT_EQ(commits[0].result, Result::kCommitFailed);
  EXPECT_EQ(commits[0].offset, 7);
  EXPECT_EQ(commits[1].result, Result::kCommitSync);
  EXPECT_EQ(commits[1].offset, 3);
}

TEST(GroupCoordinator, RebalanceFencesTheMemberUntilItRejoins) {
  ClusterForTest c(Config{});
  c.start();
  RawClient a(c, kConsumerBase);
  EXPECT_EQ(a.call<JoinGroupResponse>(JoinGroupRequest{1}).generation, 1);
  c.coordinator->rebalance();
  EXPECT_EQ(c.coordinator->generation(), 2);
  EXPECT_EQ(a.call<HeartbeatResponse>(HeartbeatRequest{2, 1}).error,
            Error::kRebalanceInProgress);
  // Async and auto commits of the fenced generation: commit_complete failed / nothing.
  EXPECT_EQ(a.call<OffsetCommitResponse>(OffsetCommitRequest{3, 1, 1, -1, CommitKind::kAsync})
                .error,
            Error::kIllegalGeneration);
  EXPECT_EQ(a.call<OffsetCommitResponse>(OffsetCommitRequest{4, 1, 1, -1, CommitKind::kAuto})
                .error,
            Error::kIllegalGeneration);
  EXPECT_EQ(c.coordinator->committed_offset(), -1);
  auto completes = c.events(EventType::kCommitComplete);
  ASSERT_EQ(completes.size(), 1u);
  EXPECT_EQ(completes[0].result, Result::kCommitFailed);
  EXPECT_TRUE(c.events(EventType::kCommit).empty());
  EXPECT_EQ(a.call<JoinGroupResponse>(JoinGroupRequest{5}).generation, 3);
  EXPECT_EQ(a.call<OffsetCommitResponse>(OffsetCommitRequest{6, 3, 2, -1, CommitKind::kAuto})
                .error,
            Error::kNone);
  auto commits = c.events(EventType::kCommit);
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_EQ(commits[0].result, Result::kAutoCommit);
  EXPECT_EQ(commits[0].offset, 2);
}

TEST(GroupCoordinator, LoseOffsetsForgetsTheCommittedOffset) {
  ClusterForTest c(Config{});
  c.start();
  RawClient a(c, kConsumerBase);
  a.call<JoinGroupResponse>(JoinGroupRequest{1});
  a.call<OffsetCommitResponse>(OffsetCommitRequest{2, 1, 4, 1, CommitKind::kSync});
  EXPECT_EQ(c.coordinator->committed_offset(), 4);
  c.coordinator->lose_offsets();
  EXPECT_EQ(c.coordinator->committed_offset(), -1);
  EXPECT_EQ(a.call<OffsetFetchResponse>(OffsetFetchRequest{3}).offset, -1);
}

TEST(GroupCoordinator, TransactionalOffsetsWaitForTheMarker) {
  ClusterForTest c(Config{});
  c.start();
  RawClient processor(c, kProducerBase);
  RawClient txn(c, kTxnCoordinator);
  EXPECT_EQ(processor.call<JoinGroupResponse>(JoinGroupRequest{1}).generation, 1);
  // Committed with the transaction: invisible until the COMMIT marker.
  EXPECT_EQ(processor.call<TxnOffsetCommitResponse>(TxnOffsetCommitRequest{2, 11, 0, 1, 5})
                .error,
            Error::kNone);
  EXPECT_EQ(c.coordinator->committed_offset(), -1);
  txn.call<WriteTxnMarkersResponse>(WriteTxnMarkersRequest{3, 11, 0, true});
  EXPECT_EQ(c.coordinator->committed_offset(), 5);
  // Aborted: discarded.
  processor.call<TxnOffsetCommitResponse>(TxnOffsetCommitRequest{4, 11, 1, 1, 9});
  txn.call<WriteTxnMarkersResponse>(WriteTxnMarkersRequest{5, 11, 1, false});
  EXPECT_EQ(c.coordinator->committed_offset(), 5);
  // KIP-447: a fenced generation may not commit input offsets.
  c.coordinator->rebalance();
  EXPECT_EQ(processor.call<TxnOffsetCommitResponse>(TxnOffsetCommitRequest{6, 11, 2, 1, 12})
                .error,
            Error::kIllegalGeneration);
  txn.call<WriteTxnMarkersResponse>(WriteTxnMarkersRequest{7, 11, 2, true});
  EXPECT_EQ(c.coordinator->committed_offset(), 5);
  // Commits by the transaction coordinator leave no `commit` events (complete_txn is its).
  EXPECT_TRUE(c.events(EventType::kCommit).empty());
}

}  // namespace
}  // namespace kdc::impl

namespace kdc::impl {
namespace {

TEST(GroupCoordinator, ACommitOfADeadConsumerIsLost) {
  // Seed 2: the network lets a prefix of the dead consumer's commits reach the coordinator.
  testing::ClusterForTest c(Config{}, 2);
  c.start();
  RawClient a(c, kConsumerBase);
  a.call<JoinGroupResponse>(JoinGroupRequest{1});
  // Several on the wire, so that the network lets a prefix of them arrive.
  for (int i = 1; i <= 8; ++i) {
    c.network.send(kConsumerBase, kGroupCoordinator,
                   OffsetCommitRequest{1 + i, 1, i, 1, CommitKind::kAsync});
  }
  c.network.detach(kConsumerBase);  // the consumer dies with its commits on the wire
  c.run_for(100);
  EXPECT_EQ(c.coordinator->committed_offset(), -1);
  EXPECT_TRUE(c.events(EventType::kCommitComplete).empty());
}

}  // namespace
}  // namespace kdc::impl
