#include "conformance/history.h"

#include <charconv>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

namespace kdc {

Atom History::keyword(std::string_view n) {
  auto [it, inserted] = name_ids.try_emplace(std::string(n), int64_t(names.size()));
  if (inserted) names.emplace_back(n);
  return {Atom::kKeyword, it->second};
}

Atom History::string(std::string_view text) {
  // Keywords and strings share the name table; the kind keeps them apart.
  Atom a = keyword(text);
  a.kind = Atom::kString;
  return a;
}

std::string_view name(OpType t) {
  switch (t) {
    case OpType::kInvoke: return "invoke";
    case OpType::kOk: return "ok";
    case OpType::kInfo: return "info";
    case OpType::kFail: return "fail";
  }
  return "?";
}

std::string_view name(OpF f) {
  switch (f) {
    case OpF::kSend: return "send";
    case OpF::kPoll: return "poll";
    case OpF::kTxn: return "txn";
    case OpF::kAssign: return "assign";
    case OpF::kSubscribe: return "subscribe";
    case OpF::kCrash: return "crash";
    case OpF::kOther: return "other";
  }
  return "?";
}

namespace {

bool is_delimiter(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == '(' || c == ')' ||
         c == '[' || c == ']' || c == '{' || c == '}' || c == '"' || c == ';';
}

bool keyword_safe(std::string_view n) {
  if (n.empty() || (n[0] >= '0' && n[0] <= '9')) return false;
  for (char c : n)
    if (is_delimiter(c) || c == '\\' || c == '#' || c == '\'' || c == '`' || c == '~' || c == '^' ||
        c == '@')
      return false;
  return true;
}

std::string edn_quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  return out + "\"";
}

}  // namespace

std::string edn_text(const History& h, Atom a) {
  switch (a.kind) {
    case Atom::kNil: return "nil";
    case Atom::kBool: return a.v ? "true" : "false";
    case Atom::kInt: return std::to_string(a.v);
    case Atom::kKeyword:
      // A keyword read from JSONL may hold characters EDN keywords cannot: write a string.
      return keyword_safe(h.names[a.v]) ? ":" + h.names[a.v] : edn_quoted(h.names[a.v]);
    case Atom::kString: return edn_quoted(h.names[a.v]);
    case Atom::kAbsent: return "nil";
  }
  return "nil";
}

std::string json_text(const History& h, Atom a) {
  switch (a.kind) {
    case Atom::kNil:
    case Atom::kAbsent: return "null";
    case Atom::kBool: return a.v ? "true" : "false";
    case Atom::kInt: return std::to_string(a.v);
    case Atom::kKeyword:
    case Atom::kString: return nlohmann::json(h.names[a.v]).dump();
  }
  return "null";
}

// ---------------------------------------------------------------------------------------
// EDN: a small reader into a tree, then the tree into Operations.
namespace {

struct Edn {
  enum Type : uint8_t { kNil, kBool, kInt, kFloat, kString, kKeyword, kSymbol, kVector, kList, kMap, kSet };
  Type type = kNil;
  int64_t i = 0;
  std::string s;           // string text, keyword/symbol name
  std::vector<Edn> items;  // vector/list/set elements; map: key, value, key, value, ...
  int line = 0, col = 0;
};

class EdnReader {
 public:
  EdnReader(std::string_view text, const std::string& name) : t_(text), name_(name) {}

  // Skips whitespace, commas and comments; false at the end of the text.
  bool more() {
    skip();
    return p_ < t_.size();
  }
  bool read(Edn* out) {
    skip();
    if (p_ >= t_.size()) return fail("unexpected end of input");
    out->line = line_;
    out->col = int(p_ - line_start_) + 1;
    char c = t_[p_];
    switch (c) {
      case '[': return read_seq(out, Edn::kVector, ']');
      case '(': return read_seq(out, Edn::kList, ')');
      case '{': return read_seq(out, Edn::kMap, '}');
      case '"': return read_string(out);
      case ')': case ']': case '}': return fail(std::string("unexpected '") + c + "'");
      case '#': return read_dispatch(out);
      case '\\': return read_char(out);
      case ':': {
        ++p_;
        std::string_view tok = token();
        if (tok.empty()) return fail("empty keyword");
        out->type = Edn::kKeyword;
        out->s.assign(tok);
        return true;
      }
      default: return read_atom(out);
    }
  }
  // "FILE:LINE:COL: message" at the current position.
  bool fail(const std::string& msg) {
    error = name_ + ":" + std::to_string(line_) + ":" + std::to_string(p_ - line_start_ + 1) + ": " + msg;
    return false;
  }
  std::string error;

