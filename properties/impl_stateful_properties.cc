// Stateful property testing of the implementation against the model (rc::state).
//
// A case is a configuration profile, the producer application's pace, a vector of
// scheduler choices and a sequence of commands: let time pass, run a few work items, crash / restart a broker,
// partition / heal a broker, crash / restart the producer or the consumer, rebalance the
// group, slow the leader's link to the producer (a request timeout). The deterministic
// runtime takes every scheduling decision and random draw from the choice vector
// (make_deterministic_runtime_with_choices), so when RapidCheck shrinks a failing case it
// shrinks the interleaving together with the commands. The producer application sends
// the profile's messages at its own pace (a generated interval): sends are its thread's,
// as in Kafka, and the Wait commands interleave faults with them.
//
// The property: after the commands every fault is healed and the run settles; the effects
// it shows must be among those the model allows for the profile's configuration (the
// explicit checker, computed once per profile). The commands respect the configuration's
// fault budget, so the model's verdict covers them.
//
// With a seeded bug the property also has the conformance suite's second oracle: the run's
// trace must replay on the model (conformance/model_replay.h), unless the same case without
// the bug diverges there too (divergence_is_the_bugs, conformance/bug_hunt.h: the replay
// has gaps of its own, docs/conformance.md §5, which are not the bug's). A bug whose effect
// needs a fault in a narrow window is then still caught where its first wrong step shows.
//
//   ImplStateful.EffectsAreAmongTheModelsAllowed   the property (modest count by default)
//   ImplStateful.SavedBugCasesStillFail            traces/bugs/stateful-*.jsonl, re-run with
//                                                  the bug on (caught) and off (clean)
//   ImplStateful.SeededBugIsFoundAndShrunk         opt-in: KDC_BUG_DEMO=1 (expected to fail
//                                                  the property; writes the minimal case)
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "conformance/bug_hunt.h"
#include "conformance/model_replay.h"
#include "impl/cluster/cluster.h"
#include "model/vocabulary/trace.h"

