// The configuration kdc checks: Kafka's own keys (producer, broker/topic, consumer),
// the application's policies (app.*), the fault budget (fault.*) and the model bounds.
//
// Contract: load_config() either returns a fully validated Config with Kafka's
// defaults for config.version filled in, or a ConfigError naming file, line and key.
// Nothing downstream re-validates; the model trusts a Config.
#ifndef KDC_MODEL_VOCABULARY_CONFIG_H_
#define KDC_MODEL_VOCABULARY_CONFIG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

namespace kdc {

// A Kafka release, e.g. 3.7 (patch releases do not change delivery semantics we model,
// except where noted in docs/config-reference.md).
struct KafkaVersion {
  int major = 4;
  int minor = 3;
  int patch = 0;
  bool operator<(const KafkaVersion& o) const {
    return std::tie(major, minor, patch) < std::tie(o.major, o.minor, o.patch);
  }
  bool operator>=(const KafkaVersion& o) const { return !(*this < o); }
  bool operator==(const KafkaVersion& o) const {
    return major == o.major && minor == o.minor && patch == o.patch;
  }
  std::string str() const;  // "3.7.0"
};

enum class Acks : uint8_t { kZero, kOne, kAll };
enum class OffsetReset : uint8_t { kEarliest, kLatest, kNone };
enum class Isolation : uint8_t { kReadUncommitted, kReadCommitted };
enum class OnSendError : uint8_t { kDrop, kResend };
enum class OnProducerRestart : uint8_t { kReplayUnacked, kSkip };
enum class Processing : uint8_t { kSync, kAsync };
enum class CommitMode : uint8_t {
  kAuto,                     // the application never commits; enable.auto.commit does (or nobody)
  kCommitThenProcess,        // commitSync right after poll, then process
  kProcessThenCommitSync,    // process the batch, then commitSync
  kProcessThenCommitAsync,   // process the batch, then commitAsync
  // A consume-transform-produce processor: it reads an input topic and writes the output
  // topic and its input offsets in one transaction (sendOffsetsToTransaction). The model's
  // producer is the processor; its consumer is the downstream reader of the output.
  kTransactional,
  // The consumer stores each result and its offset atomically in the sink, and resumes
  // from the sink's offset.
  kExternalAtomic,
};
// What the processor does after abortTransaction(): seek back to the last committed input
// offset and process those records again, or go on with the next input record.
enum class OnTxnAbort : uint8_t { kRewind, kContinue };

// Maximum number of times each fault may occur in one run (fault.* keys).
struct FaultBudget {
  uint8_t request_timeout = 1;
  uint8_t delivery_timeout = 1;
  uint8_t producer_crash = 1;
  uint8_t broker_crash = 1;
  uint8_t broker_power_loss = 1;
  uint8_t cluster_power_loss = 0;
  uint8_t network_partition = 1;
  uint8_t consumer_crash = 1;
  uint8_t consumer_rebalance = 1;
  uint8_t offset_loss = 0;
  uint8_t transaction_timeout = 1;  // only with a transactional.id
  uint8_t producer_zombie = 1;      // only with a transactional.id
  // fault.max.total: at most this many faults of any kind in one run.
  uint8_t max_total = 1;
};

struct Config {
  KafkaVersion version;  // kafka.version

  // Producer.
  Acks acks = Acks::kAll;
  int64_t retries = 2147483647;
  bool idempotence = true;  // effective value after Kafka's own rules (see idempotence_note)
  int max_in_flight = 5;    // max.in.flight.requests.per.connection
  int64_t delivery_timeout_ms = 120000;
  int64_t request_timeout_ms = 30000;
  int64_t linger_ms = 5;
  // Transactions: transactional.id is set (its value does not matter to the model: one
  // transactional producer).
  bool transactional = false;
  int64_t transaction_timeout_ms = 60000;

