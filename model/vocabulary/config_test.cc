#include "model/vocabulary/config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "model/vocabulary/config_keys.h"

namespace kdc {
namespace {

using Sources = std::vector<std::pair<std::string, std::string>>;

Config Load(const Sources& sources, const std::vector<std::string>& overrides = {}) {
  auto result = load_config_text(sources, overrides);
  if (auto* err = std::get_if<ConfigError>(&result)) {
    ADD_FAILURE() << "unexpected error: " << err->str();
    return Config();
  }
  return std::get<Config>(result);
}

Config Load(const std::string& text, const std::vector<std::string>& overrides = {}) {
  return Load(Sources{{"test.properties", text}}, overrides);
}

ConfigError Fail(const Sources& sources, const std::vector<std::string>& overrides = {}) {
  auto result = load_config_text(sources, overrides);
  if (!std::holds_alternative<ConfigError>(result)) {
    ADD_FAILURE() << "expected an error";
    return ConfigError();
  }
  return std::get<ConfigError>(result);
}

ConfigError Fail(const std::string& text, const std::vector<std::string>& overrides = {}) {
  return Fail(Sources{{"test.properties", text}}, overrides);
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string Joined(const std::vector<std::string>& notes) {
  std::string out;
  for (const std::string& n : notes) out += n + "\n";
  return out;
}

// ---- Defaults by version ----

struct VersionDefaults {
  std::string version;
  Acks acks;
  int64_t retries;
  bool idempotence;
  int64_t delivery_timeout_ms;
  int64_t linger_ms;
  bool unclean;
  bool elr;
};

TEST(ConfigDefaultsTest, ProducerAndBrokerDefaultsByVersion) {
  const VersionDefaults table[] = {
      {"0.10", Acks::kOne, 0, false, INT64_MAX, 0, true, false},
      {"0.11", Acks::kOne, 0, false, INT64_MAX, 0, false, false},
      {"2.0", Acks::kOne, 0, false, INT64_MAX, 0, false, false},
      {"2.1", Acks::kOne, 2147483647, false, 120000, 0, false, false},
      {"2.8", Acks::kOne, 2147483647, false, 120000, 0, false, false},
      {"3.0", Acks::kAll, 2147483647, false, 120000, 0, false, false},  // KAFKA-13598
      {"3.0.1", Acks::kAll, 2147483647, true, 120000, 0, false, false},
      {"3.1", Acks::kAll, 2147483647, false, 120000, 0, false, false},  // KAFKA-13598
      {"3.1.1", Acks::kAll, 2147483647, true, 120000, 0, false, false},
      {"3.2", Acks::kAll, 2147483647, true, 120000, 0, false, false},
      {"3.9", Acks::kAll, 2147483647, true, 120000, 0, false, false},
      {"4.0", Acks::kAll, 2147483647, true, 120000, 5, false, false},
      {"4.1", Acks::kAll, 2147483647, true, 120000, 5, false, true},
  };
  for (const VersionDefaults& want : table) {
    SCOPED_TRACE("kafka.version=" + want.version);
    Config c = Load("kafka.version=" + want.version + "\n");
    EXPECT_EQ(c.acks, want.acks);
    EXPECT_EQ(c.retries, want.retries);
    EXPECT_EQ(c.idempotence, want.idempotence);
    EXPECT_EQ(c.max_in_flight, 5);
    EXPECT_EQ(c.delivery_timeout_ms, want.delivery_timeout_ms);
    EXPECT_EQ(c.request_timeout_ms, 30000);
    EXPECT_EQ(c.linger_ms, want.linger_ms);
    EXPECT_EQ(c.replication_factor, 1);
    EXPECT_EQ(c.min_insync_replicas, 1);
    EXPECT_EQ(c.unclean_leader_election, want.unclean);
    EXPECT_EQ(c.flush_interval_messages, INT64_MAX);
    EXPECT_EQ(c.eligible_leader_replicas, want.elr);
    EXPECT_TRUE(c.enable_auto_commit);
    EXPECT_EQ(c.auto_offset_reset, OffsetReset::kLatest);
    EXPECT_EQ(c.isolation, Isolation::kReadUncommitted);
    EXPECT_TRUE(c.not_modelled.empty());
  }
}

TEST(ConfigDefaultsTest, ApplicationFaultAndModelDefaults) {
  Config c = Load("");
  EXPECT_EQ(c.version, (KafkaVersion{4, 3, 0}));
  EXPECT_EQ(c.on_send_error, OnSendError::kDrop);
  EXPECT_EQ(c.on_producer_restart, OnProducerRestart::kSkip);
  EXPECT_EQ(c.processing, Processing::kSync);
  EXPECT_EQ(c.commit, CommitMode::kAuto);
  EXPECT_EQ(c.messages, 2);
  EXPECT_EQ(c.faults.request_timeout, 1);
  EXPECT_EQ(c.faults.delivery_timeout, 1);
  EXPECT_EQ(c.faults.producer_crash, 1);
  EXPECT_EQ(c.faults.broker_crash, 1);
  EXPECT_EQ(c.faults.broker_power_loss, 1);
  EXPECT_EQ(c.faults.cluster_power_loss, 0);
  EXPECT_EQ(c.faults.network_partition, 1);
  EXPECT_EQ(c.faults.consumer_crash, 1);
  EXPECT_EQ(c.faults.consumer_rebalance, 1);
  EXPECT_EQ(c.faults.offset_loss, 0);
  EXPECT_EQ(c.faults.max_total, 1);
  EXPECT_TRUE(c.notes.empty()) << Joined(c.notes);
}

TEST(ConfigDefaultsTest, Kafka13598AddsANote) {
  Config c = Load("kafka.version=3.1\n");
  ASSERT_EQ(c.notes.size(), 1u);
  EXPECT_TRUE(Contains(c.notes[0], "KAFKA-13598")) << c.notes[0];
  EXPECT_TRUE(Load("kafka.version=3.2\n").notes.empty());
  // Set explicitly, the bug does not matter.
  c = Load("kafka.version=3.0\nenable.idempotence=true\n");
  EXPECT_TRUE(c.idempotence);
  EXPECT_TRUE(c.notes.empty()) << Joined(c.notes);
}

// ---- Values ----

TEST(ConfigValuesTest, EveryModelledKeyReachesConfig) {
  Config c = Load(
      "kafka.version=4.0.1\n"
      "acks=0\n"
      "retries=3\n"
      "enable.idempotence=false\n"
      "max.in.flight.requests.per.connection=1\n"
      "delivery.timeout.ms=60000\n"
      "request.timeout.ms=20000\n"
      "linger.ms=100\n"
      "default.replication.factor=3\n"
      "min.insync.replicas=2\n"
      "unclean.leader.election.enable=TRUE\n"
      "log.flush.interval.messages=1\n"
      "eligible.leader.replicas.version=1\n"
      "enable.auto.commit=false\n"
      "auto.offset.reset=earliest\n"
      "isolation.level=read_committed\n"
      "app.on.send.error=resend\n"
      "app.on.producer.restart=replay-unacked\n"
      "app.processing=async\n"
      "app.commit=process-then-commit-async\n"
      "fault.request.timeout=0\n"
      "fault.delivery.timeout=2\n"
      "fault.producer.crash=3\n"
      "fault.broker.crash=0\n"
      "fault.broker.power.loss=2\n"
      "fault.cluster.power.loss=1\n"
      "fault.network.partition=0\n"
      "fault.consumer.crash=2\n"
      "fault.consumer.rebalance=0\n"
      "fault.offset.loss=1\n"
      "fault.max.total=6\n"
      "model.messages=4\n");
  EXPECT_EQ(c.version, (KafkaVersion{4, 0, 1}));
  EXPECT_EQ(c.acks, Acks::kZero);
  EXPECT_EQ(c.retries, 3);
  EXPECT_FALSE(c.idempotence);
  EXPECT_EQ(c.max_in_flight, 1);
  EXPECT_EQ(c.delivery_timeout_ms, 60000);
  EXPECT_EQ(c.request_timeout_ms, 20000);
  EXPECT_EQ(c.linger_ms, 100);
  EXPECT_EQ(c.replication_factor, 3);
  EXPECT_EQ(c.min_insync_replicas, 2);
  EXPECT_TRUE(c.unclean_leader_election);
  EXPECT_EQ(c.flush_interval_messages, 1);
  EXPECT_TRUE(c.eligible_leader_replicas);
  EXPECT_FALSE(c.enable_auto_commit);
  EXPECT_EQ(c.auto_offset_reset, OffsetReset::kEarliest);
  EXPECT_EQ(c.isolation, Isolation::kReadCommitted);
  EXPECT_EQ(c.on_send_error, OnSendError::kResend);
  EXPECT_EQ(c.on_producer_restart, OnProducerRestart::kReplayUnacked);
  EXPECT_EQ(c.processing, Processing::kAsync);
  EXPECT_EQ(c.commit, CommitMode::kProcessThenCommitAsync);
  EXPECT_EQ(c.faults.request_timeout, 0);
  EXPECT_EQ(c.faults.delivery_timeout, 2);
  EXPECT_EQ(c.faults.producer_crash, 3);
  EXPECT_EQ(c.faults.broker_crash, 0);
  EXPECT_EQ(c.faults.broker_power_loss, 2);
  EXPECT_EQ(c.faults.cluster_power_loss, 1);
  EXPECT_EQ(c.faults.network_partition, 0);
  EXPECT_EQ(c.faults.consumer_crash, 2);
  EXPECT_EQ(c.faults.consumer_rebalance, 0);
  EXPECT_EQ(c.faults.offset_loss, 1);
  EXPECT_EQ(c.faults.max_total, 6);
  EXPECT_EQ(c.messages, 4);
  EXPECT_TRUE(c.notes.empty()) << Joined(c.notes);
}

TEST(ConfigValuesTest, EnumSpellings) {
  EXPECT_EQ(Load("acks=-1").acks, Acks::kAll);
  EXPECT_EQ(Load("acks=all").acks, Acks::kAll);
  EXPECT_EQ(Load("acks=1").acks, Acks::kOne);
  EXPECT_EQ(Load("auto.offset.reset=none").auto_offset_reset, OffsetReset::kNone);
  EXPECT_EQ(Load("app.commit=commit-then-process").commit, CommitMode::kCommitThenProcess);
  EXPECT_EQ(Load("app.commit=process-then-commit-sync").commit, CommitMode::kProcessThenCommitSync);
  EXPECT_EQ(Load("acks = all   ").acks, Acks::kAll);  // values are trimmed, as Kafka does
}

TEST(ConfigValuesTest, TopicKeysWinOverBrokerKeys) {
  EXPECT_EQ(Load("default.replication.factor=3").replication_factor, 3);
  EXPECT_EQ(Load("default.replication.factor=3\nreplication.factor=2").replication_factor, 2);
  EXPECT_EQ(Load("replication.factor=2\ndefault.replication.factor=3").replication_factor, 2);
  EXPECT_EQ(Load("log.flush.interval.messages=10").flush_interval_messages, 10);
  EXPECT_EQ(Load("flush.messages=1\nlog.flush.interval.messages=10").flush_interval_messages, 1);
}

// ---- Idempotence ----

TEST(ConfigIdempotenceTest, ExplicitConflictIsAnErrorOnTheIdempotenceLine) {
  ConfigError e = Fail("kafka.version=3.2\nenable.idempotence=true\nacks=1\n");
  EXPECT_EQ(e.origin.file, "test.properties");
  EXPECT_EQ(e.origin.line, 2);
  EXPECT_EQ(e.key, "enable.idempotence");
  EXPECT_EQ(e.str(),
            "test.properties:2: enable.idempotence: enable.idempotence=true requires acks=all, "
            "but acks=1 (test.properties:3) is set; Kafka throws ConfigException");

  e = Fail("kafka.version=4.1\nretries=0\n\nenable.idempotence=true\n");
  EXPECT_EQ(e.origin.line, 4);
  EXPECT_TRUE(Contains(e.message, "retries=0 (test.properties:2)")) << e.message;

  e = Fail("kafka.version=2.0\nenable.idempotence=true\nmax.in.flight.requests.per.connection=6\n");
  EXPECT_EQ(e.origin.line, 2);
  EXPECT_TRUE(Contains(e.message, "max.in.flight.requests.per.connection <= 5")) << e.message;

  // 0.11 allowed only one request in flight.
  e = Fail(
      "kafka.version=0.11\nenable.idempotence=true\nmax.in.flight.requests.per.connection=2\n");
  EXPECT_EQ(e.origin.line, 2);
  EXPECT_TRUE(Contains(e.message, "max.in.flight.requests.per.connection = 1")) << e.message;
  EXPECT_TRUE(Load("kafka.version=1.0\nenable.idempotence=true\n"
                   "max.in.flight.requests.per.connection=5\n")
                  .idempotence);
}

TEST(ConfigIdempotenceTest, BeforeThreeKafkaPicksSuitableValuesForUnsetKeys) {
  Config c = Load("kafka.version=0.11\nenable.idempotence=true\n");
  EXPECT_TRUE(c.idempotence);
  EXPECT_EQ(c.acks, Acks::kAll);
  EXPECT_EQ(c.retries, 2147483647);
  EXPECT_EQ(c.max_in_flight, 1);
  ASSERT_EQ(c.notes.size(), 1u);
  EXPECT_EQ(c.notes[0],
            "enable.idempotence=true: Kafka 0.11.0 sets acks=all, retries=2147483647, "
            "max.in.flight.requests.per.connection=1 for the idempotent producer because these "
            "keys are not set");

  c = Load("kafka.version=2.8\nenable.idempotence=true\n");
  EXPECT_EQ(c.acks, Acks::kAll);
  EXPECT_EQ(c.max_in_flight, 5);
  EXPECT_TRUE(c.idempotence);
}

TEST(ConfigIdempotenceTest, DefaultIsSilentlyDisabledByAConflict) {
  Config c = Load("kafka.version=3.2\nacks=1\n");
  EXPECT_FALSE(c.idempotence);
  EXPECT_EQ(c.acks, Acks::kOne);
  ASSERT_EQ(c.notes.size(), 1u);
  EXPECT_EQ(c.notes[0],
            "enable.idempotence silently disabled because acks=1 (test.properties:2) is set "
            "explicitly; Kafka turns its default idempotence off on conflicting settings "
            "(KAFKA-13673)");

  c = Load("retries=0", {"acks=0"});
  EXPECT_FALSE(c.idempotence);
  ASSERT_EQ(c.notes.size(), 1u);
  EXPECT_TRUE(Contains(c.notes[0], "acks=0 (--set) and retries=0 (test.properties:1) are set"))
      << c.notes[0];

  c = Load("kafka.version=3.9\nmax.in.flight.requests.per.connection=6\n");
  EXPECT_FALSE(c.idempotence);
  EXPECT_TRUE(Contains(c.notes[0], "max.in.flight.requests.per.connection=6")) << c.notes[0];

  // Turned off explicitly: nothing to say.
  c = Load("enable.idempotence=false\nacks=1\n");
  EXPECT_FALSE(c.idempotence);
  EXPECT_TRUE(c.notes.empty()) << Joined(c.notes);
}

TEST(ConfigIdempotenceTest, FromFourZeroMaxInFlightAboveFiveIsAnError) {
  ConfigError e = Fail("kafka.version=4.1\n# x\nmax.in.flight.requests.per.connection=6\n");
  EXPECT_EQ(e.origin.line, 3);
  EXPECT_EQ(e.key, "max.in.flight.requests.per.connection");
  EXPECT_TRUE(Contains(e.message, "KAFKA-17927") || Contains(e.message, "ConfigException"));
  // An acks conflict turns idempotence off first, and then any in-flight count is fine.
  Config c = Load("kafka.version=4.1\nacks=1\nmax.in.flight.requests.per.connection=6\n");
  EXPECT_FALSE(c.idempotence);
  EXPECT_EQ(c.max_in_flight, 6);
}

TEST(ConfigIdempotenceTest, KeyDoesNotExistBeforeZeroEleven) {
  ConfigError e = Fail("kafka.version=0.10.2.1\n\nenable.idempotence=true\n");
  EXPECT_EQ(e.origin.line, 3);
  EXPECT_EQ(e.key, "enable.idempotence");
  EXPECT_EQ(e.message,
            "enable.idempotence does not exist before Kafka 0.11.0 (kafka.version is 0.10.2)");
}

// ---- Other cross-key rules ----

TEST(ConfigRulesTest, DeliveryTimeoutBelowLingerPlusRequestTimeout) {
  ConfigError e = Fail("linger.ms=10\ndelivery.timeout.ms=30000\n");
  EXPECT_EQ(e.origin.line, 2);
  EXPECT_EQ(e.key, "delivery.timeout.ms");
  EXPECT_TRUE(Contains(e.message, "linger.ms + request.timeout.ms = 30010")) << e.message;
  EXPECT_EQ(Load("linger.ms=10\ndelivery.timeout.ms=30010\n").delivery_timeout_ms, 30010);

  Config c = Load("request.timeout.ms=200000\n");
  EXPECT_EQ(c.delivery_timeout_ms, 200005);
  ASSERT_EQ(c.notes.size(), 1u);
  EXPECT_TRUE(Contains(c.notes[0], "raised")) << c.notes[0];

  e = Fail("kafka.version=2.0\ndelivery.timeout.ms=1000\n");
  EXPECT_TRUE(Contains(e.message, "does not exist before Kafka 2.1.0")) << e.message;
}

TEST(ConfigRulesTest, MinInsyncAboveReplicationFactorIsANote) {
  Config c = Load("kafka.version=3.6\nreplication.factor=2\nmin.insync.replicas=3\n");
  EXPECT_EQ(c.min_insync_replicas, 3);
  ASSERT_EQ(c.notes.size(), 1u);
  EXPECT_TRUE(Contains(c.notes[0], "every acks=all write fails")) << c.notes[0];

  c = Load("kafka.version=3.7\nreplication.factor=2\nmin.insync.replicas=3\n");
  EXPECT_EQ(c.min_insync_replicas, 2);
  ASSERT_EQ(c.notes.size(), 1u);
  EXPECT_TRUE(Contains(c.notes[0], "KAFKA-15583")) << c.notes[0];
}

TEST(ConfigRulesTest, EligibleLeaderReplicasOnlyFromFourZero) {
  EXPECT_FALSE(Load("kafka.version=4.0").eligible_leader_replicas);
  EXPECT_TRUE(
      Load("kafka.version=4.0\neligible.leader.replicas.version=1").eligible_leader_replicas);
  EXPECT_FALSE(Load("eligible.leader.replicas.version=0").eligible_leader_replicas);
  ConfigError e = Fail("kafka.version=3.9\neligible.leader.replicas.version=1\n");
  EXPECT_EQ(e.origin.line, 2);
  EXPECT_TRUE(Contains(e.message, "does not exist before Kafka 4.0.0")) << e.message;
}

// ---- Errors ----

TEST(ConfigErrorTest, MisspeltKeysSuggestTheNearestKey) {
  ConfigError e = Fail("acks=all\n\nack=1\n");
  EXPECT_EQ(e.origin.line, 3);
  EXPECT_EQ(e.key, "ack");
  EXPECT_EQ(e.str(), "test.properties:3: ack: unknown key 'ack'; did you mean 'acks'?");

  e = Fail("# producer\nenable.idempotance=true\n");
  EXPECT_EQ(e.origin.line, 2);
  EXPECT_EQ(e.message, "unknown key 'enable.idempotance'; did you mean 'enable.idempotence'?");

  e = Fail(Sources{{"server.properties", "broker.id=1\nmin.insync.replica=2\n"}});
  EXPECT_EQ(e.str(),
            "server.properties:2: min.insync.replica: unknown key 'min.insync.replica'; did you "
            "mean 'min.insync.replicas'?");

  EXPECT_EQ(Fail("Acks=all").message, "unknown key 'Acks'; did you mean 'acks'?");
  EXPECT_EQ(Fail("enable.idempotnece=true").message,  // a transposition
            "unknown key 'enable.idempotnece'; did you mean 'enable.idempotence'?");
  EXPECT_EQ(Fail("frobnicate=3").message, "unknown key 'frobnicate'");
  EXPECT_EQ(Fail("=3").message, "empty key");
}

TEST(ConfigErrorTest, BadValuesNameTheValueAndWhatIsAllowed) {
  ConfigError e = Fail("acks=2\n");
  EXPECT_EQ(e.str(), "test.properties:1: acks: bad value '2'; allowed: 0, 1, all, -1");
  EXPECT_EQ(Fail("retries=-1").message, "bad value '-1'; allowed: an integer from 0 to 2147483647");
  EXPECT_EQ(Fail("retries=2147483648").message,
            "bad value '2147483648'; allowed: an integer from 0 to 2147483647");
  EXPECT_EQ(Fail("linger.ms=abc").message, "bad value 'abc'; allowed: an integer >= 0");
  EXPECT_EQ(Fail("enable.idempotence=yes").message, "bad value 'yes'; allowed: true, false");
  EXPECT_EQ(Fail("min.insync.replicas=0").message,
            "bad value '0'; allowed: an integer from 1 to 2147483647");
  EXPECT_EQ(Fail("eligible.leader.replicas.version=2").message,
            "bad value '2'; allowed: an integer from 0 to 1");
  EXPECT_EQ(Fail("auto.offset.reset=by_duration:PT1H").message,
            "bad value 'by_duration:PT1H'; allowed: earliest, latest, none");
  EXPECT_EQ(Fail("replication.factor=4").message,
            "value 4 is beyond the model's bound: the model supports up to 3 replicas (allowed: "
            "an integer from 1 to 3)");
  EXPECT_EQ(Fail("default.replication.factor=0").message,
            "bad value '0'; allowed: an integer from 1 to 3");
  EXPECT_TRUE(Contains(Fail("model.messages=5").message, "beyond the model's bound"));
  EXPECT_TRUE(Contains(Fail("fault.broker.crash=4").message, "beyond the model's bound"));
  EXPECT_TRUE(Contains(Fail("fault.max.total=7").message, "at most 6 faults"));
}

TEST(ConfigErrorTest, UnsupportedKafkaVersions) {
  for (const char* v : {"5.0", "0.9", "0.9.0.1", "3.10", "2.9", "4.4", "4", "4.1.0.0", "x.y", ""}) {
    SCOPED_TRACE(v);
    ConfigError e = Fail(std::string("kafka.version=") + v);
    EXPECT_EQ(e.key, "kafka.version");
    EXPECT_EQ(e.message, "unsupported Kafka version '" + std::string(v) +
                             "'; kdc supports 0.10, 0.11, 1.0, 1.1, 2.0-2.8, 3.0-3.9, 4.0-4.3");
  }
  EXPECT_EQ(Load("kafka.version=0.10.2.1").version, (KafkaVersion{0, 10, 2}));
  EXPECT_EQ(Load("kafka.version=3.7").version, (KafkaVersion{3, 7, 0}));
  EXPECT_EQ(Load("kafka.version=3.0.1").version.str(), "3.0.1");
}

TEST(ConfigErrorTest, PropertiesSyntaxErrorsCarryFileAndLine) {
  ConfigError e = Fail(Sources{{"p.properties", "acks=1\nclient.id=\\u00zz\n"}});
  EXPECT_EQ(e.origin.file, "p.properties");
  EXPECT_EQ(e.origin.line, 2);
}

// ---- Precedence and sources ----

TEST(ConfigSourcesTest, LaterFilesAndOverridesWin) {
  Sources two = {{"a.properties", "acks=1\nretries=5\n"}, {"b.properties", "acks=0\n"}};
  Config c = Load(two);
  EXPECT_EQ(c.acks, Acks::kZero);
  EXPECT_EQ(c.retries, 5);
  c = Load(two, {"acks=all", "retries=7", "retries=8"});
  EXPECT_EQ(c.acks, Acks::kAll);
  EXPECT_EQ(c.retries, 8);
}

TEST(ConfigSourcesTest, DuplicateKeysLaterWinsWithoutError) {
  EXPECT_EQ(Load("acks=0\nacks=1\n").acks, Acks::kOne);
  // Only the winning value is validated, as only it reaches Kafka.
  EXPECT_EQ(Load("acks=2\nacks=1\n").acks, Acks::kOne);
}

TEST(ConfigSourcesTest, KafkaVersionIsResolvedFirstFromAnywhere) {
  // The version comes last, yet decides the defaults and the validity of earlier keys.
  Sources s = {{"producer.properties", "linger.ms=0\n"}, {"kdc.properties", "kafka.version=2.8\n"}};
  Config c = Load(s);
  EXPECT_EQ(c.acks, Acks::kOne);
  EXPECT_FALSE(c.idempotence);
  ConfigError e = Fail(Sources{{"producer.properties", "enable.idempotence=true\n"},
                               {"kdc.properties", "kafka.version=0.10\n"}});
  EXPECT_EQ(e.origin.file, "producer.properties");
  EXPECT_EQ(Load("", {"kafka.version=2.0"}).retries, 0);
}

TEST(ConfigSourcesTest, OverrideErrors) {
  ConfigError e = Fail("", {"acks"});
  EXPECT_EQ(e.origin.file, "--set");
  EXPECT_EQ(e.origin.line, 0);
  EXPECT_EQ(e.str(), "--set: acks: expected key=value");
  e = Fail("", {"acks=2"});
  EXPECT_EQ(e.str(), "--set: acks: bad value '2'; allowed: 0, 1, all, -1");
  e = Fail("", {"akcs=1"});
  EXPECT_EQ(e.message, "unknown key 'akcs'; did you mean 'acks'?");
  EXPECT_EQ(Load("", {" acks = 0 "}).acks, Acks::kZero);
}

TEST(ConfigSourcesTest, NotModelledKeysAreListedOnce) {
  Sources s = {{"producer.properties",
                "bootstrap.servers=localhost:9092\nssl.truststore.location=/x\n"
                "key.serializer=org.apache.kafka.common.serialization.StringSerializer\n"},
               {"server.properties",
                "broker.id=1\nlog.dirs=/tmp/k\nbootstrap.servers=b:9092\n"
                "listener.name.internal.ssl.keystore.type=PKCS12\n"}};
  Config c = Load(s, {"group.id=g"});
  EXPECT_EQ(c.not_modelled,
            (std::vector<std::string>{"ssl.truststore.location", "key.serializer", "broker.id",
                                      "log.dirs", "bootstrap.servers",
                                      "listener.name.internal.ssl.keystore.type", "group.id"}));
  EXPECT_TRUE(c.notes.empty()) << Joined(c.notes);
}

TEST(ConfigSourcesTest, TransactionKeys) {
  Config c = Load("transactional.id=tx-1\ntransaction.timeout.ms=60000\n");
  EXPECT_TRUE(c.not_modelled.empty()) << Joined(c.not_modelled);
  EXPECT_TRUE(c.transactional);
  EXPECT_TRUE(c.idempotence);
  EXPECT_EQ(c.transaction_timeout_ms, 60000);
  EXPECT_TRUE(c.transaction_verification);     // 4.3 default
  EXPECT_TRUE(c.epoch_bump_per_transaction);   // transaction.version=2 on new 4.x clusters
  EXPECT_EQ(c.faults.producer_zombie, 1);
  // Without a transactional.id the transactional faults cannot happen.
  Config plain = Load("acks=all\n");
  EXPECT_FALSE(plain.transactional);
  EXPECT_EQ(plain.faults.producer_zombie, 0);
  EXPECT_EQ(plain.faults.transaction_timeout, 0);
  // A transactional.id turns idempotence on before 3.0 too.
  Config old = Load("kafka.version=2.4\ntransactional.id=t\n");
  EXPECT_TRUE(old.idempotence);
  EXPECT_FALSE(old.transaction_verification);
  EXPECT_FALSE(old.epoch_bump_per_transaction);
  Config v36 = Load("kafka.version=3.6\ntransactional.id=t\n");
  EXPECT_TRUE(v36.transaction_verification);
  EXPECT_FALSE(v36.epoch_bump_per_transaction);
}

TEST(ConfigSourcesTest, TransactionRulesAreErrorsWithTheirLine) {
  auto err = [](const std::string& text) {
    auto r = load_config_text({{"p.properties", text}}, {});
    EXPECT_TRUE(std::holds_alternative<ConfigError>(r)) << text;
    return std::holds_alternative<ConfigError>(r) ? std::get<ConfigError>(r).str() : std::string();
  };
  EXPECT_EQ(err("transactional.id=t\nenable.idempotence=false\n"),
            "p.properties:2: enable.idempotence: enable.idempotence=false with "
            "transactional.id=t (p.properties:1): Kafka throws ConfigException (\"Cannot set a "
            "transactional.id without also enabling idempotence\")");
  EXPECT_EQ(err("acks=1\ntransactional.id=t\n"),
            "p.properties:2: transactional.id: transactional.id (which needs the idempotent "
            "producer) requires acks=all, but acks=1 (p.properties:1) is set; Kafka throws "
            "ConfigException");
  EXPECT_EQ(err("app.commit=transactional\n"),
            "p.properties:1: app.commit: app.commit=transactional needs a transactional "
            "producer: set transactional.id in the producer's properties");
  EXPECT_EQ(err("kafka.version=0.10\ntransactional.id=t\n"),
            "p.properties:2: transactional.id: transactional.id does not exist before Kafka "
            "0.11.0 (kafka.version is 0.10.0)");
  EXPECT_EQ(err("transactional.id=\n"),
            "p.properties:1: transactional.id: empty value; the transaction coordinator refuses "
            "an empty transactional.id (INVALID_REQUEST). Remove the key for a "
            "non-transactional producer, or give the id");
  EXPECT_EQ(err("app.on.txn.abort=rewnd\n"),
            "p.properties:1: app.on.txn.abort: bad value 'rewnd'; allowed: rewind, continue");
}

TEST(ConfigSourcesTest, ProcessorKeysOutsideAProcessorAreNoted) {
  Config c = Load("app.output.isolation.level=read_uncommitted\n");
  ASSERT_EQ(c.notes.size(), 1u) << Joined(c.notes);
  EXPECT_NE(c.notes[0].find("only applies to a consume-transform-produce processor"),
            std::string::npos);
  Config p = Load("transactional.id=t\napp.commit=transactional\nenable.auto.commit=false\n");
  EXPECT_TRUE(p.processor());
  EXPECT_EQ(p.reader_isolation(), Isolation::kReadCommitted);
}

TEST(ConfigSourcesTest, MissingFileIsAnErrorWithItsPath) {
  auto result = load_config({"/nonexistent/kdc/producer.properties"}, {});
  ASSERT_TRUE(std::holds_alternative<ConfigError>(result));
  const ConfigError& e = std::get<ConfigError>(result);
  EXPECT_EQ(e.origin.file, "/nonexistent/kdc/producer.properties");
  EXPECT_EQ(e.origin.line, 0);
  EXPECT_EQ(e.str(), "/nonexistent/kdc/producer.properties: cannot read file");

  result = load_config({testing::TempDir()}, {});
  ASSERT_TRUE(std::holds_alternative<ConfigError>(result));
  EXPECT_EQ(std::get<ConfigError>(result).origin.line, 0);
}

TEST(ConfigSourcesTest, LoadsRealFilesInOrder) {
  const std::string a = testing::TempDir() + "kdc_config_test_a.properties";
  const std::string b = testing::TempDir() + "kdc_config_test_b.properties";
  std::ofstream(a) << "kafka.version=3.2\nacks=1\n";
  std::ofstream(b) << "# broker\nmin.insync.replicas=2\nack=1\n";
  auto ok = load_config({a}, {"retries=3"});
  ASSERT_TRUE(std::holds_alternative<Config>(ok));
  EXPECT_EQ(std::get<Config>(ok).acks, Acks::kOne);
  EXPECT_EQ(std::get<Config>(ok).retries, 3);
  auto bad = load_config({a, b}, {});
  ASSERT_TRUE(std::holds_alternative<ConfigError>(bad));
  EXPECT_EQ(std::get<ConfigError>(bad).str(),
            b + ":3: ack: unknown key 'ack'; did you mean 'acks'?");
  std::remove(a.c_str());
  std::remove(b.c_str());
}

// ---- The key table ----

TEST(ConfigKeysTest, TableIsConsistent) {
  std::set<std::string_view> names;
  int not_modelled = 0;
  for (const KeyInfo& k : known_keys()) {
    SCOPED_TRACE(std::string(k.name));
    EXPECT_TRUE(names.insert(k.name).second) << "listed twice";
    EXPECT_EQ(find_key(k.prefix ? std::string(k.name) + "x" : std::string(k.name)), &k);
    if (!k.modelled) {
      ++not_modelled;
      continue;
    }
    EXPECT_FALSE(k.meaning.empty());
    // Every modelled key has a default or inherits one, except free-form values whose
    // absence means something (transactional.id unset: not transactional).
    if (k.kind != ValueKind::kAny) EXPECT_NE(k.defaults.empty(), k.inherits.empty());
    if (!k.inherits.empty()) {
      EXPECT_NE(find_key(k.inherits), nullptr);
    }
    if (!k.defaults.empty()) {
      EXPECT_EQ(k.defaults.front().since, k.since);
    }
    for (const DefaultStep& step : k.defaults) {
      EXPECT_EQ(k.check(step.value), "") << "default " << step.value;
    }
  }
  EXPECT_GE(not_modelled, 80);
  EXPECT_EQ(find_key("ssl."), nullptr);  // a family needs a member name
  EXPECT_EQ(find_key("ACKS"), nullptr);  // keys are case-sensitive, as in Kafka
}

TEST(ConfigKeysTest, DefaultAt) {
  const KeyInfo* acks = find_key("acks");
  ASSERT_NE(acks, nullptr);
  EXPECT_EQ(acks->default_at({2, 8, 2}), "1");
  EXPECT_EQ(acks->default_at({3, 0, 0}), "all");
  EXPECT_EQ(find_key("enable.idempotence")->default_at({0, 10, 2}), "");
  EXPECT_EQ(find_key("eligible.leader.replicas.version")->default_at({4, 1, 0}), "1");
}

TEST(ConfigKeysTest, SuggestKey) {
  EXPECT_EQ(suggest_key("ack"), "acks");
  EXPECT_EQ(suggest_key("lingerms"), "linger.ms");
  EXPECT_EQ(suggest_key("bootstrap.server"), "bootstrap.servers");
  EXPECT_EQ(suggest_key("xyz"), "");
}

TEST(ConfigKeysTest, ReferenceMarkdown) {
  const std::string md = config_reference_markdown();
  EXPECT_EQ(md.rfind("<!-- Generated by `build/kdc keys --md > docs/config-reference.md`", 0), 0u);
  for (const KeyInfo& k : known_keys()) {
    EXPECT_TRUE(Contains(md, "`" + std::string(k.name) + (k.prefix ? "*`" : "`"))) << k.name;
  }
  EXPECT_TRUE(Contains(md, "| `acks` | 0, 1, all, -1 | `1`; `all` from 3.0 |")) << md;
#ifdef KDC_SOURCE_DIR
  // The checked-in reference must be what the table generates.
  std::ifstream in(std::string(KDC_SOURCE_DIR) + "/docs/config-reference.md");
  std::stringstream checked_in;
  checked_in << in.rdbuf();
  EXPECT_EQ(checked_in.str(), md)
      << "docs/config-reference.md is stale: run build/kdc keys --md > docs/config-reference.md";
#endif
}

TEST(KafkaVersionTest, StrAndOrder) {
  EXPECT_EQ((KafkaVersion{3, 7, 0}).str(), "3.7.0");
  EXPECT_EQ((KafkaVersion{0, 10, 2}).str(), "0.10.2");
  EXPECT_TRUE((KafkaVersion{3, 0, 0}) < (KafkaVersion{3, 0, 1}));
  EXPECT_TRUE((KafkaVersion{0, 11, 0}) < (KafkaVersion{1, 0, 0}));
}

}  // namespace
}  // namespace kdc
