// Whole runs of the implementation: reproducibility of the deterministic scheduler, and the
// end-to-end outcome of runs whose result is known.
#include "impl/cluster/cluster.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "model/vocabulary/config.h"
#include "model/vocabulary/event.h"

namespace kdc::impl {
namespace {

Config example(const std::string& name, const std::vector<std::string>& overrides = {}) {
  std::string dir = std::string(KDC_SOURCE_DIR) + "/examples/" + name + "/";
  std::vector<std::string> files;
  for (const char* f : {"producer.properties", "server.properties", "consumer.properties",
                        "app.properties", "faults.properties"}) {
    if (std::filesystem::exists(dir + f)) files.push_back(dir + f);
  }
  auto loaded = load_config(files, overrides);
  if (auto* e = std::get_if<ConfigError>(&loaded)) {
    ADD_FAILURE() << e->str();
    return Config{};
  }
  return std::get<Config>(loaded);
}

std::string trace_text(const TraceRecorder& t) {
  std::string s;
  int step = 0;
  for (const Event& e : t.events()) s += to_json_line(e, ++step) + "\n";
  return s;
}

struct Outcome {
  RunReport report;
  std::string trace;
};

Outcome run(const Config& c, uint64_t seed, int messages, bool faults) {
  RunOptions o;
  o.seed = seed;
  o.deterministic = true;
  o.messages = messages;
  o.inject_faults = faults;
  Cluster cluster(c, o);
  Outcome out;
  out.report = cluster.run();
  out.trace = trace_text(cluster.trace());
  return out;
}

TEST(DeterministicRun, SameSeedSameTraceByteForByte) {
  Config c = example("textbook-at-least-once");
  Outcome a = run(c, 42, 5, true);
  Outcome b = run(c, 42, 5, true);
  ASSERT_FALSE(a.trace.empty());
  EXPECT_EQ(a.trace, b.trace);
  EXPECT_EQ(a.report.faults, b.report.faults);
}

TEST(DeterministicRun, SeedsGiveDifferentRuns) {
  Config c = example("textbook-at-least-once");
  std::set<std::string> traces;
  for (uint64_t seed = 1; seed <= 4; ++seed) traces.insert(run(c, seed, 5, true).trace);
  EXPECT_GT(traces.size(), 1u);
}

TEST(DeterministicRun, FaultFreeRunDeliversEveryMessageOnce) {
  Config c = example("hardened");
  Outcome o = run(c, 3, 20, false);
  EXPECT_TRUE(o.report.quiesced) << o.report.stop_reason;
  EXPECT_EQ(o.report.sent, 20);
  EXPECT_EQ(o.report.acknowledged, 20);
  EXPECT_EQ(o.report.delivered, 20);
  EXPECT_EQ(o.report.duplicated, 0);
  EXPECT_TRUE(o.report.effects.empty());
  EXPECT_EQ(o.report.unexplained_losses, 0);
}

TEST(DeterministicRun, EveryRunSettlesWithEveryLossExplained) {
  for (const char* name : {"naive-defaults", "at-most-once", "textbook-at-least-once", "hardened"}) {
    Config c = example(name);
    for (uint64_t seed = 1; seed <= 3; ++seed) {
      Outcome o = run(c, seed, 4, true);
      EXPECT_TRUE(o.report.quiesced) << name << " seed " << seed << ": " << o.report.stop_reason;
      EXPECT_EQ(o.report.unexplained_losses, 0) << name << " seed " << seed;
    }
  }
}

}  // namespace
}  // namespace kdc::impl

namespace kdc::impl {
namespace {

// The same components on real threads: the operating system interleaves them.
// A delivery timeout is a fault of its own, not a slow link: it expires the named batch
// where it is, and no request times out on the way (before, the slow link made the
// in-flight request time out every request.timeout.ms until delivery.timeout.ms).
TEST(DeterministicRun, DirectedDeliveryTimeoutExpiresTheBatchWhereItIs) {
  Config c = example("textbook-at-least-once");
  for (int m : {0, 1}) {
    RunOptions o;
    o.seed = 1;
    o.messages = 2;
    o.timings.batch_records = 1;
    DirectedFault f;
    f.fault = EventType::kDeliveryTimeout;
    f.msg = m;
    f.gen = 0;
    // m0: right after its send, while it waits in the accumulator; m1: once its request is out.
    f.after.type = m == 0 ? EventType::kSend : EventType::kProduceRequest;
    f.after.msg = m;
    o.directed_faults = {f};
    Cluster cluster(c, o);
    RunReport r = cluster.run();
    EXPECT_TRUE(r.quiesced) << "m" << m;
    std::vector<Event> dt, rt;
    for (const Event& e : cluster.trace().events()) {
      if (e.type == EventType::kDeliveryTimeout) dt.push_back(e);
      if (e.type == EventType::kRequestTimeout) rt.push_back(e);
    }
    ASSERT_EQ(dt.size(), 1u) << "m" << m;
    EXPECT_EQ(dt[0].msg, m);
    EXPECT_EQ(dt[0].broker, m == 0 ? -1 : 0);  // in the accumulator / in flight to the leader
    EXPECT_EQ(dt[0].outcome, Result::kFailedResent);
    EXPECT_TRUE(rt.empty()) << "m" << m;
    EXPECT_LT(cluster.now(), c.request_timeout_ms + 60'000);  // no timeout had to run out
  }
}

TEST(ThreadedRun, FaultFreeRunDeliversEveryMessageOnce) {
  Config c = example("hardened");
  RunOptions o;
  o.deterministic = false;
  o.inject_faults = false;
  o.messages = 50;
  o.duration_ms = 20000;
  Cluster cluster(c, o);
  RunReport r = cluster.run();
  EXPECT_TRUE(r.quiesced) << r.stop_reason;
  EXPECT_EQ(r.acknowledged, 50);
  EXPECT_EQ(r.delivered, 50);
  EXPECT_EQ(r.duplicated, 0);
  EXPECT_TRUE(r.effects.empty());
}

TEST(ThreadedRun, BrokerCrashIsSurvivedWithEveryLossExplained) {
  Config c = example("textbook-at-least-once");
  RunOptions o;
  o.deterministic = false;
  o.inject_faults = false;
  o.messages = 30;
  o.duration_ms = 20000;
  o.timings.broker_session_timeout_ms = 1000;
  o.timings.broker_heartbeat_interval_ms = 200;
  Cluster cluster(c, o);
  std::thread faults([&cluster] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    cluster.crash_broker(0);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    cluster.restart_broker(0);
  });
  RunReport r = cluster.run();
  faults.join();
  const std::vector<Event> all = cluster.trace().events();
  std::string tail;
  for (const Event& e : all) {
    if (e.type != EventType::kFetch && e.type != EventType::kWriteback) tail += describe(e) + "\n";
  }
  EXPECT_TRUE(r.quiesced) << r.stop_reason << " sent " << r.sent << " acked " << r.acknowledged
                          << " delivered " << r.delivered << "\n" << tail;
  EXPECT_EQ(r.unexplained_losses, 0);
  // acks=all, idempotence, min.insync 2: a leader crash loses nothing acknowledged.
  EXPECT_EQ(r.effects.count("L_ack"), 0u);
  const std::vector<Event> events = cluster.trace().events();
  EXPECT_TRUE(std::any_of(events.begin(), events.end(), [](const Event& e) {
    return e.type == EventType::kElectLeader && e.broker != 0;
  }));
}

}  // namespace
}  // namespace kdc::impl
