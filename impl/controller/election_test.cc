#include "impl/controller/election.h"

#include <gtest/gtest.h>

namespace kdc::impl {
namespace {

PartitionState three(std::vector<NodeId> isr) {
  PartitionState s;
  s.published.leader = 0;
  s.published.leader_epoch = 1;
  s.published.partition_epoch = 0;
  s.published.replicas = {0, 1, 2};
  s.published.isr = std::move(isr);
  return s;
}

TEST(Election, LastReplicaStandingStaysInTheIsrWithoutElr) {
  Config c;
  c.min_insync_replicas = 2;
  PartitionState s = three({0});
  EXPECT_TRUE(fence_replica(s, 0, c));
  EXPECT_EQ(s.published.leader, -1);
  EXPECT_EQ(s.published.isr, (std::vector<NodeId>{0}));
  // Nobody else is clean; with unclean election off nobody is elected.
  EXPECT_EQ(choose_leader(s, {0}, c).leader, -1);
  c.unclean_leader_election = true;
  Election e = choose_leader(s, {0}, c);
  EXPECT_EQ(e.leader, 1);
  EXPECT_EQ(e.kind, Result::kUnclean);
  apply_election(s, e);
  EXPECT_EQ(s.published.isr, (std::vector<NodeId>{1}));
  EXPECT_EQ(s.published.leader_epoch, 2);
}

TEST(Election, ElrAndLastKnownLeader) {
  Config c;
  c.min_insync_replicas = 2;
  c.eligible_leader_replicas = true;
  PartitionState s = three({0, 1});
  fence_replica(s, 1, c);  // ISR {0} < 2: 1 joins the ELR
  EXPECT_EQ(s.published.elr, (std::vector<NodeId>{1}));
  fence_replica(s, 0, c);  // the leader: ISR empty, ELR {0, 1}
  EXPECT_TRUE(s.published.isr.empty());
  EXPECT_EQ(s.published.elr, (std::vector<NodeId>{0, 1}));
  EXPECT_EQ(s.last_known_leader, 0);
  // 1 comes back from an unclean shutdown: it leaves the ELR.
  unclean_restart(s, 1, c);
  EXPECT_EQ(s.published.elr, (std::vector<NodeId>{0}));
  EXPECT_EQ(choose_leader(s, {0}, c).leader, -1);
  Election e = choose_leader(s, {}, c);
  EXPECT_EQ(e.leader, 0);
  EXPECT_EQ(e.kind, Result::kEligibleLeaderReplica);
  // Both restarted uncleanly: ISR and ELR empty, the last known leader returns.
  unclean_restart(s, 0, c);
  e = choose_leader(s, {}, c);
  EXPECT_EQ(e.leader, 0);
  EXPECT_EQ(e.kind, Result::kLastKnownLeader);
  apply_election(s, e);
  EXPECT_EQ(s.published.isr, (std::vector<NodeId>{0}));
}

TEST(Election, AlterPartitionChecksEpochsAndFencing) {
  Config c;
  PartitionState s = three({0, 1});
  AlterPartitionRequest r;
  r.leader = 0;
  r.leader_epoch = 1;
  r.partition_epoch = 0;
  r.new_isr = {0, 1, 2};
  EXPECT_EQ(alter_isr(s, r, {2}, c), Error::kInvalidRequest);  // 2 is fenced
  EXPECT_EQ(alter_isr(s, r, {}, c), Error::kNone);
  EXPECT_EQ(s.published.partition_epoch, 1);
  EXPECT_EQ(alter_isr(s, r, {}, c), Error::kInvalidRequest);  // stale partition epoch
  r.leader_epoch = 0;
  r.partition_epoch = 1;
  EXPECT_EQ(alter_isr(s, r, {}, c), Error::kFencedLeaderEpoch);
}

}  // namespace
}  // namespace kdc::impl
