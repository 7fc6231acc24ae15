#include "model/replication_safety.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "model/model.h"
#include "model/testing/config_for_test.h"

namespace kdc {
namespace {

Config ThreeReplicas() {
  return Cfg({"kafka.version=3.7", "replication.factor=3", "min.insync.replicas=2", "acks=1",
              "retries=0", "enable.idempotence=false", "model.messages=2"});
}

// Leader 0 with m0, m1 below its HW 2; followers 1 and 2 in the ISR with the same log.
State Replicated(const Config& c) {
  State s = initial_state(c);
  for (int b = 0; b < 3; ++b) {
    Replica& r = s.replica[b];
    r.log[0] = Record::make(0, 0, 1, 0, 0);
    r.log[1] = Record::make(1, 0, 1, 0, 0);
    r.log_end_offset = 2;
    r.high_watermark = 2;
  }
  s.partition.committed_gens[0] = 1;
  s.partition.committed_gens[1] = 1;
  return s;
}

TEST(ReplicationSafety, HoldsInTheInitialStateAndWhenTheIsrAgrees) {
  const Config c = ThreeReplicas();
  EXPECT_FALSE(check_replication_safety(c, initial_state(c)));
  EXPECT_FALSE(check_replication_safety(c, Replicated(c)));
}

TEST(ReplicationSafety, AnIsrMemberWithADifferentRecordBelowTheHighWatermarkDiverges) {
  const Config c = ThreeReplicas();
  State s = Replicated(c);
  s.replica[2].log[1] = Record::make(1, 0, 2, 0, 0);  // same message, written in another epoch
  auto f = check_replication_safety(c, s);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, ReplicationViolation::kDivergence);
  EXPECT_NE(f->detail.find("ISR member 2"), std::string::npos) << f->detail;
  EXPECT_NE(f->detail.find("offset 1"), std::string::npos) << f->detail;
}

TEST(ReplicationSafety, AnIsrMemberMissingACommittedRecordDiverges) {
  const Config c = ThreeReplicas();
  State s = Replicated(c);
  s.replica[1].log[1] = Record{};
  s.replica[1].log_end_offset = 1;
  s.replica[1].high_watermark = 1;
  auto f = check_replication_safety(c, s, ReplicationViolation::kDivergence);
  ASSERT_TRUE(f);
  EXPECT_NE(f->detail.find("has nothing there"), std::string::npos) << f->detail;
}

TEST(ReplicationSafety, OnlyTheIsrAndOnlyBelowTheHighWatermarkCount) {
  const Config c = ThreeReplicas();
  State s = Replicated(c);
  s.replica[2].log[1] = Record::make(1, 0, 2, 0, 0);
  s.partition.isr = 0b011;  // broker 2 left the ISR: it may differ
  EXPECT_FALSE(check_replication_safety(c, s, ReplicationViolation::kDivergence));
  s = Replicated(c);
  s.replica[0].high_watermark = 1;  // offset 1 is not committed yet
  s.replica[2].log[1] = Record::make(1, 0, 2, 0, 0);
  EXPECT_FALSE(check_replication_safety(c, s, ReplicationViolation::kDivergence));
}

TEST(ReplicationSafety, ACommittedSendInNoReplicaIsLostEvenIfAnotherCopyOfItsMessageRemains) {
  const Config c = ThreeReplicas();
  State s = Replicated(c);
  for (Replica& r : s.replica) r.log[1] = Record::make(1, 1, 1, 0, 0);  // m1's second send
  auto f = check_replication_safety(c, s);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, ReplicationViolation::kCommittedLoss);
  EXPECT_NE(f->detail.find("m1 was below"), std::string::npos) << f->detail;
  // A copy on a broker that is down still counts: its disk holds it.
  s.replica[2].log[2] = Record::make(1, 0, 1, 0, 0);
  s.replica[2].log_end_offset = 3;
  s.replica[2].set(Replica::kUp, false);
  EXPECT_FALSE(check_replication_safety(c, s, ReplicationViolation::kCommittedLoss));
}

// committed_gens is written by the model itself when a leader's HW passes a record:
// without faults, on one broker, m0 is committed exactly when the HW is past offset 0.
TEST(ReplicationSafety, TheModelRecordsWhatALeaderCommitted) {
  const Config c = Cfg({"replication.factor=1", "acks=1", "retries=0", "enable.idempotence=false",
                        "model.messages=1", "fault.max.total=0"});
  std::vector<State> frontier{initial_state(c)};
  std::set<std::string> seen;
  std::vector<Step> steps;
  int committed = 0, uncommitted = 0;
  while (!frontier.empty()) {
    State s = frontier.back();
    frontier.pop_back();
    if (!seen.insert(std::string(reinterpret_cast<const char*>(&s), sizeof s)).second) continue;
    const bool hw_past_m0 = s.replica[0].high_watermark >= 1;
    EXPECT_EQ(s.partition.committed_gens[0] != 0, hw_past_m0);
    (hw_past_m0 ? committed : uncommitted)++;
    successors(c, s, &steps);
    for (const Step& st : steps) frontier.push_back(st.next);
  }
  EXPECT_GT(committed, 0);
  EXPECT_GT(uncommitted, 0);
}

}  // namespace
}  // namespace kdc
