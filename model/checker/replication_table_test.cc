// Pins docs/replication.md's table (`kdc replication --md`): one test per release, each
// cell an exhaustive check. A model change that moves a cell fails here, and the table
// in the docs must be regenerated with it.
#include "model/checker/replication_table.h"

#include <gtest/gtest.h>

#include <map>

namespace kdc {
namespace {

// Per (workload, replicas): "holds", or the properties broken and the length of each
// shortest run, as `kdc replication` prints them.
using Row = std::map<std::pair<std::string, int>, std::string>;

void ExpectRow(const std::string& version, const Row& expected) {
  const ReplicationRelease* release = nullptr;
  for (const auto& r : replication_releases())
    if (r.version == version) release = &r;
  ASSERT_NE(release, nullptr) << version;
  CheckOptions options;
  for (const ReplicationWorkload& w : replication_workloads())
    for (int n = 1; n <= 3; ++n) {
      SCOPED_TRACE(version + ", " + w.name + ", " + std::to_string(n) + " replicas");
      ReplicationCell cell;
      std::string error;
      ASSERT_TRUE(check_replication_cell(*release, n, w, 3, options, &cell, &error)) << error;
      EXPECT_TRUE(cell.result.complete);
      EXPECT_EQ(cell.result.bound_hits, 0u);
      EXPECT_EQ(replication_verdict(cell.result), expected.at({w.name, n}));
    }
}

const char* kLoss1 = "committed-record loss (4)";  // one replica: its unflushed log is all there is

TEST(ReplicationTable, Kafka_0_10_TruncatesToTheHighWatermark) {
  ExpectRow("0.10", {{{"crash", 1}, "holds"},
                     {{"crash", 2}, "holds"},
                     {{"crash", 3}, "log divergence (10), committed-record loss (14)"},
                     {{"power-loss", 1}, kLoss1},
                     {{"power-loss", 2}, "log divergence (13), committed-record loss (5)"},
                     {{"power-loss", 3}, "log divergence (10), committed-record loss (6)"}});
}

TEST(ReplicationTable, Kafka_0_11_OneOffsetsForLeaderEpochRound) {
  ExpectRow("0.11", {{{"crash", 1}, "holds"},
                     {{"crash", 2}, "holds"},
                     {{"crash", 3}, "log divergence (16)"},
                     {{"power-loss", 1}, kLoss1},
                     {{"power-loss", 2}, "committed-record loss (5)"},
                     {{"power-loss", 3}, "committed-record loss (6)"}});
}

// From KIP-279 on, crashes alone never break replication safety; power losses still do
// until the HW waits for min.insync.replicas (3.7) and eligible leader replicas (4.1).
Row CrashSafe(const std::string& power_loss_2, const std::string& power_loss_3) {
  return {{{"crash", 1}, "holds"},      {{"crash", 2}, "holds"},
          {{"crash", 3}, "holds"},      {{"power-loss", 1}, kLoss1},
          {{"power-loss", 2}, power_loss_2}, {{"power-loss", 3}, power_loss_3}};
}

TEST(ReplicationTable, Kafka_2_0_Kip279) {
  ExpectRow("2.0", CrashSafe("committed-record loss (5)", "committed-record loss (6)"));
}
TEST(ReplicationTable, Kafka_2_1_Kip320) {
  ExpectRow("2.1", CrashSafe("committed-record loss (5)", "committed-record loss (6)"));
}
TEST(ReplicationTable, Kafka_3_6_HighWatermarkNotGatedByMinIsr) {
  ExpectRow("3.6", CrashSafe("committed-record loss (5)", "committed-record loss (6)"));
}
TEST(ReplicationTable, Kafka_3_7_HighWatermarkGatedByMinIsr) {
  ExpectRow("3.7", CrashSafe("committed-record loss (13)", "committed-record loss (14)"));
}
TEST(ReplicationTable, Kafka_4_0_LastReplicaStanding) {
  ExpectRow("4.0", CrashSafe("committed-record loss (13)", "committed-record loss (14)"));
}
TEST(ReplicationTable, Kafka_4_1_EligibleLeaderReplicas) {
  ExpectRow("4.1", CrashSafe("holds", "holds"));
}

}  // namespace
}  // namespace kdc
