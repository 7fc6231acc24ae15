// A trace: one run as JSONL (docs/trace-format.md). Line 1 is a header object
//   {"format":"kdc-trace","version":1,"source":"model"|"impl","effect":"L_ack"|null,
//    "config":{"key":"value",...},"note":"..."}
// and every further line is one Event as written by to_json_line(), steps 1, 2, 3, ...
// The model, the implementation (impl/) and counterexamples all use this one form.
#ifndef KDC_MODEL_VOCABULARY_TRACE_H_
#define KDC_MODEL_VOCABULARY_TRACE_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/vocabulary/event.h"

namespace kdc {

struct TraceHeader {
  std::string source = "model";  // "model" or "impl"
  std::string effect;            // an Effect name ("L_ack"); empty = none (JSON null)
  // The settings that reproduce the run, in order (key -> value, both strings).
  std::vector<std::pair<std::string, std::string>> config;
  std::string note;  // optional free text; empty = not written

  bool operator==(const TraceHeader&) const = default;
};

struct Trace {
  TraceHeader header;
  std::vector<Event> events;

  bool operator==(const Trace&) const = default;
};

// The whole file: header line, then one line per event, each ending in '\n'.
std::string trace_to_string(const Trace& t);
// Writes trace_to_string(t) to `path`. On failure returns false and sets *error.
bool write_trace(const std::string& path, const Trace& t, std::string* error);

// Errors name the file and line: "t.jsonl:7: unknown event 'x'".
bool read_trace(const std::string& path, Trace* out, std::string* error);
// Same, from text; `name` is the file name used in errors.
bool parse_trace(std::string_view text, const std::string& name, Trace* out, std::string* error);

}  // namespace kdc

#endif  // KDC_MODEL_VOCABULARY_TRACE_H_
