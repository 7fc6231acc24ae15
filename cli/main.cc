// kdc: which delivery guarantee does this Kafka configuration really give?
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"

namespace {

constexpr const char* kCheckHelp = R"(
Explores every run of producer app -> topic partition -> consumer app -> sink that
your configuration allows, with up to fault.max.total faults per run, and reports the
strongest guarantee that survives all of them:
  exactly-once   nothing lost and nothing processed twice
  at-least-once  nothing lost (duplicates possible)
  at-most-once   nothing processed twice (losses possible)
  none           both losses and duplicates possible
For every effect found it writes the shortest run showing it (a JSONL trace in --out)
and prints it as a story. Effects: L_ack (acknowledged, then lost), L_fail (write failed,
app dropped it), L_unsent (buffered at a producer crash), L_skip (in the log, never
processed), D_int (stored twice by client retries), D_app (stored twice by an app resend),
D_proc (processed twice), R (reordered). --html FILE also writes a self-contained report
for a design review: the verdict per fault class, each counterexample as a sequence
diagram, and with --fixes the cheapest changes kdc advise finds (docs/explain.md).

FILES are Java .properties files, merged in order (later wins): your producer, broker,
topic and consumer settings, plus app.* (what your application does on errors, restarts
and commits) and fault.* (which faults to consider). 'kdc keys' lists every key.

Examples:
  kdc check examples/textbook-at-least-once/*.properties
  kdc check producer.properties server.properties --set acks=1 --require at-least-once
  kdc check my.properties --json --out traces/ --set fault.max.total=2
  kdc check examples/naive-defaults/*.properties --html report.html

Exit status: 0 the analysis ran (and --require holds), 1 --require does not hold,
2 bad input or usage (the message names file, line and key).)";

constexpr const char* kProveHelp = R"(
The same question as 'kdc check', answered by the Z3 engine: the model's transition
relation is encoded as Z3 terms (docs/symbolic-engine.md) and unrolled one step at a
time. At each depth Z3 either finds a run that shows an effect (replayed on the
executable model before it is reported, and written to --out like check's) or proves
that no run of that length does. When no loop-free run is longer than the depth
reached, the answer covers runs of any length within the model's bounds ("complete" in
the JSON); otherwise it is a bounded proof, and --require fails as check's does on an
incomplete search.

Output and exit status are those of 'kdc check' (stats say "engine": "z3").
Examples:
  kdc prove examples/hardened/*.properties --messages 1
  kdc prove my.properties --depth 6 --no-unbounded --json
The default --depth 8 takes about a minute on one broker; each step more about doubles it.)";

constexpr const char* kMatrixHelp = R"(
Classifies kdc's table of configurations (producer profile × broker profile × consumer
profile; 'kdc matrix --md' lists them) under a fault set. The explicit engine (default)
checks each configuration exhaustively. With --engine z3 the configuration is left
symbolic: for each guarantee half (nothing lost, nothing duplicated) Z3 either finds a
run of at most --depth steps that breaks it for a configuration (replayed on the model)
or proves none exists and, from the unsat core, the settings that suffice: a region of
the table decided at once. Z3's answers are bounded by --depth (its cost grows fast with
depth; docs/symbolic-engine.md), so its table can say more than the explicit one.
docs/guarantees.md is this command's --md output.
Examples:
  kdc matrix
  kdc matrix --faults broker.crash,broker.power.loss --max-faults 1 --json
  kdc matrix --md > docs/guarantees.md
Exit status: 0 done, 1 an engine bug was found (a Z3 run that does not replay), 2 usage.)";

constexpr const char* kAdviseHelp = R"(
Starts from your configuration and proposes the cheapest changes that reach the
required guarantee under your fault.* budget. Candidates combine up to --max-changes
entries of a catalog of changes, each with a cost (docs/advise.md: latency,
availability, throughput, or an application change), tried cheapest first. Each
candidate is checked exhaustively with --messages messages per run, and each proposal
is checked again by the Z3 engine on runs of up to --z3-depth steps.
Examples:
  kdc advise --require at-least-once examples/naive-defaults/*.properties
  kdc advise --require exactly-once my.properties --json
Exit status: 0 a proposal (or nothing to change), 1 none found, 2 bad input.)";

constexpr const char* kReplayHelp = R"(
Replays a JSONL trace (from 'kdc check --out', or recorded by the implementation) on the
model: every event must be a step the model allows. A trace of the implementation
("source":"impl") is matched by the rules of docs/conformance.md, inferring the model
steps it does not log. Prints the story, the effects the run shows, and, on divergence,
the first event no model state allows, what the model allowed, and the closest model step.
--step walks the trace with the state after each event (n/p/g N/q on a terminal).
--on impl goes the other way: the counterexample's faults strike kdc's implementation
(impl/, deterministic scheduler) right after the step that preceded each in the trace,
seeds are tried until the run shows the same effect, and that run's own trace must then
replay on the model (docs/conformance.md, "Model → implementation").
Examples:
  kdc replay traces/at-most-once/L_ack.jsonl --step
  kdc replay run.jsonl --json                    (a trace from kdc run --trace)
  kdc replay traces/at-most-once/L_ack.jsonl --on impl --impl-trace impl-L_ack.jsonl
Exit status: 0 legal (--on impl: reproduced, and its trace replays), 1 diverges (or the
claimed effect does not show; --on impl: not reproduced), 2 unreadable.)";

constexpr const char* kExplainHelp = R"(
Draws a trace as a sequence diagram: one lane per actor (producer application, record
accumulator, sender thread, each broker, controller, group and transaction coordinators
when the run uses them, consumer, sink), time downwards, one row per step. Requests,
responses, replication and polls are arrows between lanes; faults are red crosses on the
lanes they strike, with the row shaded, and a broker's lifeline is marked while it is
down or cut off. Each message's fate is a badge at the step where it happens:
acknowledged, delivered, stored twice, duplicated (the model's D_* / V_unc), lost (L_*).
The fates are the model's: the trace is replayed as 'kdc replay' does (docs/explain.md).

TRACE is a model counterexample ('kdc check --out', traces/) or an implementation trace
('kdc run --trace'). Without --svg or --html the diagram is printed as text, with colour
only on a terminal and never when NO_COLOR is set. --svg writes a self-contained SVG
(zoomable, no external fonts or links), --html a self-contained page holding it.
Examples:
  kdc explain traces/at-most-once/L_ack.jsonl
  kdc explain traces/at-most-once/L_ack.jsonl --svg L_ack.svg
  kdc explain run.jsonl --html run.html          (a trace from kdc run --trace)
Exit status: 0 drawn, 2 unreadable trace or unwritable output (the message names the
file and line).)";

constexpr const char* kRunHelp = R"(
Runs a workload on kdc's implementation (impl/: brokers with real log files and a page
cache, a controller, coordinators, a producer and a consumer client, a network that
drops, delays and partitions) with your configuration, injects the faults of your
fault.* budget for real (crashes, power losses, partitions, slow links that make the
timeouts fire), then heals everything and lets the consumer catch up. It reports what
was sent, acknowledged, delivered, lost and duplicated, with the model's effect names,
and can write the run's trace (the model's vocabulary, docs/trace-format.md).

Two schedulers: real threads (default; --duration is wall-clock time for the workload
and its faults), or --deterministic: one thread, virtual time, and the seed decides
every interleaving, delivery, timer and fault, so the same seed writes the same trace,
byte for byte (--duration is then the virtual deadline).
One run shows what one run did; 'kdc check' covers every run.
Examples:
  kdc run examples/at-most-once/*.properties --deterministic --seed 7 --trace run.jsonl
  kdc run examples/hardened/*.properties --messages 2000 --duration 10s --no-faults
Exit status: 0 ran (and --require holds for this run), 1 this run shows an effect that
--require forbids, 2 bad input or usage.)";

constexpr const char* kHistoryHelp = R"(
Checks a Jepsen-style history of a Kafka workload for the anomalies of Jepsen's Kafka
checker (jepsen.tests.kafka), under Jepsen's names: lost-write (acknowledged, below an
offset some poll reached, never polled), duplicate (one value at two offsets),
inconsistent-offsets (two values at one offset), poll-skip / nonmonotonic-poll (a
process's next poll of a key does not start right after its last), int-poll-skip /
int-nonmonotonic-poll and int-send-skip / int-nonmonotonic-send (the same inside one
operation), nonmonotonic-send, G1a (a failed send was polled), precommitted-read (a
transaction polled its own send), unseen (acknowledged, never polled), and the cycles G0
and G1c of the ww/wr dependency graph. docs/history.md defines each one.

FILE holds one operation map per line or one vector of them (EDN), or one JSON object
per line (JSONL), e.g.
  {:index 1, :time 5, :process 0, :type :ok, :f :send, :value [[:send :x [0 1]]]}
  {:index 3, :time 9, :process 1, :type :ok, :f :poll, :value [[:poll {:x [[0 1]]}]]}
--from-trace checks a kdc trace (kdc run --trace, kdc check --out) as a history;
--export-edn writes the history it read as Jepsen EDN.
As in Jepsen, G0 and int-send-skip never invalidate a history, nor do poll-skip and
nonmonotonic-poll when it subscribes, nor G1c with --ww-deps.
Examples:
  kdc history jepsen/history.edn
  kdc history ops.jsonl --json --ww-deps
  kdc history --from-trace run.jsonl --export-edn run.edn
Exit status: 0 valid, 1 anomalies Jepsen does not allow, 2 unreadable input or usage
(the message names file and line).)";

constexpr const char* kClientHelp = R"(
Runs a real client, librdkafka, with your configuration: a producer application sends
--messages messages with delivery-report callbacks, a consumer application polls,
processes and commits as app.commit says, and faults strike from a seeded schedule. The
run is recorded as a Jepsen history and checked as 'kdc history' checks one, each message
gets kdc's effect names (L_ack, L_skip, D_int, D_app, D_proc, ...), and the explicit
checker says whether 'kdc check' allows those effects for your configuration under the
faults that struck (--no-model skips that).

--mock (the default without --bootstrap) starts librdkafka's in-process mock cluster
(3 brokers on loopback). --bootstrap HOST:PORT runs the same workload on your cluster
(only producer-crash and consumer-crash faults there; not tested by kdc's suite).
Your files are validated by kdc's loader (a misspelt key is an error naming file:line),
then passed to librdkafka; keys it cannot apply are listed under notes.
Faults (--faults KIND[*N],...; default: drawn from your fault.* budget by --seed):
  request-timeout  the leader appends a Produce but answers after request.timeout.ms
  produce-error    the next Produce fails (NOT_LEADER, REQUEST_TIMED_OUT, NETWORK_EXCEPTION)
  broker-down      the leader goes down for a second, leadership moves
  leader-change    leadership moves
  slow-link        the leader answers everything late, for a while
  producer-crash   the producer application dies unflushed; a new one starts
  consumer-crash   the consumer application dies before or after processing a batch
                   (consumer-crash:before / consumer-crash:after fix the stage)
Examples:
  kdc client examples/textbook-at-least-once/*.properties --faults none
  kdc client examples/naive-defaults/*.properties --faults request-timeout --set request.timeout.ms=1000
  kdc client my/*.properties --seed 7 --history run.edn && kdc history run.edn
  kdc client my/*.properties --bootstrap kafka1:9092 --faults consumer-crash --json
Exit status: 0 ran and the history is valid (and --require holds), 1 anomalies or
--require broken, 2 bad input or usage, or the cluster cannot be reached.)";

constexpr const char* kReplicationHelp = R"(
Replication safety across Kafka's history. For each release whose truncation or election
rules changed (KIP-101, KIP-279, KIP-320, KAFKA-15583, KIP-966), each replica count and
each fault workload, kdc explores every run exhaustively and checks on every state that
committed records stay in the ISR (every running ISR member has, below a leader's high
watermark, the leader's records: no log divergence) and survive (a record that was ever
below a high watermark is still in some replica: no committed-record loss). A cell shows
"holds" or the property broken with the length of its shortest run, written to --out.
'kdc check' reports the same property for your own configuration ("replication" in
--json); docs/replication.md explains each row and is this command's --md output.
Examples:
  kdc replication
  kdc replication --versions 0.11,2.0 --replicas 3 --faults crash
  kdc replication --md > table.md
Exit status: 0 done, 2 usage.)";

// The options check and prove share: the configuration, the output, the verdict wanted.
void add_config_options(CLI::App* cmd, kdc::CheckArgs* args, const char* require_help) {
  cmd->add_option("files", args->files, "Java .properties files, merged in order");
  cmd->add_option("--set", args->overrides, "Override a key: --set acks=1 (repeatable)")->type_name("KEY=VALUE");
  cmd->add_flag("--json", args->json, "Print one JSON object instead of the report");
  cmd->add_option("--require", args->require, require_help)
      ->type_name("exactly-once|at-least-once|at-most-once");
  cmd->add_option("--out", args->out_dir, "Directory for counterexample traces")->capture_default_str();
  cmd->add_option("--messages", args->messages, "Messages the producer sends per run (model.messages)")
      ->check(CLI::Range(1, 4));
  cmd->add_option("--replicas", args->replicas, "Brokers holding the partition (replication.factor)")
      ->check(CLI::Range(1, 3));
  cmd->add_option("--max-leader-epoch", args->max_leader_epoch,
                  "Cut runs at this leader epoch (model.max.leader.epoch)")
      ->check(CLI::Range(1, 15));
  cmd->add_flag("--quiet", args->quiet, "No progress lines on stderr");
  cmd->add_option("--html", args->html,
                  "Also write a report for a design review: settings, the verdict per fault class, "
                  "each counterexample as a diagram, the smallest fixes")
      ->type_name("FILE");
  cmd->add_flag("--fixes", args->fixes,
                "--html: also search the smallest fixes with kdc advise (each takes minutes)");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kdc: tells, with proof, which delivery guarantee a Kafka configuration gives"};
  app.require_subcommand(1);
  app.footer("Run 'kdc <command> --help' for details. Docs: README.md and docs/.");

  kdc::CheckArgs check;
  CLI::App* c = app.add_subcommand("check", "Classify a configuration: exactly-once, at-least-once, at-most-once or none");
  c->footer(kCheckHelp);
  add_config_options(c, &check, "Exit 1 unless this guarantee holds");
  c->add_option("--max-states", check.max_states, "Stop exploring beyond this many states")
      ->capture_default_str();
  c->add_option("--threads", check.threads, "Worker threads (0: one per core); results are identical")
      ->capture_default_str();

  kdc::CheckArgs prove;
  prove.z3 = true;
  CLI::App* p = app.add_subcommand("prove", "Answer check's question with the Z3 engine (bounded proofs)");
  p->footer(kProveHelp);
  add_config_options(p, &prove, "Exit 1 unless this guarantee holds (for runs of any length)");
  p->add_option("--depth", prove.depth, "Longest run to cover")->capture_default_str()->check(CLI::Range(0, 200));
  p->add_flag("!--no-unbounded", prove.unbounded, "Do not try to close the proof for runs of any length");
  p->add_flag("--induction", prove.induction,
              "Also search an inductive invariant for unbounded proofs (slow: minutes)");
  p->add_option("--timeout", prove.timeout_seconds, "Give up after this many seconds (0: never)")
      ->capture_default_str();

  kdc::MatrixArgs matrix;
  CLI::App* m = app.add_subcommand("matrix", "The guarantee table over the modelled knobs");
  m->footer(kMatrixHelp);
  m->add_option("--faults", matrix.faults, "Fault kinds to consider, e.g. broker.crash,network.partition")
      ->type_name("KIND,...");
  m->add_option("--max-faults", matrix.max_faults, "At most this many faults per run (fault.max.total)")
      ->check(CLI::Range(0, 4));
  m->add_option("--engine", matrix.engine, "z3 or explicit")->capture_default_str();
  m->add_option("--depth", matrix.depth, "z3: the longest run to cover")->capture_default_str()->check(CLI::Range(1, 200));
  auto* mj = m->add_flag("--json", matrix.json, "One JSON object");
  m->add_flag("--md", matrix.markdown, "Markdown (docs/guarantees.md)")->excludes(mj);
  m->add_flag("--quiet", matrix.quiet, "No progress lines on stderr");

  kdc::AdviseArgs advise;
  CLI::App* a = app.add_subcommand("advise", "Propose the cheapest changes that reach a guarantee");
  a->footer(kAdviseHelp);
  a->add_option("files", advise.files, "Java .properties files, merged in order");
  a->add_option("--set", advise.overrides, "Override a key: --set acks=1 (repeatable)")->type_name("KEY=VALUE");
  a->add_option("--require", advise.require, "The guarantee to reach")->required()
      ->type_name("exactly-once|at-least-once|at-most-once");
  a->add_option("--messages", advise.messages, "Messages per run when checking candidates")
      ->capture_default_str()->check(CLI::Range(1, 4));
  a->add_option("--max-changes", advise.max_changes, "Changes combined at most")->capture_default_str()
      ->check(CLI::Range(1, 4));
  a->add_option("--z3-depth", advise.z3_depth, "Z3 re-checks each proposal on runs this long")
      ->capture_default_str()->check(CLI::Range(0, 60));
  a->add_flag("--json", advise.json, "One JSON object");
  a->add_flag("--quiet", advise.quiet, "No progress lines on stderr");

  kdc::ReplayArgs replay;
  CLI::App* r = app.add_subcommand("replay", "Replay a trace on the model step by step (--on impl: a counterexample on the implementation)");
  r->footer(kReplayHelp);
  r->add_option("trace", replay.trace, "A JSONL trace")->required();
  r->add_flag("--json", replay.json, "Print one JSON object");
  r->add_flag("--states", replay.show_states, "Show the model state after every step");
  r->add_flag("--step", replay.step, "Walk the trace: n/p/q/g N on a terminal, else print every state");
  r->add_option("--max-silent-depth", replay.max_silent_depth,
                "impl traces: unlogged model steps searched between two events (default 3)");
  r->add_option("--on", replay.on, "model (replay on the model) or impl (reproduce on the implementation)")
      ->check(CLI::IsMember({"model", "impl"}))->capture_default_str();
  r->add_option("--seeds", replay.seeds, "--on impl: scheduler seeds tried at most")->capture_default_str()
      ->check(CLI::Range(1, 100000));
  r->add_option("--impl-trace", replay.impl_trace, "--on impl: write the reproducing run's trace here")
      ->type_name("FILE");
  r->add_option("--max-silent-states", replay.max_silent_states,
                "impl traces: distinct states that search may visit per event (default 20000)");

  kdc::ExplainArgs explain;
  CLI::App* ex = app.add_subcommand("explain", "Draw a trace as a sequence diagram: text, --svg or --html");
  ex->footer(kExplainHelp);
  ex->add_option("trace", explain.trace, "A JSONL trace")->required();
  ex->add_option("--svg", explain.svg, "Write the diagram as SVG here")->type_name("FILE");
  ex->add_option("--html", explain.html, "Write the diagram as a self-contained HTML page here")->type_name("FILE");
  ex->add_flag("--ascii", explain.ascii, "Text diagram in plain ASCII instead of box drawing");

  kdc::RunArgs run;
  CLI::App* rn = app.add_subcommand("run", "Run a workload on the implementation, faults injected for real");
  rn->footer(kRunHelp);
  rn->add_option("files", run.files, "Java .properties files, merged in order");
  rn->add_option("--set", run.overrides, "Override a key: --set acks=1 (repeatable)")->type_name("KEY=VALUE");
  rn->add_option("--seed", run.seed, "Seed of every random choice")->capture_default_str();
  rn->add_flag("--deterministic", run.deterministic, "Seeded scheduler and virtual time: same seed, same trace");
  rn->add_option("--messages", run.messages, "Messages the producer sends (default: model.messages)")
      ->check(CLI::Range(1, 10000000));
  rn->add_option("--duration", run.duration, "Workload time (threads) or virtual deadline: 10s, 500ms, 2m")
      ->type_name("D");
  rn->add_option("--trace", run.trace, "Write the run's trace (JSONL) here")->type_name("FILE");
  rn->add_option("--data-dir", run.data_dir, "Keep the brokers' log files here (default: a temporary directory)")
      ->type_name("DIR");
  rn->add_flag("!--no-faults", run.faults, "Inject no faults (load runs)");
  rn->add_option("--require", run.require, "Exit 1 if this run shows an effect that breaks it")
      ->type_name("exactly-once|at-least-once|at-most-once");
  rn->add_option("--bug", run.bugs, "Switch on a seeded bug (repeatable): hw_before_isr, truncate_to_hw, "
                 "commit_before_process, skip_sequence_check, fetch_past_hw, no_epoch_fencing")
      ->type_name("NAME");
  rn->add_flag("--json", run.json, "One JSON object");
  rn->add_flag("--quiet", run.quiet, "No progress lines on stderr");

  kdc::ReplicationArgs replication;
  CLI::App* rp = app.add_subcommand("replication", "Replication safety by Kafka release (KIP-101, 279, 320, 966)");
  rp->footer(kReplicationHelp);
  rp->add_option("--versions", replication.versions, "Releases (rows), e.g. 0.10,0.11 (default: all)")
      ->type_name("V,...");
  rp->add_option("--replicas", replication.replicas, "Replica counts (columns)")->capture_default_str()
      ->type_name("N,...");
  rp->add_option("--faults", replication.workloads, "Fault workloads: crash, power-loss (default: both)")
      ->type_name("W,...");
  rp->add_option("--max-leader-epoch", replication.max_leader_epoch, "Cut runs at this leader epoch")
      ->capture_default_str()->check(CLI::Range(1, 15));
  rp->add_option("--out", replication.out_dir, "Directory for the shortest runs")->capture_default_str();
  rp->add_option("--max-states", replication.max_states, "Per cell, stop beyond this many states")
      ->capture_default_str();
  rp->add_option("--threads", replication.threads, "Worker threads (0: one per core)")->capture_default_str();
  auto* rpj = rp->add_flag("--json", replication.json, "One JSON object");
  rp->add_flag("--md", replication.markdown, "Markdown (docs/replication.md)")->excludes(rpj);
  rp->add_flag("--quiet", replication.quiet, "No progress lines on stderr");

  kdc::HistoryArgs history;
  CLI::App* hi = app.add_subcommand("history", "Check a Jepsen Kafka history (or a trace) for Jepsen's anomalies");
  hi->footer(kHistoryHelp);
  hi->add_option("file", history.file, "A history: EDN (Jepsen's) or JSONL")->type_name("FILE");
  hi->add_option("--format", history.format, "edn or jsonl (default: by extension, .jsonl/.json are JSONL)")
      ->type_name("edn|jsonl")->check(CLI::IsMember({"edn", "jsonl"}));
  hi->add_flag("--ww-deps", history.ww_deps, "Infer ww dependencies from offset order (Jepsen's --ww-deps)");
  hi->add_flag("--json", history.json, "Print {\"valid\": ..., \"anomalies\": {...}}");
  hi->add_option("--from-trace", history.from_trace, "Check a kdc trace (JSONL) converted to a history")
      ->type_name("TRACE");
  hi->add_option("--export-edn", history.export_edn, "Also write the history as Jepsen EDN")->type_name("OUT");

  kdc::ClientArgs client;
  CLI::App* cl = app.add_subcommand("client", "Run librdkafka (mock cluster or yours) with faults, check its history");
  cl->footer(kClientHelp);
  cl->add_option("files", client.files, "Java .properties files, merged in order");
  cl->add_option("--set", client.overrides, "Override a key: --set acks=1 (repeatable)")->type_name("KEY=VALUE");
  cl->add_flag("--mock", client.mock, "librdkafka's mock cluster (the default without --bootstrap)");
  cl->add_option("--bootstrap", client.bootstrap, "A real cluster's bootstrap servers")->type_name("HOST:PORT");
  cl->add_option("--topic", client.topic, "Topic (default: kdc on the mock, a fresh kdc-client-* on a cluster)");
  cl->add_option("--messages", client.messages, "Messages the producer sends")->capture_default_str()
      ->check(CLI::Range(1, 10000000));
  cl->add_option("--duration", client.duration, "Bound on the whole run: 30s, 500ms, 2m")->capture_default_str()
      ->type_name("D");
  cl->add_option("--seed", client.seed, "Seed of the fault schedule")->capture_default_str();
  cl->add_option("--faults", client.faults, "none, or KIND[*N],... (default: from the fault.* budget)")
      ->type_name("LIST");
  cl->add_option("--history", client.history, "Write the history: .edn (Jepsen) or .jsonl")->type_name("OUT");
  cl->add_option("--require", client.require, "Exit 1 if this run shows an effect that breaks it")
      ->type_name("exactly-once|at-least-once|at-most-once");
  cl->add_flag("!--no-model", client.model, "Do not ask the model whether the effects seen are allowed");
  cl->add_flag("--json", client.json, "One JSON object");
  cl->add_flag("--quiet", client.quiet, "No progress lines on stderr");

  bool markdown = false;
  CLI::App* k = app.add_subcommand("keys", "List the configuration keys kdc knows");
  k->add_flag("--md", markdown, "Print docs/config-reference.md");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  if (c->parsed()) return kdc::run_check(check, std::cout, std::cerr);
  if (p->parsed()) return kdc::run_check(prove, std::cout, std::cerr);
  if (m->parsed()) return kdc::run_matrix(matrix, std::cout, std::cerr);
  if (a->parsed()) return kdc::run_advise(advise, std::cout, std::cerr);
  if (r->parsed()) return kdc::run_replay(replay, std::cout, std::cerr);
  if (ex->parsed()) return kdc::run_explain(explain, std::cout, std::cerr);
  if (k->parsed()) return kdc::run_keys(markdown, std::cout);
  if (rn->parsed()) return kdc::run_run(run, std::cout, std::cerr);
  if (hi->parsed()) return kdc::run_history(history, std::cout, std::cerr);
  if (rp->parsed()) return kdc::run_replication(replication, std::cout, std::cerr);
  if (cl->parsed()) return kdc::run_client(client, std::cout, std::cerr);
  return 2;
}
