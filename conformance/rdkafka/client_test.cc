// kdc client against librdkafka's mock cluster: each test runs the real client on
// loopback for a second or two and asserts what the run shows, so each can fail if
// librdkafka, its mock or kdc's adapter behaves otherwise.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "cli/commands.h"
#include "conformance/history.h"
#include "gtest/gtest.h"

namespace kdc {
namespace {

struct Outcome {
  int code = -1;
  nlohmann::json j;
  std::string err;
};

// Short timeouts keep a retried request to about a second.
ClientArgs fast_args(std::vector<std::string> overrides, const std::string& faults, int messages = 20) {
  ClientArgs a;
  a.files = {std::string(KDC_SOURCE_DIR) + "/examples/textbook-at-least-once/producer.properties",
             std::string(KDC_SOURCE_DIR) + "/examples/textbook-at-least-once/consumer.properties"};
  a.overrides = {"request.timeout.ms=800", "auto.commit.interval.ms=100", "delivery.timeout.ms=20000"};
  for (std::string& o : overrides) a.overrides.push_back(std::move(o));
  a.faults = faults;
  a.messages = messages;
  a.duration = "15s";
  a.json = true;
  a.quiet = true;
  return a;
}

Outcome run(const ClientArgs& a) {
  std::ostringstream out, err;
  Outcome o;
  o.code = run_client(a, out, err);
  o.err = err.str();
  if (!out.str().empty()) o.j = nlohmann::json::parse(out.str());
  return o;
}

int effect(const Outcome& o, const char* name) { return o.j["effects"].value(name, 0); }

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("kdc-client-test-" + std::to_string(getpid()) + "-" + name))
      .string();
}

TEST(RdkafkaClient, FaultFreeMockRunDeliversEveryMessageExactlyOnce) {
  Outcome o = run(fast_args({"acks=all", "enable.idempotence=true"}, "none", 50));
  ASSERT_EQ(o.code, 0) << o.err << o.j.dump(2);
  EXPECT_EQ(o.j["client"], "librdkafka");
  EXPECT_TRUE(o.j["mock"].get<bool>());
  EXPECT_EQ(o.j["sent"], 50);
  EXPECT_EQ(o.j["acknowledged"], 50);
  EXPECT_EQ(o.j["delivered"], 50);
  EXPECT_EQ(o.j["lost"], 0);
  EXPECT_EQ(o.j["duplicated"], 0);
  EXPECT_TRUE(o.j["effects"].empty()) << o.j["effects"].dump();
  EXPECT_TRUE(o.j["history_valid"].get<bool>());
  EXPECT_TRUE(o.j["anomalies"].empty());
  EXPECT_TRUE(o.j["faults_injected"].empty());
  EXPECT_TRUE(o.j["settled"].get<bool>());
  EXPECT_EQ(o.j["allowed_by_model"], true);
  for (const auto& f : o.j["fates"]) {
    EXPECT_EQ(f["copies_in_log"], 1) << f.dump();
    EXPECT_EQ(f["processed"], 1) << f.dump();
  }
}

// The mock appends a Produce, then answers after request.timeout.ms: librdkafka times the
// request out and retries it, and the retry is appended again. The history files written
// say the same to `kdc history`.
TEST(RdkafkaClient, LateProduceResponseWithoutIdempotenceDuplicates) {
  ClientArgs a = fast_args({"enable.idempotence=false"}, "request-timeout");
  const std::string edn = temp_path("dup.edn"), jsonl = temp_path("dup.jsonl");
  a.history = edn;
  Outcome o = run(a);
  ASSERT_EQ(o.code, 1) << o.err << o.j.dump(2);
  EXPECT_GT(effect(o, "D_int"), 0) << o.j.dump(2);
  EXPECT_EQ(o.j["lost"], 0);
  EXPECT_TRUE(o.j["anomalies"].contains("duplicate")) << o.j["anomalies"].dump();
  EXPECT_FALSE(o.j["history_valid"].get<bool>());
  EXPECT_EQ(o.j["allowed_by_model"], true) << "the model allows D_int without idempotence";
  ASSERT_EQ(o.j["faults_injected"].size(), 1u);

  // The same history as JSONL, and both re-checked by kdc history.
  History h;
  std::string error;
  ASSERT_TRUE(read_history(edn, "", &h, &error)) << error;
  {
    std::ofstream f(jsonl);
    write_jsonl(h, f);
  }
  for (const std::string& file : {edn, jsonl}) {
    HistoryArgs ha;
    ha.file = file;
    ha.json = true;
    std::ostringstream out, err;
    EXPECT_EQ(run_history(ha, out, err), 1) << file << err.str();
    auto j = nlohmann::json::parse(out.str());
    EXPECT_EQ(j["anomalies"]["duplicate"], o.j["anomalies"]["duplicate"]) << file;
  }
  std::filesystem::remove(edn);
  std::filesystem::remove(jsonl);
}

