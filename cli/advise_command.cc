// kdc advise: from the user's configuration to the cheapest changes that reach a required
// guarantee. Candidates are combinations of the catalog's changes (each with a documented
// cost, docs/advise.md), tried cheapest first; each is verified by the explicit checker,
// and the proposals by the Z3 engine too, on runs of up to --z3-depth steps.
#include <algorithm>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>
#include <variant>

#include "cli/advise.h"
#include "cli/commands.h"
#include "model/checker/explicit_checker.h"
#include "model/symbolic/bmc.h"
#include "model/verdict.h"

namespace kdc {
namespace {

struct Change {
  std::vector<std::string> settings;  // applied together
  int cost;                           // docs/advise.md: what it costs in production
  const char* why;
  EffectSet fixes;                    // the effects it can remove (to skip irrelevant ones)
};

constexpr EffectSet kDup = kDuplicateEffects;
constexpr EffectSet kLoss = kLossEffects;

// The catalog. Costs: 1 a setting with no runtime cost, 2 some latency or availability,
// 3 throughput or storage, 5 an application redesign.
const std::vector<Change>& catalog() {
  static const std::vector<Change> changes = {
      {{"retries=2147483647"}, 1, "retry transient errors instead of failing the send", kLoss},
      {{"app.on.send.error=resend"}, 1, "the application sends again what failed for good", kLoss},
      {{"app.on.producer.restart=replay-unacked"}, 1, "after a producer crash, re-send what was not acknowledged", kLoss},
      {{"unclean.leader.election.enable=false"}, 2, "never elect an out-of-sync replica (availability: waits for an in-sync one)", kLoss},
      {{"eligible.leader.replicas.version=1"}, 1, "KIP-966: elect only replicas that had every committed record", kLoss},
      {{"acks=all"}, 2, "wait for every in-sync replica (latency of the slowest follower)", kLoss},
      {{"acks=all", "enable.idempotence=true"}, 2, "idempotent producer: retries cannot store a record twice (needs acks=all)", kDup | kLoss},
      {{"enable.idempotence=true"}, 1, "idempotent producer: retries cannot store a record twice", kDup},
      {{"min.insync.replicas=2"}, 2, "an acknowledged record is on two replicas (writes fail with one left)", kLoss},
      {{"default.replication.factor=3", "min.insync.replicas=2"}, 3, "three replicas, two in sync for every write (storage ×3)", kLoss},
      {{"log.flush.interval.messages=1"}, 3, "fsync every message: a power loss keeps what was acknowledged (disk latency)", kLoss},
      {{"enable.auto.commit=false", "app.commit=process-then-commit-sync"}, 2, "commit offsets only after processing (a commit per poll)", kLoss},
      {{"enable.auto.commit=false", "app.commit=commit-then-process"}, 2, "commit offsets before processing (a commit per poll)", kDup},
      {{"auto.offset.reset=earliest"}, 1, "with no valid offset, start from the beginning rather than the end", kLoss},
      {{"isolation.level=read_committed"}, 1, "never read records of aborted transactions", kDup},
      {{"enable.auto.commit=false", "app.commit=external-atomic"}, 5, "store each result and its offset in one write in the sink (the sink must support it)", kDup | kLoss},
      {{"transactional.id=kdc-advised", "acks=all", "enable.idempotence=true", "enable.auto.commit=false",
        "app.commit=transactional", "app.output.isolation.level=read_committed"},
       5, "consume-transform-produce in transactions, downstream reads read_committed", kDup | kLoss},
  };
  return changes;
}

struct Candidate {
  std::vector<int> changes;  // catalog indices
  int cost = 0;
};

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : " ") + x;
  return s;
}

}  // namespace

std::vector<std::pair<std::string, int>> advise_catalog() {
  std::vector<std::pair<std::string, int>> out;
  for (const Change& c : catalog()) out.push_back({c.settings[0], c.cost});
  return out;
}

