#include "show/report.h"

#include <cstdio>
#include <sstream>

#include "show/diagram.h"
#include "show/render.h"

namespace kdc::show {
namespace {

std::string effects_text(EffectSet effects) {
  std::string s;
  for (int e = 0; e < int(Effect::kCount); ++e)
    if (effects & bit(Effect(e))) s += (s.empty() ? "" : " ") + std::string(name(Effect(e)));
  return s.empty() ? "—" : s;
}

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", s);
  return buf;
}

std::string with_commas(uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string s;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) s += ',';
    s += digits[i];
  }
  return s;
}

}  // namespace

std::string render_report(const Report& r, const Config& config) {
  const Guarantee g = guarantee_of(r.effects);
  std::ostringstream b;
  b << "<p class=\"meta\">Made by <code>" << escape_xml(r.command) << "</code></p>\n";

  b << "<h2>Verdict</h2>\n<p><strong>Guarantee: " << name(g) << "</strong> &nbsp; Ordering per partition: "
    << (ordering_preserved(r.effects) ? "preserved" : "violated") << "</p>\n<pre>";
  for (const std::string& line : r.verdict_lines) b << escape_xml(line) << "\n";
  b << "</pre>\n<p class=\"meta\">" << escape_xml(r.exploration) << "</p>\n";

  b << "<h2>Configuration</h2>\n<pre>" << escape_xml(r.configuration) << "\nFaults: " << escape_xml(r.faults)
    << "\nBounds: " << escape_xml(r.bounds) << "</pre>\n";
  b << "<details><summary>Every effective setting (" << r.settings.size() << ")</summary>\n<table class=\"settings\">\n";
  for (const auto& [key, value] : r.settings)
    b << "<tr><td>" << escape_xml(key) << "</td><td>" << escape_xml(value) << "</td></tr>\n";
  b << "</table></details>\n";

  b << "<h2>Verdict per fault class</h2>\n"
    << "<p>Each row checks the same configuration with only that fault class in the fault budget "
       "(the explicit checker, exhaustively within the same bounds); the last row is the verdict "
       "above. A cell is the strongest guarantee that survives.</p>\n";
  b << "<table class=\"fault-classes\">\n<tr><th>fault class</th><th>strongest guarantee</th><th>effects</th>"
       "<th>ordering</th><th>states</th><th>time</th></tr>\n";
  for (const FaultClassVerdict& c : r.classes) {
    const Guarantee cg = guarantee_of(c.effects);
    b << "<tr class=\"fault-class" << (c.all ? " all" : "") << "\"><td>" << escape_xml(c.label)
      << (c.key.empty() ? "" : " <code>" + escape_xml(c.key) + "</code>") << "</td><td class=\"g-" << name(cg)
      << "\">" << name(cg) << (c.complete ? "" : " (search incomplete)") << "</td><td>"
      << effects_text(c.effects) << "</td><td>" << (ordering_preserved(c.effects) ? "preserved" : "violated")
      << "</td><td>" << with_commas(c.states) << "</td><td>" << seconds(c.seconds) << "</td></tr>\n";
  }
  b << "</table>\n";

  b << "<h2>Counterexamples</h2>\n";
  if (r.counterexamples.empty()) b << "<p>None: no run within these bounds loses, duplicates or reorders a message.</p>\n";
  int n = 0;
  for (const ReportCounterexample& cx : r.counterexamples) {
    ++n;
    const TraceFates fates = message_fates(config, cx.trace);
    const Diagram d = build_diagram(cx.trace, config, fates, cx.path);
    b << "<h3 class=\"counterexample\">" << escape_xml(cx.headline) << "</h3>\n<p class=\"meta\">trace <code>"
      << escape_xml(cx.path) << "</code> (" << cx.trace.events.size() << " steps): <code>kdc explain "
      << escape_xml(cx.path) << "</code>, <code>kdc replay " << escape_xml(cx.path) << "</code></p>\n";
    b << html_diagram(d, "cx" + std::to_string(n));
  }

  b << "<h2>Smallest fixes</h2>\n";
  if (!r.fixes_note.empty()) b << "<p>" << escape_xml(r.fixes_note) << "</p>\n";
  for (const ReportFixes& f : r.fixes) {
    b << "<h3>To reach " << name(f.target) << "</h3>\n<p class=\"meta\">" << escape_xml(f.summary) << "</p>\n";
    if (f.proposals.empty()) continue;
    b << "<table class=\"fixes\">\n<tr><th>cost</th><th>set</th><th>verified</th></tr>\n";
    for (const ReportFix& p : f.proposals) {
      b << "<tr><td>" << p.cost << "</td><td>";
      for (const auto& [settings, why] : p.changes)
        b << "<code>" << escape_xml(settings) << "</code><br><small>" << escape_xml(why) << "</small><br>";
      b << "</td><td>" << escape_xml(p.verified) << "</td></tr>\n";
    }
    b << "</table>\n";
  }
  if (!r.notes.empty()) {
    b << "<h2>Notes</h2>\n<ul>\n";
    for (const std::string& note : r.notes) b << "<li>" << escape_xml(note) << "</li>\n";
    b << "</ul>\n";
  }
  return html_page("kdc check: " + std::string(name(g)), b.str());
}

}  // namespace kdc::show