 private:
  void newline() {
    ++line_;
    line_start_ = p_ + 1;
  }
  void skip() {
    while (p_ < t_.size()) {
      char c = t_[p_];
      if (c == '\n') {
        newline();
        ++p_;
      } else if (c == ' ' || c == '\t' || c == '\r' || c == ',') {
        ++p_;
      } else if (c == ';') {
        while (p_ < t_.size() && t_[p_] != '\n') ++p_;
      } else {
        break;
      }
    }
  }
  std::string_view token() {
    size_t b = p_;
    while (p_ < t_.size() && !is_delimiter(t_[p_])) ++p_;
    return t_.substr(b, p_ - b);
  }
  bool read_seq(Edn* out, Edn::Type type, char close) {
    out->type = type;
    ++p_;
    for (;;) {
      skip();
      if (p_ >= t_.size()) {
        error = name_ + ":" + std::to_string(out->line) + ":" + std::to_string(out->col) +
                ": unclosed " + (type == Edn::kMap ? "map" : type == Edn::kList ? "list" : type == Edn::kSet ? "set" : "vector");
        return false;
      }
      if (t_[p_] == close) {
        ++p_;
        break;
      }
      char c = t_[p_];
      if (c == ')' || c == ']' || c == '}') return fail(std::string("unexpected '") + c + "'");
      out->items.emplace_back();
      if (!read(&out->items.back())) return false;
      if (discarded_) {  // a #_ form: read and dropped
        out->items.pop_back();
        discarded_ = false;
      }
    }
    if (type == Edn::kMap && out->items.size() % 2) {
      error = name_ + ":" + std::to_string(out->line) + ":" + std::to_string(out->col) +
              ": map has an odd number of forms";
      return false;
    }
    return true;
  }
  bool read_string(Edn* out) {
    out->type = Edn::kString;
    ++p_;
    while (p_ < t_.size() && t_[p_] != '"') {
      char c = t_[p_++];
      if (c == '\n') newline_at(p_ - 1);
      if (c != '\\') {
        out->s += c;
        continue;
      }
      if (p_ >= t_.size()) break;
      char e = t_[p_++];
      switch (e) {
        case 'n': out->s += '\n'; break;
        case 't': out->s += '\t'; break;
        case 'r': out->s += '\r'; break;
        case '"': out->s += '"'; break;
        case '\\': out->s += '\\'; break;
        default: out->s += e;
      }
    }
    if (p_ >= t_.size()) return fail("unterminated string");
    ++p_;
    return true;
  }
  void newline_at(size_t pos) {
    ++line_;
    line_start_ = pos + 1;
  }
  bool read_char(Edn* out) {
    ++p_;
    std::string_view tok = token();
    if (tok.empty() && p_ < t_.size()) tok = t_.substr(p_++, 1);
    out->type = Edn::kString;
    if (tok == "newline") out->s = "\n";
    else if (tok == "space") out->s = " ";
    else if (tok == "tab") out->s = "\t";
    else out->s.assign(tok);
    return true;
  }
  bool read_dispatch(Edn* out) {
    ++p_;
    if (p_ >= t_.size()) return fail("'#' at end of input");
    char c = t_[p_];
    if (c == '{') {
      if (!read_seq(out, Edn::kSet, '}')) return false;
      return true;
    }
    if (c == '_') {  // discard the next form
      ++p_;
      Edn ignored;
      if (!read(&ignored)) return false;
      discarded_ = true;
      return true;
    }
    // A tagged literal: #tag form. The tag is dropped and the form read as it is.
    std::string_view tag = token();
    if (tag.empty()) return fail(std::string("unsupported dispatch '#") + c + "'");
    return read(out);
  }
  bool read_atom(Edn* out) {
    std::string_view tok = token();
    if (tok.empty()) return fail(std::string("unexpected '") + t_[p_] + "'");
    if (tok == "nil") {
      out->type = Edn::kNil;
      return true;
    }
    if (tok == "true" || tok == "false") {
      out->type = Edn::kBool;
      out->i = tok == "true";
      return true;
    }
    char c0 = tok[0];
    bool numeric = (c0 >= '0' && c0 <= '9') ||
                   ((c0 == '-' || c0 == '+') && tok.size() > 1 && tok[1] >= '0' && tok[1] <= '9');
    if (!numeric) {
      out->type = Edn::kSymbol;
      out->s.assign(tok);
      return true;
    }
    std::string_view digits = tok;
    if (digits.back() == 'N') digits.remove_suffix(1);
    if (digits[0] == '+') digits.remove_prefix(1);
    int64_t v = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec == std::errc() && end == digits.data() + digits.size()) {
      out->type = Edn::kInt;
      out->i = v;
      return true;
    }
    if (ec == std::errc::result_out_of_range) {
      p_ -= tok.size();
      return fail("integer out of range: " + std::string(tok));
    }
    // 1.5, 1e9, 3/4, 1.0M: kept as a float (only :time may be one).
    out->type = Edn::kFloat;
    out->s.assign(tok);
    return true;
  }

