#include "model/vocabulary/config_keys.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>
#include <string>

namespace kdc {
namespace {

constexpr int64_t kInt32Max = INT32_MAX;
constexpr KafkaVersion kFirst{0, 10, 0};

constexpr std::string_view kReplicaBound = "the model supports up to 3 replicas";
constexpr std::string_view kFaultBound = "the model allows each fault at most 3 times per run";

// Releases kdc knows the defaults and rules of: (major, first minor, last minor).
struct ReleaseLine {
  int major, first_minor, last_minor;
};
constexpr ReleaseLine kReleases[] = {{0, 10, 11}, {1, 0, 1}, {2, 0, 8}, {3, 0, 9}, {4, 0, 3}};

std::string short_version(const KafkaVersion& v) {
  std::string s = std::to_string(v.major) + "." + std::to_string(v.minor);
  if (v.patch != 0) s += "." + std::to_string(v.patch);
  return s;
}

KeyInfo modelled(std::string_view name, Scope scope, ValueKind kind, std::string_view meaning) {
  KeyInfo k;
  k.name = name;
  k.scope = scope;
  k.modelled = true;
  k.kind = kind;
  k.meaning = meaning;
  return k;
}

KeyInfo with_range(KeyInfo k, int64_t min, int64_t max, std::string_view bound = {}) {
  k.min = min;
  k.max = max;
  k.bound = bound;
  return k;
}

KeyInfo with_choices(KeyInfo k, std::vector<std::string_view> choices) {
  k.choices = std::move(choices);
  return k;
}

KeyInfo with_default(KeyInfo k, std::vector<DefaultStep> steps) {
  k.defaults = std::move(steps);
  return k;
}

KeyInfo fault_key(std::string_view name, uint8_t budget, std::string_view meaning) {
  return with_default(
      with_range(modelled(name, Scope::kFault, ValueKind::kInt, meaning), 0, 3, kFaultBound),
      {{kFirst, std::to_string(budget)}});
}

std::vector<KeyInfo> modelled_keys() {
  const FaultBudget faults;
  std::vector<KeyInfo> keys;

  // Model.
  keys.push_back(with_default(
      modelled("kafka.version", Scope::kModel, ValueKind::kVersion,
               "Kafka release whose defaults and rules apply (the patch level matters only for "
               "3.0.0 and 3.1.0, see KAFKA-13598 below)"),
      {{kFirst, "4.3"}}));
  keys.push_back(
      with_default(with_range(modelled("model.messages", Scope::kModel, ValueKind::kInt,
                                       "records the producer sends in each run (also --messages)"),
                              1, 4, "the model sends at most 4 records per run"),
                   {{kFirst, std::to_string(Config{}.messages)}}));
  keys.push_back(with_default(
      with_range(modelled("model.max.leader.epoch", Scope::kModel, ValueKind::kInt,
                          "leader elections a run may hold: an election past this leader epoch is "
                          "cut (a bound of the search, also --max-leader-epoch)"),
                 1, 15, "a record keeps its leader epoch in 4 bits"),
      {{kFirst, std::to_string(Config{}.max_leader_epoch)}}));

  // Producer.
  keys.push_back(with_default(
      with_choices(modelled("acks", Scope::kProducer, ValueKind::kEnum,
                            "who must have a record before the leader answers: 0 nobody (no "
                            "response at all), 1 the leader, all (= -1) every ISR member, and at "
                            "least min.insync.replicas of them"),
                   {"0", "1", "all", "-1"}),
      {{kFirst, "1"}, {{3, 0, 0}, "all"}}));
  keys.push_back(with_default(
      with_range(modelled("retries", Scope::kProducer, ValueKind::kInt,
                          "times the sender re-sends a batch after a retriable error; a re-sent "
                          "batch the broker already has is a duplicate unless idempotent"),
                 0, kInt32Max),
      {{kFirst, "0"}, {{2, 1, 0}, "2147483647"}}));
  {
    KeyInfo k = with_default(
        modelled(
            "enable.idempotence", Scope::kProducer, ValueKind::kBool,
            "the leader drops a batch it already has (same producer id and sequence), so "
            "retries cannot duplicate or reorder; the effective value follows the rules below"),
        {{{0, 11, 0}, "false"}, {{3, 0, 0}, "true"}});
    k.since = {0, 11, 0};
    keys.push_back(std::move(k));
  }
  keys.push_back(with_default(
      with_range(
          modelled("max.in.flight.requests.per.connection", Scope::kProducer, ValueKind::kInt,
                   "Produce requests the sender may have outstanding; above 1 without "
                   "idempotence a retried batch can land after a later one"),
          1, kInt32Max),
      {{kFirst, "5"}}));
  {
    KeyInfo k = with_default(
        with_range(modelled("delivery.timeout.ms", Scope::kProducer, ValueKind::kInt,
                            "bound from send() to the callback; when it expires the record fails "
                            "(fault.delivery.timeout) though the broker may still append it"),
                   0, kInt32Max),
        {{{2, 1, 0}, "120000"}});
    k.since = {2, 1, 0};
    keys.push_back(std::move(k));
  }
  keys.push_back(with_default(
      with_range(modelled("request.timeout.ms", Scope::kProducer, ValueKind::kInt,
                          "how long the sender waits for a Produce response before it treats "
                          "the request as failed and retries (fault.request.timeout)"),
                 0, kInt32Max),
      {{kFirst, "30000"}}));
  keys.push_back(with_default(
      with_range(modelled("linger.ms", Scope::kProducer, ValueKind::kLong,
                          "time a record may wait in the accumulator for its batch; part of "
                          "delivery.timeout.ms"),
                 0, INT64_MAX),
      {{kFirst, "0"}, {{4, 0, 0}, "5"}}));

  {
    KeyInfo k = modelled("transactional.id", Scope::kProducer, ValueKind::kAny,
                         "makes the producer transactional (KIP-98): each message is sent in its "
                         "own transaction, committed or aborted; a new instance with the same id "
                         "bumps the epoch and fences the old one. Implies enable.idempotence");
    k.since = {0, 11, 0};
    keys.push_back(std::move(k));
  }
  {
    KeyInfo k = with_default(
        with_range(modelled("transaction.timeout.ms", Scope::kProducer, ValueKind::kInt,
                            "how long the coordinator lets a transaction stay open before it "
                            "aborts it; the model has no clock: fault.transaction.timeout "
                            "decides whether it expires"),
                   1, kInt32Max),
        {{{0, 11, 0}, "60000"}});
    k.since = {0, 11, 0};
    keys.push_back(std::move(k));
  }

  // Broker and topic.
  keys.push_back(with_default(
      with_range(modelled("default.replication.factor", Scope::kBroker, ValueKind::kInt,
                          "replicas of a topic created without a replication factor"),
                 1, 3, kReplicaBound),
      {{kFirst, "1"}}));
  {
    KeyInfo k = with_range(
        modelled("replication.factor", Scope::kTopic, ValueKind::kInt,
                 "replicas of the topic under test (kafka-topics --replication-factor); wins "
                 "over default.replication.factor"),
        1, 3, kReplicaBound);
    k.inherits = "default.replication.factor";
    keys.push_back(std::move(k));
  }
  keys.push_back(with_default(
      with_range(modelled("min.insync.replicas", Scope::kBroker, ValueKind::kInt,
                          "ISR size an acks=all write needs, else NOT_ENOUGH_REPLICAS (retriable); "
                          "from 3.7 the high watermark also stops below it. Also a topic config"),
                 1, kInt32Max),
      {{kFirst, "1"}}));
  keys.push_back(with_default(
      modelled("unclean.leader.election.enable", Scope::kBroker, ValueKind::kBool,
               "an out-of-sync replica may become leader when no ISR member is left; the others "
               "truncate to it, losing acknowledged records. Also a topic config"),
      {{kFirst, "true"}, {{0, 11, 0}, "false"}}));
  keys.push_back(with_default(
      with_range(modelled("log.flush.interval.messages", Scope::kBroker, ValueKind::kLong,
                          "appends between fsyncs; a power loss erases the unflushed suffix "
                          "(default: never by count, the OS writes back)"),
                 1, INT64_MAX),
      {{kFirst, "9223372036854775807"}}));
  {
    KeyInfo k = with_range(modelled("flush.messages", Scope::kTopic, ValueKind::kLong,
                                    "topic override of log.flush.interval.messages"),
                           1, INT64_MAX);
    k.inherits = "log.flush.interval.messages";
    keys.push_back(std::move(k));
  }
  {
    KeyInfo k = with_default(
        with_range(modelled("eligible.leader.replicas.version", Scope::kBroker, ValueKind::kInt,
                            "KIP-966 feature level (set with kafka-features.sh): 1 lets the "
                            "controller elect a replica that left the ISR while it was below "
                            "min.insync.replicas. The 4.1 default holds for new clusters"),
                   0, 1),
        {{{4, 0, 0}, "0"}, {{4, 1, 0}, "1"}});
    k.since = {4, 0, 0};
    keys.push_back(std::move(k));
  }

  {
    KeyInfo k = with_default(
        modelled("transaction.partition.verification.enable", Scope::kBroker, ValueKind::kBool,
                 "KIP-890 part 1: the leader asks the transaction coordinator whether a "
                 "transactional Produce belongs to an open transaction that added the partition, "
                 "so a late write of an ended transaction is refused (INVALID_TXN_STATE)"),
        {{{3, 6, 0}, "true"}});
    k.since = {3, 6, 0};
    keys.push_back(std::move(k));
  }
  {
    KeyInfo k = with_default(
        with_range(modelled("transaction.version", Scope::kBroker, ValueKind::kInt,
                            "KIP-890 part 2 feature level (kafka-features.sh): 2 bumps the "
                            "producer epoch at every commit and abort, fencing late writes of "
                            "ended transactions. The default holds for new clusters"),
                   0, 2),
        {{{4, 0, 0}, "2"}});
    k.since = {4, 0, 0};
    keys.push_back(std::move(k));
  }

  // Consumer.
  keys.push_back(
      with_default(modelled("enable.auto.commit", Scope::kConsumer, ValueKind::kBool,
                            "poll() commits the positions of records returned by earlier polls"),
                   {{kFirst, "true"}}));
  keys.push_back(with_default(
      with_choices(modelled("auto.offset.reset", Scope::kConsumer, ValueKind::kEnum,
                            "where a consumer without a committed offset starts: earliest "
                            "re-reads, latest skips what is already written, none fails"),
                   {"earliest", "latest", "none"}),
      {{kFirst, "latest"}}));
  {
    KeyInfo k = with_default(
        with_choices(modelled("isolation.level", Scope::kConsumer, ValueKind::kEnum,
                              "read_committed hides records of open or aborted transactions; "
                              "without transactions both read up to the high watermark"),
                     {"read_uncommitted", "read_committed"}),
        {{{0, 11, 0}, "read_uncommitted"}});
    k.since = {0, 11, 0};
    keys.push_back(std::move(k));
  }

  // Application policies.
  keys.push_back(with_default(
      with_choices(modelled("app.on.send.error", Scope::kApp, ValueKind::kEnum,
                            "when the send callback fails: drop the record, or send() it again "
                            "(a new record to Kafka, so a duplicate if the first one landed)"),
                   {"drop", "resend"}),
      {{kFirst, "drop"}}));
  keys.push_back(with_default(
      with_choices(modelled("app.on.producer.restart", Scope::kApp, ValueKind::kEnum,
                            "after a producer crash: send again the records never acknowledged, "
                            "or skip them"),
                   {"replay-unacked", "skip"}),
      {{kFirst, "skip"}}));
  keys.push_back(with_default(
      with_choices(modelled("app.processing", Scope::kApp, ValueKind::kEnum,
                            "sync: a record is processed before the next poll; async: processing "
                            "may finish after later polls and commits"),
                   {"sync", "async"}),
      {{kFirst, "sync"}}));
  keys.push_back(with_default(
      with_choices(
          modelled("app.commit", Scope::kApp, ValueKind::kEnum,
                   "who commits and when: auto (enable.auto.commit, or nobody), "
                   "commitSync before processing, commitSync/commitAsync after it, "
                   "transactional (a consume-transform-produce processor commits its input "
                   "offsets in its transaction), or external-atomic (the sink stores results "
                   "and offsets atomically)"),
          {"auto", "commit-then-process", "process-then-commit-sync", "process-then-commit-async",
           "transactional", "external-atomic"}),
      {{kFirst, "auto"}}));
  keys.push_back(with_default(
      with_choices(modelled("app.on.txn.abort", Scope::kApp, ValueKind::kEnum,
                            "app.commit=transactional: after abortTransaction() the processor "
                            "seeks back to its committed input offset (rewind) or goes on with "
                            "the next input record (continue)"),
                   {"rewind", "continue"}),
      {{kFirst, "rewind"}}));
  keys.push_back(with_default(
      with_choices(modelled("app.output.isolation.level", Scope::kApp, ValueKind::kEnum,
                            "app.commit=transactional: the isolation.level of the downstream "
                            "reader of the output topic"),
                   {"read_uncommitted", "read_committed"}),
      {{kFirst, "read_committed"}}));

  // Fault budget.
  keys.push_back(fault_key("fault.request.timeout", faults.request_timeout,
                           "a Produce request times out; the append may or may not have happened"));
  keys.push_back(fault_key("fault.delivery.timeout", faults.delivery_timeout,
                           "delivery.timeout.ms expires a batch and its callback fails"));
  keys.push_back(
      fault_key("fault.producer.crash", faults.producer_crash,
                "the producer dies with its buffer and restarts with a new producer id"));
  keys.push_back(fault_key("fault.broker.crash", faults.broker_crash,
                           "a broker process dies and restarts; its page cache survives"));
  keys.push_back(fault_key("fault.broker.power.loss", faults.broker_power_loss,
                           "a broker loses power and its unflushed log suffix"));
  keys.push_back(fault_key("fault.cluster.power.loss", faults.cluster_power_loss,
                           "every broker loses power at once"));
  keys.push_back(fault_key("fault.network.partition", faults.network_partition,
                           "a broker is cut off from the controller and the other brokers"));
  keys.push_back(fault_key("fault.consumer.crash", faults.consumer_crash,
                           "the consumer dies and restarts from the committed offset"));
  keys.push_back(fault_key("fault.consumer.rebalance", faults.consumer_rebalance,
                           "the group rebalances and fences this member's generation"));
  keys.push_back(fault_key("fault.offset.loss", faults.offset_loss,
                           "the committed offset disappears (expiry, new group.id)"));
  keys.push_back(fault_key("fault.transaction.timeout", faults.transaction_timeout,
                           "transaction.timeout.ms expires: the coordinator aborts the open "
                           "transaction and bumps the producer epoch (transactional.id only)"));
  keys.push_back(fault_key("fault.producer.zombie", faults.producer_zombie,
                           "a new producer instance starts while the old one keeps running; the "
                           "new one's InitProducerId must fence it (transactional.id only)"));
  keys.push_back(
      with_default(with_range(modelled("fault.max.total", Scope::kFault, ValueKind::kInt,
                                       "at most this many faults of any kind in one run"),
                              0, 6, "the model allows at most 6 faults per run"),
                   {{kFirst, std::to_string(faults.max_total)}}));
  return keys;
}

// Real Kafka keys that do not change delivery semantics, by who reads them. A name ending
// in '.' is a family matched by prefix.
struct NotModelled {
  Scope scope;
  std::vector<std::string_view> names;
};

const std::vector<NotModelled>& not_modelled_lists() {
  static const std::vector<NotModelled> lists = {
      {Scope::kClient,
       {"bootstrap.servers",
        "client.id",
        "client.dns.lookup",
        "client.rack",
        "send.buffer.bytes",
        "receive.buffer.bytes",
        "metadata.max.age.ms",
        "reconnect.backoff.ms",
        "reconnect.backoff.max.ms",
        "retry.backoff.ms",
        "retry.backoff.max.ms",
        "connections.max.idle.ms",
        "socket.connection.setup.timeout.ms",
        "socket.connection.setup.timeout.max.ms",
        "security.protocol",
        "security.providers",
        "interceptor.classes",
        "metric.reporters",
        "metrics.num.samples",
        "metrics.sample.window.ms",
        "metrics.recording.level",
        "enable.metrics.push",
        "auto.include.jmx.reporter",
        "ssl.",
        "sasl."}},
      {Scope::kProducer,
       {"key.serializer", "value.serializer", "batch.size", "buffer.memory", "compression.type",
        "compression.gzip.level", "compression.lz4.level", "compression.zstd.level",
        "max.request.size", "max.block.ms", "partitioner.class", "partitioner.ignore.keys",
        "partitioner.adaptive.partitioning.enable", "partitioner.availability.timeout.ms",
        "metadata.max.idle.ms"}},
      {Scope::kConsumer,
       {"key.deserializer",
        "value.deserializer",
        "group.id",
        "group.instance.id",
        "group.protocol",
        "group.remote.assignor",
        "partition.assignment.strategy",
        "fetch.min.bytes",
        "fetch.max.bytes",
        "fetch.max.wait.ms",
        "max.partition.fetch.bytes",
        "max.poll.records",
        "max.poll.interval.ms",
        "session.timeout.ms",
        "heartbeat.interval.ms",
        "auto.commit.interval.ms",
        "default.api.timeout.ms",
        "check.crcs",
        "exclude.internal.topics",
        "allow.auto.create.topics"}},
      {Scope::kBroker,
       {"broker.id",
        "node.id",
        "process.roles",
        "controller.quorum.voters",
        "controller.quorum.bootstrap.servers",
        "controller.listener.names",
        "listeners",
        "advertised.listeners",
        "listener.security.protocol.map",
        "inter.broker.listener.name",
        "inter.broker.protocol.version",
        "log.message.format.version",
        "log.dirs",
        "log.dir",
        "metadata.log.dir",
        "num.partitions",
        "num.network.threads",
        "num.io.threads",
        "num.recovery.threads.per.data.dir",
        "num.replica.fetchers",
        "background.threads",
        "queued.max.requests",
        "socket.send.buffer.bytes",
        "socket.receive.buffer.bytes",
        "socket.request.max.bytes",
        "log.retention.hours",
        "log.retention.minutes",
        "log.retention.ms",
        "log.retention.bytes",
        "log.retention.check.interval.ms",
        "log.segment.bytes",
        "log.roll.hours",
        "log.roll.ms",
        "log.cleaner.enable",
        "log.cleanup.policy",
        "log.flush.interval.ms",
        "log.flush.scheduler.interval.ms",
        "log.flush.offset.checkpoint.interval.ms",
        "zookeeper.connect",
        "zookeeper.connection.timeout.ms",
        "zookeeper.session.timeout.ms",
        "offsets.topic.replication.factor",
        "offsets.topic.num.partitions",
        "offsets.retention.minutes",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
        "transaction.state.log.num.partitions",
        "group.initial.rebalance.delay.ms",
        "group.min.session.timeout.ms",
        "group.max.session.timeout.ms",
        "replica.lag.time.max.ms",
        "replica.fetch.max.bytes",
        "replica.fetch.wait.max.ms",
        "replica.socket.timeout.ms",
        "replica.high.watermark.checkpoint.interval.ms",
        "auto.create.topics.enable",
        "auto.leader.rebalance.enable",
        "leader.imbalance.check.interval.seconds",
        "delete.topic.enable",
        "message.max.bytes",
        "controlled.shutdown.enable",
        "authorizer.class.name",
        "super.users",
        "allow.everyone.if.no.acl.found",
        "listener.name.",
        "socket."}},
      {Scope::kTopic,
       {"cleanup.policy", "retention.ms", "retention.bytes", "segment.bytes", "segment.ms",
        "segment.index.bytes", "flush.ms", "max.message.bytes", "message.timestamp.type",
        "min.cleanable.dirty.ratio", "delete.retention.ms", "file.delete.delay.ms",
        "index.interval.bytes", "preallocate", "local.retention.ms", "local.retention.bytes",
        "remote.storage.enable"}},
  };
  return lists;
}

std::vector<KeyInfo> build_table() {
  std::vector<KeyInfo> keys = modelled_keys();
  for (const NotModelled& list : not_modelled_lists()) {
    for (std::string_view name : list.names) {
      KeyInfo k;
      k.name = name;
      k.scope = list.scope;
      k.prefix = name.back() == '.';
      keys.push_back(std::move(k));
    }
  }
  return keys;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Optimal string alignment distance: Levenshtein plus adjacent transpositions, the usual
// typing slips.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

bool parse_int64(std::string_view s, int64_t* out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);  // Long.parseLong accepts it
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

bool parse_component(std::string_view s, int* out) {
  if (s.empty() || s.size() > 4) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

std::string join(const std::vector<std::string_view>& items, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += sep;
    out += items[i];
  }
  return out;
}

}  // namespace

std::string_view scope_name(Scope s) {
  switch (s) {
    case Scope::kProducer:
      return "producer";
    case Scope::kConsumer:
      return "consumer";
    case Scope::kClient:
      return "client";
    case Scope::kBroker:
      return "broker";
    case Scope::kTopic:
      return "topic";
    case Scope::kApp:
      return "app";
    case Scope::kFault:
      return "fault";
    case Scope::kModel:
      return "model";
  }
  return "?";
}

std::string_view KeyInfo::default_at(const KafkaVersion& v) const {
  std::string_view value;
  for (const DefaultStep& step : defaults) {
    if (v < step.since) break;
    value = step.value;
  }
  return value;
}

std::string KeyInfo::allowed() const {
  switch (kind) {
    case ValueKind::kAny:
      return "any value (not checked)";
    case ValueKind::kVersion:
      return "a Kafka release X.Y or X.Y.Z among " + supported_kafka_versions();
    case ValueKind::kBool:
      return "true, false";
    case ValueKind::kEnum:
      return join(choices, ", ");
    case ValueKind::kInt:
    case ValueKind::kLong:
      if (max == INT64_MAX) return "an integer >= " + std::to_string(min);
      return "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  }
  return "";
}

std::string KeyInfo::check(std::string_view value) const {
  const std::string bad = "bad value '" + std::string(value) + "'; allowed: " + allowed();
  switch (kind) {
    case ValueKind::kAny:
      return "";
    case ValueKind::kVersion:
      return parse_kafka_version(value) ? ""
                                        : "unsupported Kafka version '" + std::string(value) +
                                              "'; kdc supports " + supported_kafka_versions();
    case ValueKind::kBool: {
      std::string v = lower(value);
      return v == "true" || v == "false" ? "" : bad;
    }
    case ValueKind::kEnum:
      return std::find(choices.begin(), choices.end(), value) != choices.end() ? "" : bad;
    case ValueKind::kInt:
    case ValueKind::kLong: {
      int64_t n = 0;
      if (!parse_int64(value, &n) || n < min) return bad;
      if (n > max) {
        if (bound.empty()) return bad;
        return "value " + std::string(value) +
               " is beyond the model's bound: " + std::string(bound) + " (allowed: " + allowed() +
               ")";
      }
      return "";
    }
  }
  return bad;
}

const std::vector<KeyInfo>& known_keys() {
  static const std::vector<KeyInfo> keys = build_table();
  return keys;
}

const KeyInfo* find_key(std::string_view name) {
  for (const KeyInfo& k : known_keys()) {
    if (k.prefix ? name.size() > k.name.size() && name.starts_with(k.name) : name == k.name) {
      return &k;
    }
  }
  return nullptr;
}

std::string_view suggest_key(std::string_view name) {
  const std::string wanted = lower(name);
  std::string_view best;
  size_t best_distance = SIZE_MAX;
  for (const KeyInfo& k : known_keys()) {
    if (k.prefix) continue;
    size_t d = edit_distance(wanted, lower(k.name));
    if (d < best_distance) {
      best_distance = d;
      best = k.name;
    }
  }
  // One slip per five characters: 'ack' -> 'acks', 'enable.idempotance' -> 'enable.idempotence',
  // but 'foo' suggests nothing.
  const size_t limit = std::max<size_t>(1, wanted.size() / 5);
  return best_distance <= limit ? best : std::string_view();
}

std::optional<KafkaVersion> parse_kafka_version(std::string_view text) {
  std::vector<int> parts;
  size_t start = 0;
  for (;;) {
    size_t dot = text.find('.', start);
    int n = 0;
    if (!parse_component(text.substr(start, dot - start), &n)) return std::nullopt;
    parts.push_back(n);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  // Releases before 1.0 were named with four parts (0.10.2.1); the fourth is a bug-fix level.
  const size_t max_parts = !parts.empty() && parts[0] == 0 ? 4 : 3;
  if (parts.size() < 2 || parts.size() > max_parts) return std::nullopt;
  KafkaVersion v{parts[0], parts[1], parts.size() > 2 ? parts[2] : 0};
  for (const ReleaseLine& r : kReleases) {
    if (v.major == r.major && v.minor >= r.first_minor && v.minor <= r.last_minor) return v;
  }
  return std::nullopt;
}

std::string supported_kafka_versions() {
  std::string out;
  for (const ReleaseLine& r : kReleases) {
    if (!out.empty()) out += ", ";
    std::string first = std::to_string(r.major) + "." + std::to_string(r.first_minor);
    std::string last = std::to_string(r.major) + "." + std::to_string(r.last_minor);
    if (r.last_minor - r.first_minor >= 2) {
      out += first + "-" + last;
    } else {
      out += first;
      if (r.last_minor != r.first_minor) out += ", " + last;
    }
  }
  return out;
}

namespace {

// Hand-written: how config.cc applies Kafka's own cross-key rules once values are known.
constexpr std::string_view kRules = R"(## Rules kdc applies after the defaults

Kafka's own cross-key rules. Where Kafka throws a ConfigException, kdc reports an error at
the line that set the offending key; what Kafka does silently, kdc reports as a note
(`Config::notes`, printed by `kdc check`).

**Keys that do not exist yet.** Setting `enable.idempotence` or `isolation.level` before 0.11,
`delivery.timeout.ms` before 2.1, or `eligible.leader.replicas.version` before 4.0 is an error.

**Idempotence** (`Config::idempotence` is the effective value):

| kafka.version | enable.idempotence set explicitly to true | left at its default |
|---|---|---|
| 0.10 | (key does not exist) | off |
| 0.11 | error if acks is set to other than all, retries is set to 0, or max.in.flight.requests.per.connection is set to other than 1; keys left unset become acks=all, retries=2147483647, max.in.flight=1 | off |
| 1.0 - 2.8 | the same, but max.in.flight may be up to 5 | off |
| 3.0.0, 3.1.0 | as for 2.8 | off: a bug (KAFKA-13598) left the declared default true unapplied; acks=all still applies |
| 3.0.1, 3.1.1, 3.2 - 3.9 | error if acks is not all, retries is 0, or max.in.flight > 5 | on, unless acks is not all, retries is 0 or max.in.flight > 5: then silently off (KAFKA-13673) |
| 4.0 - 4.1 | as for 3.9 | as for 3.9, except that max.in.flight > 5 (with acks=all and retries > 0) is an error (KAFKA-17927; the exact 4.x behaviour is unconfirmed, see docs/kafka-facts.md) |

**delivery.timeout.ms** (2.1+) must be at least `linger.ms + request.timeout.ms`. Set
explicitly below that, it is an error; left at its default, Kafka raises it to that sum.
Before 2.1 there is no delivery timeout, and `Config::delivery_timeout_ms` holds INT64_MAX.

**Replication.** `replication.factor` wins over `default.replication.factor`;
`flush.messages` wins over `log.flush.interval.messages`. `min.insync.replicas` above the
replication factor is accepted, as Kafka accepts it: before 3.7 every acks=all write then
fails with NOT_ENOUGH_REPLICAS; from 3.7 Kafka caps the requirement at the replication
factor (KAFKA-15583), and so does `Config::min_insync_replicas`.

**Transactions.** A `transactional.id` turns idempotence on in every version; with
`enable.idempotence=false` set explicitly, or with a conflicting `acks`, `retries` or
`max.in.flight.requests.per.connection`, it is an error, as in Kafka; so is an empty
`transactional.id` (the coordinator answers INVALID_REQUEST). `app.commit=transactional`
needs a `transactional.id`. `app.on.txn.abort` and `app.output.isolation.level` only apply to
`app.commit=transactional` (a note says so otherwise). `fault.transaction.timeout` and
`fault.producer.zombie` only apply with a `transactional.id` (their budgets are 0 otherwise).
`transaction.partition.verification.enable` (3.6+) and `transaction.version` (4.0+) follow
docs/kafka-facts.md.
)";

std::string default_text(const KeyInfo& k) {
  if (!k.inherits.empty()) return "= `" + std::string(k.inherits) + "`";
  std::string out;
  for (const DefaultStep& step : k.defaults) {
    std::string value = step.value == "9223372036854775807" ? "2^63-1" : step.value;
    if (out.empty()) {
      out = "`" + value + "`";
    } else {
      out += "; `" + value + "` from " + short_version(step.since);
    }
  }
  if (!(k.since == kFirst)) out += " (key exists from " + short_version(k.since) + ")";
  return out;
}

std::string values_text(const KeyInfo& k) {
  std::string out = k.allowed();
  if (!k.bound.empty()) out += " (" + std::string(k.bound) + ")";
  return out;
}

void append_table(std::string* md, std::string_view title, std::vector<Scope> scopes) {
  *md += "### " + std::string(title) + "\n\n";
  *md += "| key | values | default | effect in the model |\n|---|---|---|---|\n";
  for (const KeyInfo& k : known_keys()) {
    if (!k.modelled || std::find(scopes.begin(), scopes.end(), k.scope) == scopes.end()) continue;
    *md += "| `" + std::string(k.name) + "` | " + values_text(k) + " | " + default_text(k) + " | " +
           std::string(k.meaning) + " |\n";
  }
  *md += "\n";
}

}  // namespace

std::string config_reference_markdown() {
  std::string md;
  md += "<!-- Generated by `build/kdc keys --md > docs/config-reference.md`; do not edit. -->\n";
  md += "# kdc configuration reference\n\n";
  md +=
      "Generated by `build/kdc keys --md > docs/config-reference.md` from the key table in\n"
      "`model/vocabulary/config_keys.cc`. Do not edit by hand: change the table and "
      "regenerate.\n\n";
  md += R"(kdc reads the same Java `.properties` files as Kafka (producer, server/topic, consumer),
plus kdc's own keys (`kafka.version`, `app.*`, `fault.*`, `model.*`), which may sit in any of them.

- Files are read with `java.util.Properties.load` rules and merged in command-line order;
  `--set key=value` overrides come last. A later value for a key wins, as in Java.
- `kafka.version` is read first, wherever it appears: defaults and the valid keys depend on it.
- Values are trimmed, as Kafka trims them. Keys are case-sensitive, as in Kafka.
- An unknown key is an error naming file, line and key, with the nearest known key as a
  suggestion. A bad value is an error naming the value and what is allowed.
- Real Kafka keys that do not change delivery are accepted and listed as not modelled.

Versions: )";
  md += supported_kafka_versions() + ".\n\n## Modelled keys\n\n";
  append_table(&md, "Model", {Scope::kModel});
  append_table(&md, "Producer", {Scope::kProducer});
  append_table(&md, "Broker and topic", {Scope::kBroker, Scope::kTopic});
  append_table(&md, "Consumer", {Scope::kConsumer});
  append_table(&md, "Application policies (app.*)", {Scope::kApp});
  append_table(&md, "Fault budget (fault.*)", {Scope::kFault});
  md += kRules;
  md +=
      "\n## Accepted but not modelled\n\n"
      "These real Kafka keys do not change delivery semantics in the model. kdc accepts them\n"
      "and lists them in its report. A name ending in `.*` is a family.\n\n";
  for (const NotModelled& list : not_modelled_lists()) {
    std::vector<std::string> names;
    for (std::string_view n : list.names) {
      names.push_back("`" + std::string(n) + (n.back() == '.' ? "*`" : "`"));
    }
    md += "- **" + std::string(scope_name(list.scope)) + "**";
    if (list.scope == Scope::kClient) md += " (producer and consumer)";
    md += ": ";
    for (size_t i = 0; i < names.size(); ++i) md += (i ? ", " : "") + names[i];
    md += "\n";
  }
  return md;
}

}  // namespace kdc
