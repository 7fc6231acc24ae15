// A kdc configuration as librdkafka settings: what `kdc client` hands to a real producer
// and consumer, and what it could not hand over.
//
// Contract: translate_config() first validates the files with kdc's own loader
// (model/vocabulary/config.h: unknown keys and bad values are errors naming file:line), so
// nothing misspelt reaches librdkafka. It then passes every client key of the files to the
// client that reads it, under librdkafka's name, and sets each delivery-relevant client key
// kdc models (acks, enable.idempotence, retries, ...) to its effective value for
// kafka.version, so that librdkafka runs the configuration `kdc check` judges rather than
// librdkafka's own defaults. Every key that could not be applied is named in `notes`.
#ifndef KDC_CONFORMANCE_RDKAFKA_CLIENT_CONFIG_H_
#define KDC_CONFORMANCE_RDKAFKA_CLIENT_CONFIG_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "model/vocabulary/config.h"

namespace kdc::rdkafka {

struct ClientConfig {
  Config config;  // as load_config validated it: the workload reads app.*, fault.*, model.*
  // librdkafka property name -> value, in the order they are set.
  std::vector<std::pair<std::string, std::string>> producer;
  std::vector<std::pair<std::string, std::string>> consumer;
  // Topic creation: the replication factor, and the topic configs a real cluster applies
  // (min.insync.replicas, unclean.leader.election.enable, flush.messages).
  int replication_factor = 1;
  std::map<std::string, std::string> topic_configs;
  // What was not applied, or applied differently, and why.
  std::vector<std::string> notes;
};

// `mock`: the topic goes to librdkafka's mock cluster, which has no topic configs.
// Returns false and sets *error ("FILE:LINE: key: message") on bad input.
bool translate_config(const std::vector<std::string>& files, const std::vector<std::string>& overrides,
                      bool mock, ClientConfig* out, std::string* error);

// Java name -> librdkafka name where they differ (librdkafka also accepts most Java names
// as aliases; these are the ones it spells differently or not at all).
const std::vector<std::pair<std::string, std::string>>& java_to_librdkafka_names();

}  // namespace kdc::rdkafka

#endif  // KDC_CONFORMANCE_RDKAFKA_CLIENT_CONFIG_H_
