// The implementation honours the configuration the model checks: flipping a modelled key
// changes what a fault-free run does, in the way Kafka's documentation says. (Each
// component's own tests cover the detail; these check the wiring from the user's keys.)
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "impl/cluster/cluster.h"
#include "model/vocabulary/config.h"

namespace kdc::impl {
namespace {

struct Outcome {
  RunReport report;
  std::vector<Event> events;
  int count(EventType t) const {
    return static_cast<int>(std::count_if(events.begin(), events.end(),
                                          [t](const Event& e) { return e.type == t; }));
  }
  int count_if(EventType t, const std::function<bool(const Event&)>& p) const {
    return static_cast<int>(std::count_if(events.begin(), events.end(),
                                          [&](const Event& e) { return e.type == t && p(e); }));
  }
  // Index of the first event of type t (events.size() if none).
  size_t first(EventType t) const {
    for (size_t i = 0; i < events.size(); ++i) {
      if (events[i].type == t) return i;
    }
    return events.size();
  }
};

Outcome run(const std::string& example, std::vector<std::string> overrides, int messages = 4) {
  std::string dir = std::string(KDC_SOURCE_DIR) + "/examples/" + example + "/";
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".properties") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  auto loaded = load_config(files, overrides);
  Outcome r;
  if (auto* e = std::get_if<ConfigError>(&loaded)) {
    ADD_FAILURE() << e->str();
    return r;
  }
  RunOptions o;
  o.seed = 5;
  o.deterministic = true;
  o.inject_faults = false;
  o.messages = messages;
  Cluster cluster(std::get<Config>(loaded), o);
  r.report = cluster.run();
  r.events = cluster.trace().events();
  EXPECT_TRUE(r.report.quiesced) << example << ": " << r.report.stop_reason;
  return r;
}

TEST(ConfigKeys, AcksDecidesWhoAnswers) {
  Outcome none = run("at-most-once", {"acks=0"});
  EXPECT_EQ(none.count(EventType::kProduceResponse), 0);
  EXPECT_EQ(none.count_if(EventType::kProduceRequest,
                          [](const Event& e) { return e.outcome == Result::kAcked; }),
            4);
  Outcome leader = run("at-most-once", {"acks=1"});
  EXPECT_EQ(leader.count(EventType::kProduceComplete), 0);
  EXPECT_EQ(leader.count(EventType::kProduceResponse), 4);
  Outcome all = run("at-most-once", {"acks=all"});
  EXPECT_EQ(all.count(EventType::kProduceComplete), 4);
}

TEST(ConfigKeys, IdempotenceNumbersBatches) {
  Outcome on = run("textbook-at-least-once", {});
  EXPECT_EQ(on.count_if(EventType::kProduceRequest, [](const Event& e) { return e.seq < 0; }), 0);
  Outcome off = run("textbook-at-least-once", {"enable.idempotence=false", "max.in.flight.requests.per.connection=1"});
  EXPECT_EQ(off.count_if(EventType::kProduceRequest, [](const Event& e) { return e.seq >= 0; }), 0);
}

TEST(ConfigKeys, ReplicationFactorDecidesWhoFetches) {
  Outcome one = run("textbook-at-least-once", {"replication.factor=1", "min.insync.replicas=1"});
  EXPECT_EQ(one.count(EventType::kFetch), 0);
  Outcome three = run("textbook-at-least-once", {"replication.factor=3"});
  EXPECT_GT(three.count_if(EventType::kFetch, [](const Event& e) { return e.broker == 1 && e.count > 0; }), 0);
  EXPECT_GT(three.count_if(EventType::kFetch, [](const Event& e) { return e.broker == 2 && e.count > 0; }), 0);
}

TEST(ConfigKeys, FlushMessagesWritesBackEveryAppend) {
  // flush.messages=1: UnifiedLog.append flushes after every append (a batch at a time), on
  // the leader and the followers alike, before anyone reads the batch.
  Outcome flushed = run("textbook-at-least-once", {"flush.messages=1"});
  for (int b = 0; b < 3; ++b) {
    int32_t durable = 0;
    for (const Event& e : flushed.events) {
      if (e.type == EventType::kWriteback && e.broker == b) durable = std::max(durable, e.offset);
      if (e.type == EventType::kHandleProduce && e.broker == b && e.result == Result::kAppended) {
        EXPECT_LE(durable, e.offset) << "broker " << b;
      }
      // Whatever a follower fetches was durable on the leader already.
      if (e.type == EventType::kFetch && e.peer == 0 && e.count > 0 && b == 0) {
        EXPECT_GE(durable, e.offset + e.count);
      }
    }
    EXPECT_EQ(durable, 4) << "broker " << b;
  }
  // Without it nothing is fsynced by Kafka; only the OS writes back, every few seconds.
  Outcome lazy = run("textbook-at-least-once", {});
  EXPECT_LT(lazy.count(EventType::kWriteback), flushed.count(EventType::kWriteback));
}

TEST(ConfigKeys, CommitModeOrdersCommitAndProcessing) {
  Outcome before = run("at-most-once", {"app.commit=commit-then-process", "enable.auto.commit=false"});
  EXPECT_LT(before.first(EventType::kCommit), before.first(EventType::kProcess));
  Outcome after = run("textbook-at-least-once", {"app.commit=process-then-commit-sync", "enable.auto.commit=false"});
  EXPECT_LT(after.first(EventType::kProcess), after.first(EventType::kCommit));
  Outcome async = run("textbook-at-least-once", {"app.commit=process-then-commit-async", "enable.auto.commit=false"});
  EXPECT_GT(async.count(EventType::kCommitComplete), 0);
  Outcome autoc = run("naive-defaults", {"app.commit=auto", "enable.auto.commit=true"});
  EXPECT_GT(autoc.count_if(EventType::kCommit, [](const Event& e) { return e.result == Result::kAutoCommit; }), 0);
  Outcome nobody = run("naive-defaults", {"app.commit=auto", "enable.auto.commit=false"});
  EXPECT_EQ(nobody.count(EventType::kCommit), 0);
}

TEST(ConfigKeys, TransactionalIdMakesTransactions) {
  Outcome eos = run("exactly-once-pipeline", {});
  EXPECT_GT(eos.count(EventType::kInitProducerId), 0);
  EXPECT_EQ(eos.count_if(EventType::kEndTxn, [](const Event& e) { return e.result == Result::kCommitTxn; }), 4);
  EXPECT_EQ(eos.count(EventType::kWriteTxnMarker), 4);
  EXPECT_EQ(eos.report.delivered, 4);
  EXPECT_TRUE(eos.report.effects.empty());
}

TEST(ConfigKeys, KafkaVersionDecidesPositionValidation) {
  // KIP-320 (2.1): a consumer validates its position against the leader epoch.
  Outcome new_client = run("textbook-at-least-once", {"kafka.version=3.7"});
  EXPECT_GT(new_client.count(EventType::kValidatePosition), 0);
  Outcome old_client = run("naive-defaults", {"kafka.version=2.0"});
  EXPECT_EQ(old_client.count(EventType::kValidatePosition), 0);
}

}  // namespace
}  // namespace kdc::impl
