#include "model/vocabulary/config.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "model/vocabulary/config_keys.h"
#include "model/vocabulary/properties.h"

namespace kdc {
namespace {

const KafkaVersion k0_11{0, 11, 0};
const KafkaVersion k1_0{1, 0, 0};
const KafkaVersion k2_1{2, 1, 0};
const KafkaVersion k3_0{3, 0, 0};
const KafkaVersion k3_1{3, 1, 0};
const KafkaVersion k3_7{3, 7, 0};
const KafkaVersion k4_0{4, 0, 0};

const Origin kOverride{"--set", 0};

// Kafka trims every value it parses (String.trim: anything <= ' ').
std::string_view trim(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
  return s;
}

std::string where(const Origin& o) {
  return o.line > 0 ? o.file + ":" + std::to_string(o.line) : o.file;
}

void add_unique(std::vector<std::string>* list, std::string_view item) {
  if (std::find(list->begin(), list->end(), item) == list->end()) list->emplace_back(item);
}

struct Setting {
  std::string value;  // trimmed and validated
  Origin origin;
};

// The keys set explicitly (validated), and the table's defaults for kafka.version for the
// rest. Kafka distinguishes the two: several rules apply only to explicitly set keys.
class Settings {
 public:
  explicit Settings(const KafkaVersion& version) : version_(version) {}

  void set(std::string_view key, Setting s) { set_[std::string(key)] = std::move(s); }

  const Setting* explicit_setting(std::string_view key) const {
    auto it = set_.find(key);
    return it == set_.end() ? nullptr : &it->second;
  }

  // Explicit value, else the broker key a topic key inherits, else the default. Empty only
  // for a key that does not exist in this release.
  std::string_view value(std::string_view key) const {
    if (const Setting* s = explicit_setting(key)) return s->value;
    const KeyInfo* k = find_key(key);
    if (!k->inherits.empty()) return value(k->inherits);
    return k->default_at(version_);
  }

  // Values were checked against the table, so these conversions cannot fail.
  int64_t number(std::string_view key) const {
    std::string_view v = value(key);
    if (!v.empty() && v.front() == '+') v.remove_prefix(1);
    int64_t n = 0;
    std::from_chars(v.data(), v.data() + v.size(), n);
    return n;
  }
  bool flag(std::string_view key) const {
    std::string_view v = value(key);
    return v.size() == 4 && (v[0] == 't' || v[0] == 'T');
  }
  // Index of the value in the key's choices, which follow the Config enum's order.
  size_t choice(std::string_view key) const {
    const std::vector<std::string_view>& choices = find_key(key)->choices;
    return std::find(choices.begin(), choices.end(), value(key)) - choices.begin();
  }

