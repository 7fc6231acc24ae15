// The configuration space kdc's guarantee table covers, and the two ways of classifying
// it: one explicit check per configuration, or one Z3 search with the configuration left
// symbolic, which answers for whole regions at once.
//
// A configuration is a producer profile × a broker profile × a consumer profile (each a
// few Kafka keys), on a shared base (3 brokers, one message per run, the fault budget).
// The Z3 search asks, for each guarantee half (nothing lost / nothing duplicated) and each
// configuration not yet decided, whether some run of at most `depth` steps breaks it. A
// run is replayed on the model for that configuration. When there is none, the unsat core
// names the keys that suffice, and every configuration agreeing on them is decided too:
// those cores are the regions where the guarantee holds.
#ifndef KDC_MODEL_SYMBOLIC_CONFIG_SPACE_H_
#define KDC_MODEL_SYMBOLIC_CONFIG_SPACE_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "model/checker/explicit_checker.h"
#include "model/effects.h"

namespace kdc {

struct Profile {
  std::string name;                   // "acks=all, idempotent"
  std::vector<std::string> settings;  // "key=value" overrides
  // The transactional producer and the transactional processor's consumer side: combined
  // only with each other (the pipeline is one application).
  bool transactional = false;
};

struct MatrixSpace {
  std::vector<std::string> base;  // overrides every configuration shares (shape, faults)
  std::vector<Profile> producer, broker, consumer;
};

// kdc's guarantee table. `fault_overrides` ("fault.*=N") replace the default budget.
MatrixSpace default_space(const std::vector<std::string>& fault_overrides);

struct MatrixRow {
  const Profile* producer;
  const Profile* broker;
  const Profile* consumer;
  Config config;
  std::map<std::string, std::string> settings;  // every profile key -> value in this row
};
// The valid combinations (Kafka's own rules: e.g. a transactional producer only with the
// transactional consumer profile), in table order. Invalid ones are skipped; `error` says
// if the base itself does not load.
std::vector<MatrixRow> matrix_rows(const MatrixSpace& space, std::string* error);

struct RowVerdict {
  EffectSet effects = 0;         // effects found (the shortest run of each replays on the model)
  bool complete = true;          // explicit: exhaustive; z3: covered up to `depth` steps only
  std::vector<Counterexample> counterexamples;
};

struct Region {                  // where one guarantee half holds, as key=value literals
  std::string half;              // "no-loss" or "no-duplicate"
  std::vector<std::pair<std::string, std::string>> literals;
  int rows = 0;                  // configurations of the table it covers
};

struct MatrixResult {
  std::vector<RowVerdict> verdicts;  // per row
  std::vector<Region> regions;       // z3 only
  double seconds = 0;
  uint64_t solver_queries = 0;       // z3 only
  std::vector<std::string> replay_failures;  // z3 only: encoding bugs (must stay empty)
};

MatrixResult classify_explicit(const std::vector<MatrixRow>& rows);
MatrixResult classify_z3(const std::vector<MatrixRow>& rows, int depth);

}  // namespace kdc

#endif  // KDC_MODEL_SYMBOLIC_CONFIG_SPACE_H_