  std::string_view t_;
  const std::string& name_;
  size_t p_ = 0;
  int line_ = 1;
  size_t line_start_ = 0;
  bool discarded_ = false;

 public:
  bool discarded() {
    bool d = discarded_;
    discarded_ = false;
    return d;
  }
};

// Turns read forms into Operations; errors carry the form's position.
class OpBuilder {
 public:
  OpBuilder(const std::string& name, History* h) : name_(name), h_(h) {}
  std::string error;

  bool at(const Edn& e, const std::string& msg) {
    error = name_ + ":" + std::to_string(e.line) + ":" + std::to_string(e.col) + ": " + msg;
    return false;
  }

  bool atom(const Edn& e, Atom* out, const char* what) {
    switch (e.type) {
      case Edn::kNil: *out = {}; return true;
      case Edn::kBool: *out = {Atom::kBool, e.i}; return true;
      case Edn::kInt: *out = Atom::integer(e.i); return true;
      case Edn::kKeyword: *out = h_->keyword(e.s); return true;
      case Edn::kString: *out = h_->string(e.s); return true;
      default: return at(e, std::string(what) + " must be an integer, keyword, string or nil");
    }
  }

  bool offset(const Edn& e, int64_t* out) {
    if (e.type == Edn::kNil) {
      *out = kNilOffset;
      return true;
    }
    if (e.type != Edn::kInt) return at(e, "an offset must be an integer or nil");
    *out = e.i;
    return true;
  }

  static bool is_seq(const Edn& e) { return e.type == Edn::kVector || e.type == Edn::kList; }