namespace kdc {
namespace {

// ---- Profiles: configurations whose model check takes about a second ----

struct Profile {
  std::string name;
  std::vector<std::string> settings;
};

const std::vector<Profile>& profiles() {
  static const std::vector<Profile> p = {
      {"durable",
       {"acks=all", "enable.idempotence=true", "retries=2147483647", "replication.factor=3",
        "min.insync.replicas=2", "unclean.leader.election.enable=false", "enable.auto.commit=false",
        "auto.offset.reset=earliest", "app.on.send.error=resend",
        "app.on.producer.restart=replay-unacked", "app.commit=process-then-commit-sync",
        "fault.delivery.timeout=0", "fault.broker.power.loss=0", "fault.cluster.power.loss=0",
        "fault.offset.loss=0", "fault.max.total=1", "model.messages=1"}},
      {"fire-and-forget",
       {"acks=1", "enable.idempotence=false", "retries=0", "replication.factor=3",
        "min.insync.replicas=1", "enable.auto.commit=false", "auto.offset.reset=latest",
        "app.on.send.error=drop", "app.on.producer.restart=skip", "app.commit=commit-then-process",
        "fault.delivery.timeout=0", "fault.broker.power.loss=0", "fault.cluster.power.loss=0",
        "fault.offset.loss=0", "fault.max.total=1", "model.messages=2"}},
  };
  return p;
}

Config profile_config(const std::vector<std::string>& settings) {
  return std::get<Config>(load_config_text({}, settings));
}

// The model's verdict, once per configuration.
EffectSet allowed_for(const Config& config, const std::string& key) {
  static std::map<std::string, EffectSet> cache;
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, allowed_effects(config).effects).first;
  return it->second;
}

// ---- Commands, as text so that a saved case can be applied again ----

// Applies one command ("crash_broker 1", "wait 250", ...) to the cluster.
void apply_command(impl::Cluster& c, const std::string& text) {
  std::istringstream in(text);
  std::string op;
  long long arg = 0;
  in >> op >> arg;
  const int b = static_cast<int>(arg);
  if (op == "wait") c.run_to(c.now() + arg);
  else if (op == "steps") c.run_steps(b);
  else if (op == "crash_broker") c.crash_broker(b);
  else if (op == "restart_broker") c.restart_broker(b);
  else if (op == "partition_broker") c.partition_broker(b);
  else if (op == "heal_broker") c.heal_broker(b);
  else if (op == "crash_producer") c.crash_producer();
  else if (op == "restart_producer") c.restart_producer();
  else if (op == "crash_consumer") c.crash_consumer();
  else if (op == "restart_consumer") c.restart_consumer();
  else if (op == "rebalance") c.rebalance_consumer();
  else if (op == "slow_link") c.slow_producer_to_leader(30'000 + 1000, 1000);
}

struct Model {
  int faults_left = 1;
  std::set<int> down;       // crashed brokers
  std::set<int> isolated;   // partitioned brokers
  bool producer_down = false;
  bool consumer_down = false;
};

struct Sut {
  impl::Cluster* cluster = nullptr;
  std::vector<std::string> applied;
};

using Cmd = rc::state::Command<Model, Sut>;

// A command that is one of the model's faults, on broker `b` where it names one.
struct Fault : Cmd {
  std::string op;
  int b = 0;
  Fault(std::string o, int broker) : op(std::move(o)), b(broker) {}
  void checkPreconditions(const Model& m) const override {
    RC_PRE(m.faults_left > 0);
    if (op == "crash_broker") RC_PRE(!m.down.count(b) && !m.isolated.count(b));
    if (op == "partition_broker") RC_PRE(!m.down.count(b) && !m.isolated.count(b));
    if (op == "crash_producer") RC_PRE(!m.producer_down);
    if (op == "crash_consumer") RC_PRE(!m.consumer_down);
  }
  void apply(Model& m) const override {
    --m.faults_left;
    if (op == "crash_broker") m.down.insert(b);
    if (op == "partition_broker") m.isolated.insert(b);
    if (op == "crash_producer") m.producer_down = true;
    if (op == "crash_consumer") m.consumer_down = true;
  }
  void run(const Model&, Sut& s) const override {
    const std::string text = op + " " + std::to_string(b);
    apply_command(*s.cluster, text);
    s.applied.push_back(text);
  }
  void show(std::ostream& os) const override { os << op << "(" << b << ")"; }
};

struct CrashBroker : Fault {
  CrashBroker() : Fault("crash_broker", *rc::gen::inRange(0, 3)) {}
};
struct PartitionBroker : Fault {
  PartitionBroker() : Fault("partition_broker", *rc::gen::inRange(0, 3)) {}
};
struct CrashProducer : Fault {
  CrashProducer() : Fault("crash_producer", 0) {}
};
struct CrashConsumer : Fault {
  CrashConsumer() : Fault("crash_consumer", 0) {}
};
struct Rebalance : Fault {
  Rebalance() : Fault("rebalance", 0) {}
};
struct SlowLink : Fault {
  SlowLink() : Fault("slow_link", 0) {}
};

// Healing: not a fault.
struct Heal : Cmd {
  std::string op;
  int b = 0;
  Heal(std::string o, int broker) : op(std::move(o)), b(broker) {}
  void checkPreconditions(const Model& m) const override {
    if (op == "restart_broker") RC_PRE(m.down.count(b) > 0);
    if (op == "heal_broker") RC_PRE(m.isolated.count(b) > 0);
    if (op == "restart_producer") RC_PRE(m.producer_down);
    if (op == "restart_consumer") RC_PRE(m.consumer_down);
  }
  void apply(Model& m) const override {
    if (op == "restart_broker") m.down.erase(b);
    if (op == "heal_broker") m.isolated.erase(b);
    if (op == "restart_producer") m.producer_down = false;
    if (op == "restart_consumer") m.consumer_down = false;
  }
  void run(const Model&, Sut& s) const override {
    const std::string text = op + " " + std::to_string(b);
    apply_command(*s.cluster, text);
    s.applied.push_back(text);
  }
  void show(std::ostream& os) const override { os << op << "(" << b << ")"; }
};
struct RestartBroker : Heal {
  RestartBroker() : Heal("restart_broker", *rc::gen::inRange(0, 3)) {}
};
struct HealBroker : Heal {
  HealBroker() : Heal("heal_broker", *rc::gen::inRange(0, 3)) {}
};
struct RestartProducer : Heal {
  RestartProducer() : Heal("restart_producer", 0) {}
};
struct RestartConsumer : Heal {
  RestartConsumer() : Heal("restart_consumer", 0) {}
};

// A few work items of whichever threads the scripted scheduler picks: faults can then fall
// between two steps of one millisecond.
struct Steps : Cmd {
  int n = *rc::gen::inRange(0, 40);
  void run(const Model&, Sut& s) const override {
    const std::string text = "steps " + std::to_string(n);
    apply_command(*s.cluster, text);
    s.applied.push_back(text);
  }
  void show(std::ostream& os) const override { os << "steps(" << n << ")"; }
};

struct Wait : Cmd {
  int ms = *rc::gen::inRange(0, 4000);
  void run(const Model&, Sut& s) const override {
    const std::string text = "wait " + std::to_string(ms);
    apply_command(*s.cluster, text);
    s.applied.push_back(text);
  }
  void show(std::ostream& os) const override { os << "wait(" << ms << ")"; }
};

// ---- One case ----

struct CaseResult {
  EffectSet allowed = 0;
  EffectSet shown = 0;
  EffectSet forbidden = 0;
  bool quiesced = false;
  int unexplained = 0;
  std::vector<Event> events;
  // The replay oracle (judged only with a seeded bug): the trace diverges, and the same
  // case without the bug does not diverge there.
  RecipeRun replay;         // events, diverged, diverged_at, divergence
  bool bugs_divergence = false;
  bool caught() const { return forbidden != 0 || unexplained > 0 || bugs_divergence; }
};

impl::RunOptions case_options(const std::vector<uint32_t>& choices, int send_interval,
                              const std::string& bug) {
  impl::RunOptions o;
  o.scripted = true;
  o.choices = choices;
  o.inject_faults = false;  // the commands are the faults
  o.duration_ms = 600'000;
  o.timings.app_send_interval_ms = send_interval;
  if (!bug.empty()) impl::enable_seeded_bug(&o.bugs, bug);
  return o;
}

CaseResult finish(impl::Cluster& c, const Config& config, const std::string& key) {
  c.heal_all();
  impl::RunReport r = c.run();
  CaseResult out;
  out.allowed = allowed_for(config, key);
  for (const auto& [n, count] : r.effects) {
    Effect e;
    if (count > 0 && parse_effect(n, &e)) out.shown |= bit(e);
  }
  out.quiesced = r.quiesced;
  out.unexplained = r.unexplained_losses;
  out.forbidden = out.shown & static_cast<EffectSet>(~out.allowed);
  out.events = c.trace().events();
  return out;
}

// The case's trace on the model's replayer.
RecipeRun replay_of(const Config& config, const std::vector<Event>& events) {
  RecipeRun r;
  r.events = events;
  ReplayResult rr = replay_impl_trace(config, events);
  r.diverged = !rr.ok;
  r.diverged_at = rr.failed_step;
  if (!rr.ok) r.divergence = rr.error.substr(0, rr.error.find('\n'));
  return r;
}

// One case from its parts: a fresh cluster, the commands applied in order, then settled.
CaseResult run_case(const Config& config, const std::string& key,
                    const std::vector<uint32_t>& choices, int send_interval,
                    const std::vector<std::string>& commands, const std::string& bug) {
  impl::Cluster cluster(config, case_options(choices, send_interval, bug));
  for (const std::string& c : commands) apply_command(cluster, c);
  return finish(cluster, config, key);
}

// The replay oracle for a case run with `bug` on: judged against the same case with it off.
void judge_replay(const Config& config, const std::string& key,
                  const std::vector<uint32_t>& choices, int send_interval,
                  const std::vector<std::string>& commands, CaseResult* on) {
  on->replay = replay_of(config, on->events);
  if (!on->replay.diverged) return;
  CaseResult off = run_case(config, key, choices, send_interval, commands, "");
  on->bugs_divergence = divergence_is_the_bugs(on->replay, replay_of(config, off.events));
}

// The last failing case (RapidCheck adopts every smaller failing case while shrinking, so
// the last failure seen is the minimal one).
struct Failure {
  std::string profile;
  std::vector<std::string> settings;
  int send_interval = 0;
  std::vector<uint32_t> choices;
  std::vector<std::string> commands;
  CaseResult result;
};
Failure last_failure;

void property(const std::string& bug) {
  // With a seeded bug: the durable profile, where every planted bug should show.
  const int p = bug.empty() ? *rc::gen::inRange<int>(0, static_cast<int>(profiles().size())) : 0;
  const Profile& profile = profiles()[static_cast<size_t>(p)];
  const int send_interval = *rc::gen::inRange(0, 300);
  const auto choices = *rc::gen::container<std::vector<uint32_t>>(rc::gen::inRange<uint32_t>(0, 64));
  const Config config = profile_config(profile.settings);
  impl::Cluster cluster(config, case_options(choices, send_interval, bug));
  Sut sut{&cluster, {}};
  Model model;
  model.faults_left = 1;  // fault.max.total of the profiles
  rc::state::check(model, sut,
                   rc::state::gen::execOneOfWithArgs<Wait, Steps, Steps, CrashBroker, RestartBroker,
                                                     PartitionBroker, HealBroker, CrashProducer,
                                                     RestartProducer, CrashConsumer,
                                                     RestartConsumer, Rebalance, SlowLink>());
  CaseResult r = finish(cluster, config, profile.name);
  RC_TAG(profile.name);
  if (!bug.empty()) judge_replay(config, profile.name, choices, send_interval, sut.applied, &r);
  if (r.caught()) {
    last_failure = Failure{profile.name, profile.settings, send_interval, choices, sut.applied, r};
  }
  RC_ASSERT(r.quiesced);
  RC_ASSERT_FALSE(r.unexplained > 0);
  if (r.forbidden != 0) {
    RC_FAIL("the run shows " + effects_names(r.shown) + "; the model allows only " +
            effects_names(r.allowed) + " for profile " + profile.name);
  }
  if (r.bugs_divergence) {
    RC_FAIL("the run's trace diverges from the model at event " +
            std::to_string(r.replay.diverged_at) + " (" + r.replay.divergence +
            "); without the bug the same case gets past it");
  }
}

bool MaxSuccessFromEnvironment() {
  const char* params = std::getenv("RC_PARAMS");
  return params != nullptr && std::strstr(params, "max_success") != nullptr;
}

// Runs `testable` with its own default count (RC_PARAMS="max_success=N" overrides); true
// if it held, else `message` says how it failed.
template <typename Testable>
bool Holds(Testable&& testable, int default_cases, std::string* message) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  rc::detail::TestMetadata metadata;
  metadata.id = std::string(info->test_suite_name()) + "/" + info->name();
  metadata.description = info->name();
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  if (!MaxSuccessFromEnvironment()) params.maxSuccess = default_cases;
  const auto result = rc::detail::checkTestable(std::forward<Testable>(testable), metadata, params);
  if (result.template is<rc::detail::SuccessResult>()) return true;
  std::ostringstream out;
  rc::detail::printResultMessage(result, out);
  *message = out.str();
  return false;
}

TEST(ImplStateful, EffectsAreAmongTheModelsAllowed) {
  std::string message;
  EXPECT_TRUE(Holds([] { property(""); }, 100, &message)) << message;
}

// A saved case: its settings in the header, the rest in the note.
std::string case_note(const std::string& bug, const Failure& f) {
  nlohmann::json j;
  j["bug"] = bug;
  j["profile"] = f.profile;
  j["send_interval_ms"] = f.send_interval;
  j["choices"] = f.choices;
  j["commands"] = f.commands;
  const std::string replay =
      f.result.bugs_divergence
          ? "its trace diverges from the model at event " +
                std::to_string(f.result.replay.diverged_at) + " and without the bug gets past it; "
          : "";
  return "stateful property case (properties/impl_stateful_properties.cc), shrunk by RapidCheck: "
         "the run shows " + effects_names(f.result.shown) + "; the model allows only " +
         effects_names(f.result.allowed) + "; " + replay + "case: " + j.dump();
}

// Re-runs a saved case with its bug on or off.
CaseResult rerun(const Trace& t, bool bug_on, std::string* error) {
  const std::string key = "; case: ";
  size_t at = t.header.note.find(key);
  if (at == std::string::npos) {
    *error = "no case in the note";
    return {};
  }
  nlohmann::json j = nlohmann::json::parse(t.header.note.substr(at + key.size()));
  auto loaded = config_of(t.header);
  if (auto* e = std::get_if<ConfigError>(&loaded)) {
    *error = e->str();
    return {};
  }
  const Config config = std::get<Config>(loaded);
  const std::string bug = bug_on ? j.at("bug").get<std::string>() : "";
  const std::string profile = "saved:" + j.at("profile").get<std::string>();
  const auto choices = j.at("choices").get<std::vector<uint32_t>>();
  const int send_interval = j.at("send_interval_ms").get<int>();
  const auto commands = j.at("commands").get<std::vector<std::string>>();
  CaseResult r = run_case(config, profile, choices, send_interval, commands, bug);
  if (bug_on) {
    judge_replay(config, profile, choices, send_interval, commands, &r);
  } else {
    r.replay = replay_of(config, r.events);
  }
  return r;
}

TEST(ImplStateful, SavedBugCasesStillFail) {
  const std::filesystem::path dir = std::filesystem::path(KDC_SOURCE_DIR) / "traces" / "bugs";
  int cases = 0;
  if (std::filesystem::exists(dir)) {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("stateful-", 0) != 0) continue;
      ++cases;
      Trace t;
      std::string error;
      ASSERT_TRUE(read_trace(entry.path().string(), &t, &error)) << error;
      CaseResult on = rerun(t, true, &error);
      ASSERT_EQ(error, "") << name;
      EXPECT_TRUE(on.caught()) << name << ": the bug is no longer caught (shows "
                               << effects_names(on.shown) << "; the trace "
                               << (on.replay.diverged ? "diverges at event " +
                                                            std::to_string(on.replay.diverged_at)
                                                      : std::string("replays")) << ")";
      EXPECT_TRUE(on.events == t.events) << name << ": the case no longer makes the saved run";
      CaseResult off = rerun(t, false, &error);
      EXPECT_EQ(off.forbidden, 0) << name << ": without the bug the case shows "
                                  << effects_names(off.forbidden);
      EXPECT_EQ(off.unexplained, 0) << name;
      EXPECT_TRUE(off.quiesced) << name;
      if (on.bugs_divergence) {
        EXPECT_TRUE(divergence_is_the_bugs(on.replay, off.replay))
            << name << ": without the bug the case diverges at event " << off.replay.diverged_at
            << " too: " << off.replay.divergence;
      }
    }
  }
  if (cases == 0) GTEST_SKIP() << "no traces/bugs/stateful-*.jsonl yet (KDC_BUG_DEMO=1 makes one)";
}

