// The one table of configuration keys kdc knows. It drives validation (config.cc), the
// "did you mean" of unknown keys, and docs/config-reference.md; a key added here is
// validated and documented at once, and nowhere else lists keys.
//
// Modelled keys change what the model does. Not-modelled keys are real Kafka settings that
// do not change delivery semantics (or that kdc does not handle yet); they are accepted and
// reported so that users can feed kdc their real files.
#ifndef KDC_MODEL_VOCABULARY_CONFIG_KEYS_H_
#define KDC_MODEL_VOCABULARY_CONFIG_KEYS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/vocabulary/config.h"

namespace kdc {

// Who reads the key. kClient: both producer and consumer (bootstrap.servers, client.id...).
enum class Scope : uint8_t { kProducer, kConsumer, kClient, kBroker, kTopic, kApp, kFault, kModel };
std::string_view scope_name(Scope s);  // "producer"

enum class ValueKind : uint8_t {
  kAny,      // not checked (not-modelled keys)
  kVersion,  // a supported Kafka release, see parse_kafka_version
  kBool,     // true / false, any case (as Kafka parses booleans)
  kInt,      // 32-bit in Kafka
  kLong,     // 64-bit in Kafka
  kEnum,     // one of `choices`, exactly
};

// The default from release `since` on, until the next step.
struct DefaultStep {
  KafkaVersion since;
  std::string value;
};

struct KeyInfo {
  std::string_view name;  // for a family (prefix = true) the prefix, ending in '.'
  Scope scope = Scope::kProducer;
  bool modelled = false;
  bool prefix = false;
  ValueKind kind = ValueKind::kAny;
  // kEnum: the accepted spellings. Where a Config enum exists they are listed in its order,
  // so the index of a value is its enumerator (acks, with its "-1" alias, is the exception).
  std::vector<std::string_view> choices;
  int64_t min = 0;  // kInt / kLong, inclusive
  int64_t max = 0;
  // Why `max` is below what Kafka accepts (the model's bounds), shown in errors and docs.
  std::string_view bound;
  KafkaVersion since{0, 10, 0};  // first release with the key; setting it earlier is an error
  // Ascending by `since`; the first step is at `since`. Empty for keys with `inherits`
  // and for not-modelled keys.
  std::vector<DefaultStep> defaults;
  // For a topic key: the broker key whose value it takes when unset
  // (flush.messages takes log.flush.interval.messages).
  std::string_view inherits;
  std::string_view meaning;  // one line: the key's effect in the model
  // Added once to Config::notes when the key is set (keys the verdict ignores on purpose).
  std::string_view note_when_set;

  // The default at release v; empty when the key has its own none (see `inherits`).
  std::string_view default_at(const KafkaVersion& v) const;
  // Empty if `value` (already trimmed) is acceptable, else why not: the bad value and what
  // is allowed, e.g. "bad value '2'; allowed: 0, 1, all, -1".
  std::string check(std::string_view value) const;
  // "0, 1, all, -1" / "an integer from 1 to 3" / ... : what `check` accepts.
  std::string allowed() const;
};

// Every known key: modelled ones first, in documentation order.
const std::vector<KeyInfo>& known_keys();

// The entry for a key, matching families by prefix; nullptr for an unknown key.
// Case-sensitive, like Kafka.
const KeyInfo* find_key(std::string_view name);

// The known key nearest to `name` (case-insensitive edit distance) if it is near enough to
// be a plausible misspelling, else empty.
std::string_view suggest_key(std::string_view name);

// Parses "X.Y", "X.Y.Z" (and the old "0.X.Y.Z") into a release kdc supports. Returns
// nullopt for malformed text and for releases outside supported_kafka_versions().
std::optional<KafkaVersion> parse_kafka_version(std::string_view text);
std::string supported_kafka_versions();  // "0.10, 0.11, 1.0, 1.1, 2.0-2.8, 3.0-3.9, 4.0, 4.1"

// The full text of docs/config-reference.md.
std::string config_reference_markdown();

}  // namespace kdc

#endif  // KDC_MODEL_VOCABULARY_CONFIG_KEYS_H_