  bool mop(const Edn& e, MicroOp* m) {
    if (!is_seq(e) || e.items.empty() || e.items[0].type != Edn::kKeyword)
      return at(e, "a micro-op must be [:send key value] or [:poll ...]");
    const std::string& f = e.items[0].s;
    if (f == "send") {
      m->kind = MicroOp::kSend;
      if (e.items.size() != 3) return at(e, "[:send key value] takes 2 arguments");
      if (!atom(e.items[1], &m->key, "a key")) return false;
      const Edn& v = e.items[2];
      if (v.type == Edn::kVector) {
        if (v.items.size() != 2) return at(v, "a completed send's value must be [offset value]");
        m->pair = true;
        return offset(v.items[0], &m->offset) && atom(v.items[1], &m->value, "a value");
      }
      return atom(v, &m->value, "a value");
    }
    if (f == "poll") {
      m->kind = MicroOp::kPoll;
      if (e.items.size() == 1) return true;
      if (e.items.size() != 2) return at(e, "[:poll {key [[offset value] ...]}] takes 1 argument");
      const Edn& polled = e.items[1];
      if (polled.type == Edn::kNil) return true;
      if (polled.type != Edn::kMap) return at(polled, "a poll's result must be a map of keys to [offset value] pairs");
      m->polled = true;
      for (size_t i = 0; i < polled.items.size(); i += 2) {
        Read r;
        if (!atom(polled.items[i], &r.key, "a key")) return false;
        const Edn& pairs = polled.items[i + 1];
        if (!is_seq(pairs) && pairs.type != Edn::kNil)
          return at(pairs, "a poll's records must be a vector of [offset value] pairs");
        if (pairs.items.empty()) {
          r.value = {Atom::kAbsent, 0};
          m->reads.push_back(r);
          continue;
        }
        for (const Edn& p : pairs.items) {
          if (!is_seq(p) || p.items.size() != 2) return at(p, "a polled record must be [offset value]");
          if (!offset(p.items[0], &r.offset) || !atom(p.items[1], &r.value, "a value")) return false;
          m->reads.push_back(r);
        }
      }
      return true;
    }
    return at(e.items[0], "unknown micro-op :" + f + " (expected :send or :poll)");
  }

  bool op(const Edn& e, Operation* op, int64_t position) {
    if (e.type != Edn::kMap) return at(e, "expected an operation map {:type ... :f ... :value ...}");
    op->line = e.line;
    const Edn* value = nullptr;
    const Edn* rebalance = nullptr;
    bool has_type = false, has_f = false;
    for (size_t i = 0; i < e.items.size(); i += 2) {
      const Edn& k = e.items[i];
      const Edn& v = e.items[i + 1];
      if (k.type != Edn::kKeyword) continue;  // not one of Jepsen's fields
      const std::string& key = k.s;
      if (key == "index" || key == "time") {
        int64_t n = 0;
        if (v.type == Edn::kInt) n = v.i;
        else if (v.type == Edn::kFloat) n = int64_t(std::strtod(v.s.c_str(), nullptr));
        else if (v.type != Edn::kNil) return at(v, ":" + key + " must be a number");
        (key == "index" ? op->index : op->time) = n;
      } else if (key == "process") {
        if (!atom(v, &op->process, ":process")) return false;
      } else if (key == "type") {
        if (v.type != Edn::kKeyword) return at(v, ":type must be :invoke, :ok, :info or :fail");
        if (v.s == "invoke") op->type = OpType::kInvoke;
        else if (v.s == "ok") op->type = OpType::kOk;
        else if (v.s == "info") op->type = OpType::kInfo;
        else if (v.s == "fail") op->type = OpType::kFail;
        else return at(v, "unknown :type :" + v.s + " (expected :invoke, :ok, :info or :fail)");
        has_type = true;
      } else if (key == "f") {
        if (v.type != Edn::kKeyword) return at(v, ":f must be a keyword");
        static const std::pair<const char*, OpF> kFs[] = {
            {"send", OpF::kSend},     {"poll", OpF::kPoll},           {"txn", OpF::kTxn},
            {"assign", OpF::kAssign}, {"subscribe", OpF::kSubscribe}, {"crash", OpF::kCrash}};
        op->f = OpF::kOther;
        for (auto& [n, f] : kFs)
          if (v.s == n) op->f = f;
        if (op->f == OpF::kOther) op->other_f = v.s;
        has_f = true;
      } else if (key == "value") {
        value = &v;
      } else if (key == "rebalance-log") {
        rebalance = &v;
      }
    }
    if (!has_type) return at(e, "operation has no :type");
    if (!has_f) return at(e, "operation has no :f");
    if (op->index < 0) op->index = position;
    if (value && value->type != Edn::kNil) {
      if (op->f == OpF::kSend || op->f == OpF::kPoll || op->f == OpF::kTxn) {
        if (!is_seq(*value)) return at(*value, ":value of :" + std::string(name(op->f)) + " must be a vector of micro-ops");
        op->mops.resize(value->items.size());
        for (size_t i = 0; i < value->items.size(); ++i)
          if (!mop(value->items[i], &op->mops[i])) return false;
      } else if (op->f == OpF::kAssign || op->f == OpF::kSubscribe) {
        if (!is_seq(*value) && value->type != Edn::kSet)
          return at(*value, ":value of :" + std::string(name(op->f)) + " must be a vector of keys");
        op->keys.resize(value->items.size());
        for (size_t i = 0; i < value->items.size(); ++i)
          if (!atom(value->items[i], &op->keys[i], "a key")) return false;
      }
    }
    if (rebalance && rebalance->type != Edn::kNil) {
      if (!is_seq(*rebalance)) return at(*rebalance, ":rebalance-log must be a vector of {:keys [...]} maps");
      for (const Edn& event : rebalance->items) {
        if (event.type != Edn::kMap) return at(event, "a rebalance event must be a map {:keys [...]}");
        for (size_t i = 0; i < event.items.size(); i += 2) {
          if (event.items[i].type != Edn::kKeyword || event.items[i].s != "keys") continue;
          for (const Edn& k : event.items[i + 1].items) {
            Atom a;
            if (!atom(k, &a, "a key")) return false;
            op->rebalanced.push_back(a);
          }
        }
      }
    }
    return true;
  }

