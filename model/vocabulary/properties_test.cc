#include "model/vocabulary/properties.h"

#include <gtest/gtest.h>

namespace kdc {
namespace {

std::vector<PropertyEntry> Parse(std::string_view text) {
  auto result = parse_properties(text, "p.properties");
  if (auto* err = std::get_if<PropertiesError>(&result)) {
    ADD_FAILURE() << "unexpected error at line " << err->line << ": " << err->message;
    return {};
  }
  return std::get<std::vector<PropertyEntry>>(result);
}

// The single entry of `text`, as "key|value".
std::string One(std::string_view text) {
  auto entries = Parse(text);
  if (entries.size() != 1) {
    ADD_FAILURE() << "expected one entry, got " << entries.size() << " for: " << text;
    return "";
  }
  return entries[0].key + "|" + entries[0].value;
}

PropertiesError Error(std::string_view text) {
  auto result = parse_properties(text, "bad.properties");
  if (!std::holds_alternative<PropertiesError>(result)) {
    ADD_FAILURE() << "expected an error for: " << text;
    return {};
  }
  return std::get<PropertiesError>(result);
}

TEST(PropertiesTest, SeparatorForms) {
  EXPECT_EQ(One("acks=all"), "acks|all");
  EXPECT_EQ(One("acks:all"), "acks|all");
  EXPECT_EQ(One("acks all"), "acks|all");
  EXPECT_EQ(One("acks\tall"), "acks|all");
  EXPECT_EQ(One("acks\fall"), "acks|all");
  EXPECT_EQ(One("acks = all"), "acks|all");
  EXPECT_EQ(One("acks  :  all"), "acks|all");
  EXPECT_EQ(One("   acks=all"), "acks|all");
  EXPECT_EQ(One("acks \t = \t all"), "acks|all");
}

TEST(PropertiesTest, OnlyTheFirstSeparatorCounts) {
  EXPECT_EQ(One("a=b=c"), "a|b=c");
  EXPECT_EQ(One("a:b:c"), "a|b:c");
  EXPECT_EQ(One("a = = b"), "a|= b");  // one '=' after blanks belongs to the separator
  EXPECT_EQ(One("a b c"), "a|b c");
  EXPECT_EQ(One("a==b"), "a|=b");
}

TEST(PropertiesTest, KeyWithoutValue) {
  EXPECT_EQ(One("acks"), "acks|");
  EXPECT_EQ(One("acks="), "acks|");
  EXPECT_EQ(One("acks   "), "acks|");
  EXPECT_EQ(One("=all"), "|all");
}

TEST(PropertiesTest, TrailingWhitespaceOfValueIsKept) {
  EXPECT_EQ(One("acks=all  "), "acks|all  ");
}

TEST(PropertiesTest, CommentsAndBlankLines) {
  auto entries = Parse(
      "# comment\n"
      "   ! also a comment\n"
      "\n"
      "   \t \n"
      "a=1\n"
      "#b=2\n"
      "c=3 # not a comment\n");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].key, "a");
  EXPECT_EQ(entries[0].line, 5);
  EXPECT_EQ(entries[1].key, "c");
  EXPECT_EQ(entries[1].value, "3 # not a comment");
  EXPECT_EQ(entries[1].line, 7);
  EXPECT_EQ(entries[1].file, "p.properties");
}

TEST(PropertiesTest, ContinuationJoinsLinesAndStripsLeadingBlanks) {
  auto entries = Parse(
      "a=one, \\\n"
      "     two, \\\n"
      "\t\tthree\n"
      "b=4\n");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].value, "one, two, three");
  EXPECT_EQ(entries[0].line, 1);
  EXPECT_EQ(entries[1].key, "b");
  EXPECT_EQ(entries[1].line, 4);
}

TEST(PropertiesTest, ContinuationOfTheKey) {
  EXPECT_EQ(One("enable.\\\n  idempotence=true"), "enable.idempotence|true");
}

TEST(PropertiesTest, EvenBackslashesDoNotContinue) {
  auto entries = Parse("a=x\\\\\nb=y\n");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].value, "x\\");
  EXPECT_EQ(entries[1].line, 2);
  // Three: an escaped backslash, then a continuation.
  EXPECT_EQ(One("a=x\\\\\\\ny"), "a|x\\y");
}

