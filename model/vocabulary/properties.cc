#include "model/vocabulary/properties.h"

#include <cstdint>
#include <utility>

namespace kdc {
namespace {

// Properties.load treats only these three as whitespace (not \v, not \r: \r ends a line).
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\f'; }

std::string_view skip_blanks(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  return s;
}

struct NaturalLine {
  std::string_view text;  // without its terminator
  int number;             // 1-based
  bool crlf = false;      // ended by \r\n
};

// Lines end at \n, \r or \r\n, as in Properties.load.
std::vector<NaturalLine> split_lines(std::string_view text) {
  std::vector<NaturalLine> lines;
  int number = 1;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n' && text[i] != '\r') continue;
    const bool crlf = text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n';
    lines.push_back({text.substr(start, i - start), number++, crlf});
    if (crlf) ++i;
    start = i + 1;
  }
  if (start < text.size()) lines.push_back({text.substr(start), number});
  return lines;
}

// A logical line: natural lines joined at their continuations. Remembers where each piece
// came from so that an escape error can name the line the escape is really on.
struct LogicalLine {
  std::string text;
  std::vector<std::pair<size_t, int>> pieces;  // (offset in text, line number), ascending

  // Pieces may be empty (a lone backslash); the last piece starting at or before `offset`
  // holds it.
  int line_at(size_t offset) const {
    int line = pieces.front().second;
    for (const auto& [start, number] : pieces) {
      if (start > offset) break;
      line = number;
    }
    return line;
  }
};

void append_utf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Java's loadConvert over line.text[begin, end). \uXXXX yields UTF-16 code units; a
// surrogate pair becomes one code point and a lone surrogate becomes U+FFFD, since it
// has no UTF-8 form. On a malformed \u returns false and sets *bad_offset.
bool unescape(const LogicalLine& line, size_t begin, size_t end, std::string* out,
              size_t* bad_offset) {
  const std::string& s = line.text;
  uint32_t high = 0;  // pending high surrogate
  auto flush_high = [&] {
    if (high != 0) append_utf8(0xFFFD, out);
    high = 0;
  };
  size_t i = begin;
  while (i < end) {
    if (s[i] != '\\') {
      flush_high();
      out->push_back(s[i++]);
      continue;
    }
    size_t escape_at = i++;
    if (i == end) break;  // a lone trailing backslash escapes nothing
    char c = s[i++];
    if (c != 'u') {
      flush_high();
      switch (c) {
        case 't':
          out->push_back('\t');
          break;
        case 'n':
          out->push_back('\n');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 'f':
          out->push_back('\f');
          break;
        default:
          out->push_back(c);
          break;  // \\ \= \: \# \! \space, and any other char
      }
      continue;
    }
    uint32_t unit = 0;
    for (int k = 0; k < 4; ++k) {
      int d = i < end ? hex_digit(s[i]) : -1;
      if (d < 0) {
        *bad_offset = escape_at;
        return false;
      }
      unit = unit * 16 + static_cast<uint32_t>(d);
      ++i;
    }
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      flush_high();
      high = unit;
    } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
      if (high != 0) {
        append_utf8(0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00), out);
        high = 0;
      } else {
        append_utf8(0xFFFD, out);
      }
    } else {
      flush_high();
      append_utf8(unit, out);
    }
  }
  flush_high();
  return true;
}

// Joins natural lines into logical lines as Properties.load does (Java 9+ LineReader):
// a line ending in an odd number of backslashes continues on the next one, whose leading
// blanks are dropped. While a logical line is still empty, blank lines are skipped and a
// line starting with '#' or '!' is a comment, even right after a continuation; a comment
// never continues. A blank continuation line ends the logical line, and an empty one is
// dropped, except (a Java quirk) when the input ends right after the backslash or after
// a one-character terminator following it.
std::vector<LogicalLine> join_lines(const std::vector<NaturalLine>& lines) {
  std::vector<LogicalLine> out;
  LogicalLine line;
  bool continued = false;
  auto finish = [&](bool keep_empty) {
    if (!line.text.empty() || (keep_empty && !line.pieces.empty())) out.push_back(std::move(line));
    line = LogicalLine();
    continued = false;
  };
  for (const NaturalLine& natural : lines) {
    std::string_view piece = skip_blanks(natural.text);
    if (piece.empty()) {
      if (continued) finish(false);
      continue;
    }
    if (line.text.empty() && (piece.front() == '#' || piece.front() == '!')) {
      line = LogicalLine();
      continued = false;
      continue;
    }
    size_t backslashes = 0;
    while (backslashes < piece.size() && piece[piece.size() - 1 - backslashes] == '\\') {
      ++backslashes;
    }
    continued = backslashes % 2 == 1;
    if (continued) piece.remove_suffix(1);
    line.pieces.emplace_back(line.text.size(), natural.number);
    line.text.append(piece);
    if (!continued) finish(false);
  }
  finish(continued && !lines.back().crlf);
  return out;
}

}  // namespace

std::variant<std::vector<PropertyEntry>, PropertiesError> parse_properties(std::string_view text,
                                                                           std::string_view file) {
  std::vector<PropertyEntry> entries;
  for (const LogicalLine& line : join_lines(split_lines(text))) {
    // The key ends at the first unescaped '=', ':' or blank; blanks around it, and one
    // '=' or ':' after a blank, belong to the separator.
    const std::string& s = line.text;
    size_t key_end = 0;
    size_t value_begin = s.size();
    bool has_separator = false;
    bool escaped = false;
    for (; key_end < s.size(); ++key_end) {
      char c = s[key_end];
      if (!escaped && (c == '=' || c == ':' || is_blank(c))) {
        has_separator = !is_blank(c);
        value_begin = key_end + 1;
        break;
      }
      escaped = c == '\\' && !escaped;
    }
    for (; value_begin < s.size(); ++value_begin) {
      char c = s[value_begin];
      if (is_blank(c)) continue;
      if (!has_separator && (c == '=' || c == ':')) {
        has_separator = true;
        continue;
      }
      break;
    }

    PropertyEntry entry;
    entry.file = std::string(file);
    entry.line = line.pieces.front().second;
    size_t bad = 0;
    if (!unescape(line, 0, key_end, &entry.key, &bad) ||
        !unescape(line, value_begin, s.size(), &entry.value, &bad)) {
      return PropertiesError{std::string(file), line.line_at(bad),
                             "malformed \\uxxxx encoding (expected four hex digits after \\u)"};
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace kdc