 private:
  const std::string& name_;
  History* h_;
};

}  // namespace

bool parse_edn_history(std::string_view text, const std::string& name, History* out,
                       std::string* error) {
  EdnReader reader(text, name);
  OpBuilder builder(name, out);
  bool top_vector_seen = false;
  Edn form;
  while (reader.more()) {
    form = Edn();
    if (!reader.read(&form)) {
      *error = reader.error;
      return false;
    }
    if (reader.discarded()) continue;
    if (form.type == Edn::kVector || form.type == Edn::kList) {
      // One top-level vector holding every operation.
      if (top_vector_seen || !out->ops.empty())
      {
        builder.at(form, "expected operation maps, or a single vector of them");
        *error = builder.error;
        return false;
      }
      top_vector_seen = true;
      for (const Edn& e : form.items) {
        Operation op;
        if (!builder.op(e, &op, int64_t(out->ops.size()))) {
          *error = builder.error;
          return false;
        }
        out->ops.push_back(std::move(op));
      }
      continue;
    }
    if (top_vector_seen) {
      builder.at(form, "expected operation maps, or a single vector of them");
      *error = builder.error;
      return false;
    }
    Operation op;
    if (!builder.op(form, &op, int64_t(out->ops.size()))) {
      *error = builder.error;
      return false;
    }
    out->ops.push_back(std::move(op));
  }
  return true;
}

// ---------------------------------------------------------------------------------------
// JSONL.
namespace {

using nlohmann::json;

class JsonlBuilder {
 public:
  JsonlBuilder(const std::string& name, History* h) : name_(name), h_(h) {}
  std::string error;
  int line = 0;

