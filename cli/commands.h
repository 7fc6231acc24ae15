// The kdc subcommands as functions, so tests reach everything without a process.
// Each returns the process exit code: 0 ran (and --require holds), 1 --require does not
// hold, 2 bad input or usage (the message names file, line and key).
#ifndef KDC_CLI_COMMANDS_H_
#define KDC_CLI_COMMANDS_H_

#include <cstdint>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

namespace kdc {

struct CheckArgs {
  std::vector<std::string> files;
  std::vector<std::string> overrides;  // --set key=value
  bool json = false;
  std::string require;                 // "" or a guarantee name
  std::string out_dir = "kdc-out";     // counterexample traces go here
  int messages = 0;                    // 0: model.messages from the files
  int replicas = 0;                    // 0: replication.factor from the files
  int max_leader_epoch = 0;            // 0: model.max.leader.epoch from the files
  uint64_t max_states = 50'000'000;
  bool quiet = false;                  // no progress on stderr
  int threads = 0;                     // 0: one per core
  // kdc prove: the Z3 engine instead of the explicit checker (same output, same exit codes).
  bool z3 = false;
  int depth = 8;                       // the bound on run length (Z3's cost doubles per step)
  bool unbounded = true;               // try to close the proof (recurrence diameter)
  bool induction = false;              // also search an inductive invariant (slow)
  double timeout_seconds = 0;          // 0: none
  // A report for a design review (docs/explain.md): the settings, the verdict per fault
  // class (one more explicit check per class), each counterexample as a diagram, and, with
  // fixes, kdc advise's proposals for the next guarantee up (opt-in: minutes, not seconds).
  std::string html;
  bool fixes = false;
};
int run_check(const CheckArgs& args, std::ostream& out, std::ostream& err);

struct ReplayArgs {
  std::string trace;
  bool json = false;
  bool show_states = false;  // print the model state after every step
  // Walk the trace with the state after each event: interactive (n/p/q/g N) when stdin
  // is a terminal, else every step printed in turn.
  bool step = false;
  // Implementation traces: the search for unlogged model steps (docs/conformance.md).
  int max_silent_depth = 3;
  int max_silent_states = 20'000;
  // "model" (default): replay the trace on the model. "impl": drive the deterministic
  // implementation through the counterexample's faults until its effect reproduces, then
  // replay the implementation's own trace on the model.
  std::string on = "model";
  int seeds = 100;        // --on impl: runs tried at most
  std::string impl_trace; // --on impl: write the reproducing run's trace here
};
int run_replay(const ReplayArgs& args, std::ostream& out, std::ostream& err);

struct ReplicationArgs {
  std::string versions;                // "" = every release of the table, else a comma list
  std::string replicas = "1,2,3";
  std::string workloads;               // "" = every fault workload, else a comma list
  int max_leader_epoch = 3;
  std::string out_dir = "kdc-out/replication";
  uint64_t max_states = 50'000'000;
  int threads = 0;
  bool json = false;
  bool markdown = false;
  bool quiet = false;
};
int run_replication(const ReplicationArgs& args, std::ostream& out, std::ostream& err);

struct MatrixArgs {
  std::string faults;       // "" / "default": the default budget; else a comma list of kinds
  int max_faults = -1;      // fault.max.total (-1: the default)
  std::string engine = "explicit";
  int depth = 8;            // z3: the bound on run length
  bool json = false;
  bool markdown = false;
  bool quiet = false;
};
int run_matrix(const MatrixArgs& args, std::ostream& out, std::ostream& err);

struct AdviseArgs {
  std::vector<std::string> files;
  std::vector<std::string> overrides;
  std::string require;
  int messages = 1;         // the bound the search checks candidates at
  int max_changes = 3;
  int z3_depth = 8;         // the Z3 engine re-checks each proposal on runs this long
  bool json = false;
  bool quiet = false;
};
int run_advise(const AdviseArgs& args, std::ostream& out, std::ostream& err);
// advise's catalog: each change's first setting and its cost (docs/advise.md lists them).
std::vector<std::pair<std::string, int>> advise_catalog();

struct RunArgs {
  std::vector<std::string> files;
  std::vector<std::string> overrides;
  uint64_t seed = 1;
  bool deterministic = false;  // the seeded scheduler instead of real threads
  int messages = 0;            // 0: model.messages from the files
  std::string duration;        // "10s", "500ms", "2m", or seconds; "" the default
  std::string trace;           // write the trace here ("" none)
  std::string data_dir;        // broker disks ("" a temporary directory, removed after)
  bool faults = true;          // inject the fault.* budget
  std::string require;         // exit 1 if this run shows an effect breaking it
  std::vector<std::string> bugs;  // seeded bugs to switch on (impl/cluster/seeded_bugs.h)
  bool json = false;
  bool quiet = false;
};
// Runs a workload on the implementation (impl/): docs/impl.md.
int run_run(const RunArgs& args, std::ostream& out, std::ostream& err);

// "10s", "500ms", "2m", "1.5s" or a number of seconds; false if unreadable or not positive.
bool parse_duration(const std::string& text, int64_t* ms);

struct ClientArgs {
  std::vector<std::string> files;
  std::vector<std::string> overrides;  // --set key=value
  bool mock = false;           // librdkafka's mock cluster (also when no --bootstrap)
  std::string bootstrap;       // a real cluster: HOST:PORT[,...]
  std::string topic;           // "" : "kdc" on the mock, a fresh name on a real cluster
  int messages = 100;
  std::string duration = "30s";  // the whole run, faults and catching up included
  uint64_t seed = 1;
  std::string faults;          // "" : from the fault.* budget; "none"; or a list of kinds
  std::string history;         // write the history here (.edn: Jepsen EDN, .jsonl/.json: JSONL)
  std::string require;         // exit 1 if the run shows an effect breaking it
  bool model = true;           // ask the explicit checker whether the effects are allowed
  bool json = false;
  bool quiet = false;
  int64_t connect_timeout_ms = 3000;  // how long an unreachable cluster may take to say so
};
// A real librdkafka producer and consumer with your configuration, against librdkafka's
// mock cluster or a real one, faults injected, judged as a Jepsen history and by kdc's
// effects (docs/conformance.md, "Real clients: librdkafka"). 0 ran and the history is
// valid (and --require holds), 1 anomalies or --require broken, 2 bad input, usage, or
// the cluster cannot be reached.
int run_client(const ClientArgs& args, std::ostream& out, std::ostream& err);

struct ExplainArgs {
  std::string trace;
  std::string svg;    // write the sequence diagram here as SVG ("" none)
  std::string html;   // ... as a self-contained HTML page ("" none)
  bool ascii = false; // terminal picture in plain ASCII instead of box drawing
};
// A trace as a sequence diagram (docs/explain.md): on stdout as text when neither --svg
// nor --html is given. 0 drawn, 2 unreadable trace or unwritable output (file and line).
int run_explain(const ExplainArgs& args, std::ostream& out, std::ostream& err);

// docs/config-reference.md (markdown) or a plain key list.
int run_keys(bool markdown, std::ostream& out);

struct HistoryArgs {
  std::string file;          // a Jepsen history (EDN or JSONL)
  std::string format;        // "edn", "jsonl", or "" (by extension: .jsonl/.json are JSONL)
  bool ww_deps = false;      // Jepsen's --ww-deps: ww edges from offset order
  bool json = false;
  std::string from_trace;    // check a kdc trace (docs/trace-format.md) instead of FILE
  std::string export_edn;    // also write the history (read or converted) as Jepsen EDN
};
// Jepsen's Kafka anomalies in a history (docs/history.md): 0 valid, 1 anomalies that
// Jepsen does not allow, 2 unreadable input or usage.
int run_history(const HistoryArgs& args, std::ostream& out, std::ostream& err);

}  // namespace kdc

#endif  // KDC_CLI_COMMANDS_H_
