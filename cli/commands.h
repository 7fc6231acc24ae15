// The kdc subcommands as functions, so tests reach everything without a process.
// Each returns the process exit code: 0 ran (and --require holds), 1 --require does not
// hold, 2 bad input or usage (the message names file, line and key).
#ifndef KDC_CLI_COMMANDS_H_
#define KDC_CLI_COMMANDS_H_

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace kdc {

struct CheckArgs {
  std::vector<std::string> files;
  std::vector<std::string> overrides;  // --set key=value
  bool json = false;
  std::string require;                 // "" or a guarantee name
  std::string out_dir = "kdc-out";     // counterexample traces go here
  int messages = 0;                    // 0: model.messages from the files
  uint64_t max_states = 50'000'000;
  bool quiet = false;                  // no progress on stderr
  int threads = 0;                     // 0: one per core
};
int run_check(const CheckArgs& args, std::ostream& out, std::ostream& err);

struct ReplayArgs {
  std::string trace;
  bool json = false;
  bool show_states = false;  // print the model state after every step
};
int run_replay(const ReplayArgs& args, std::ostream& out, std::ostream& err);

// docs/config-reference.md (markdown) or a plain key list.
int run_keys(bool markdown, std::ostream& out);

}  // namespace kdc

#endif  // KDC_CLI_COMMANDS_H_
