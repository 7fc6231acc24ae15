// RapidCheck properties of the model and its checker over generated configurations.
//
//   ModelWalk.*        random walks: invariants, determinism, canonical bytes
//   CheckerRuns.*      every counterexample replays; the verdict matches them
//   FaultBudget.*      a bigger fault budget never removes an effect
//   EngineAgreement.*  the explicit checker and the Z3 engine give the same answer
//
// Each property runs its own default number of cases (the last argument of CheckProperty)
// so that the whole binary stays near 15 s on two cores; a campaign overrides them all:
//   RC_PARAMS="max_success=1000" build/kdc_properties
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "conformance/model_replay.h"
#include "model/checker/explicit_checker.h"
#include "model/invariants.h"
#include "model/symbolic/bmc.h"
#include "model/verdict.h"

namespace kdc {
namespace {

// ---- Running a property with its own default number of cases ----

bool MaxSuccessFromEnvironment() {
  const char* params = std::getenv("RC_PARAMS");
  return params != nullptr && std::strstr(params, "max_success") != nullptr;
}

template <typename Testable>
void CheckProperty(Testable&& testable, int default_cases) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  rc::detail::TestMetadata metadata;
  metadata.id = std::string(info->test_suite_name()) + "/" + info->name();
  metadata.description = info->name();
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  if (!MaxSuccessFromEnvironment()) params.maxSuccess = default_cases;
  const auto result =
      rc::detail::checkTestable(std::forward<Testable>(testable), metadata, params);
  if (!result.template is<rc::detail::SuccessResult>()) {
    std::ostringstream out;
    rc::detail::printResultMessage(result, out);
    FAIL() << out.str();
  }
}

// ---- Generated configurations ----

struct Shape {
  int max_rf = 3;
  int max_messages = 2;
  int max_total = 1;     // fault.max.total is drawn in [0, max_total]
  int max_budget = 1;    // each fault.* budget in [0, max_budget]
  bool small = false;    // RF 2 only with one message
  bool transactional = false;  // always a transactional.id (else half the time)
};

const std::vector<std::string> kVersions = {"0.10.2", "0.11", "2.0", "2.4", "2.8",
                                            "3.1",    "3.5",  "3.7", "4.1", "4.3"};
const std::vector<std::string> kFaultKeys = {
    "fault.request.timeout",   "fault.delivery.timeout",  "fault.producer.crash",
    "fault.broker.crash",      "fault.broker.power.loss", "fault.cluster.power.loss",
    "fault.network.partition", "fault.consumer.crash",    "fault.consumer.rebalance",
    "fault.offset.loss"};

bool AtLeast(const std::string& version, const std::string& floor) {
  auto parse = [](const std::string& v) {
    int a = 0, b = 0;
    std::sscanf(v.c_str(), "%d.%d", &a, &b);
    return a * 100 + b;
  };
  return parse(version) >= parse(floor);
}

// A transactional producer (an application, or a consume-transform-produce processor).
rc::Gen<std::vector<std::string>> GenTransactionSettings(const std::string& version, Shape shape) {
  return rc::gen::exec([version, shape] {
    std::vector<std::string> s = {
        "transactional.id=t",
        "app.commit=" + *rc::gen::element<std::string>("transactional", "external-atomic",
                                                       "process-then-commit-sync", "auto"),
        "app.on.txn.abort=" + *rc::gen::element<std::string>("rewind", "continue"),
        "app.output.isolation.level=" +
            *rc::gen::element<std::string>("read_committed", "read_uncommitted"),
        "isolation.level=" + *rc::gen::element<std::string>("read_committed", "read_uncommitted"),
        "fault.transaction.timeout=" + std::to_string(*rc::gen::inRange(0, shape.max_budget + 1)),
        "fault.producer.zombie=" + std::to_string(*rc::gen::inRange(0, shape.max_budget + 1)),
    };
    if (AtLeast(version, "3.6"))
      s.push_back("transaction.partition.verification.enable=" +
                  *rc::gen::element<std::string>("true", "false"));
    if (AtLeast(version, "4.0"))
      s.push_back("transaction.version=" + *rc::gen::element<std::string>("0", "2"));
    return s;
  });
}

// Settings a configuration file could hold; load_config_text decides what they mean.
rc::Gen<std::vector<std::string>> GenSettings(Shape shape) {
  return rc::gen::exec([shape] {
    const std::string version = *rc::gen::elementOf(kVersions);
    const int rf = *rc::gen::inRange(1, shape.max_rf + 1);
    const int messages =
        shape.small && rf > 1 ? 1 : *rc::gen::inRange(1, shape.max_messages + 1);
    std::vector<std::string> s = {
        "kafka.version=" + version,
        "replication.factor=" + std::to_string(rf),
        "min.insync.replicas=" + std::to_string(*rc::gen::inRange(1, rf + 1)),
        "model.messages=" + std::to_string(messages),
        "acks=" + *rc::gen::element<std::string>("0", "1", "all"),
        "retries=" + *rc::gen::element<std::string>("0", "3", "2147483647"),
        "max.in.flight.requests.per.connection=" + *rc::gen::element<std::string>("1", "5"),
        "unclean.leader.election.enable=" + *rc::gen::element<std::string>("true", "false"),
        "enable.auto.commit=" + *rc::gen::element<std::string>("true", "false"),
        "auto.offset.reset=" + *rc::gen::element<std::string>("earliest", "latest", "none"),
        "app.commit=" + *rc::gen::element<std::string>("auto", "commit-then-process",
                                                       "process-then-commit-sync",
                                                       "process-then-commit-async"),
        "app.processing=" + *rc::gen::element<std::string>("sync", "async"),
        "app.on.send.error=" + *rc::gen::element<std::string>("drop", "resend"),
        "app.on.producer.restart=" + *rc::gen::element<std::string>("skip", "replay-unacked"),
        "fault.max.total=" + std::to_string(*rc::gen::inRange(0, shape.max_total + 1)),
    };
    if (*rc::gen::arbitrary<bool>()) s.push_back("flush.messages=1");
    if (AtLeast(version, "0.11"))
      s.push_back("enable.idempotence=" + *rc::gen::element<std::string>("true", "false"));
    if (AtLeast(version, "4.0"))
      s.push_back("eligible.leader.replicas.version=" + *rc::gen::element<std::string>("0", "1"));
    for (const std::string& key : kFaultKeys)
      s.push_back(key + "=" + std::to_string(*rc::gen::inRange(0, shape.max_budget + 1)));
    if (AtLeast(version, "0.11") && (shape.transactional || *rc::gen::arbitrary<bool>()))
      for (const std::string& t : *GenTransactionSettings(version, shape)) s.push_back(t);
    return s;
  });
}

// Loads generated settings. Kafka refuses enable.idempotence=true next to conflicting
// producer settings; such a configuration is turned into its non-idempotent twin.
Config Load(std::vector<std::string> settings) {
  auto loaded = load_config_text({}, settings);
  const bool transactional =
      std::find(settings.begin(), settings.end(), "transactional.id=t") != settings.end();
  if (auto* err = std::get_if<ConfigError>(&loaded); err && transactional) {
    // Kafka refuses a transactional.id next to acks=0/1, retries=0 or a max.in.flight the
    // idempotent producer does not allow.
    for (std::string& s : settings) {
      if (s.rfind("acks=", 0) == 0) s = "acks=all";
      if (s.rfind("retries=", 0) == 0) s = "retries=2147483647";
      if (s.rfind("enable.idempotence=", 0) == 0) s = "enable.idempotence=true";
      if (s.rfind("max.in.flight.requests.per.connection=", 0) == 0)
        s = "max.in.flight.requests.per.connection=1";  // 0.11 allows no more
    }
    loaded = load_config_text({}, settings);
  }
  if (auto* err = std::get_if<ConfigError>(&loaded)) {
    if (err->key == "enable.idempotence" || err->key == "max.in.flight.requests.per.connection") {
      for (std::string& s : settings)
        if (s.rfind("enable.idempotence=", 0) == 0) s = "enable.idempotence=false";
      loaded = load_config_text({}, settings);
    }
  }
  if (auto* err = std::get_if<ConfigError>(&loaded)) RC_FAIL("generated config refused: " + err->str());
  return std::get<Config>(loaded);
}

std::string Describe(const std::vector<Event>& events) {
  std::string out;
  for (const Event& e : events) out += "\n  " + describe(e);
  return out;
}

std::string Names(EffectSet effects) {
  std::string out;
  for (int e = 0; e < int(Effect::kCount); ++e)
    if (effects & (1u << e)) out += (out.empty() ? "" : " ") + std::string(name(Effect(e)));
  return "{" + out + "}";
}

static_assert(std::has_unique_object_representations_v<State>);

// Every counterexample of a check replays on the model and shows its effect.
void AssertCounterexamplesReplay(const Config& c, const CheckResult& r) {
  for (const Counterexample& cx : r.counterexamples) {
    const ReplayResult replay = replay_on_model(c, cx.events);
    if (!replay.ok) RC_FAIL(replay.error + Describe(cx.events));
    if (!(replay.effects & bit(cx.effect)))
      RC_FAIL(std::string(name(cx.effect)) + " not shown by its replay, which shows " +
              Names(replay.effects) + Describe(cx.events));
  }
}

// ---- (a) Random walks ----

TEST(ModelWalk, InvariantsDeterminismAndCanonicalBytes) {
  CheckProperty(
      [] {
        const auto settings = *GenSettings(Shape{3, 3, 3, 2, false});
        const Config c = Load(settings);
        State s = initial_state(c);
        std::vector<Event> path;
        std::vector<Step> steps, again;
        if (auto why = check_invariants(c, s)) RC_FAIL("initial state: " + *why);
        const int length = 60;
        for (int depth = 0; depth < length; ++depth) {
          const int cut = successors(c, s, &steps);
          const int cut_again = successors(c, s, &again);
          RC_ASSERT(cut == cut_again);
          RC_ASSERT(steps.size() == again.size());
          for (size_t k = 0; k < steps.size(); ++k) {
            RC_ASSERT(steps[k].event == again[k].event);
            RC_ASSERT(steps[k].next == again[k].next);
          }
          if (steps.empty()) break;
          const size_t k = *rc::gen::inRange<size_t>(0, steps.size());
          path.push_back(steps[k].event);
          const State next = steps[k].next;
          // The state is plain bytes: a byte copy is the same state, with the same hash.
          State copy;
          std::memcpy(static_cast<void*>(&copy), &next, sizeof(State));
          RC_ASSERT(copy == next);
          RC_ASSERT(fingerprint(copy) == fingerprint(next));
          RC_ASSERT(fingerprint(next) == fingerprint(steps[k].next));
          if (auto why = check_invariants(c, next))
            RC_FAIL(*why + "\nafter:" + Describe(path) + "\n" + describe_state(c, next));
          s = next;
        }
      },
      2000);
}

// Every enabled step changes the state (no self-loops), and a step's event names a
// broker within replication.factor.
TEST(ModelWalk, StepsChangeTheStateAndNameRealBrokers) {
  CheckProperty(
      [] {
        const Config c = Load(*GenSettings(Shape{3, 2, 2, 1, false}));
        State s = initial_state(c);
        std::vector<Step> steps;
        std::vector<Event> path;
        for (int depth = 0; depth < 60; ++depth) {
          successors(c, s, &steps);
          if (steps.empty()) break;
          for (const Step& step : steps) {
            if (step.next == s) RC_FAIL("self-loop: " + describe(step.event) + Describe(path));
            RC_ASSERT(step.event.broker < c.replication_factor);
            RC_ASSERT(step.event.peer < c.replication_factor);
            RC_ASSERT(step.event.msg < c.messages);
          }
          const size_t k = *rc::gen::inRange<size_t>(0, steps.size());
          path.push_back(steps[k].event);
          s = steps[k].next;
        }
      },
      2000);
}

// Exhaustively: every reachable state of a small generated configuration.
TEST(ModelWalk, InvariantsHoldInEveryReachableStateOfSmallConfigurations) {
  CheckProperty(
      [] {
        const Config c = Load(*GenSettings(Shape{2, 2, 1, 1, true}));
        const InvariantSweep sweep = sweep_invariants(c, 600'000);
        if (sweep.violation)
          RC_FAIL(*sweep.violation + Describe(sweep.trace) + "\n" + describe_state(c, sweep.state));
      },
      300);
}

// ---- (b) The checker's counterexamples ----

TEST(CheckerRuns, CounterexamplesReplayAndMatchTheVerdict) {
  CheckProperty(
      [] {
        const Config c = Load(*GenSettings(Shape{2, 2, 1, 1, true}));
        CheckOptions options;
        options.max_states = 600'000;
        const CheckResult r = check(c, options);
        RC_ASSERT(r.unexplained == 0u);
        EffectSet listed = 0;
        for (const Counterexample& cx : r.counterexamples) {
          RC_ASSERT(!(listed & bit(cx.effect)));  // one counterexample per effect
          listed |= bit(cx.effect);
          if (auto why = check_invariants(c, cx.final_state)) RC_FAIL(*why);
        }
        AssertCounterexamplesReplay(c, r);
        RC_ASSERT(listed == r.effects);
        RC_ASSERT(guarantee_of(listed) == guarantee_of(r.effects));
        RC_ASSERT(ordering_preserved(r.effects) == !(listed & bit(Effect::kReordered)));
        const bool loses = (listed & kLossEffects) != 0;
        const bool duplicates = (listed & kDuplicateEffects) != 0;
        RC_ASSERT(satisfies(guarantee_of(r.effects), Guarantee::kAtLeastOnce) == !loses);
        RC_ASSERT(satisfies(guarantee_of(r.effects), Guarantee::kAtMostOnce) == !duplicates);
      },
      500);
}

// ---- (c) Monotonicity in the fault budget ----

TEST(FaultBudget, MoreFaultsNeverRemoveAnEffect) {
  CheckProperty(
      [] {
        std::vector<std::string> settings = *GenSettings(Shape{2, 2, 1, 1, true});
        Config small = Load(settings);
        // Raise either fault.max.total or one kind's budget by one.
        const int which = *rc::gen::inRange(0, int(kFaultKeys.size()) + 1);
        const std::string key = which == int(kFaultKeys.size()) ? "fault.max.total" : kFaultKeys[which];
        int value = 0;
        for (const std::string& s : settings)
          if (s.rfind(key + "=", 0) == 0) value = std::stoi(s.substr(key.size() + 1));
        std::vector<std::string> more = settings;
        more.push_back(key + "=" + std::to_string(value + 1));
        Config big = Load(more);
        CheckOptions options;
        options.max_states = 1'500'000;
        const CheckResult a = check(small, options);
        const CheckResult b = check(big, options);
        RC_PRE(a.complete && b.complete);
        AssertCounterexamplesReplay(small, a);
        AssertCounterexamplesReplay(big, b);
        if (a.effects & ~b.effects)
          RC_FAIL("raising " + key + " removed " + Names(EffectSet(a.effects & ~b.effects)));
        RC_ASSERT(b.states >= a.states);
      },
      300);
}

// ---- (d) Transactions ----

// A fenced epoch never commits: every successful EndTxn(COMMIT) comes from the newest
// epoch of the transactional.id (the zombie's included), along random walks.
TEST(TransactionWalk, FencedEpochNeverCommits) {
  CheckProperty(
      [] {
        Shape shape{3, 2, 3, 2, false};
        shape.transactional = true;
        const Config c = Load(*GenSettings(shape));
        RC_PRE(c.transactional);
        State s = initial_state(c);
        std::vector<Event> path;
        std::vector<Step> steps;
        for (int depth = 0; depth < 80; ++depth) {
          successors(c, s, &steps);
          if (steps.empty()) break;
          const Step& step = steps[*rc::gen::inRange<size_t>(0, steps.size())];
          path.push_back(step.event);
          if (step.event.type == EventType::kEndTxn && step.event.result == Result::kCommitTxn &&
              step.event.producer_id != s.coordinator.epoch)
            RC_FAIL("epoch " + std::to_string(step.event.producer_id) + " committed while the "
                    "coordinator was in epoch " + std::to_string(s.coordinator.epoch) +
                    Describe(path));
          if (auto why = check_invariants(c, step.next))
            RC_FAIL(*why + "\nafter:" + Describe(path) + "\n" + describe_state(c, step.next));
          s = step.next;
        }
      },
      1500);
}

// With transaction.version=2 (KIP-890 part 2) a read_committed reader never processes a
// record of an aborted transaction, whatever the other settings and faults; the shortest
// counterexample of any other effect still replays.
TEST(TransactionChecks, ReadCommittedNeverDeliversAbortedRecordsWithTransactionVersion2) {
  CheckProperty(
      [] {
        Shape shape{2, 2, 1, 1, true};
        shape.transactional = true;
        std::vector<std::string> settings = *GenSettings(shape);
        settings.push_back("kafka.version=" + *rc::gen::element<std::string>("4.0", "4.3"));
        settings.push_back("transaction.version=2");
        settings.push_back("isolation.level=read_committed");
        settings.push_back("app.output.isolation.level=read_committed");
        const Config c = Load(settings);
        RC_PRE(c.transactional);
        CheckOptions options;
        options.max_states = 1'500'000;
        const CheckResult r = check(c, options);
        AssertCounterexamplesReplay(c, r);
        if (r.effects & bit(Effect::kUncommitted)) {
          for (const Counterexample& cx : r.counterexamples)
            if (cx.effect == Effect::kUncommitted) RC_FAIL("V_unc with read_committed" + Describe(cx.events));
        }
      },
      150);
}

}  // namespace
}  // namespace kdc