// With enable.idempotence=true Kafka's broker would answer the retry with the first
// append (a duplicate sequence number). librdkafka 2.0.2's mock broker does not check
// producer sequence numbers and appends the retry again: the same duplicate, which the
// model does not allow for this configuration. A mock that deduplicates makes this test
// fail; then docs/conformance.md ("Real clients") must change with it.
TEST(RdkafkaClient, LateProduceResponseWithIdempotenceStillDuplicatesOnThisMock) {
  Outcome o = run(fast_args({"enable.idempotence=true", "acks=all"}, "request-timeout"));
  ASSERT_EQ(o.code, 1) << o.err << o.j.dump(2);
  EXPECT_GT(effect(o, "D_int"), 0) << o.j.dump(2);
  EXPECT_EQ(o.j["allowed_by_model"], false);
}

// A retriable error the broker answers without appending: retried, nothing duplicated.
TEST(RdkafkaClient, RetriableProduceErrorIsRetriedWithoutDuplicates) {
  Outcome o = run(fast_args({"enable.idempotence=false"}, "produce-error"));
  ASSERT_EQ(o.code, 0) << o.err << o.j.dump(2);
  EXPECT_EQ(o.j["duplicated"], 0);
  EXPECT_EQ(o.j["lost"], 0);
  EXPECT_EQ(o.j["delivered"], 20);
}

// commitSync right after poll, then a crash before processing: the new consumer resumes
// after the batch, which nobody processed (L_skip); Jepsen sees values never polled.
TEST(RdkafkaClient, ConsumerCrashAfterCommitBeforeProcessingLoses) {
  Outcome o = run(fast_args({"enable.auto.commit=false", "app.commit=commit-then-process"}, "consumer-crash:before"));
  ASSERT_EQ(o.code, 1) << o.err << o.j.dump(2);
  EXPECT_GT(effect(o, "L_skip"), 0) << o.j.dump(2);
  EXPECT_EQ(o.j["duplicated"], 0);
  EXPECT_TRUE(o.j["anomalies"].contains("unseen")) << o.j["anomalies"].dump();
  EXPECT_EQ(o.j["allowed_by_model"], true);
}

// Processed, then a crash before commitSync: the new consumer processes the batch again
// (D_proc). Jepsen's checks cannot see it: the second poll is another process's.
TEST(RdkafkaClient, ConsumerCrashAfterProcessingBeforeCommitDuplicates) {
  Outcome o = run(fast_args({"enable.auto.commit=false", "app.commit=process-then-commit-sync"}, "consumer-crash:after"));
  ASSERT_EQ(o.code, 0) << o.err << o.j.dump(2);
  EXPECT_GT(effect(o, "D_proc"), 0) << o.j.dump(2);
  EXPECT_EQ(o.j["lost"], 0);
  EXPECT_EQ(o.j["allowed_by_model"], true);
}

// librdkafka auto-commits from a background thread the offsets of records poll()
// returned, processed or not (Java commits only inside poll()). An application that
// stalls past auto.commit.interval.ms between poll and processing, then crashes, loses
// the batch.
TEST(RdkafkaClient, AutoCommitCrashBeforeProcessingLoses) {
  Outcome o = run(fast_args({"enable.auto.commit=true", "app.commit=auto"}, "consumer-crash:before"));
  ASSERT_EQ(o.code, 1) << o.err << o.j.dump(2);
  EXPECT_GT(effect(o, "L_skip"), 0) << o.j.dump(2);
  EXPECT_FALSE(o.j["allowed_by_model"].is_null());
}

TEST(RdkafkaClient, MisspeltKeyExitsTwoNamingFileAndLine) {
  const std::string file = temp_path("bad.properties");
  {
    std::ofstream f(file);
    f << "acks=all\nenable.idempotance=true\n";
  }
  ClientArgs a;
  a.files = {file};
  a.quiet = true;
  std::ostringstream out, err;
  EXPECT_EQ(run_client(a, out, err), 2);
  EXPECT_NE(err.str().find(file + ":2"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("enable.idempotence"), std::string::npos) << err.str();
  EXPECT_TRUE(out.str().empty());
  std::filesystem::remove(file);
}

TEST(RdkafkaClient, LibrdkafkaNameIsRejectedWithTheJavaName) {
  ClientArgs a;
  a.overrides = {"message.timeout.ms=1000"};
  a.quiet = true;
  std::ostringstream out, err;
  EXPECT_EQ(run_client(a, out, err), 2);
  EXPECT_NE(err.str().find("delivery.timeout.ms"), std::string::npos) << err.str();
}

TEST(RdkafkaClient, ClosedLoopbackPortExitsTwoWithinSeconds) {
  // A port the kernel just gave and took back: nothing listens there.
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len);
  close(s);
  ClientArgs a;
  a.bootstrap = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  a.faults = "none";
  a.quiet = true;
  std::ostringstream out, err;
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(run_client(a, out, err), 2);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(seconds, 6.0);
  EXPECT_NE(err.str().find("cannot reach the cluster at " + a.bootstrap), std::string::npos) << err.str();
}

TEST(RdkafkaClient, BrokerFaultsNeedTheMock) {
  ClientArgs a;
  a.bootstrap = "127.0.0.1:1";
  a.faults = "request-timeout";
  a.quiet = true;
  std::ostringstream out, err;
  EXPECT_EQ(run_client(a, out, err), 2);
  EXPECT_NE(err.str().find("needs the mock cluster"), std::string::npos) << err.str();
}

}  // namespace
}  // namespace kdc