  bool fail(const std::string& msg) {
    error = name_ + ":" + std::to_string(line) + ": " + msg;
    return false;
  }
  // Strings are keywords; a leading ':' is allowed and dropped.
  static std::string_view bare(const std::string& s) {
    return !s.empty() && s[0] == ':' ? std::string_view(s).substr(1) : std::string_view(s);
  }
  bool atom(const json& j, Atom* out, const char* what) {
    if (j.is_null()) *out = {};
    else if (j.is_boolean()) *out = {Atom::kBool, j.get<bool>()};
    else if (j.is_number_integer()) *out = Atom::integer(j.get<int64_t>());
    else if (j.is_string()) *out = h_->keyword(bare(j.get_ref<const std::string&>()));
    else return fail(std::string(what) + " must be an integer, string or null, got " + j.dump());
    return true;
  }
  bool map_key(const std::string& s, Atom* out) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (!s.empty() && ec == std::errc() && end == s.data() + s.size()) *out = Atom::integer(v);
    else *out = h_->keyword(bare(s));
    return true;
  }
  bool offset(const json& j, int64_t* out) {
    if (j.is_null()) *out = kNilOffset;
    else if (j.is_number_integer()) *out = j.get<int64_t>();
    else return fail("an offset must be an integer or null, got " + j.dump());
    return true;
  }
  bool mop(const json& j, MicroOp* m) {
    if (!j.is_array() || j.empty() || !j[0].is_string())
      return fail("a micro-op must be [\"send\", key, value] or [\"poll\", ...], got " + j.dump());
    std::string_view f = bare(j[0].get_ref<const std::string&>());
    if (f == "send") {
      m->kind = MicroOp::kSend;
      if (j.size() != 3) return fail("[\"send\", key, value] takes 2 arguments");
      if (!atom(j[1], &m->key, "a key")) return false;
      if (j[2].is_array()) {
        if (j[2].size() != 2) return fail("a completed send's value must be [offset, value]");
        m->pair = true;
        return offset(j[2][0], &m->offset) && atom(j[2][1], &m->value, "a value");
      }
      return atom(j[2], &m->value, "a value");
    }
    if (f == "poll") {
      m->kind = MicroOp::kPoll;
      if (j.size() == 1 || j[1].is_null()) return true;
      if (j.size() != 2 || !j[1].is_object())
        return fail("[\"poll\", {key: [[offset, value], ...]}] takes one object");
      m->polled = true;
      for (auto& [k, pairs] : j[1].items()) {
        Read r;
        map_key(k, &r.key);
        if (!pairs.is_array()) return fail("a poll's records must be an array of [offset, value] pairs");
        if (pairs.empty()) {
          r.value = {Atom::kAbsent, 0};
          m->reads.push_back(r);
        }
        for (const json& p : pairs) {
          if (!p.is_array() || p.size() != 2) return fail("a polled record must be [offset, value], got " + p.dump());
          if (!offset(p[0], &r.offset) || !atom(p[1], &r.value, "a value")) return false;
          m->reads.push_back(r);
        }
      }
      return true;
    }
    return fail("unknown micro-op \"" + std::string(f) + "\" (expected send or poll)");
  }
  bool op(const json& j, Operation* op, int64_t position) {
    if (!j.is_object()) return fail("expected an operation object");
    op->line = line;
    // Other keys (error, node, ...) are ignored, as in EDN.
    if (auto it = j.find("index"); it != j.end() && !it->is_null()) {
      if (!it->is_number_integer()) return fail("\"index\" must be an integer");
      op->index = it->get<int64_t>();
    } else {
      op->index = position;
    }
    if (auto it = j.find("time"); it != j.end() && !it->is_null()) {
      if (!it->is_number()) return fail("\"time\" must be a number");
      op->time = it->is_number_integer() ? it->get<int64_t>() : int64_t(it->get<double>());
    }
    if (auto it = j.find("process"); it != j.end())
      if (!atom(*it, &op->process, "\"process\"")) return false;
    auto type = j.find("type");
    if (type == j.end() || !type->is_string()) return fail("operation has no \"type\" string");
    std::string_view t = bare(type->get_ref<const std::string&>());
    if (t == "invoke") op->type = OpType::kInvoke;
    else if (t == "ok") op->type = OpType::kOk;
    else if (t == "info") op->type = OpType::kInfo;
    else if (t == "fail") op->type = OpType::kFail;
    else return fail("unknown type \"" + std::string(t) + "\" (expected invoke, ok, info or fail)");
    auto f = j.find("f");
    if (f == j.end() || !f->is_string()) return fail("operation has no \"f\" string");
    std::string_view fs = bare(f->get_ref<const std::string&>());
    static const std::pair<const char*, OpF> kFs[] = {
        {"send", OpF::kSend},     {"poll", OpF::kPoll},           {"txn", OpF::kTxn},
        {"assign", OpF::kAssign}, {"subscribe", OpF::kSubscribe}, {"crash", OpF::kCrash}};
    op->f = OpF::kOther;
    for (auto& [n, fv] : kFs)
      if (fs == n) op->f = fv;
    if (op->f == OpF::kOther) op->other_f = std::string(fs);
    if (auto it = j.find("value"); it != j.end() && !it->is_null()) {
      if (op->f == OpF::kSend || op->f == OpF::kPoll || op->f == OpF::kTxn) {
        if (!it->is_array()) return fail("\"value\" of " + std::string(fs) + " must be an array of micro-ops");
        op->mops.resize(it->size());
        for (size_t i = 0; i < it->size(); ++i)
          if (!mop((*it)[i], &op->mops[i])) return false;
      } else if (op->f == OpF::kAssign || op->f == OpF::kSubscribe) {
        if (!it->is_array()) return fail("\"value\" of " + std::string(fs) + " must be an array of keys");
        op->keys.resize(it->size());
        for (size_t i = 0; i < it->size(); ++i)
          if (!atom((*it)[i], &op->keys[i], "a key")) return false;
      }
    }
    if (auto it = j.find("rebalance_log"); it != j.end() && !it->is_null()) {
      if (!it->is_array()) return fail("\"rebalance_log\" must be an array of {\"keys\": [...]} objects");
      for (const json& event : *it) {
        if (!event.is_object()) return fail("a rebalance event must be an object {\"keys\": [...]}");
        auto ks = event.find("keys");
        if (ks == event.end() || !ks->is_array()) continue;
        for (const json& k : *ks) {
          Atom a;
          if (!atom(k, &a, "a key")) return false;
          op->rebalanced.push_back(a);
        }
      }
    }
    return true;
  }

