// kdc advise as a function, for the command and for kdc check --html's "smallest fixes":
// from a configuration to the cheapest catalog changes (cli/advise_command.cc,
// docs/advise.md) that reach a required guarantee, each verified by the explicit checker
// and re-checked by the Z3 engine.
#ifndef KDC_CLI_ADVISE_H_
#define KDC_CLI_ADVISE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "model/verdict.h"
#include "model/vocabulary/config.h"

namespace kdc {

struct AdviseOptions {
  int messages = 1;     // the bound candidates are checked at
  int max_changes = 3;
  int z3_depth = 8;     // Z3 re-checks each proposal on runs this long
  std::function<void(int tried)> on_progress;  // every tenth candidate checked
};

struct AdviseChange {
  std::vector<std::string> settings;  // applied together
  int cost = 0;
  std::string why;
};

struct AdviseProposal {
  int cost = 0;
  std::vector<AdviseChange> changes;
  Guarantee guarantee = Guarantee::kNone;  // what the explicit checker found with them
  uint64_t states = 0;
  int z3_depth = 0;
  bool z3_holds = false;  // false: the engines disagree (a bug to report)
};

struct AdviseResult {
  Guarantee now = Guarantee::kNone;
  std::vector<Effect> effects;  // the configuration's, in Effect order
  std::vector<AdviseProposal> proposals;  // at most three, cheapest first
  int candidates_checked = 0;
};

std::variant<AdviseResult, ConfigError> advise(const std::vector<std::string>& files,
                                               const std::vector<std::string>& overrides,
                                               Guarantee required, const AdviseOptions& options);

}  // namespace kdc

#endif  // KDC_CLI_ADVISE_H_
