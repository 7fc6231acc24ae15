// Transactions (model/transactions.h): the transactional producer, its coordinator, the
// last stable offset and the consume-transform-produce processor, checked exhaustively on
// small configurations and on hand-built states.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "conformance/model_replay.h"
#include "model/checker/explicit_checker.h"
#include "model/invariants.h"
#include "model/model.h"
#include "model/partition_log.h"
#include "model/sink.h"
#include "model/testing/config_for_test.h"

namespace kdc {
namespace {

// A consume-transform-produce processor with read_committed downstream, as Kafka's
// documentation recommends it; tests vary one key at a time.
std::vector<std::string> Processor(std::vector<std::string> more = {}) {
  std::vector<std::string> s = {"transactional.id=t",  "app.commit=transactional",
                                "enable.auto.commit=false", "replication.factor=2",
                                "min.insync.replicas=2"};
  s.insert(s.end(), more.begin(), more.end());
  return s;
}

// A producer application sending each message in a transaction to a read_committed
// consumer that stores results and offsets atomically.
std::vector<std::string> ProducerApp(std::vector<std::string> more = {}) {
  std::vector<std::string> s = {"transactional.id=t",
                                "app.on.send.error=resend",
                                "app.on.producer.restart=replay-unacked",
                                "isolation.level=read_committed",
                                "enable.auto.commit=false",
                                "app.commit=external-atomic",
                                "replication.factor=2",
                                "min.insync.replicas=2"};
  s.insert(s.end(), more.begin(), more.end());
  return s;
}

CheckResult Check(const Config& c) {
  CheckOptions options;
  options.threads = 1;
  CheckResult r = check(c, options);
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.unexplained, 0u);
  for (const Counterexample& cx : r.counterexamples) {
    ReplayResult replay = replay_on_model(c, cx.events);
    EXPECT_TRUE(replay.ok) << replay.error;
    EXPECT_TRUE(replay.effects & bit(cx.effect)) << name(cx.effect);
  }
  return r;
}

bool Has(const CheckResult& r, Effect e) { return r.effects & bit(e); }

const Counterexample* Find(const CheckResult& r, Effect e) {
  for (const Counterexample& cx : r.counterexamples)
    if (cx.effect == e) return &cx;
  return nullptr;
}

bool Contains(const std::vector<Event>& events, EventType type, Result result = Result::kNone) {
  for (const Event& e : events)
    if (e.type == type && (result == Result::kNone || e.result == result)) return true;
  return false;
}

// ---- Invariants, exhaustively ----

TEST(TransactionInvariants, HoldInEveryReachableState) {
  const std::vector<std::vector<std::string>> configs = {
      Processor(), Processor({"kafka.version=3.5"}), Processor({"kafka.version=2.4"}),
      Processor({"app.output.isolation.level=read_uncommitted", "app.on.txn.abort=continue"}),
      ProducerApp(), ProducerApp({"kafka.version=3.9", "isolation.level=read_uncommitted"}),
      ProducerApp({"fault.max.total=2", "model.messages=1", "replication.factor=1",
                   "min.insync.replicas=1"})};
  for (const auto& settings : configs) {
    Config c = Cfg(settings);
    InvariantSweep sweep = sweep_invariants(c, 20'000'000);
    EXPECT_TRUE(sweep.complete);
    EXPECT_EQ(sweep.violation, std::nullopt)
        << *sweep.violation << "\n" << describe_state(c, sweep.state) << [&] {
             std::string story;
             for (const Event& e : sweep.trace) story += "\n  " + describe(e);
             return story;
           }();
  }
}

// ---- Verdicts ----

TEST(TransactionVerdicts, ProcessorWithReadCommittedIsExactlyOnce) {
  CheckResult r = Check(Cfg(Processor()));
  EXPECT_EQ(r.effects, 0) << "found effects";
}

TEST(TransactionVerdicts, ReadUncommittedDownstreamSeesAbortedOutput) {
  CheckResult r = Check(Cfg(Processor({"app.output.isolation.level=read_uncommitted"})));
  ASSERT_TRUE(Has(r, Effect::kUncommitted));
  const Counterexample* cx = Find(r, Effect::kUncommitted);
  EXPECT_TRUE(Contains(cx->events, EventType::kEndTxn, Result::kAbortTxn) ||
              Contains(cx->events, EventType::kInitProducerId, Result::kConcurrentTransactions) ||
              Contains(cx->events, EventType::kTransactionTimeout));
  EXPECT_FALSE(Has(r, Effect::kLostSkipped));
}

TEST(TransactionVerdicts, ContinuingAfterAnAbortLosesTheInputRecord) {
  CheckResult r = Check(Cfg(Processor({"app.on.txn.abort=continue"})));
  EXPECT_EQ(r.effects, bit(Effect::kLostFailed));
}

// KAFKA-14053 / KIP-890: before 3.6 a Produce of an aborted transaction that arrives after
// the ABORT marker starts a transaction on the partition which the next COMMIT ends: a
// read_committed reader processes a record of an aborted transaction.
TEST(TransactionVerdicts, LateWriteOfAnAbortedTransactionIsCommittedBefore36) {
  CheckResult r = Check(Cfg(Processor({"kafka.version=3.5", "flush.messages=1"})));
  ASSERT_TRUE(Has(r, Effect::kUncommitted));
  const Counterexample* cx = Find(r, Effect::kUncommitted);
  // The aborted record is appended after its own ABORT marker.
  int abort_marker = -1, late_append = -1;
  for (size_t i = 0; i < cx->events.size(); ++i) {
    const Event& e = cx->events[i];
    if (e.type == EventType::kWriteTxnMarker && e.result == Result::kAbortTxn && abort_marker < 0)
      abort_marker = int(i);
    if (e.type == EventType::kHandleProduce && e.result == Result::kAppended && e.gen == 0 &&
        abort_marker >= 0 && late_append < 0)
      late_append = int(i);
  }
  EXPECT_GE(abort_marker, 0);
  EXPECT_GT(late_append, abort_marker);
  // From 3.6 the leader verifies the write with the coordinator; with the epoch bump after
  // an abortable error (KIP-360) the late write is refused.
  EXPECT_FALSE(Has(Check(Cfg(Processor({"kafka.version=3.6", "flush.messages=1"}))),
                   Effect::kUncommitted));
  CheckResult no_verification = Check(
      Cfg(Processor({"kafka.version=3.9", "flush.messages=1",
                     "transaction.partition.verification.enable=false"})));
  EXPECT_TRUE(Has(no_verification, Effect::kUncommitted));
}

// KIP-447: before 2.5 the processor's OffsetFetch after a rebalance returns the offset
// committed before its own pending transaction, so it processes the record again.
TEST(TransactionVerdicts, StaleOffsetFetchBefore25Duplicates) {
  CheckResult old = Check(Cfg(Processor({"kafka.version=2.4", "flush.messages=1",
                                         "fault.request.timeout=0", "fault.delivery.timeout=0"})));
  ASSERT_TRUE(Has(old, Effect::kDupApp));
  EXPECT_TRUE(Contains(Find(old, Effect::kDupApp)->events, EventType::kConsumerRebalance));
  CheckResult fixed = Check(Cfg(Processor({"kafka.version=2.5", "flush.messages=1",
                                           "fault.request.timeout=0", "fault.delivery.timeout=0"})));
  EXPECT_FALSE(Has(fixed, Effect::kDupApp));
}

TEST(TransactionVerdicts, ProducerAppIsExactlyOnceWithoutZombies) {
  EXPECT_EQ(Check(Cfg(ProducerApp({"fault.producer.zombie=0"}))).effects, 0);
}

// The new instance cannot know that the zombie committed before it was fenced: the
// application's replay of unacknowledged messages duplicates it. Fencing works (the
// zombie cannot commit after InitProducerId), but comes too late for the replay.
TEST(TransactionVerdicts, ZombieThatCommitsBeforeTheFenceDuplicatesAReplay) {
  CheckResult r = Check(Cfg(ProducerApp()));
  ASSERT_TRUE(Has(r, Effect::kDupApp));
  const Counterexample* cx = Find(r, Effect::kDupApp);
  EXPECT_TRUE(Contains(cx->events, EventType::kProducerZombie));
  int commit = -1, init = -1;
  for (size_t i = 0; i < cx->events.size(); ++i) {
    const Event& e = cx->events[i];
    if (e.type == EventType::kEndTxn && e.result == Result::kCommitTxn && commit < 0) commit = int(i);
    if (e.type == EventType::kInitProducerId && init < 0) init = int(i);
  }
  EXPECT_LT(commit, init) << "the zombie committed before the new instance's InitProducerId";
}

TEST(TransactionVerdicts, ConsumerCommittingSeparatelyIsNotExactlyOnce) {
  CheckResult r = Check(Cfg(ProducerApp({"fault.producer.zombie=0",
                                         "app.commit=process-then-commit-sync"})));
  EXPECT_TRUE(Has(r, Effect::kDupProcessed));
}

// ---- Steps and hand-built states ----

TEST(TransactionSteps, ZombieIsFencedOnceTheNewInstanceInitialises) {
  Config c = Cfg(ProducerApp({"replication.factor=1", "min.insync.replicas=1"}));
  // Walk: send, add partition, zombie, then the new instance's InitProducerId.
  State s = initial_state(c);
  std::vector<Step> steps;
  auto take = [&](EventType type) {
    successors(c, s, &steps);
    for (const Step& st : steps)
      if (st.event.type == type) {
        s = st.next;
        return true;
      }
    return false;
  };
  ASSERT_TRUE(take(EventType::kSend));
  ASSERT_TRUE(take(EventType::kAddPartitionsToTxn));
  ASSERT_TRUE(take(EventType::kProducerZombie));
  EXPECT_EQ(s.coordinator.zombie_epoch, 1);
  ASSERT_TRUE(take(EventType::kInitProducerId));  // fences epoch 1, aborts its transaction
  EXPECT_EQ(s.coordinator.epoch, 2);
  EXPECT_EQ(s.coordinator.zombie_epoch, 0);
  EXPECT_EQ(s.coordinator.status, TxnCoordinatorState::kPrepareAbort);
  EXPECT_EQ(s.coordinator.aborted_gens[0], 1);
  // No step lets epoch 1 commit now.
  successors(c, s, &steps);
  for (const Step& st : steps)
    EXPECT_FALSE(st.event.type == EventType::kEndTxn && st.event.result == Result::kCommitTxn);
}

TEST(TransactionSteps, LastStableOffsetStopsAtTheFirstOpenTransaction) {
  Replica r;
  r.log[0] = Record::make(0, 0, 1, 1, 0, Record::kTransactional);
  r.log[1] = Record::marker(/*commit=*/false, 1, 1);
  r.log[2] = Record::make(0, 1, 1, 2, 0, Record::kTransactional);
  r.log[3] = Record::make(1, 0, 1, 0, 0, Record::kPlain);
  r.log_end_offset = 4;
  r.high_watermark = 4;
  EXPECT_EQ(last_stable_offset(r), 2);
  EXPECT_TRUE(aborted_in_log(r, 0));
  EXPECT_FALSE(visible_to_reader(r, 0, /*read_committed=*/true));
  EXPECT_TRUE(visible_to_reader(r, 0, /*read_committed=*/false));
  EXPECT_FALSE(visible_to_reader(r, 1, /*read_committed=*/false));  // markers never
  EXPECT_FALSE(visible_to_reader(r, 2, /*read_committed=*/true));   // open
  // A marker counts only once it is below the high watermark.
  r.log[4] = Record::marker(/*commit=*/true, 1, 2);
  r.log_end_offset = 5;
  EXPECT_EQ(last_stable_offset(r), 2);
  r.high_watermark = 5;
  EXPECT_EQ(last_stable_offset(r), 5);
  EXPECT_TRUE(visible_to_reader(r, 2, /*read_committed=*/true));
  EXPECT_EQ(latest_producer_epoch(r), 2);
}

TEST(TransactionSteps, AbortingAnAppliedRecordIsUncommittedRead) {
  State s;
  apply_to_sink(&s, polled_record(Record::make(0, 0, 1, 1, 0, Record::kTransactional), 0));
  EXPECT_EQ(s.effects, 0);
  mark_aborted(&s, 0, 0);
  EXPECT_EQ(s.effects, bit(Effect::kUncommitted));
  EXPECT_FALSE(delivered(s, 0));
  // The re-sent copy is delivered; the second copy is not also called a duplicate.
  apply_to_sink(&s, polled_record(Record::make(0, 1, 1, 2, 0, Record::kTransactional), 2));
  EXPECT_TRUE(delivered(s, 0));
  EXPECT_EQ(s.effects, bit(Effect::kUncommitted));
}

}  // namespace
}  // namespace kdc