 private:
  const std::string& name_;
  History* h_;
};

}  // namespace

bool parse_jsonl_history(std::string_view text, const std::string& name, History* out,
                         std::string* error) {
  JsonlBuilder b(name, out);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++b.line;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    json j;
    try {
      j = json::parse(line);
    } catch (const json::parse_error& e) {
      *error = name + ":" + std::to_string(b.line) + ": invalid JSON at byte " + std::to_string(e.byte);
      return false;
    }
    Operation op;
    if (!b.op(j, &op, int64_t(out->ops.size()))) {
      *error = b.error;
      return false;
    }
    out->ops.push_back(std::move(op));
  }
  return true;
}

bool read_history(const std::string& path, const std::string& format, History* out,
                  std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = path + ": cannot open: " + std::strerror(errno);
    return false;
  }
  std::stringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  std::string f = format;
  if (f.empty()) {
    auto ends = [&](const char* s) {
      size_t n = std::strlen(s);
      return path.size() >= n && path.compare(path.size() - n, n, s) == 0;
    };
    f = ends(".jsonl") || ends(".json") ? "jsonl" : "edn";
  }
  if (f == "edn") return parse_edn_history(text, path, out, error);
  if (f == "jsonl") return parse_jsonl_history(text, path, out, error);
  *error = "unknown history format '" + format + "' (expected edn or jsonl)";
  return false;
}

// ---------------------------------------------------------------------------------------
// EDN export.