 private:
  KafkaVersion version_;
  std::map<std::string, Setting, std::less<>> set_;
};

Origin origin_of(const PropertyEntry& e) { return Origin{e.file, e.line}; }

std::string unknown_key_message(std::string_view key) {
  if (key.empty()) return "empty key";
  std::string message = "unknown key '" + std::string(key) + "'";
  std::string_view suggestion = suggest_key(key);
  if (!suggestion.empty()) message += "; did you mean '" + std::string(suggestion) + "'?";
  return message;
}

Acks parse_acks(std::string_view v) {
  if (v == "0") return Acks::kZero;
  if (v == "1") return Acks::kOne;
  return Acks::kAll;  // "all" or "-1"
}

// Kafka's rules for enable.idempotence; the table in config_keys.cc (kRules) documents them.
// Runs after the producer fields of *c hold their explicit-or-default values.
std::optional<ConfigError> resolve_idempotence(const Settings& s, Config* c) {
  const KafkaVersion& v = c->version;
  c->idempotence = false;
  // A transactional.id turns idempotence on whatever the version's default; switching it
  // off explicitly is an error (ProducerConfig.idempotenceEnabled).
  const Setting* txn = s.explicit_setting("transactional.id");
  const Setting* idem_set = s.explicit_setting("enable.idempotence");
  if (txn != nullptr && idem_set != nullptr && !s.flag("enable.idempotence")) {
    return ConfigError{idem_set->origin, "enable.idempotence",
                       "enable.idempotence=false with transactional.id=" + txn->value + " (" +
                           where(txn->origin) +
                           "): Kafka throws ConfigException (\"Cannot set a transactional.id "
                           "without also enabling idempotence\")"};
  }
  if (v < k0_11 || (!s.flag("enable.idempotence") && txn == nullptr)) return std::nullopt;

  // The conflicting keys the user set. Unset keys never conflict: from 3.0 their defaults
  // suit idempotence, and before 3.0 Kafka replaces them with values that do.
  const int in_flight_limit = v < k1_0 ? 1 : 5;
  struct Conflict {
    std::string_view key;
    std::string requirement;
  };
  std::vector<Conflict> conflicts;
  if (s.explicit_setting("acks") && c->acks != Acks::kAll)
    conflicts.push_back({"acks", "acks=all"});
  if (s.explicit_setting("retries") && c->retries == 0)
    conflicts.push_back({"retries", "retries > 0"});
  const bool in_flight_conflict = s.explicit_setting("max.in.flight.requests.per.connection") &&
                                  c->max_in_flight > in_flight_limit;
  if (in_flight_conflict) {
    conflicts.push_back({"max.in.flight.requests.per.connection",
                         "max.in.flight.requests.per.connection " +
                             std::string(in_flight_limit == 1 ? "= 1" : "<= 5")});
  }
  auto describe = [&](const Conflict& k) {
    const Setting* set = s.explicit_setting(k.key);
    return std::string(k.key) + "=" + set->value + " (" + where(set->origin) + ")";
  };

  if (const Setting* idem = idem_set != nullptr ? idem_set : txn) {
    if (!conflicts.empty()) {
      const std::string why = idem == txn ? "transactional.id (which needs the idempotent producer)"
                                          : "enable.idempotence=true";
      return ConfigError{idem->origin, std::string(idem == txn ? "transactional.id" : "enable.idempotence"),
                         why + " requires " + conflicts.front().requirement +
                             ", but " + describe(conflicts.front()) +
                             " is set; Kafka throws ConfigException"};
    }
    std::vector<std::string> chosen;
    if (c->acks != Acks::kAll) {
      c->acks = Acks::kAll;
      chosen.push_back("acks=all");
    }
    if (c->retries == 0) {
      c->retries = INT32_MAX;
      chosen.push_back("retries=2147483647");
    }
    if (c->max_in_flight > in_flight_limit) {
      c->max_in_flight = in_flight_limit;
      chosen.push_back("max.in.flight.requests.per.connection=" + std::to_string(in_flight_limit));
    }
    if (!chosen.empty()) {
      std::string list;
      for (const std::string& item : chosen) list += (list.empty() ? "" : ", ") + item;
      c->notes.push_back(std::string(idem == txn ? "transactional.id" : "enable.idempotence=true") +
                         ": Kafka " + c->version.str() + " sets " + list +
                         " for the idempotent producer because these keys are not set");
    }
    c->idempotence = true;
    return std::nullopt;
  }

  // Left at its default, which is true from 3.0.
  if (v == k3_0 || v == k3_1) {
    c->notes.push_back(
        "enable.idempotence is off: Kafka " + v.str() +
        " declares it true by default but does not apply that default (KAFKA-13598, fixed in "
        "3.0.1, 3.1.1 and 3.2.0); set enable.idempotence=true to get it");
    return std::nullopt;
  }
  // From 4.0 a max.in.flight above 5 no longer turns default idempotence off: Kafka refuses
  // it (KAFKA-17927). acks and retries conflicts still turn it off first.
  const bool disabled_otherwise = conflicts.size() > (in_flight_conflict ? 1u : 0u);
  if (in_flight_conflict && v >= k4_0 && !disabled_otherwise) {
    const Setting* set = s.explicit_setting("max.in.flight.requests.per.connection");
    return ConfigError{set->origin, "max.in.flight.requests.per.connection",
                       "max.in.flight.requests.per.connection=" + set->value +
                           " is above 5, which the idempotent producer (the default since 3.0) "
                           "does not allow; Kafka " +
                           v.str() +
                           " throws ConfigException. Set enable.idempotence=false to allow it"};
  }
  if (!conflicts.empty()) {
    std::string list;
    for (const Conflict& k : conflicts) list += (list.empty() ? "" : " and ") + describe(k);
    c->notes.push_back("enable.idempotence silently disabled because " + list +
                       (conflicts.size() > 1 ? " are" : " is") +
                       " set explicitly; Kafka turns its default idempotence off on conflicting "
                       "settings (KAFKA-13673)");
    return std::nullopt;
  }
  c->idempotence = true;
  return std::nullopt;
}

// Kafka (2.1+) refuses delivery.timeout.ms < linger.ms + request.timeout.ms when it is set
// explicitly, and raises its default to that sum otherwise.
std::optional<ConfigError> resolve_delivery_timeout(const Settings& s, Config* c) {
  if (c->version < k2_1) {
    c->delivery_timeout_ms = INT64_MAX;  // no delivery timeout before KIP-91
    return std::nullopt;
  }
  const int64_t floor = std::min<int64_t>(c->linger_ms + c->request_timeout_ms, INT32_MAX);
  if (c->delivery_timeout_ms >= floor) return std::nullopt;
  const std::string sum = "linger.ms + request.timeout.ms = " + std::to_string(floor);
  if (const Setting* set = s.explicit_setting("delivery.timeout.ms")) {
    return ConfigError{set->origin, "delivery.timeout.ms",
                       "delivery.timeout.ms=" + set->value + " is below " + sum +
                           "; Kafka throws ConfigException"};
  }
  c->notes.push_back("delivery.timeout.ms raised from its default " +
                     std::to_string(c->delivery_timeout_ms) + " to " + sum +
                     ", as Kafka does when it is not set explicitly");
  c->delivery_timeout_ms = floor;
  return std::nullopt;
}

// Kafka accepts min.insync.replicas above the replication factor.
void resolve_min_insync(Config* c) {
  if (c->min_insync_replicas <= c->replication_factor) return;
  const std::string what = "min.insync.replicas=" + std::to_string(c->min_insync_replicas) +
                           " exceeds the replication factor " +
                           std::to_string(c->replication_factor);
  if (c->version >= k3_7) {
    c->notes.push_back(what + "; Kafka " + c->version.str() +
                       " caps it at the replication factor (KAFKA-15583), so acks=all needs "
                       "every replica in sync");
    c->min_insync_replicas = c->replication_factor;
  } else {
    c->notes.push_back(what + ": every acks=all write fails with NOT_ENOUGH_REPLICAS");
  }
}

// The application policies that need (or make no sense without) a transactional producer.
std::optional<ConfigError> resolve_transactions(const Settings& s, Config* c) {
  if (const Setting* id = s.explicit_setting("transactional.id"); id && id->value.empty()) {
    return ConfigError{id->origin, "transactional.id",
                       "empty value; the transaction coordinator refuses an empty "
                       "transactional.id (INVALID_REQUEST). Remove the key for a "
                       "non-transactional producer, or give the id"};
  }
  const Setting* commit = s.explicit_setting("app.commit");
  if (c->processor() && !c->transactional) {
    return ConfigError{commit->origin, "app.commit",
                       "app.commit=transactional needs a transactional producer: set "
                       "transactional.id in the producer's properties"};
  }
  for (std::string_view key : {"app.on.txn.abort", "app.output.isolation.level"}) {
    if (const Setting* set = s.explicit_setting(key); set != nullptr && !c->processor()) {
      add_unique(&c->notes, std::string(key) + " is set but only applies to a consume-transform-"
                                               "produce processor (app.commit=transactional); ignored");
    }
  }
  if (c->processor()) {
    add_unique(&c->notes,
               "app.commit=transactional: the producer is a consume-transform-produce processor "
               "of an input topic that holds the messages (assumed reliable); the consumer is "
               "the downstream reader of the output topic, with app.output.isolation.level, "
               "storing each record and its offset atomically; fault.producer.crash crashes the "
               "processor, fault.consumer.rebalance fences its generation");
    if (s.explicit_setting("isolation.level") != nullptr)
      add_unique(&c->notes, "isolation.level applies to the processor's reads of the input topic, "
                            "which holds no transactions in the model; the downstream reader uses "
                            "app.output.isolation.level");
  }
  if (!c->transactional) {
    c->faults.transaction_timeout = 0;
    c->faults.producer_zombie = 0;
  }
  if (c->transactional && c->epoch_bump_per_transaction) {
    if (s.explicit_setting("transaction.version") == nullptr)
      add_unique(&c->notes, "transaction.version=2 is the default of clusters created with Kafka "
                            "4.0+; an upgraded cluster keeps version 0 until the feature is "
                            "finalized (kafka-features.sh): set transaction.version=0 for it");
    add_unique(&c->notes, "transaction.version=2: two details of Kafka 4.x are not confirmed and "
                          "the model takes one reading: InitProducerId bumps the epoch once "
                          "(KAFKA-19367), and a commit after the coordinator aborted a timed-out "
                          "transaction fails with PRODUCER_FENCED (KAFKA-20785)");
  }
  if (c->transactional && c->version < KafkaVersion{3, 6, 0})
    add_unique(&c->notes, "Kafka " + c->version.str() +
                              " brokers do not verify that a transactional write belongs to an "
                              "open transaction (KIP-890 part 1 came in 3.6)");
  return std::nullopt;
}

std::variant<Config, ConfigError> build(const std::vector<PropertyEntry>& entries) {
  std::map<std::string, size_t, std::less<>> last;  // later occurrences win, as in Java
  for (size_t i = 0; i < entries.size(); ++i) last[entries[i].key] = i;

  Config c;
  // kafka.version first: the defaults and the valid keys depend on it.
  const KeyInfo& version_key = *find_key("kafka.version");
  std::string_view version_text = version_key.default_at(c.version);
  if (auto it = last.find(version_key.name); it != last.end()) {
    const PropertyEntry& e = entries[it->second];
    version_text = trim(e.value);
    std::string why = version_key.check(version_text);
    if (!why.empty()) return ConfigError{origin_of(e), e.key, why};
  }
  c.version = *parse_kafka_version(version_text);

  Settings s(c.version);
  for (size_t i = 0; i < entries.size(); ++i) {
    const PropertyEntry& e = entries[i];
    if (last[e.key] != i) continue;
    const KeyInfo* k = find_key(e.key);
    if (k == nullptr) return ConfigError{origin_of(e), e.key, unknown_key_message(e.key)};
    if (!k->note_when_set.empty()) add_unique(&c.notes, k->note_when_set);
    if (!k->modelled) {
      add_unique(&c.not_modelled, e.key);
      continue;
    }
    if (c.version < k->since) {
      return ConfigError{origin_of(e), e.key,
                         e.key + " does not exist before Kafka " + k->since.str() +
                             " (kafka.version is " + c.version.str() + ")"};
    }
    std::string_view value = trim(e.value);
    std::string why = k->check(value);
    if (!why.empty()) return ConfigError{origin_of(e), e.key, why};
    s.set(e.key, Setting{std::string(value), origin_of(e)});
  }

  const KafkaVersion& v = c.version;
  c.acks = parse_acks(s.value("acks"));
  c.retries = s.number("retries");
  c.max_in_flight = static_cast<int>(s.number("max.in.flight.requests.per.connection"));
  if (v >= k2_1) c.delivery_timeout_ms = s.number("delivery.timeout.ms");
  c.request_timeout_ms = s.number("request.timeout.ms");
  c.linger_ms = s.number("linger.ms");
  c.transactional = s.explicit_setting("transactional.id") != nullptr;
  if (v >= k0_11) c.transaction_timeout_ms = s.number("transaction.timeout.ms");

  c.replication_factor = static_cast<int>(s.number("replication.factor"));
  c.min_insync_replicas = static_cast<int>(s.number("min.insync.replicas"));
  c.unclean_leader_election = s.flag("unclean.leader.election.enable");
  c.flush_interval_messages = s.number("flush.messages");
  c.eligible_leader_replicas = v >= k4_0 && s.number("eligible.leader.replicas.version") >= 1;
  c.transaction_verification =
      v >= KafkaVersion{3, 6, 0} && s.flag("transaction.partition.verification.enable");
  c.epoch_bump_per_transaction = v >= k4_0 && s.number("transaction.version") >= 2;

  c.enable_auto_commit = s.flag("enable.auto.commit");
  c.auto_offset_reset = static_cast<OffsetReset>(s.choice("auto.offset.reset"));
  c.isolation = v >= k0_11 ? static_cast<Isolation>(s.choice("isolation.level"))
                           : Isolation::kReadUncommitted;

  c.on_send_error = static_cast<OnSendError>(s.choice("app.on.send.error"));
  c.on_producer_restart = static_cast<OnProducerRestart>(s.choice("app.on.producer.restart"));
  c.processing = static_cast<Processing>(s.choice("app.processing"));
  c.commit = static_cast<CommitMode>(s.choice("app.commit"));
  c.on_txn_abort = static_cast<OnTxnAbort>(s.choice("app.on.txn.abort"));
  c.output_isolation = static_cast<Isolation>(s.choice("app.output.isolation.level"));

  auto budget = [&](std::string_view key) { return static_cast<uint8_t>(s.number(key)); };
  c.faults.request_timeout = budget("fault.request.timeout");
  c.faults.delivery_timeout = budget("fault.delivery.timeout");
  c.faults.producer_crash = budget("fault.producer.crash");
  c.faults.broker_crash = budget("fault.broker.crash");
  c.faults.broker_power_loss = budget("fault.broker.power.loss");
  c.faults.cluster_power_loss = budget("fault.cluster.power.loss");
  c.faults.network_partition = budget("fault.network.partition");
  c.faults.consumer_crash = budget("fault.consumer.crash");
  c.faults.consumer_rebalance = budget("fault.consumer.rebalance");
  c.faults.offset_loss = budget("fault.offset.loss");
  c.faults.transaction_timeout = budget("fault.transaction.timeout");
  c.faults.producer_zombie = budget("fault.producer.zombie");
  c.faults.max_total = budget("fault.max.total");
  c.messages = static_cast<int>(s.number("model.messages"));
  c.max_leader_epoch = static_cast<int>(s.number("model.max.leader.epoch"));

  // Commit policies that quietly combine or cancel out.
  if (c.commit == CommitMode::kAuto && !c.enable_auto_commit)
    add_unique(&c.notes, "app.commit=auto with enable.auto.commit=false: nothing ever commits "
                         "offsets, so every restart re-reads the partition from the committed "
                         "offset the group started with");
  if (c.commit != CommitMode::kAuto && c.enable_auto_commit)
    add_unique(&c.notes, "enable.auto.commit=true (the default) also commits inside poll(), in "
                         "addition to the application's own commits; set it to false if only "
                         "the application should commit");
  if (auto err = resolve_transactions(s, &c)) return *err;
  if (auto err = resolve_idempotence(s, &c)) return *err;
  if (auto err = resolve_delivery_timeout(s, &c)) return *err;
  resolve_min_insync(&c);
  return c;
}

}  // namespace

std::string KafkaVersion::str() const {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

std::string ConfigError::str() const {
  std::string out = where(origin) + ": ";
  if (!key.empty()) out += key + ": ";
  return out + message;
}

std::variant<Config, ConfigError> load_config_text(
    const std::vector<std::pair<std::string, std::string>>& sources,
    const std::vector<std::string>& overrides) {
  std::vector<PropertyEntry> entries;
  for (const auto& [name, text] : sources) {
    auto parsed = parse_properties(text, name);
    if (auto* err = std::get_if<PropertiesError>(&parsed)) {
      return ConfigError{Origin{err->file, err->line}, "", err->message};
    }
    auto& more = std::get<std::vector<PropertyEntry>>(parsed);
    entries.insert(entries.end(), std::make_move_iterator(more.begin()),
                   std::make_move_iterator(more.end()));
  }
  for (const std::string& o : overrides) {
    size_t eq = o.find('=');
    if (eq == std::string::npos) {
      return ConfigError{kOverride, o, "expected key=value"};
    }
    entries.push_back(PropertyEntry{std::string(trim(std::string_view(o).substr(0, eq))),
                                    o.substr(eq + 1), kOverride.file, kOverride.line});
  }
  return build(entries);
}

std::variant<Config, ConfigError> load_config(const std::vector<std::string>& files,
                                              const std::vector<std::string>& overrides) {
  std::vector<std::pair<std::string, std::string>> sources;
  for (const std::string& path : files) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {  // would read as an empty file
      return ConfigError{Origin{path, 0}, "", "is a directory, not a .properties file"};
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    if (in) text << in.rdbuf();
    if (!in || in.bad()) return ConfigError{Origin{path, 0}, "", "cannot read file"};
    sources.emplace_back(path, text.str());
  }
  return load_config_text(sources, overrides);
}

}  // namespace kdc

namespace kdc {

std::vector<std::pair<std::string, std::string>> effective_settings(const Config& c) {
  const KafkaVersion& v = c.version;
  const bool has_0_11 = v >= KafkaVersion{0, 11, 0};
  auto flag = [](bool b) { return std::string(b ? "true" : "false"); };
  auto num = [](int64_t n) { return std::to_string(n); };
  const char* acks[] = {"0", "1", "all"};
  const char* resets[] = {"earliest", "latest", "none"};
  const char* isolations[] = {"read_uncommitted", "read_committed"};
  const char* on_error[] = {"drop", "resend"};
  const char* on_restart[] = {"replay-unacked", "skip"};
  const char* processing[] = {"sync", "async"};
  const char* commits[] = {"auto",
                           "commit-then-process",
                           "process-then-commit-sync",
                           "process-then-commit-async",
                           "transactional",
                           "external-atomic"};
  const char* on_abort[] = {"rewind", "continue"};
  std::vector<std::pair<std::string, std::string>> out = {
      {"kafka.version", v.str()},
      {"acks", acks[int(c.acks)]},
      {"retries", num(c.retries)},
  };
  if (has_0_11) out.push_back({"enable.idempotence", flag(c.idempotence)});
  out.push_back({"max.in.flight.requests.per.connection", num(c.max_in_flight)});
  if (v >= KafkaVersion{2, 1, 0}) out.push_back({"delivery.timeout.ms", num(c.delivery_timeout_ms)});
  out.push_back({"request.timeout.ms", num(c.request_timeout_ms)});
  out.push_back({"linger.ms", num(c.linger_ms)});
  if (c.transactional) {
    out.push_back({"transactional.id", "kdc"});
    out.push_back({"transaction.timeout.ms", num(c.transaction_timeout_ms)});
  }
  out.push_back({"replication.factor", num(c.replication_factor)});
  out.push_back({"min.insync.replicas", num(c.min_insync_replicas)});
  out.push_back({"unclean.leader.election.enable", flag(c.unclean_leader_election)});
  out.push_back({"flush.messages", num(c.flush_interval_messages)});
  if (v >= KafkaVersion{4, 0, 0})
    out.push_back({"eligible.leader.replicas.version", c.eligible_leader_replicas ? "1" : "0"});
  if (v >= KafkaVersion{3, 6, 0})
    out.push_back({"transaction.partition.verification.enable", flag(c.transaction_verification)});
  if (v >= KafkaVersion{4, 0, 0})
    out.push_back({"transaction.version", c.epoch_bump_per_transaction ? "2" : "0"});
  out.push_back({"enable.auto.commit", flag(c.enable_auto_commit)});
  out.push_back({"auto.offset.reset", resets[int(c.auto_offset_reset)]});
  if (has_0_11) out.push_back({"isolation.level", isolations[int(c.isolation)]});
  out.push_back({"app.on.send.error", on_error[int(c.on_send_error)]});
  out.push_back({"app.on.producer.restart", on_restart[int(c.on_producer_restart)]});
  out.push_back({"app.processing", processing[int(c.processing)]});
  out.push_back({"app.commit", commits[int(c.commit)]});
  if (c.processor()) {
    out.push_back({"app.on.txn.abort", on_abort[int(c.on_txn_abort)]});
    out.push_back({"app.output.isolation.level", isolations[int(c.output_isolation)]});
  }
  const FaultBudget& f = c.faults;
  out.push_back({"fault.request.timeout", num(f.request_timeout)});
  out.push_back({"fault.delivery.timeout", num(f.delivery_timeout)});
  out.push_back({"fault.producer.crash", num(f.producer_crash)});
  out.push_back({"fault.broker.crash", num(f.broker_crash)});
  out.push_back({"fault.broker.power.loss", num(f.broker_power_loss)});
  out.push_back({"fault.cluster.power.loss", num(f.cluster_power_loss)});
  out.push_back({"fault.network.partition", num(f.network_partition)});
  out.push_back({"fault.consumer.crash", num(f.consumer_crash)});
  out.push_back({"fault.consumer.rebalance", num(f.consumer_rebalance)});
  out.push_back({"fault.offset.loss", num(f.offset_loss)});
  if (c.transactional) {
    out.push_back({"fault.transaction.timeout", num(f.transaction_timeout)});
    out.push_back({"fault.producer.zombie", num(f.producer_zombie)});
  }
  out.push_back({"fault.max.total", num(f.max_total)});
  out.push_back({"model.messages", num(c.messages)});
  out.push_back({"model.max.leader.epoch", num(c.max_leader_epoch)});
  return out;
}

}  // namespace kdc
