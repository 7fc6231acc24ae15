// kdc check --html: a report a user can attach to a design review. One self-contained
// page: the configuration, the verdict, a table of the strongest guarantee that survives
// each fault class alone (and all of them together), every counterexample as a sequence
// diagram, and the smallest fixes kdc advise found. The page only presents: every number
// and verdict in it comes from the checks the caller ran.
#ifndef KDC_SHOW_REPORT_H_
#define KDC_SHOW_REPORT_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model/verdict.h"
#include "model/vocabulary/config.h"
#include "model/vocabulary/trace.h"

namespace kdc::show {

// One row of the fault-class table: the configuration checked with only this fault class
// in its budget (or with none, or with the whole budget).
struct FaultClassVerdict {
  std::string label;  // "broker crash", "no faults", "all faults together (at most 1 per run)"
  std::string key;    // "fault.broker.crash=1", or "" for the first and last rows
  EffectSet effects = 0;
  uint64_t states = 0;
  double seconds = 0;
  bool complete = true;  // exhaustive (no state limit, no bound cut)
  bool all = false;      // the row of the main verdict
};

struct ReportFix {
  int cost = 0;
  std::vector<std::pair<std::string, std::string>> changes;  // settings, why (with cost)
  std::string verified;                                      // how both engines checked it
};

struct ReportFixes {
  Guarantee target = Guarantee::kNone;
  std::string summary;  // "3 proposals, 41 candidates checked in 2.1 s", or why none
  std::vector<ReportFix> proposals;
};

struct ReportCounterexample {
  std::string headline;  // "L_ack — m0: acknowledged to the producer application, then lost"
  std::string path;      // where the trace was written
  Trace trace;
};

struct Report {
  std::string command;        // how the report was made
  std::string configuration;  // check's text summary of the settings that decide
  std::string faults;         // check's fault summary
  std::string bounds;
  std::string exploration;    // states, time, exhaustive or not
  std::vector<std::pair<std::string, std::string>> settings;  // every effective setting
  EffectSet effects = 0;
  std::vector<std::string> verdict_lines;  // "at-least-once (nothing lost): fails (L_ack, ...)"
  std::vector<FaultClassVerdict> classes;
  std::vector<ReportCounterexample> counterexamples;
  std::vector<ReportFixes> fixes;
  std::string fixes_note;     // why there are none (not needed, --no-fixes, ...)
  std::vector<std::string> notes;
};

// The page. `config` is the checked configuration (each diagram replays its trace on it).
std::string render_report(const Report& report, const Config& config);

}  // namespace kdc::show

#endif  // KDC_SHOW_REPORT_H_
