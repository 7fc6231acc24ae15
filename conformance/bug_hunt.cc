#include "conformance/bug_hunt.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>
#include <variant>

#include "conformance/impl_reproduction.h"
#include "conformance/model_replay.h"
#include "model/checker/explicit_checker.h"

namespace kdc {
namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Every fault kind off but those named: a hunt looks where the bug lives, and a small
// fault budget keeps the model's exhaustive check to seconds.
std::vector<std::string> only_faults(const std::vector<std::string>& on, int max_total,
                                     bool transactional) {
  std::vector<std::string> kinds = {"request.timeout",  "delivery.timeout", "producer.crash",
                                    "broker.crash",     "broker.power.loss", "cluster.power.loss",
                                    "network.partition", "consumer.crash",   "consumer.rebalance",
                                    "offset.loss"};
  if (transactional) {
    kinds.push_back("transaction.timeout");
    kinds.push_back("producer.zombie");
  }
  std::vector<std::string> out;
  for (const std::string& k : kinds) {
    std::string value = "0";
    for (const std::string& o : on) {
      if (o.rfind(k + "=", 0) == 0) value = o.substr(k.size() + 1);
    }
    out.push_back("fault." + k + "=" + value);
  }
  out.push_back("fault.max.total=" + std::to_string(max_total));
  return out;
}

std::vector<std::string> join(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// (Functions, not globals: the catalogue may be built during another file's static
// initialisation, as the benchmark's registration does.)
// A durable at-least-once pipeline: acks=all, idempotence, RF 3, min.insync.replicas=2,
// process-then-commit. The model allows no loss for it under any single fault.
std::vector<std::string> kDurable() {
  return {
    "acks=all",
    "enable.idempotence=true",
    "retries=2147483647",
    "max.in.flight.requests.per.connection=5",
    "replication.factor=3",
    "min.insync.replicas=2",
    "unclean.leader.election.enable=false",
    "enable.auto.commit=false",
    "auto.offset.reset=earliest",
    "app.on.send.error=resend",
    "app.on.producer.restart=replay-unacked",
    "app.processing=sync",
    "app.commit=process-then-commit-sync",
  };
}

// The exactly-once pipeline of examples/exactly-once-pipeline.
std::vector<std::string> kExactlyOnce() {
  return {
    "transactional.id=orders-enricher-0",
    "transaction.timeout.ms=60000",
    "acks=all",
    "enable.idempotence=true",
    "replication.factor=3",
    "min.insync.replicas=2",
    "unclean.leader.election.enable=false",
    "enable.auto.commit=false",
    "isolation.level=read_committed",
    "auto.offset.reset=earliest",
    "app.commit=transactional",
    "app.on.txn.abort=rewind",
    "app.output.isolation.level=read_committed",
  };
}

// A transactional producer application (examples/eos-producer-app-zombie).
std::vector<std::string> kTransactionalWriter() {
  return {
    "transactional.id=payments-writer",
    "acks=all",
    "enable.idempotence=true",
    "replication.factor=3",
    "min.insync.replicas=2",
    "unclean.leader.election.enable=false",
    "enable.auto.commit=false",
    "isolation.level=read_committed",
    "app.on.send.error=resend",
    "app.on.producer.restart=replay-unacked",
    "app.commit=external-atomic",
  };
}

std::vector<BugHuntSpec> make_catalogue() {
  std::vector<BugHuntSpec> c;
  c.push_back({"hw_before_isr",
               "acks=all is answered before the followers have the record: a leader crash loses it (L_ack)",
               join(kDurable(), only_faults({"broker.crash=1"}, 1, false)),
               {"acks=1", "enable.idempotence=false"},
               2});
  c.push_back({"truncate_to_hw",
               "a new follower truncates acknowledged records above its stale high watermark, then is "
               "elected (L_ack; KIP-101's first scenario)",
               join(join(kDurable(), {"kafka.version=2.1", "min.insync.replicas=1"}),
                    only_faults({"broker.crash=2"}, 2, false)),
               {"kafka.version=0.10.2", "enable.idempotence="},
               1});
  c.push_back({"commit_before_process",
               "a consumer crash between the early commit and processing skips the batch (L_skip)",
               join(kDurable(), only_faults({"consumer.crash=1"}, 1, false)),
               {"app.commit=commit-then-process"},
               2});
  c.push_back({"skip_sequence_check",
               "a retried idempotent batch is stored twice (D_int)",
               join(kDurable(), only_faults({"request.timeout=1"}, 1, false)),
               {"enable.idempotence=false"},
               2});
  c.push_back({"fetch_past_hw",
               "a consumer reads a record above the high watermark, which the followers may not "
               "have: a leader crash then takes from the log a record already processed",
               join(kDurable(), only_faults({"broker.crash=1"}, 1, false)),
               {"acks=1", "enable.idempotence=false"},
               2});
  // Kafka 3.5: from 3.6 the leader verifies a transactional write with the coordinator
  // first (KIP-890 part 1), which turns the zombie's late write away with
  // INVALID_TXN_STATE before the epoch is looked at, so the missing fence shows only
  // in a release without that verification.
  c.push_back({"no_epoch_fencing",
               "a zombie transactional producer's write after its transaction was aborted is "
               "appended instead of fenced (INVALID_PRODUCER_EPOCH)",
               join(join(kTransactionalWriter(), {"kafka.version=3.5"}),
                    only_faults({"producer.zombie=1"}, 1, true)),
               {"app.commit=process-then-commit-sync", "isolation.level=read_uncommitted"},
               2});
  return c;
}

EffectSet effects_of(const impl::RunReport& r) {
  EffectSet s = 0;
  for (const auto& [n, count] : r.effects) {
    Effect e;
    if (count > 0 && parse_effect(n, &e)) s |= bit(e);
  }
  return s;
}

std::string first_effect_name(EffectSet s) {
  for (int i = 0; i < static_cast<int>(Effect::kCount); ++i) {
    if (s & bit(static_cast<Effect>(i))) return std::string(name(static_cast<Effect>(i)));
  }
  return "";
}

nlohmann::json fault_to_json(const impl::DirectedFault& f) {
  nlohmann::json j;
  j["fault"] = std::string(name(f.fault));
  j["broker"] = f.broker;
  j["after"] = nlohmann::json::parse(to_json_line(f.after, 0));
  j["occurrence"] = f.occurrence;
  j["heal_after"] = f.heal_after;
  j["count"] = f.count;
  return j;
}

bool fault_from_json(const nlohmann::json& j, impl::DirectedFault* f, std::string* error) {
  if (!parse_event_type(j.at("fault").get<std::string>(), &f->fault)) {
    *error = "unknown fault " + j.at("fault").dump();
    return false;
  }
  f->broker = j.at("broker").get<int>();
  if (!from_json_line(j.at("after").dump(), &f->after, error)) return false;
  f->occurrence = j.at("occurrence").get<int>();
  f->heal_after = j.at("heal_after").get<impl::Millis>();
  f->count = j.at("count").get<int>();
  return true;
}

// Runs tried so far, and the clock, shared by the searches of one hunt.
struct Budget {
  int used = 0;
  int limit = 0;
  bool left() const { return used < limit; }
};

}  // namespace

const std::vector<BugHuntSpec>& seeded_bug_catalogue() {
  static const std::vector<BugHuntSpec> c = make_catalogue();
  return c;
}

const BugHuntSpec* find_bug_spec(std::string_view bug) {
  for (const BugHuntSpec& s : seeded_bug_catalogue()) {
    if (s.bug == bug) return &s;
  }
  return nullptr;
}

std::string effects_names(EffectSet s) {
  std::string out;
  for (int i = 0; i < static_cast<int>(Effect::kCount); ++i) {
    if (!(s & bit(static_cast<Effect>(i)))) continue;
    if (!out.empty()) out += ", ";
    out += name(static_cast<Effect>(i));
  }
  return out.empty() ? "none" : out;
}

std::string recipe_to_json(const HuntRecipe& r) {
  nlohmann::json j;
  j["bug"] = r.bug;
  j["messages"] = r.messages;
  j["seed"] = r.seed;
  j["faults"] = r.directed ? "directed" : "plan";
  nlohmann::json fs = nlohmann::json::array();
  for (const impl::DirectedFault& f : r.faults) fs.push_back(fault_to_json(f));
  j["directed"] = fs;
  return j.dump();
}

bool recipe_from_json(std::string_view text, HuntRecipe* out, std::string* error) {
  try {
    nlohmann::json j = nlohmann::json::parse(text);
    HuntRecipe r;
    r.bug = j.at("bug").get<std::string>();
    r.messages = j.at("messages").get<int>();
    r.seed = j.at("seed").get<uint64_t>();
    r.directed = j.at("faults").get<std::string>() == "directed";
    for (const nlohmann::json& f : j.at("directed")) {
      impl::DirectedFault d;
      if (!fault_from_json(f, &d, error)) return false;
      r.faults.push_back(d);
    }
    *out = r;
    return true;
  } catch (const std::exception& e) {
    *error = std::string("recipe: ") + e.what();
    return false;
  }
}

bool recipe_from_note(const std::string& note, HuntRecipe* out, std::string* error) {
  const std::string key = "recipe: ";
  size_t at = note.find(key);
  if (at == std::string::npos) {
    *error = "the note holds no recipe";
    return false;
  }
  return recipe_from_json(std::string_view(note).substr(at + key.size()), out, error);
}

std::variant<Config, ConfigError> spec_config(const BugHuntSpec& spec,
                                              const std::vector<std::string>& extra, int messages) {
  // "key=" in `extra` removes the key (a neighbour in a release that lacks it).
  std::vector<std::string> overrides;
  for (const std::string& s : spec.settings) {
    const std::string key = s.substr(0, s.find('='));
    bool removed = false;
    for (const std::string& e : extra) removed = removed || e == key + "=";
    if (!removed) overrides.push_back(s);
  }
  for (const std::string& e : extra) {
    if (e.back() != '=') overrides.push_back(e);
  }
  overrides.push_back("model.messages=" + std::to_string(messages));
  return load_config_text({}, overrides);
}

Allowed allowed_effects(const Config& config) {
  Allowed a;
  auto t0 = Clock::now();
  CheckResult r = check(config, CheckOptions{});
  a.seconds = since(t0);
  a.effects = r.effects;
  a.complete = r.complete;
  for (const Counterexample& c : r.counterexamples) a.counterexamples.push_back(c.events);
  return a;
}

RecipeRun run_recipe(const Config& config, const HuntRecipe& recipe, bool bug_on,
                     EffectSet allowed, bool replay) {
  impl::RunOptions run;
  run.timings.batch_records = 1;
  run.seed = recipe.seed;
  run.deterministic = true;
  run.messages = recipe.messages;
  run.duration_ms = 600'000;  // virtual: a directed fault whose step never comes ends it
  if (recipe.directed) {
    run.directed_faults = recipe.faults;
    // A directed recipe whose faults were all shrunk away is a fault-free run.
    if (recipe.faults.empty()) run.inject_faults = false;
  }
  if (bug_on) impl::enable_seeded_bug(&run.bugs, recipe.bug);
  Config c = config;
  c.messages = recipe.messages;
  impl::Cluster cluster(c, run);
  RecipeRun out;
  out.report = cluster.run();
  out.events = cluster.trace().events();
  out.shown = effects_of(out.report);
  // A run cut at its deadline has not judged its losses: only settled runs count.
  if (out.report.quiesced) {
    out.forbidden = out.shown & static_cast<EffectSet>(~allowed);
    out.unexplained = out.report.unexplained_losses > 0;
  }
  if (replay) {
    ReplayResult r = replay_impl_trace(c, out.events);
    out.diverged = !r.ok;
    out.diverged_at = r.failed_step;
    if (!r.ok) out.divergence = r.error.substr(0, r.error.find('\n'));
  }
  return out;
}

bool divergence_is_the_bugs(const RecipeRun& on, const RecipeRun& off) {
  if (!on.diverged) return false;
  if (!off.diverged) return true;
  const size_t before = static_cast<size_t>(on.diverged_at - 1);
  return off.diverged_at > on.diverged_at && on.events.size() >= before &&
         off.events.size() >= before &&
         std::equal(on.events.begin(), on.events.begin() + static_cast<long>(before),
                    off.events.begin());
}

namespace {

// A divergence counts as the bug's only when the same recipe without the bug does not
// diverge there (divergence_is_the_bugs) and settles: a recipe the harness cannot finish
// without the bug (a processor fenced for good by a transaction timeout stops) is no
// clean reference.
bool caught_by_the_bug(const Config& config, const HuntRecipe& recipe, EffectSet allowed,
                       const RecipeRun& with_bug) {
  if (with_bug.forbidden != 0 || with_bug.unexplained) return true;
  if (!with_bug.diverged) return false;
  RecipeRun off = run_recipe(config, recipe, /*bug_on=*/false, allowed, /*replay=*/true);
  return off.report.quiesced && divergence_is_the_bugs(with_bug, off);
}

}  // namespace

HuntResult hunt_seeded_bug(const BugHuntSpec& spec, const HuntOptions& options) {
  HuntResult h;
  h.bug = spec.bug;
  impl::SeededBugs probe;
  if (!impl::enable_seeded_bug(&probe, spec.bug)) {
    h.error = "unknown seeded bug '" + spec.bug + "'";
    return h;
  }
  // The model's verdicts, per number of messages (minimising may lower it).
  std::map<int, Allowed> allowed;
  auto allowed_for = [&](int messages, Config* config) -> const Allowed* {
    auto loaded = spec_config(spec, {}, messages);
    if (auto* e = std::get_if<ConfigError>(&loaded)) {
      h.error = "the configuration: " + e->str();
      return nullptr;
    }
    *config = std::get<Config>(loaded);
    auto it = allowed.find(messages);
    if (it == allowed.end()) {
      it = allowed.emplace(messages, allowed_effects(*config)).first;
      h.model_seconds += it->second.seconds;
    }
    return &it->second;
  };
  Config config;
  const Allowed* base = allowed_for(spec.messages, &config);
  if (base == nullptr) return h;
  h.config = config;
  h.allowed = base->effects;
  h.model_complete = base->complete;

  // Where to place faults: the counterexamples of this configuration and of its neighbour.
  std::vector<std::vector<impl::DirectedFault>> plans;
  auto add_plans = [&](const std::vector<std::vector<Event>>& cexs) {
    for (const std::vector<Event>& events : cexs) {
      std::vector<impl::DirectedFault> p = directed_faults_of(events, options.heal_after);
      if (p.empty()) continue;
      bool seen = false;
      for (const auto& q : plans) {
        seen = seen || recipe_to_json({"", 0, 0, true, q}) == recipe_to_json({"", 0, 0, true, p});
      }
      if (!seen) plans.push_back(p);
    }
  };
  add_plans(base->counterexamples);
  if (!spec.neighbour.empty()) {
    auto n = spec_config(spec, spec.neighbour, spec.messages);
    if (auto* e = std::get_if<ConfigError>(&n)) {
      h.error = "the neighbouring configuration: " + e->str();
      return h;
    }
    Allowed na = allowed_effects(std::get<Config>(n));
    h.model_seconds += na.seconds;
    add_plans(na.counterexamples);
  }
  h.directed_plans = static_cast<int>(plans.size());
  if (options.verbose) {
    std::string s;
    for (const auto& [k, v] : effective_settings(config)) s += " " + k + "=" + v;
    std::fprintf(stderr, "hunt %s: allowed %s; %d placements;%s\n", spec.bug.c_str(),
                 effects_names(h.allowed).c_str(), h.directed_plans, s.c_str());
  }

  // The hunt: strategies in turn (the seeded plan, then each placement), seeds in turn.
  auto t0 = Clock::now();
  const int strategies = static_cast<int>(plans.size()) + 1;
  for (int i = 0; i < options.max_runs && !h.caught; ++i) {
    HuntRecipe r;
    r.bug = spec.bug;
    r.messages = spec.messages;
    r.seed = 1 + static_cast<uint64_t>(i / strategies);
    int s = i % strategies;
    if (s > 0) {
      r.directed = true;
      r.faults = plans[static_cast<size_t>(s - 1)];
    }
    RecipeRun run = run_recipe(config, r, /*bug_on=*/true, base->effects, options.replay);
    ++h.runs;
    if (options.verbose) {
      std::fprintf(stderr, "hunt %s run %d: %s seed %llu: %s%s, shows %s\n", spec.bug.c_str(), h.runs,
                   r.directed ? "directed" : "plan", static_cast<unsigned long long>(r.seed),
                   run.report.quiesced ? "settled" : "NOT settled",
                   r.directed ? (" after " + std::string(name(r.faults[0].after.type))).c_str() : "",
                   effects_names(run.shown).c_str());
      if (!run.report.quiesced && std::getenv("KDC_HUNT_DUMP") != nullptr) {
        for (size_t k = 0; k < run.events.size(); ++k) {
          std::fprintf(stderr, "  %s\n", to_json_line(run.events[k], static_cast<int>(k + 1)).c_str());
        }
      }
    }
    if (run.caught() && caught_by_the_bug(config, r, base->effects, run)) {
      h.caught = true;
      h.first = r;
      h.minimal = r;
      h.minimal_run = std::move(run);
    }
  }
  h.hunt_seconds = since(t0);
  if (!h.caught) return h;

  // Minimise: fewer messages, fewer faults, a smaller seed, each while still caught
  // against the model's verdict for the smaller run.
  auto t1 = Clock::now();
  Budget budget{0, options.max_minimise_runs};
  auto caught_with = [&](const HuntRecipe& r, RecipeRun* out) {
    Config c;
    const Allowed* a = allowed_for(r.messages, &c);
    if (a == nullptr || !budget.left()) return false;
    ++budget.used;
    RecipeRun run = run_recipe(c, r, true, a->effects, options.replay);
    if (!run.caught() || !caught_by_the_bug(c, r, a->effects, run)) return false;
    *out = std::move(run);
    return true;
  };
  // Tries `candidate` under seeds 1..n (its own seed first); keeps the first catch.
  auto try_seeds = [&](HuntRecipe candidate) {
    RecipeRun run;
    for (int s = 0; s <= options.seeds_per_shrink && budget.left(); ++s) {
      if (s > 0) candidate.seed = static_cast<uint64_t>(s);
      if (caught_with(candidate, &run)) {
        h.minimal = candidate;
        h.minimal_run = std::move(run);
        return true;
      }
    }
    return false;
  };
  if (options.minimise) {
    for (int m = 1; m < h.minimal.messages && budget.left(); ++m) {
      HuntRecipe c = h.minimal;
      c.messages = m;
      if (try_seeds(c)) break;
    }
    bool shrunk = h.minimal.directed;
    while (shrunk && budget.left()) {
      shrunk = false;
      for (size_t k = 0; k < h.minimal.faults.size() && !shrunk; ++k) {
        HuntRecipe c = h.minimal;
        c.faults.erase(c.faults.begin() + static_cast<long>(k));
        shrunk = try_seeds(c);
      }
    }
    for (uint64_t s = 1; s < h.minimal.seed && budget.left(); ++s) {
      HuntRecipe c = h.minimal;
      c.seed = s;
      RecipeRun run;
      if (caught_with(c, &run)) {
        h.minimal = c;
        h.minimal_run = std::move(run);
        break;
      }
    }
  }
  h.minimise_runs = budget.used;
  h.minimise_seconds = since(t1);

  Config minimal_config;
  const Allowed* a = allowed_for(h.minimal.messages, &minimal_config);
  if (a == nullptr) return h;
  h.config = minimal_config;
  h.allowed = a->effects;
  h.model_complete = a->complete;
  const RecipeRun& m = h.minimal_run;
  h.effect = m.forbidden != 0 ? first_effect_name(m.forbidden)
             : m.unexplained  ? "unexplained"
                              : "replay divergence";
  h.caught_by = m.forbidden != 0 ? "forbidden effect " + effects_names(m.forbidden)
                : m.unexplained  ? "unexplained loss"
                                 : "replay divergence at event " + std::to_string(m.diverged_at) +
                                       ": " + m.divergence;
  if (options.check_without_bug) {
    RecipeRun off = run_recipe(minimal_config, h.minimal, /*bug_on=*/false, a->effects,
                               options.replay);
    h.without_bug_forbidden = off.forbidden;
    // Clean on the channel that caught it: effects for an effect catch, the replay for a
    // divergence (the replay has known gaps of its own: docs/conformance.md).
    h.without_bug_clean = m.forbidden != 0 || m.unexplained
                              ? off.forbidden == 0 && !off.unexplained
                              : off.report.quiesced && off.forbidden == 0 &&
                                    !off.unexplained && divergence_is_the_bugs(m, off);
  }
  h.trace.header.source = "impl";
  h.trace.header.effect = m.forbidden != 0 ? h.effect : "";
  h.trace.header.config = effective_settings(minimal_config);
  h.trace.header.note = "seeded bug " + h.bug + " (" + spec.breaks + "): the run shows " +
                        effects_names(m.shown) + "; the model allows only " +
                        effects_names(h.allowed) + " for this configuration; recipe: " +
                        recipe_to_json(h.minimal);
  h.trace.events = m.events;
  return h;
}

}  // namespace kdc
