#include "conformance/impl_reproduction.h"
#include "conformance/model_replay.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace kdc {
namespace {

Trace load(const std::string& name) {
  Trace t;
  std::string error;
  EXPECT_TRUE(read_trace(std::string(KDC_SOURCE_DIR) + "/traces/" + name, &t, &error)) << error;
  return t;
}

TEST(ImplReproduction, FaultsStrikeAfterTheStepBeforeThem) {
  Trace t = load("at-most-once/L_ack.jsonl");
  std::vector<impl::DirectedFault> f = directed_faults_of(t.events, 5000);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].fault, EventType::kBrokerCrash);
  EXPECT_EQ(f[0].broker, 0);
  // The crash follows m0's acknowledgement.
  EXPECT_EQ(f[0].after.type, EventType::kProduceResponse);
  EXPECT_EQ(f[0].after.msg, 0);
  EXPECT_EQ(f[0].after.outcome, Result::kAcked);
  EXPECT_EQ(f[0].occurrence, 1);
}

// acks=1: the leader acknowledges m0 and crashes before a follower has it; the new leader
// never had it. The implementation must lose an acknowledged message too.
TEST(ImplReproduction, AcknowledgedThenLostReproducesOnTheImplementation) {
  ReproduceOptions o;
  o.seeds = 100;
  ReproduceResult r = reproduce_on_impl(load("at-most-once/L_ack.jsonl"), o);
  EXPECT_EQ(r.error, "");
  EXPECT_TRUE(r.reproduced) << "tried " << r.seeds_tried << " seeds";
  EXPECT_GT(r.report.effects.count("L_ack"), 0u);
}

// With acks=all, idempotence and min.insync.replicas=2, the same crash after the same step
// loses nothing: the directed fault is not enough by itself to make an anomaly.
TEST(ImplReproduction, TheSameCrashLosesNothingUnderAcksAll) {
  Trace t = load("at-most-once/L_ack.jsonl");
  for (auto& [key, value] : t.header.config) {
    if (key == "acks") value = "all";
    if (key == "min.insync.replicas") value = "2";
    if (key == "retries") value = "2147483647";
    if (key == "enable.idempotence") value = "true";
  }
  ReproduceOptions o;
  o.seeds = 20;
  ReproduceResult r = reproduce_on_impl(t, o);
  EXPECT_EQ(r.error, "");
  EXPECT_FALSE(r.reproduced) << "seed " << r.seed;
  EXPECT_EQ(r.seeds_tried, 20);
}

// A zombie's replacement initialises where the counterexample's init_producer_id is: after
// the coordinator completed the zombie's commit (step 12 of the trace).
TEST(ImplReproduction, AZombiesReplacementInitialisesWhereTheTraceSays) {
  Trace t = load("eos-producer-app-zombie/D_app.jsonl");
  std::vector<impl::DirectedFault> f = directed_faults_of(t.events, 5000);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].fault, EventType::kProducerZombie);
  EXPECT_EQ(f[0].after.type, EventType::kAddPartitionsToTxn);
  EXPECT_EQ(f[0].init_after.type, EventType::kCompleteTxn);
  EXPECT_EQ(f[0].init_after.result, Result::kCommitTxn);
  EXPECT_EQ(f[0].init_occurrence, 1);
  // Other faults hold nothing.
  Trace l = load("at-most-once/L_ack.jsonl");
  EXPECT_EQ(directed_faults_of(l.events, 5000)[0].init_occurrence, 0);
}

}  // namespace
}  // namespace kdc