void write_edn(const History& h, std::ostream& out) {
  std::string s;
  for (const Operation& op : h.ops) {
    s.clear();
    s += "{:index " + std::to_string(op.index);
    if (op.time >= 0) s += ", :time " + std::to_string(op.time);
    s += ", :process " + edn_text(h, op.process);
    s += ", :type :" + std::string(name(op.type));
    s += ", :f :" + (op.f == OpF::kOther ? op.other_f : std::string(name(op.f)));
    if (op.f == OpF::kSend || op.f == OpF::kPoll || op.f == OpF::kTxn) {
      s += ", :value [";
      for (size_t i = 0; i < op.mops.size(); ++i) {
        const MicroOp& m = op.mops[i];
        if (i) s += " ";
        if (m.kind == MicroOp::kSend) {
          s += "[:send " + edn_text(h, m.key) + " ";
          if (m.pair)
            s += "[" + (m.offset == kNilOffset ? std::string("nil") : std::to_string(m.offset)) + " " +
                 edn_text(h, m.value) + "]";
          else
            s += edn_text(h, m.value);
          s += "]";
        } else if (!m.polled) {
          s += "[:poll]";
        } else {
          s += "[:poll {";
          for (size_t r = 0; r < m.reads.size();) {
            Atom key = m.reads[r].key;
            if (r) s += ", ";
            s += edn_text(h, key) + " [";
            bool first = true;
            for (; r < m.reads.size() && m.reads[r].key == key; ++r) {
              const Read& rd = m.reads[r];
              if (rd.value.kind == Atom::kAbsent) continue;
              if (!first) s += " ";
              first = false;
              s += "[" + (rd.offset == kNilOffset ? std::string("nil") : std::to_string(rd.offset)) + " " +
                   edn_text(h, rd.value) + "]";
            }
            s += "]";
          }
          s += "}]";
        }
      }
      s += "]";
    } else if (op.f == OpF::kAssign || op.f == OpF::kSubscribe) {
      s += ", :value [";
      for (size_t i = 0; i < op.keys.size(); ++i) s += (i ? " " : "") + edn_text(h, op.keys[i]);
      s += "]";
    } else {
      s += ", :value nil";
    }
    if (!op.rebalanced.empty()) {
      s += ", :rebalance-log [{:keys [";
      for (size_t i = 0; i < op.rebalanced.size(); ++i) s += (i ? " " : "") + edn_text(h, op.rebalanced[i]);
      s += "]}]";
    }
    s += "}\n";
    out << s;
  }
}

std::string to_edn(const History& h) {
  std::ostringstream s;
  write_edn(h, s);
  return s.str();
}

// ---------------------------------------------------------------------------------------
// JSONL export: the same fields as EDN, in the JSON spelling parse_jsonl_history reads.

void write_jsonl(const History& h, std::ostream& out) {
  using json = nlohmann::ordered_json;
  auto atom = [&](Atom a) -> json { return json::parse(json_text(h, a)); };
  auto offset = [](int64_t o) -> json { return o == kNilOffset ? json(nullptr) : json(o); };
  for (const Operation& op : h.ops) {
    json j;
    j["index"] = op.index;
    if (op.time >= 0) j["time"] = op.time;
    j["process"] = atom(op.process);
    j["type"] = std::string(name(op.type));
    j["f"] = op.f == OpF::kOther ? op.other_f : std::string(name(op.f));
    json value = nullptr;
    if (op.f == OpF::kSend || op.f == OpF::kPoll || op.f == OpF::kTxn) {
      value = json::array();
      for (const MicroOp& m : op.mops) {
        if (m.kind == MicroOp::kSend) {
          value.push_back({"send", atom(m.key),
                           m.pair ? json::array({offset(m.offset), atom(m.value)}) : atom(m.value)});
        } else if (!m.polled) {
          value.push_back(json::array({"poll"}));
        } else {
          json reads = json::object();
          for (const Read& r : m.reads) {
            // An object key is text: integers are written bare, as the reader expects.
            json k = atom(r.key);
            std::string key = k.is_string() ? k.get<std::string>() : k.dump();
            json& pairs = reads[key];
            if (pairs.is_null()) pairs = json::array();
            if (r.value.kind != Atom::kAbsent) pairs.push_back({offset(r.offset), atom(r.value)});
          }
          value.push_back({"poll", reads});
        }
      }
    } else if (op.f == OpF::kAssign || op.f == OpF::kSubscribe) {
      value = json::array();
      for (Atom k : op.keys) value.push_back(atom(k));
    }
    j["value"] = value;
    if (!op.rebalanced.empty()) {
      json keys = json::array();
      for (Atom k : op.rebalanced) keys.push_back(atom(k));
      j["rebalance_log"] = json::array({{{"keys", keys}}});
    }
    out << j.dump() << "\n";
  }
}

}  // namespace kdc
