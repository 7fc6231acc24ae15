// Jepsen-style histories of a Kafka workload (the vocabulary of jepsen.tests.kafka), and
// their two text forms: EDN (Jepsen's own) and JSONL (docs/history.md).
//
// An operation is one map: {:index 0, :time 0, :process 0, :type :invoke|:ok|:info|:fail,
// :f :send|:poll|:txn|:assign|:subscribe|:crash, :value ...}. For :send/:poll/:txn the value
// is a vector of micro-ops:
//   [:send k v]               invoked; completed as [:send k [offset v]] (offset may be nil)
//   [:poll]                   invoked; completed as [:poll {k [[offset v] ...], ...}]
// For :assign/:subscribe the value is a vector of keys. An optional :rebalance-log
// [{:keys [k ...]} ...] names keys whose assignment changed during the operation.
//
// Keys and values are scalars (integers, keywords, strings, nil, booleans), interned per
// History so that comparing two is comparing two integers.
#ifndef KDC_CONFORMANCE_HISTORY_H_
#define KDC_CONFORMANCE_HISTORY_H_

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace kdc {

// A scalar key or value. For kKeyword and kString, `v` indexes History::names.
struct Atom {
  enum Kind : uint8_t { kNil, kBool, kInt, kKeyword, kString, kAbsent };
  Kind kind = kNil;
  int64_t v = 0;

  static Atom integer(int64_t i) { return {kInt, i}; }
  bool operator==(const Atom&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, const Atom& a) {
    return H::combine(std::move(h), a.kind, a.v);
  }
};

constexpr int64_t kNilOffset = INT64_MIN;  // an offset written as nil (unknown)

// One [offset value] pair a poll returned for `key`. A poll that returned an empty vector
// for a key is kept as one Read whose value is kAbsent: Jepsen's checks treat "polled k,
// saw nothing" differently from "did not poll k".
struct Read {
  Atom key;
  int64_t offset = kNilOffset;
  Atom value;
};

struct MicroOp {
  enum Kind : uint8_t { kSend, kPoll };
  Kind kind = kSend;
  // kSend: key, value; `pair` is true for the completed form [:send k [offset v]].
  Atom key;
  Atom value;
  int64_t offset = kNilOffset;
  bool pair = false;
  // kPoll: `polled` is false for the invocation form [:poll]; reads are grouped by key in
  // the order the map listed them.
  bool polled = false;
  std::vector<Read> reads;
};

enum class OpType : uint8_t { kInvoke, kOk, kInfo, kFail };
enum class OpF : uint8_t { kSend, kPoll, kTxn, kAssign, kSubscribe, kCrash, kOther };

struct Operation {
  int64_t index = -1;
  int64_t time = -1;
  Atom process;             // an integer for client processes (:nemesis is not a client)
  OpType type = OpType::kInvoke;
  OpF f = OpF::kOther;
  std::string other_f;      // the name when f == kOther (kept for export)
  std::vector<MicroOp> mops;       // :send / :poll / :txn
  std::vector<Atom> keys;          // :assign / :subscribe
  std::vector<Atom> rebalanced;    // keys named by :rebalance-log
  int line = 0;                    // where it was read (0: built in memory)
};

struct History {
  std::vector<Operation> ops;
  std::vector<std::string> names;  // keyword and string texts, by Atom::v
  absl::flat_hash_map<std::string, int64_t> name_ids;

  Atom keyword(std::string_view name);
  Atom string(std::string_view text);
};

std::string_view name(OpType t);  // "invoke"
std::string_view name(OpF f);     // "send"; "other" for kOther

// Atom as EDN (":x", "\"s\"", "3", "nil") and as JSON text (keywords and strings as JSON
// strings without the colon).
std::string edn_text(const History& h, Atom a);
std::string json_text(const History& h, Atom a);

// Parsers. On failure return false and set *error to "FILE:LINE:COLUMN: message" (JSONL:
// "FILE:LINE: message"). `name` is the file name used in messages.
//
// EDN: either a sequence of top-level maps (typically one per line) or one top-level vector
// (or list) of maps. Comments, commas, #_ discards and sets are accepted; a tagged literal
// (#inst "...", #jepsen.history.Op{...}) is read as its untagged form. Unknown map keys
// (:error, :node, ...) are ignored; ops whose :f is not one of the six are kept as kOther.
bool parse_edn_history(std::string_view text, const std::string& name, History* out,
                       std::string* error);
// JSONL: one JSON object per line, keys index, time, process, type, f, value (+ optional
// rebalance_log); strings stand for keywords; poll maps are JSON objects whose keys are
// read as integers when they look like integers. Blank lines are skipped.
bool parse_jsonl_history(std::string_view text, const std::string& name, History* out,
                         std::string* error);
// Reads the file; format "edn", "jsonl", or "" to choose by extension (.jsonl/.json: JSONL).
bool read_history(const std::string& path, const std::string& format, History* out,
                  std::string* error);

// Jepsen's EDN, one operation map per line. parse_edn_history reads it back to an equal
// history (apart from Operation::line).
void write_edn(const History& h, std::ostream& out);
std::string to_edn(const History& h);
// kdc's JSONL form (docs/history.md), one operation object per line; parse_jsonl_history
// reads it back to an equal history, except that JSON cannot tell keywords from strings.
void write_jsonl(const History& h, std::ostream& out);

}  // namespace kdc

#endif  // KDC_CONFORMANCE_HISTORY_H_