// Opt-in: the property with a seeded bug must fail, and shrinking must give a small case.
TEST(ImplStateful, SeededBugIsFoundAndShrunk) {
  const char* demo = std::getenv("KDC_BUG_DEMO");
  if (demo == nullptr || std::string(demo) == "0") GTEST_SKIP() << "set KDC_BUG_DEMO=1";
  const std::string bug = std::getenv("KDC_BUG") ? std::getenv("KDC_BUG") : "hw_before_isr";
  last_failure = Failure{};
  std::string message;
  const bool held = Holds([&bug] { property(bug); }, 1000, &message);
  ASSERT_FALSE(held) << "the property held with seeded bug " << bug << ": not caught";
  std::cout << message << "\n";
  const Failure& f = last_failure;
  std::cout << "minimal case: profile " << f.profile << ", send interval " << f.send_interval
            << " ms, " << f.choices.size() << " choices, " << f.commands.size()
            << " commands:";
  for (const std::string& c : f.commands) std::cout << " [" << c << "]";
  std::cout << "; " << f.result.events.size() << " events; shows " << effects_names(f.result.shown);
  if (f.result.bugs_divergence) {
    std::cout << "; diverges from the model at event " << f.result.replay.diverged_at << ": "
              << f.result.replay.divergence;
  }
  std::cout << "\n";
  Trace t;
  t.header.source = "impl";
  t.header.effect = f.result.forbidden ? std::string(effects_names(f.result.forbidden)).substr(0, effects_names(f.result.forbidden).find(','))
                                       : "";
  t.header.config = effective_settings(profile_config(f.settings));
  t.header.note = case_note(bug, f);
  t.events = f.result.events;
  const std::string out = std::string(KDC_SOURCE_DIR) + "/traces/bugs/stateful-" + bug + ".jsonl";
  std::string error;
  ASSERT_TRUE(write_trace(out, t, &error)) << error;
  std::cout << "written: " << out << "\n";
}

}  // namespace
}  // namespace kdc
