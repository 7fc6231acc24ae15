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
D_proc (processed twice), R (reordered).

FILES are Java .properties files, merged in order (later wins): your producer, broker,
topic and consumer settings, plus app.* (what your application does on errors, restarts
and commits) and fault.* (which faults to consider). 'kdc keys' lists every key.

Examples:
  kdc check examples/textbook-at-least-once/*.properties
  kdc check producer.properties server.properties --set acks=1 --require at-least-once
  kdc check my.properties --json --out traces/ --set fault.max.total=2

Exit status: 0 the analysis ran (and --require holds), 1 --require does not hold,
2 bad input or usage (the message names file, line and key).)";

constexpr const char* kReplayHelp = R"(
Replays a JSONL trace (from 'kdc check --out', or recorded by the implementation) on the
model: every event must be a step the model allows. Prints the story, the effects the run
shows, and, on divergence, the first illegal step and what the model allowed instead.
Exit status: 0 legal, 1 diverges (or the claimed effect does not show), 2 unreadable.)";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kdc: tells, with proof, which delivery guarantee a Kafka configuration gives"};
  app.require_subcommand(1);
  app.footer("Run 'kdc <command> --help' for details. Docs: README.md and docs/.");

  kdc::CheckArgs check;
  CLI::App* c = app.add_subcommand("check", "Classify a configuration: exactly-once, at-least-once, at-most-once or none");
  c->footer(kCheckHelp);
  c->add_option("files", check.files, "Java .properties files, merged in order");
  c->add_option("--set", check.overrides, "Override a key: --set acks=1 (repeatable)")->type_name("KEY=VALUE");
  c->add_flag("--json", check.json, "Print one JSON object instead of the report");
  c->add_option("--require", check.require, "Exit 1 unless this guarantee holds")
      ->type_name("exactly-once|at-least-once|at-most-once");
  c->add_option("--out", check.out_dir, "Directory for counterexample traces")->capture_default_str();
  c->add_option("--messages", check.messages, "Messages the producer sends per run (model.messages)")
      ->check(CLI::Range(1, 4));
  c->add_option("--max-states", check.max_states, "Stop exploring beyond this many states")
      ->capture_default_str();
  c->add_flag("--quiet", check.quiet, "No progress lines on stderr");
  c->add_option("--threads", check.threads, "Worker threads (0: one per core); results are identical")
      ->capture_default_str();

  kdc::ReplayArgs replay;
  CLI::App* r = app.add_subcommand("replay", "Replay a trace on the model, step by step");
  r->footer(kReplayHelp);
  r->add_option("trace", replay.trace, "A JSONL trace")->required();
  r->add_flag("--json", replay.json, "Print one JSON object");
  r->add_flag("--states", replay.show_states, "Show the model state after every step");

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
  if (r->parsed()) return kdc::run_replay(replay, std::cout, std::cerr);
  if (k->parsed()) return kdc::run_keys(markdown, std::cout);
  return 2;
}
