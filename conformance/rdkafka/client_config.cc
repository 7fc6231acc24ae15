#include "conformance/rdkafka/client_config.h"

#include <librdkafka/rdkafka.h>

#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <variant>

#include "model/vocabulary/config_keys.h"
#include "model/vocabulary/properties.h"

namespace kdc::rdkafka {
namespace {

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};
using Conf = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;

// The keys Kafka reads under one name and librdkafka under another, or in other units.
// buffer.memory is bytes in Java and kilobytes in librdkafka, handled where it is set.
const std::vector<std::pair<std::string, std::string>> kRenamed = {
    {"fetch.max.wait.ms", "fetch.wait.max.ms"},
    {"buffer.memory", "queue.buffering.max.kbytes"},
};

// librdkafka spellings a user of librdkafka may write; kdc reads the Java names.
const std::vector<std::pair<std::string, std::string>> kLibrdkafkaAliases = {
    {"request.required.acks", "acks"},
    {"message.send.max.retries", "retries"},
    {"message.timeout.ms", "delivery.timeout.ms"},
    {"queue.buffering.max.ms", "linger.ms"},
    {"max.in.flight", "max.in.flight.requests.per.connection"},
    {"topic.metadata.refresh.interval.ms", "metadata.max.age.ms"},
    {"fetch.wait.max.ms", "fetch.max.wait.ms"},
};

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n\f");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n\f");
  return s.substr(b, e - b + 1);
}

struct Raw {
  std::string value;
  std::string where;  // "file:line" or "--set"
};

// The entries of the files and overrides, later ones winning, in first-seen order.
bool raw_entries(const std::vector<std::string>& files, const std::vector<std::string>& overrides,
                 std::vector<std::pair<std::string, Raw>>* out, std::string* error) {
  std::map<std::string, size_t> at;
  auto put = [&](const std::string& key, Raw raw) {
    auto it = at.find(key);
    if (it == at.end()) {
      at[key] = out->size();
      out->push_back({key, std::move(raw)});
    } else {
      (*out)[it->second].second = std::move(raw);
    }
  };
  for (const std::string& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = parse_properties(text.str(), file);
    if (auto* e = std::get_if<PropertiesError>(&parsed)) {
      *error = e->file + ":" + std::to_string(e->line) + ": " + e->message;
      return false;
    }
    for (const PropertyEntry& e : std::get<std::vector<PropertyEntry>>(parsed))
      put(e.key, {trim(e.value), e.file + ":" + std::to_string(e.line)});
  }
  for (const std::string& o : overrides) {
    size_t eq = o.find('=');
    if (eq == std::string::npos) continue;  // load_config has rejected it already
    put(trim(o.substr(0, eq)), {trim(o.substr(eq + 1)), "--set"});
  }
  return true;
}

// Sets name=value on a scratch configuration: "" if librdkafka takes it, else why not.
std::string librdkafka_accepts(const std::string& name, const std::string& value) {
  Conf conf(rd_kafka_conf_new());
  char err[512] = "";
  rd_kafka_conf_res_t r = rd_kafka_conf_set(conf.get(), name.c_str(), value.c_str(), err, sizeof err);
  if (r == RD_KAFKA_CONF_OK) return "";
  if (r == RD_KAFKA_CONF_UNKNOWN) return "librdkafka has no property '" + name + "'";
  return std::string("librdkafka rejects it: ") + err;
}

// The librdkafka name and value for a Java key and value, or "" when there is no
// librdkafka property. Values Kafka and librdkafka spell differently are translated.
std::pair<std::string, std::string> librdkafka_setting(const std::string& key, const std::string& value) {
  std::string name = key;
  for (const auto& [java, rd] : kRenamed)
    if (java == key) name = rd;
  std::string v = value;
  if (key == "buffer.memory") {
    try {
      v = std::to_string(std::max<long long>(1, std::stoll(value) / 1024));
    } catch (...) {
      v = value;  // librdkafka's own check reports it
    }
  }
  if (key == "auto.offset.reset" && value == "none") v = "error";  // librdkafka's name for it
  return {name, v};
}