namespace kdc {
namespace {

// The canonical counterexamples of the bundled examples: traces/<example>/*.jsonl.
// traces/impl/ and traces/bugs/ hold implementation runs, traces/replication/ replication-
// safety runs (no delivery effect to reproduce).
std::vector<std::string> canonical_counterexamples() {
  std::vector<std::string> names;
  for (const auto& dir : std::filesystem::directory_iterator(std::string(KDC_SOURCE_DIR) + "/traces")) {
    if (!dir.is_directory() || dir.path().filename() == "impl" || dir.path().filename() == "bugs" ||
        dir.path().filename() == "replication")
      continue;
    for (const auto& f : std::filesystem::directory_iterator(dir.path()))
      names.push_back(dir.path().filename().string() + "/" + f.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Those that do not reproduce on the implementation yet, each with why
// (docs/conformance.md, "Model → implementation").
const std::set<std::string>& not_yet() {
  static const std::set<std::string> names = {};
  return names;
}

// Every canonical counterexample reproduces on the implementation, except those in
// not_yet(), which are tried too (and counted) but not required.
TEST(ImplReproduction, CanonicalCounterexamplesReproduce) {
  int reproduced = 0, tried = 0;
  for (const std::string& name : canonical_counterexamples()) {
    Trace t = load(name);
    ReproduceOptions o;
    o.seeds = not_yet().count(name) ? 5 : 50;
    ReproduceResult r = reproduce_on_impl(t, o);
    EXPECT_EQ(r.error, "") << name;
    ++tried;
    if (r.reproduced) ++reproduced;
    if (!not_yet().count(name)) {
      EXPECT_TRUE(r.reproduced) << name << ": " << r.effect << " not shown in " << r.seeds_tried << " seeds";
    }
    std::printf("%-44s %-8s %s (seeds tried: %d)\n", name.c_str(), r.effect.c_str(),
                r.reproduced ? "reproduced" : "not reproduced", r.seeds_tried);
  }
  std::printf("%d of %d canonical counterexamples reproduce on the implementation\n", reproduced, tried);
  EXPECT_GE(tried, 19);
}

}  // namespace
}  // namespace kdc

namespace kdc {
namespace {

// Reproducing runs that do not replay on the model yet, each with why (docs/conformance.md,
// "Model → implementation", F7 and F12).
const std::set<std::string>& replay_not_yet() {
  static const std::set<std::string> names = {
      // The zombie's application goes on to its next message's transaction (send, then a
      // fenced AddPartitionsToTxn), where the model's zombie finishes at most its open
      // transaction (F12). The replay stops at that send (event 14).
      "eos-producer-app-zombie/D_app.jsonl",
  };
  return names;
}

// Both directions at once: the implementation's run that reproduced a counterexample must
// itself replay on the model. Every reproducing run does, but those in replay_not_yet()
// (which must still reproduce; that they do not replay is printed).
TEST(ImplReproduction, ReproducingRunsReplayOnTheModel) {
  int replayed = 0;
  for (const std::string& name : canonical_counterexamples()) {
    if (not_yet().count(name)) continue;
    Trace t = load(name);
    ReproduceOptions o;
    o.seeds = 30;
    ReproduceResult r = reproduce_on_impl(t, o);
    ASSERT_TRUE(r.reproduced) << name;
    auto loaded = config_of(t.header);
    ASSERT_TRUE(std::holds_alternative<Config>(loaded)) << name;
    Trace impl_trace;
    impl_trace.header = t.header;
    impl_trace.header.source = "impl";
    impl_trace.events = r.events;
    ReplayResult back = replay_trace(std::get<Config>(loaded), impl_trace);
    if (replay_not_yet().count(name)) {
      std::printf("%s: does not replay yet, step %d\n", name.c_str(), back.failed_step);
    } else {
      EXPECT_TRUE(back.ok) << name << " (seed " << r.seed << "): " << back.error;
    }
    replayed += back.ok;
  }
  std::printf("%d reproducing runs replay on the model\n", replayed);
}

}  // namespace
}  // namespace kdc

namespace kdc {
namespace {

// The run reproducing `name` on the implementation, as a trace of the implementation.
Trace reproducing_run(const std::string& name, Config* config) {
  Trace t = load(name);
  ReproduceOptions o;
  o.seeds = 10;
  ReproduceResult r = reproduce_on_impl(t, o);
  EXPECT_TRUE(r.reproduced) << name;
  auto loaded = config_of(t.header);
  EXPECT_TRUE(std::holds_alternative<Config>(loaded)) << name;
  *config = std::get<Config>(loaded);
  Trace impl_trace;
  impl_trace.header = t.header;
  impl_trace.header.source = "impl";
  impl_trace.events = r.events;
  return impl_trace;
}

size_t find_event(const Trace& t, EventType type, int msg, int gen) {
  for (size_t i = 0; i < t.events.size(); ++i) {
    if (t.events[i].type == type && t.events[i].msg == msg && t.events[i].gen == gen) return i;
  }
  return t.events.size();
}

// The application's send() of m0 again after its delivery timeout: the model took it in
// the delivery_timeout step (outcome failed_resent), so it is a no-op there (rule 3); but
// only while the model holds that very record queued and never drained.
TEST(ImplReplayRules, AnApplicationsResendIsTheSendTheFailureStepMade) {
  Config c;
  Trace t = reproducing_run("hardened/R.jsonl", &c);
  const size_t resend = find_event(t, EventType::kSend, 0, 1);
  const size_t drained = find_event(t, EventType::kProduceRequest, 0, 1);
  ASSERT_LT(resend, drained);
  ReplayResult r = replay_trace(c, t);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.how[resend], Match::kStutter);
  // Another generation than the one the failure made: no step.
  Trace other = t;
  other.events[resend].gen = 2;
  ReplayResult o = replay_trace(c, other);
  ASSERT_FALSE(o.ok);
  EXPECT_EQ(o.failed_step, int(resend) + 1) << o.error;
  // The same send once more after the record was drained: no step either.
  Trace twice = t;
  twice.events.insert(twice.events.begin() + long(drained) + 1, t.events[resend]);
  ReplayResult w = replay_trace(c, twice);
  ASSERT_FALSE(w.ok);
  EXPECT_EQ(w.failed_step, int(drained) + 2) << w.error;
}

// The delivery timeout of m0 in flight leaves its request on the open connection: the
// leader appends it, parks it in the purgatory and completes it, for a client that no
// longer listens. The model drops the orphan once handled, so the completion is a no-op
// there (rule 3) — only at the record's own offset, with the high watermark past it.
TEST(ImplReplayRules, AnOrphansCompletionChangesNothing) {
  Config c;
  Trace t = reproducing_run("hardened/D_app.jsonl", &c);
  const size_t expired = find_event(t, EventType::kDeliveryTimeout, 0, 0);
  const size_t complete = find_event(t, EventType::kProduceComplete, 0, 0);
  ASSERT_LT(expired, complete);
  ASSERT_NE(t.events[expired].broker, -1);  // in flight
  ReplayResult r = replay_trace(c, t);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.how[complete], Match::kStutter);
  Trace wrong_offset = t;
  wrong_offset.events[complete].offset += 1;
  ReplayResult o = replay_trace(c, wrong_offset);
  ASSERT_FALSE(o.ok);
  EXPECT_EQ(o.failed_step, int(complete) + 1) << o.error;
  Trace wrong_result = t;
  wrong_result.events[complete].result = Result::kNotEnoughReplicasAfterAppend;
  ReplayResult w = replay_trace(c, wrong_result);
  ASSERT_FALSE(w.ok);
  EXPECT_EQ(w.failed_step, int(complete) + 1) << w.error;
  // Before the append it completes nothing.
  Trace early = t;
  const size_t append = find_event(t, EventType::kHandleProduce, 0, 0);
  ASSERT_LT(append, complete);
  early.events.insert(early.events.begin() + long(append), t.events[complete]);
  ReplayResult e = replay_trace(c, early);
  ASSERT_FALSE(e.ok);
  EXPECT_EQ(e.failed_step, int(append) + 1) << e.error;
}

// The zombie's sender reads the success of its orphan (F7): a no-op for the model, which
// dropped the orphan once the leader handled it, but only in the zombie's epoch. The run then
// stops where the zombie's application begins its next transaction (F12).
TEST(ImplReplayRules, AZombiesResponseChangesNothing) {
  Trace t = load("eos-producer-app-zombie/D_app.jsonl");
  ReproduceOptions o;
  o.seeds = 10;
  ReproduceResult rr = reproduce_on_impl(t, o);
  ASSERT_TRUE(rr.reproduced);
  Config c = std::get<Config>(config_of(t.header));
  Trace run;
  run.header = t.header;
  run.header.source = "impl";
  run.events = rr.events;
  size_t zombie = run.events.size(), response = run.events.size(), next = run.events.size();
  for (size_t i = 0; i < run.events.size(); ++i) {
    const Event& e = run.events[i];
    if (e.type == EventType::kProducerZombie && zombie == run.events.size()) zombie = i;
    if (i > zombie && e.type == EventType::kProduceResponse && response == run.events.size()) response = i;
    if (i > response && e.type == EventType::kSend && e.msg == 1 && next == run.events.size()) next = i;
  }
  ASSERT_LT(response, next);
  ASSERT_LT(next, run.events.size());
  ReplayResult r = replay_trace(c, run);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.failed_step, int(next) + 1) << r.error;
  // Not in another epoch than the zombie's.
  Trace other = run;
  other.events[response].producer_id += 1;
  ReplayResult w = replay_trace(c, other);
  ASSERT_FALSE(w.ok);
  EXPECT_EQ(w.failed_step, int(response) + 1) << w.error;
}

}  // namespace
}  // namespace kdc
