// A reader for Java .properties text with the semantics of java.util.Properties.load, so that
// a file kdc accepts means to kdc what it means to the Kafka client or broker that reads it.
//
// Differences from Java, all deliberate: bytes outside \uXXXX escapes pass through untouched
// (files are taken to be UTF-8, as Properties.load(Reader) would read them), and \uXXXX
// escapes are written out as UTF-8. Values keep their trailing whitespace, as in Java; Kafka
// trims values itself when it parses them, and so does config.cc.
#ifndef KDC_MODEL_VOCABULARY_PROPERTIES_H_
#define KDC_MODEL_VOCABULARY_PROPERTIES_H_

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kdc {

struct PropertyEntry {
  std::string key;
  std::string value;
  std::string file;  // the name the caller gave for the text
  int line = 0;      // 1-based line where the entry starts (continuations do not move it)
};

struct PropertiesError {
  std::string file;
  int line = 0;  // the line holding the offending character
  std::string message;
};

// Entries in file order; a key may appear more than once (the caller decides who wins;
// Properties.load lets the later one win). The only error is a malformed \uXXXX escape.
std::variant<std::vector<PropertyEntry>, PropertiesError> parse_properties(std::string_view text,
                                                                           std::string_view file);

}  // namespace kdc

#endif  // KDC_MODEL_VOCABULARY_PROPERTIES_H_
