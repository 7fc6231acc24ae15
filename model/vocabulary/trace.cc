#include "model/vocabulary/trace.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace kdc {
namespace {

using ordered_json = nlohmann::ordered_json;

constexpr std::string_view kFormat = "kdc-trace";
constexpr int kVersion = 1;

bool is_blank(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

// Parses the header object; on failure sets *error (without the file:line prefix).
bool parse_header(std::string_view line, TraceHeader* out, std::string* error) {
  ordered_json j = ordered_json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    *error = "missing header: expected {\"format\":\"kdc-trace\",\"version\":1,...}";
    return false;
  }
  auto format = j.find("format");
  if (format == j.end() || !format->is_string() || *format != kFormat) {
    *error = "missing header: expected {\"format\":\"kdc-trace\",\"version\":1,...}";
    return false;
  }
  TraceHeader h;
  h.source.clear();
  bool have_version = false;
  for (const auto& [key, value] : j.items()) {
    if (key == "format") continue;
    if (key == "version") {
      if (!value.is_number_integer()) {
        *error = "header field 'version' must be an integer";
        return false;
      }
      if (value.get<int64_t>() != kVersion || value.get<uint64_t>() != static_cast<uint64_t>(kVersion)) {
        *error = "unsupported trace version " + value.dump() + " (expected 1)";
        return false;
      }
      have_version = true;
    } else if (key == "source") {
      if (!value.is_string() || (value != "model" && value != "impl")) {
        *error = "header field 'source' must be \"model\" or \"impl\"";
        return false;
      }
      h.source = value.get<std::string>();
    } else if (key == "effect") {
      if (value.is_null()) {
        h.effect.clear();
      } else if (value.is_string() && !value.get_ref<const std::string&>().empty()) {
        h.effect = value.get<std::string>();
      } else {
        *error = "header field 'effect' must be an effect name or null";
        return false;
      }
    } else if (key == "config") {
      if (!value.is_object()) {
        *error = "header field 'config' must be an object of strings";
        return false;
      }
      for (const auto& [k, v] : value.items()) {
        if (!v.is_string()) {
          *error = "config value for '" + k + "' must be a string";
          return false;
        }
        h.config.emplace_back(k, v.get<std::string>());
      }
    } else if (key == "note") {
      if (!value.is_string()) {
        *error = "header field 'note' must be a string";
        return false;
      }
      h.note = value.get<std::string>();
    } else {
      *error = "unknown header key '" + key + "'";
      return false;
    }
  }
  if (!have_version) {
    *error = "header field 'version' is missing";
    return false;
  }
  if (h.source.empty()) {
    *error = "header field 'source' is missing";
    return false;
  }
  *out = std::move(h);
  return true;
}

// Checks that the event line carries "step": expected.
bool check_step(std::string_view line, int expected, std::string* error) {
  ordered_json j = ordered_json::parse(line.begin(), line.end(), nullptr, false);
  auto it = j.find("step");
  if (it == j.end()) {
    *error = "missing field 'step'";
    return false;
  }
  if (!it->is_number_integer()) {
    *error = "field 'step' must be an integer";
    return false;
  }
  if (it->is_number_unsigned() ? it->get<uint64_t>() != static_cast<uint64_t>(expected)
                               : it->get<int64_t>() != expected) {
    *error = "expected step " + std::to_string(expected) + ", got " + it->dump();
    return false;
  }
  return true;
}

}  // namespace

std::string trace_to_string(const Trace& t) {
  ordered_json h;
  h["format"] = kFormat;
  h["version"] = kVersion;
  h["source"] = t.header.source;
  if (t.header.effect.empty()) {
    h["effect"] = nullptr;
  } else {
    h["effect"] = t.header.effect;
  }
  ordered_json config = ordered_json::object();
  for (const auto& [k, v] : t.header.config) config[k] = v;
  h["config"] = std::move(config);
  if (!t.header.note.empty()) h["note"] = t.header.note;

  std::string out = h.dump();
  out += '\n';
  int step = 1;
  for (const Event& e : t.events) {
    out += to_json_line(e, step++);
    out += '\n';
  }
  return out;
}

bool write_trace(const std::string& path, const Trace& t, std::string* error) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) {
    if (error) *error = path + ": cannot open for writing: " + std::strerror(errno);
    return false;
  }
  f << trace_to_string(t);
  f.close();
  if (!f) {
    if (error) *error = path + ": write failed: " + std::strerror(errno);
    return false;
  }
  return true;
}

bool parse_trace(std::string_view text, const std::string& name, Trace* out, std::string* error) {
  auto fail = [&](int line, const std::string& msg) {
    if (error) *error = name + ":" + std::to_string(line) + ": " + msg;
    return false;
  };
  Trace t;
  bool have_header = false;
  int line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (is_blank(line)) continue;

    std::string msg;
    if (!have_header) {
      if (!parse_header(line, &t.header, &msg)) return fail(line_no, msg);
      have_header = true;
      continue;
    }
    Event e;
    if (!from_json_line(line, &e, &msg)) return fail(line_no, msg);
    if (!check_step(line, static_cast<int>(t.events.size()) + 1, &msg)) return fail(line_no, msg);
    t.events.push_back(e);
  }
  if (!have_header) return fail(1, "missing header: the trace is empty");
  *out = std::move(t);
  return true;
}

bool read_trace(const std::string& path, Trace* out, std::string* error) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    if (error) *error = path + ": cannot open: " + std::strerror(errno);
    return false;
  }
  std::ostringstream ss;
  ss << f.rdbuf();
  if (f.bad()) {
    if (error) *error = path + ": read failed: " + std::strerror(errno);
    return false;
  }
  return parse_trace(ss.str(), path, out, error);
}

}  // namespace kdc