std::variant<AdviseResult, ConfigError> advise(const std::vector<std::string>& files,
                                               const std::vector<std::string>& overrides,
                                               Guarantee required, const AdviseOptions& args) {
  std::vector<std::string> base = overrides;
  base.push_back("model.messages=" + std::to_string(args.messages));
  auto loaded = load_config(files, base);
  if (auto* e = std::get_if<ConfigError>(&loaded)) return *e;
  CheckOptions options;
  options.threads = 1;
  const CheckResult current = check(std::get<Config>(loaded), options);
  AdviseResult result;
  result.now = guarantee_of(current.effects);
  for (const Counterexample& cx : current.counterexamples) result.effects.push_back(cx.effect);
  EffectSet to_fix = 0;
  if (required == Guarantee::kAtLeastOnce || required == Guarantee::kExactlyOnce) to_fix |= current.effects & kLoss;
  if (required == Guarantee::kAtMostOnce || required == Guarantee::kExactlyOnce) to_fix |= current.effects & kDup;

  // Candidates: up to max_changes relevant catalog entries, cheapest first.
  std::vector<int> relevant;
  for (int i = 0; i < int(catalog().size()); ++i)
    if (catalog()[i].fixes & to_fix) relevant.push_back(i);
  std::vector<Candidate> candidates;
  std::vector<int> pick;
  auto build = [&](auto&& self, size_t from) -> void {
    if (!pick.empty()) {
      Candidate c{pick, 0};
      for (int i : pick) c.cost += catalog()[i].cost;
      candidates.push_back(c);
    }
    if (int(pick.size()) == args.max_changes) return;
    for (size_t i = from; i < relevant.size(); ++i) {
      pick.push_back(relevant[i]);
      self(self, i + 1);
      pick.pop_back();
    }
  };
  if (to_fix) build(build, 0);
  std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return a.cost != b.cost ? a.cost < b.cost : a.changes.size() < b.changes.size();
  });

  struct Proposal {
    Candidate candidate;
    Config config;
    CheckResult check;
  };
  std::vector<Proposal> proposals;
  int tried = 0;
  for (const Candidate& c : candidates) {
    if (proposals.size() >= 3) break;
    if (!proposals.empty() && c.cost > proposals[0].candidate.cost + 2) break;
    // A superset of a proposal is never smaller.
    bool superset = false;
    for (const Proposal& p : proposals)
      superset |= std::includes(c.changes.begin(), c.changes.end(), p.candidate.changes.begin(),
                                p.candidate.changes.end());
    if (superset) continue;
    std::vector<std::string> with = base;
    for (int i : c.changes) with.insert(with.end(), catalog()[i].settings.begin(), catalog()[i].settings.end());
    auto cfg = load_config(files, with);
    if (std::holds_alternative<ConfigError>(cfg)) continue;  // a combination Kafka rejects
    ++tried;
    if (args.on_progress && tried % 10 == 0) args.on_progress(tried);
    CheckResult r = check(std::get<Config>(cfg), options);
    if (!r.complete || r.bound_hits > 0 || !satisfies(guarantee_of(r.effects), required)) continue;
    proposals.push_back({c, std::get<Config>(cfg), std::move(r)});
  }
  result.candidates_checked = tried;
  // The second engine: Z3 on runs of up to z3_depth steps (its cost grows fast with depth:
  // docs/symbolic-engine.md).
  for (const Proposal& p : proposals) {
    ProveOptions po;
    po.depth = std::min(p.check.depth, args.z3_depth);
    po.unbounded = false;
    const ProveResult z3 = prove(p.config, po);
    AdviseProposal out;
    out.cost = p.candidate.cost;
    for (int i : p.candidate.changes)
      out.changes.push_back({catalog()[i].settings, catalog()[i].cost, catalog()[i].why});
    out.guarantee = guarantee_of(p.check.effects);
    out.states = p.check.states;
    out.z3_depth = z3.depth;
    out.z3_holds = z3.replay_failures.empty() && !z3.timed_out && satisfies(guarantee_of(z3.effects), required);
    result.proposals.push_back(std::move(out));
  }
  return result;
}

