// kdc explain and kdc check --html (issue 7): exit codes and errors naming file and line,
// the files written, the report's fault-class table and diagrams, no colour under NO_COLOR.
#include <gtest/gtest.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>
#include <sstream>

#include "cli/cli_test_support.h"
#include "cli/commands.h"

namespace kdc {
namespace {

using testing::kSource;
using testing::read_file;
using testing::temp_dir;
using testing::write_file;

struct Ran {
  int code;
  std::string out, err;
};

Ran explain(ExplainArgs args) {
  std::ostringstream out, err;
  const int code = run_explain(args, out, err);
  return {code, out.str(), err.str()};
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

const std::string kHeader =
    R"({"format":"kdc-trace","version":1,"source":"model","effect":null,"config":{"acks":"1"}})";

TEST(ExplainCommandTest, UnreadableTraceNamesFileAndLine) {
  const std::string dir = temp_dir("explain_bad");
  const std::string bad = write_file(dir, "bad.jsonl",
                                     kHeader + "\n" + R"({"step":1,"event":"send","msg":0,"gen":0})" + "\n" +
                                         R"({"step":2,"event":"teleport","msg":0})" + "\n");
  ExplainArgs a;
  a.trace = bad;
  Ran r = explain(a);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("kdc explain: " + bad + ":3: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("teleport"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());

  a.trace = dir + "/missing.jsonl";
  r = explain(a);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("missing.jsonl"), std::string::npos) << r.err;

  a.trace = write_file(dir, "config.jsonl",
                       R"({"format":"kdc-trace","version":1,"source":"model","config":{"acks":"2"}})" "\n");
  r = explain(a);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("config.jsonl:1: header config: acks"), std::string::npos) << r.err;
}

TEST(ExplainCommandTest, WritesSvgAndHtmlAndPrintsTextWithoutThem) {
  const std::string dir = temp_dir("explain_files");
  ExplainArgs a;
  a.trace = kSource + "/traces/at-most-once/L_ack.jsonl";
  Ran text = explain(a);
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("L_ack — m0: acknowledged to the producer application, then lost"), std::string::npos);
  EXPECT_NE(text.out.find("[LOST] m0 lost: no log holds it any more (L_ack"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find('\033'), std::string::npos) << "not a terminal: no colour";

  a.svg = dir + "/l.svg";
  a.html = dir + "/l.html";
  Ran files = explain(a);
  ASSERT_EQ(files.code, 0) << files.err;
  EXPECT_EQ(read_file(a.svg).rfind("<?xml", 0), 0u);
  const std::string html = read_file(a.html);
  EXPECT_EQ(count(html, "<svg "), 1u);
  EXPECT_NE(html.find("broker 0 truncates its log to offset 0"), std::string::npos);

  a.svg = dir + "/no/such/dir/l.svg";
  a.html.clear();
  Ran unwritable = explain(a);
  EXPECT_EQ(unwritable.code, 2);
  EXPECT_NE(unwritable.err.find("--svg: cannot write " + a.svg), std::string::npos) << unwritable.err;
}

// The binary on a pseudo-terminal: colour there, none under NO_COLOR.
std::string on_a_terminal(const std::string& no_color) {
  int master = -1;
  const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid == 0) {
    if (no_color.empty()) unsetenv("NO_COLOR");
    else setenv("NO_COLOR", no_color.c_str(), 1);
    unsetenv("TERM");
    const std::string trace = kSource + "/traces/at-most-once/L_ack.jsonl";
    execl(KDC_BINARY, KDC_BINARY, "explain", trace.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(master, buf, sizeof buf)) > 0;) out.append(buf, size_t(n));
  int status = 0;
  waitpid(pid, &status, 0);
  close(master);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
  return out;
}

TEST(ExplainCommandTest, NoColorMeansNoEscapeBytesEvenOnATerminal) {
  const std::string coloured = on_a_terminal("");
  EXPECT_NE(coloured.find("\033["), std::string::npos) << "a terminal gets colour";
  const std::string plain = on_a_terminal("1");
  EXPECT_NE(plain.find("[LOST] m0 lost"), std::string::npos) << plain;
  EXPECT_EQ(plain.find('\033'), std::string::npos) << "NO_COLOR=1: no escape bytes";
}

TEST(CheckHtmlReportTest, TableHasARowPerFaultClassAndADiagramPerCounterexample) {
  const std::string dir = temp_dir("check_html");
  CheckArgs a;
  a.files = testing::example_files("naive-defaults");
  a.out_dir = dir + "/out";
  a.html = dir + "/report.html";
  a.fixes = false;
  a.quiet = true;
  std::ostringstream out, err;
  ASSERT_EQ(run_check(a, out, err), 0) << err.str();
  const std::string html = read_file(a.html);
  // The budget of naive-defaults: 8 classes (check's "Faults:" line), plus "no faults" and
  // "all faults together".
  const std::string faults = out.str().substr(out.str().find("Faults: "));
  const std::string kinds = faults.substr(faults.find("of: ") + 4, faults.find('\n') - faults.find("of: ") - 4);
  size_t classes = 1;
  for (char c : kinds) classes += c == ',';
  EXPECT_EQ(classes, 8u) << kinds;
  EXPECT_EQ(count(html, "<tr class=\"fault-class"), classes + 2);
  std::stringstream each(kinds);
  for (std::string kind; std::getline(each, kind, ',');) {
    if (kind[0] == ' ') kind.erase(0, 1);
    EXPECT_NE(html.find("<td>" + kind + " <code>fault."), std::string::npos) << kind;
  }
  EXPECT_NE(html.find("<td>no faults</td>"), std::string::npos);
  EXPECT_NE(html.find("all faults together (at most 1 per run)"), std::string::npos);
  // One diagram per counterexample: L_ack L_fail L_unsent D_int D_proc.
  EXPECT_EQ(count(html, "<h3 class=\"counterexample\">"), 5u);
  EXPECT_EQ(count(html, "<svg "), 5u);
  for (const char* effect : {"L_ack", "L_fail", "L_unsent", "D_int", "D_proc"})
    EXPECT_NE(html.find(std::string(effect) + ".jsonl"), std::string::npos) << effect;
  EXPECT_NE(html.find("Not searched: add --fixes, or run kdc advise --require at-least-once"), std::string::npos);
  // The cell of a class: broker power loss alone loses acknowledged messages here.
  EXPECT_TRUE(std::regex_search(html, std::regex("broker power loss <code>fault.broker.power.loss=1</code></td><td class=\"g-none\">none")))
      << "broker power loss with RF 1 and no flush loses acknowledged records";
}

TEST(CheckHtmlReportTest, UnwritableReportIsAUsageError) {
  CheckArgs a;
  a.files = testing::example_files("naive-defaults");
  a.out_dir = temp_dir("check_html_bad") + "/out";
  a.html = "/nonexistent-dir/report.html";
  a.fixes = false;
  a.quiet = true;
  std::ostringstream out, err;
  EXPECT_EQ(run_check(a, out, err), 2);
  EXPECT_NE(err.str().find("--html: cannot write /nonexistent-dir/report.html"), std::string::npos) << err.str();
}

}  // namespace
}  // namespace kdc