  // Broker / topic.
  int replication_factor = 1;       // replication.factor, else default.replication.factor
  int min_insync_replicas = 1;
  bool unclean_leader_election = false;
  int64_t flush_interval_messages = INT64_MAX;  // flush.messages, else log.flush.interval.messages
  bool eligible_leader_replicas = false;        // eligible.leader.replicas.version >= 1
  // KIP-890 part 1 (3.6+): the leader checks with the transaction coordinator that a
  // transactional Produce belongs to an open transaction that added the partition.
  bool transaction_verification = false;
  // KIP-890 part 2 (transaction.version=2, 4.0+): the producer epoch is bumped at every
  // commit or abort, so a late write of an ended transaction is fenced.
  bool epoch_bump_per_transaction = false;

  // Consumer.
  bool enable_auto_commit = true;
  OffsetReset auto_offset_reset = OffsetReset::kLatest;
  Isolation isolation = Isolation::kReadUncommitted;

  // Application policies (app.*): not Kafka keys, but they decide the outcome.
  OnSendError on_send_error = OnSendError::kDrop;
  OnProducerRestart on_producer_restart = OnProducerRestart::kSkip;
  Processing processing = Processing::kSync;
  CommitMode commit = CommitMode::kAuto;
  OnTxnAbort on_txn_abort = OnTxnAbort::kRewind;
  // The downstream reader's isolation.level in a consume-transform-produce pipeline.
  Isolation output_isolation = Isolation::kReadCommitted;

  // The pipeline is consume-transform-produce (app.commit=transactional).
  bool processor() const { return commit == CommitMode::kTransactional; }
  // The model's consumer keeps its offset in the sink, written with each result
  // (external-atomic, and the downstream reader of a processor): Kafka holds none.
  bool offsets_in_sink() const {
    return commit == CommitMode::kExternalAtomic || commit == CommitMode::kTransactional;
  }
  // The consumer application commits to the group itself (commitSync / commitAsync).
  bool application_commits() const { return commit != CommitMode::kAuto && !offsets_in_sink(); }
  // The isolation level of the consumer the model runs: the downstream reader's in a
  // consume-transform-produce pipeline, else isolation.level.
  Isolation reader_isolation() const { return processor() ? output_isolation : isolation; }

  FaultBudget faults;

  // Model bounds.
  int messages = 2;  // --messages / model.messages
  // Elections past this leader epoch are cut (--max-leader-epoch / model.max.leader.epoch);
  // at most kMaxLeaderEpoch, the 4 bits a model record keeps its epoch in.
  int max_leader_epoch = 15;

  // Keys that are real Kafka settings but do not affect delivery; accepted, reported.
  std::vector<std::string> not_modelled;
  // Human-readable consequences of Kafka's own rules, e.g. "enable.idempotence silently
  // disabled because acks=1 was set explicitly (Kafka >= 3.2)". Printed by kdc check.
  std::vector<std::string> notes;
};

// Where a key's value came from: a file and line, or a --set override.
struct Origin {
  std::string file;  // "--set" for overrides
  int line = 0;      // 0 for overrides
};

struct ConfigError {
  Origin origin;
  std::string key;
  std::string message;  // "unknown key 'ack'; did you mean 'acks'?"
  std::string str() const;  // "producer.properties:3: acks: ..."
};

// Reads Java .properties files in order (later files override earlier ones), then applies
// overrides ("key=value", later wins). Unknown keys, bad values and combinations Kafka itself
// rejects (e.g. enable.idempotence=true with acks=1) are errors.
std::variant<Config, ConfigError> load_config(const std::vector<std::string>& files,
                                              const std::vector<std::string>& overrides);

// The settings that reproduce `config` when loaded again: every modelled key that exists
// in config.version, with its effective value (after Kafka's own rules). Written into
// trace headers so that a counterexample can be replayed without the user's files.
std::vector<std::pair<std::string, std::string>> effective_settings(const Config& config);

// Same, from in-memory text (used by tests): each pair is (name shown in errors, contents).
std::variant<Config, ConfigError> load_config_text(
    const std::vector<std::pair<std::string, std::string>>& sources,
    const std::vector<std::string>& overrides);

}  // namespace kdc

#endif  // KDC_MODEL_VOCABULARY_CONFIG_H_