int run_advise(const AdviseArgs& args, std::ostream& out, std::ostream& err) {
  Guarantee required;
  if (!parse_guarantee(args.require, &required) || required == Guarantee::kNone) {
    err << "kdc advise: --require: expected exactly-once, at-least-once or at-most-once, not '" << args.require
        << "'\n";
    return 2;
  }
  AdviseOptions options;
  options.messages = args.messages;
  options.max_changes = args.max_changes;
  options.z3_depth = args.z3_depth;
  if (!args.quiet) options.on_progress = [&err](int tried) { err << "kdc advise: " << tried << " candidates checked\n"; };
  auto advised = advise(args.files, args.overrides, required, options);
  if (auto* e = std::get_if<ConfigError>(&advised)) {
    err << "kdc advise: " << e->str() << "\n";
    return 2;
  }
  const AdviseResult& result = std::get<AdviseResult>(advised);
  const Guarantee now = result.now;
  const int tried = result.candidates_checked;

  if (args.json) {
    nlohmann::ordered_json j;
    j["require"] = name(required);
    j["current"] = {{"guarantee", name(now)}, {"effects", nlohmann::json::array()}};
    for (Effect e : result.effects) j["current"]["effects"].push_back(name(e));
    j["proposals"] = nlohmann::json::array();
    for (const AdviseProposal& p : result.proposals) {
      nlohmann::ordered_json jp;
      jp["cost"] = p.cost;
      jp["changes"] = nlohmann::json::array();
      for (const AdviseChange& c : p.changes)
        jp["changes"].push_back({{"set", c.settings}, {"cost", c.cost}, {"why", c.why}});
      jp["guarantee"] = name(p.guarantee);
      jp["verified"] = {{"explicit", {{"states", p.states}, {"complete", true}}},
                        {"z3", {{"depth", p.z3_depth}, {"holds", p.z3_holds}}}};
      j["proposals"].push_back(jp);
    }
    j["candidates_checked"] = tried;
    j["messages"] = args.messages;
    out << j.dump() << "\n";
  } else {
    out << "Now: " << name(now);
    if (!result.effects.empty()) {
      out << " (";
      bool first = true;
      for (Effect e : result.effects) out << (first ? "" : ", ") << name(e), first = false;
      out << ")";
    }
    out << ". Required: " << name(required) << ".\n";
    if (satisfies(now, required)) {
      out << "Nothing to change: the configuration already gives it (runs of " << args.messages
          << " message" << (args.messages == 1 ? "" : "s") << ").\n";
    } else if (result.proposals.empty()) {
      out << "No combination of up to " << args.max_changes << " catalog changes reaches it (" << tried
          << " checked). See docs/advise.md for the catalog.\n";
    }
    int n = 0;
    for (const AdviseProposal& p : result.proposals) {
      out << "\nProposal " << ++n << " (cost " << p.cost << "):\n";
      for (const AdviseChange& c : p.changes)
        out << "  set " << joined(c.settings) << "\n      cost " << c.cost << ": " << c.why << "\n";
      out << "  verified: explicit checker, " << p.states << " states, exhaustive: " << name(p.guarantee)
          << "; Z3, runs up to " << p.z3_depth << " steps: "
          << (p.z3_holds ? "holds" : "DOES NOT HOLD (engine disagreement: please report)") << "\n";
    }
    if (!result.proposals.empty())
      out << "\nChecked with " << args.messages << " message" << (args.messages == 1 ? "" : "s")
          << " per run; confirm with: kdc check <your files> --set <changes> --require " << name(required) << "\n";
  }
  if (satisfies(now, required)) return 0;
  for (const AdviseProposal& p : result.proposals)
    if (!p.z3_holds) return 1;
  return result.proposals.empty() ? 1 : 0;
}

}  // namespace kdc