namespace kdc {
namespace {

// ---- (d) The two engines ----

// At equal bounds the explicit checker and the Z3 engine find the same effects, the same
// shortest counterexample lengths and the same cut steps. "Equal bounds": the same model
// bounds (messages, brokers, faults) and the same longest run, k steps: the checker's
// breadth-first search stops after k levels, Z3 unrolls k steps. Z3's cost grows quickly
// with k (bench/, docs/symbolic-engine.md), so k stays small here; a campaign raises the
// number of cases, not k.
TEST(EngineAgreement, CheckAndProveFindTheSameEffectsAtEqualBounds) {
  CheckProperty(
      [] {
        const Config c = Load(*GenSettings(Shape{1, 1, 1, 1, true}));
        const int k = *rc::gen::inRange(5, 9);
        CheckOptions options;
        options.max_states = 200'000;
        options.threads = 1;
        options.max_depth = k;
        const CheckResult r = check(c, options);
        RC_PRE(r.complete);
        ProveOptions po;
        po.depth = k;
        po.unbounded = false;
        const ProveResult z = prove(c, po);
        for (const std::string& f : z.replay_failures) RC_FAIL("Z3 run does not replay: " + f);
        RC_ASSERT(!z.timed_out);
        if (z.effects != r.effects)
          RC_FAIL("check finds " + Names(r.effects) + ", prove finds " + Names(z.effects));
        RC_ASSERT(guarantee_of(z.effects) == guarantee_of(r.effects));
        RC_ASSERT(z.cut_reachable == (r.bound_hits > 0));
        for (size_t i = 0; i < r.counterexamples.size(); ++i) {
          RC_ASSERT(z.counterexamples[i].effect == r.counterexamples[i].effect);
          if (z.counterexamples[i].events.size() != r.counterexamples[i].events.size())
            RC_FAIL(std::string(name(r.counterexamples[i].effect)) + ": check's shortest run has " +
                    std::to_string(r.counterexamples[i].events.size()) + " steps, Z3's " +
                    std::to_string(z.counterexamples[i].events.size()) + Describe(z.counterexamples[i].events));
          const ReplayResult replay = replay_on_model(c, z.counterexamples[i].events);
          RC_ASSERT(replay.ok);
          RC_ASSERT((replay.effects & bit(z.counterexamples[i].effect)) != 0);
        }
      },
      3);
}

}  // namespace
}  // namespace kdc