void add(std::vector<std::pair<std::string, std::string>>* list, const std::string& name, const std::string& value) {
  for (auto& [n, v] : *list)
    if (n == name) {
      v = value;
      return;
    }
  list->push_back({name, value});
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& java_to_librdkafka_names() { return kRenamed; }

bool translate_config(const std::vector<std::string>& files, const std::vector<std::string>& overrides,
                      bool mock, ClientConfig* out, std::string* error) {
  auto loaded = load_config(files, overrides);
  if (auto* e = std::get_if<ConfigError>(&loaded)) {
    *error = e->str();
    for (const auto& [rd, java] : kLibrdkafkaAliases)
      if (e->key == rd)
        *error += " ('" + rd + "' is librdkafka's name; kdc reads Kafka's Java names: write '" + java + "')";
    return false;
  }
  out->config = std::get<Config>(std::move(loaded));
  const Config& config = out->config;
  out->replication_factor = config.replication_factor;

  std::vector<std::pair<std::string, Raw>> raw;
  if (!raw_entries(files, overrides, &raw, error)) return false;

  // The modelled client keys are set below from their effective values; everything else
  // the files say goes through as written.
  std::set<std::string> modelled_client;
  for (const auto& [key, value] : effective_settings(config)) {
    const KeyInfo* k = find_key(key);
    if (k && (k->scope == Scope::kProducer || k->scope == Scope::kConsumer)) modelled_client.insert(key);
  }

  for (const auto& [key, r] : raw) {
    const KeyInfo* k = find_key(key);
    if (!k) continue;  // load_config accepted it, so it cannot be unknown
    switch (k->scope) {
      case Scope::kProducer:
      case Scope::kConsumer:
      case Scope::kClient: {
        if (modelled_client.count(key)) break;
        if (key == "bootstrap.servers") {
          out->notes.push_back(r.where + ": bootstrap.servers not used: " +
                               (mock ? "the run uses the mock cluster (give --bootstrap for a real one)"
                                     : "--bootstrap gives the cluster"));
          break;
        }
        auto [name, value] = librdkafka_setting(key, r.value);
        std::string why = librdkafka_accepts(name, value);
        if (!why.empty()) {
          out->notes.push_back(r.where + ": " + key + " not applied: " + why);
          break;
        }
        if (k->scope != Scope::kConsumer) add(&out->producer, name, value);
        if (k->scope != Scope::kProducer) add(&out->consumer, name, value);
        break;
      }
      case Scope::kTopic:
      case Scope::kBroker: {
        if (key == "replication.factor" || key == "default.replication.factor") break;  // topic creation
        const bool topic_level = key == "min.insync.replicas" || key == "unclean.leader.election.enable" ||
                                 key == "flush.messages" || key == "log.flush.interval.messages";
        if (topic_level && !mock) {
          out->topic_configs[key == "log.flush.interval.messages" ? "flush.messages" : key] = r.value;
        } else if (topic_level) {
          out->notes.push_back(r.where + ": " + key +
                               " not applied in mock: librdkafka's mock cluster keeps one in-memory log per "
                               "partition, with no ISR, no election and no disk");
        } else {
          out->notes.push_back(r.where + ": " + key + " is a broker setting: not applied by kdc client" +
                               (mock ? " (the mock cluster has none)" : " (set it on your brokers)"));
        }
        break;
      }
      case Scope::kModel:
        if (key == "kafka.version")
          out->notes.push_back(r.where + ": kafka.version=" + r.value +
                               " chooses Kafka's defaults; librdkafka negotiates protocol versions itself");
        break;
      case Scope::kApp:
      case Scope::kFault:
        break;  // they drive the workload
    }
  }

  // The delivery-relevant client keys at their effective values: Kafka's defaults for
  // kafka.version where the files are silent, which are not always librdkafka's (its
  // enable.idempotence defaults to false, for one).
  std::vector<std::string> defaulted;
  for (const auto& [key, value] : effective_settings(config)) {
    if (!modelled_client.count(key)) continue;
    if (key == "transactional.id" && !config.transactional) continue;
    bool set_by_user = false;
    for (const auto& [rk, r] : raw) set_by_user |= rk == key;
    auto [name, v] = librdkafka_setting(key, value);
    std::string why = librdkafka_accepts(name, v);
    if (!why.empty()) {
      out->notes.push_back(key + "=" + value + " not applied: " + why);
      continue;
    }
    const KeyInfo* k = find_key(key);
    if (k->scope == Scope::kProducer) add(&out->producer, name, v);
    else add(&out->consumer, name, v);
    // Java's request.timeout.ms is how long the client waits for any response;
    // librdkafka's is only the broker's ack timeout, its client-side wait is
    // socket.timeout.ms.
    if (key == "request.timeout.ms") {
      add(&out->producer, "socket.timeout.ms", v);
      add(&out->consumer, "socket.timeout.ms", v);
    }
    if (!set_by_user) defaulted.push_back(key + "=" + value);
  }
  if (!defaulted.empty()) {
    std::string s = "set to Kafka " + config.version.str() + "'s defaults (not librdkafka's):";
    for (const std::string& d : defaulted) s += " " + d;
    out->notes.push_back(s);
  }
  return true;
}

}  // namespace kdc::rdkafka