TEST(PropertiesTest, ContinuationEdgeCases) {
  EXPECT_EQ(One("a=x\\"), "a|x");  // at end of input the backslash is dropped
  // A blank continuation line ends the logical line.
  auto entries = Parse("a=x\\\n   \nb=y\n");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].value, "x");
  EXPECT_EQ(entries[1].line, 3);
  // A comment line does not continue, and a continuation line is never a comment.
  entries = Parse("# c \\\nb=y\\\n  #z\n");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].key, "b");
  EXPECT_EQ(entries[0].value, "y#z");
  EXPECT_EQ(entries[0].line, 2);
}

// Checked against java.util.Properties.load on Java 17.
TEST(PropertiesTest, JavaQuirksOfEmptyContinuations) {
  // While the logical line is still empty, a continuation line can be a comment.
  auto entries = Parse("\\\n!x=1\nb=y\n");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].key, "b");
  // An empty logical line is dropped...
  EXPECT_EQ(One("\\\n\nb=y"), "b|y");
  // ...unless the input ends right after the backslash (or one terminator after it).
  EXPECT_EQ(One("\\"), "|");
  EXPECT_EQ(One("\\\n"), "|");
  EXPECT_TRUE(Parse("\\\r\n").empty());
  // A piece after an empty one starts the entry on the backslash's line.
  entries = Parse("\\\nb=y");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].line, 1);
}

TEST(PropertiesTest, Escapes) {
  EXPECT_EQ(One("a=\\t\\n\\r\\f\\\\\\=\\:\\ x"), "a|\t\n\r\f\\=: x");
  EXPECT_EQ(One("a=\\q\\#"), "a|q#");  // any other escaped char is itself
  EXPECT_EQ(One("my\\ key=v"), "my key|v");
  EXPECT_EQ(One("k\\=1=v"), "k=1|v");
  EXPECT_EQ(One("k\\:1:v"), "k:1|v");
  EXPECT_EQ(One("a=\\ \\ padded"), "a|  padded");
}

TEST(PropertiesTest, UnicodeEscapes) {
  EXPECT_EQ(One("a=\\u0041\\u00e9\\u20AC"), "a|A\xC3\xA9\xE2\x82\xAC");
  EXPECT_EQ(One("a=\\uD83D\\uDE00"), "a|\xF0\x9F\x98\x80");  // surrogate pair
  EXPECT_EQ(One("\\u0061cks=1"), "acks|1");
  EXPECT_EQ(One("a=caf\xC3\xA9"), "a|caf\xC3\xA9");  // raw UTF-8 passes through
}

TEST(PropertiesTest, BadUnicodeEscapeNamesFileAndLine) {
  PropertiesError e = Error("a=1\nb=\\u12G4\n");
  EXPECT_EQ(e.file, "bad.properties");
  EXPECT_EQ(e.line, 2);
  EXPECT_NE(e.message.find("\\uxxxx"), std::string::npos);
  EXPECT_EQ(Error("a=\\u12").line, 1);  // too short
  // On a continuation line, the line of the escape itself.
  EXPECT_EQ(Error("# c\na=ok \\\n  \\uZZZZ\n").line, 3);
}

TEST(PropertiesTest, LineEndings) {
  auto entries = Parse("a=1\r\nb=2\rc=3\n\nd=4");
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].value, "1");
  EXPECT_EQ(entries[1].line, 2);
  EXPECT_EQ(entries[2].line, 3);
  EXPECT_EQ(entries[3].line, 5);
  EXPECT_EQ(entries[3].value, "4");
  EXPECT_EQ(One("a=x\\\r\n  y"), "a|xy");
}

TEST(PropertiesTest, DuplicatesAreAllReturnedInOrder) {
  auto entries = Parse("acks=1\nacks=all\n");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].value, "1");
  EXPECT_EQ(entries[1].value, "all");
}

TEST(PropertiesTest, EmptyInput) {
  EXPECT_TRUE(Parse("").empty());
  EXPECT_TRUE(Parse("\n\n# only comments\n").empty());
}

}  // namespace
}  // namespace kdc
