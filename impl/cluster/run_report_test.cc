#include "impl/cluster/run_report.h"

#include <gtest/gtest.h>

namespace kdc::impl {
namespace {

Record data(int64_t offset, int32_t msg, int8_t gen = 0, int32_t epoch = 1, int64_t pid = -1) {
  Record r;
  r.offset = offset;
  r.msg = msg;
  r.gen = gen;
  r.leader_epoch = epoch;
  r.producer_id = pid;
  return r;
}

Ledger::Applied applied(int32_t msg, int64_t offset, int8_t gen = 0, int32_t epoch = 1,
                        int64_t pid = -1) {
  Ledger::Applied a;
  a.msg = msg;
  a.gen = gen;
  a.offset = offset;
  a.leader_epoch = epoch;
  a.producer_id = pid;
  return a;
}

TEST(JudgeRun, CleanRunHasNoEffects) {
  Ledger l;
  for (int m = 0; m < 3; ++m) {
    l.sent(m, 0);
    l.acked(m, 0, m);
    l.applied(applied(m, m));
  }
  RunReport r = judge_run(l.snapshot(), {data(0, 0), data(1, 1), data(2, 2)}, 3);
  EXPECT_EQ(r.sent, 3);
  EXPECT_EQ(r.delivered, 3);
  EXPECT_EQ(r.lost, 0);
  EXPECT_TRUE(r.effects.empty());
}

TEST(JudgeRun, LossesInTheModelsOrderOfExplanations) {
  Ledger l;
  for (int m = 0; m < 5; ++m) l.sent(m, 0);
  l.acked(0, 0, 0);        // acked, not in the log, never applied: L_ack
  l.failed(1, 0, true);    // dropped: L_fail
  l.abandoned(2);          // L_unsent
  l.acked(3, 0, 0);        // in the log but never processed: L_skip (before L_ack)
  // m4: nothing known: unexplained
  RunReport r = judge_run(l.snapshot(), {data(0, 3)}, 5);
  EXPECT_EQ(r.effects["L_ack"], 1);
  EXPECT_EQ(r.effects["L_fail"], 1);
  EXPECT_EQ(r.effects["L_unsent"], 1);
  EXPECT_EQ(r.effects["L_skip"], 1);
  EXPECT_EQ(r.unexplained_losses, 1);
  EXPECT_EQ(r.lost, 5);
}

TEST(JudgeRun, DuplicatesAreToldApartByCopy) {
  Ledger l;
  for (int m = 0; m < 3; ++m) l.sent(m, 0);
  l.sent(1, 1);
  l.applied(applied(0, 0));
  l.applied(applied(0, 0));          // same record again: D_proc
  l.applied(applied(1, 1));
  l.applied(applied(1, 3, 1));       // another send(): D_app
  l.applied(applied(2, 2));
  l.applied(applied(2, 4));          // same send(), another offset: D_int
  RunReport r = judge_run(l.snapshot(), {}, 3);
  EXPECT_EQ(r.effects["D_proc"], 1);
  EXPECT_EQ(r.effects["D_app"], 1);
  EXPECT_EQ(r.effects["D_int"], 1);
  EXPECT_EQ(r.duplicated, 3);
}

TEST(JudgeRun, ReorderingAndAbortedReads) {
  Ledger l;
  l.sent(0, 0);
  l.sent(1, 0);
  l.applied(applied(1, 0, 0, 1, 7));
  l.applied(applied(0, 1));
  Record abort_marker;
  abort_marker.offset = 2;
  abort_marker.producer_id = 7;
  abort_marker.control = Control::kAbort;
  RunReport r = judge_run(l.snapshot(), {data(0, 1, 0, 1, 7), data(1, 0), abort_marker}, 2);
  EXPECT_EQ(r.effects["R"], 1);
  EXPECT_EQ(r.effects["V_unc"], 1);
}

// KAFKA-14053: m0's first send (gen 0) was aborted by the coordinator, but its late write
// landed after the ABORT marker and the next transaction's COMMIT closed it; the sink
// applied it. The log alone says committed; the coordinator's view says V_unc, and the
// second copy (gen 1) is not also D_app.
TEST(JudgeRun, ALateWriteOfAnAbortedSendIsVUncNotADuplicate) {
  Ledger l;
  l.sent(0, 0);
  l.failed(0, 0, false);
  l.sent(0, 1);
  l.acked(0, 1, 2);
  l.applied(applied(0, 1, 0, 1, 1));
  l.applied(applied(0, 2, 1, 1, 1));
  Record abort_marker = data(0, -1, 0, 1, 1);
  abort_marker.control = Control::kAbort;
  Record commit_marker = data(3, -1, 0, 1, 1);
  commit_marker.control = Control::kCommit;
  std::vector<Record> log = {abort_marker, data(1, 0, 0, 1, 1), data(2, 0, 1, 1, 1), commit_marker};
  EXPECT_EQ(judge_run(l.snapshot(), log, 1).effects.count("V_unc"), 0u);  // the log's view
  RunReport r = judge_run(l.snapshot(), log, 1, {{0, 0}});
  EXPECT_EQ(r.effects.count("V_unc"), 1u);
  EXPECT_EQ(r.effects.count("D_app"), 0u);
}

}  // namespace
}  // namespace kdc::impl
