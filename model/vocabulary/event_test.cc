#include "model/vocabulary/event.h"

#include <iterator>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "model/effects.h"

namespace kdc {
namespace {

Event full_event(EventType t) {
  Event e;
  e.type = t;
  e.broker = 1;
  e.peer = 2;
  e.msg = 3;
  e.gen = 1;
  e.offset = 300;
  e.count = 4;
  e.leader_epoch = 5;
  e.seq = 6;
  e.producer_id = 7;
  e.result = Result::kAppended;
  e.outcome = Result::kAcked;
  return e;
}

TEST(EventNames, ExamplesFromTheContract) {
  EXPECT_EQ(name(EventType::kHandleProduce), "handle_produce");
  EXPECT_EQ(name(EventType::kIsrShrink), "isr_shrink");
  EXPECT_EQ(name(EventType::kOffsetLoss), "offset_loss");
  EXPECT_EQ(name(EventType::kCount), "?");
  EXPECT_EQ(name(Result::kNotEnoughReplicasAfterAppend), "not_enough_replicas_after_append");
  EXPECT_EQ(name(Result::kEligibleLeaderReplica), "eligible_leader_replica");
  EXPECT_EQ(name(Result::kFailedDropped), "failed_dropped");
  EXPECT_EQ(name(Result::kNone), "none");
  EXPECT_EQ(name(Result::kCount), "?");
}

// The wire names, spelled out: changing one breaks every stored trace.
TEST(EventNames, AllNamesSpelledOut) {
  const char* events[] = {
      "send", "produce_request", "produce_response", "metadata_update", "handle_produce",
      "produce_complete", "fetch", "truncate", "isr_shrink", "isr_expand", "writeback",
      "broker_restart", "network_heal", "fence_broker", "unfence_broker", "elect_leader",
      "leader_and_isr", "poll", "process", "commit", "commit_complete", "offset_reset",
      "consumer_rejoin", "validate_position", "init_producer_id", "add_partitions_to_txn",
      "add_offsets_to_txn", "end_txn", "write_txn_marker", "complete_txn", "offset_fetch",
      "request_timeout", "delivery_timeout", "producer_crash", "broker_crash",
      "broker_power_loss", "cluster_power_loss", "network_partition", "consumer_crash",
      "consumer_rebalance", "offset_loss", "transaction_timeout", "producer_zombie"};
  ASSERT_EQ(std::size(events), static_cast<size_t>(EventType::kCount));
  for (size_t i = 0; i < std::size(events); ++i) {
    EXPECT_EQ(name(static_cast<EventType>(i)), events[i]);
  }
  const char* results[] = {
      "none", "appended", "duplicate", "not_leader_or_follower", "not_enough_replicas",
      "not_enough_replicas_after_append", "out_of_order_sequence", "network_exception",
      "request_timed_out", "delivery_timed_out", "acked", "retry", "failed_dropped",
      "failed_resent", "abortable_error", "clean", "unclean", "eligible_leader_replica", "last_known_leader", "leader", "follower",
      "auto_commit", "commit_sync", "commit_async", "commit_failed", "earliest", "latest",
      "no_reset", "commit", "abort", "producer_fenced", "invalid_producer_epoch",
      "invalid_txn_state", "illegal_generation", "concurrent_transactions"};
  ASSERT_EQ(std::size(results), static_cast<size_t>(Result::kCount));
  for (size_t i = 0; i < std::size(results); ++i) {
    EXPECT_EQ(name(static_cast<Result>(i)), results[i]);
  }
}

TEST(EventNames, EveryEventTypeHasAUniqueNameThatParsesBack) {
  std::set<std::string> seen;
  for (int i = 0; i < static_cast<int>(EventType::kCount); ++i) {
    auto t = static_cast<EventType>(i);
    std::string n(name(t));
    EXPECT_NE(n, "?") << i;
    EXPECT_TRUE(seen.insert(n).second) << n;
    EventType back = EventType::kCount;
    ASSERT_TRUE(parse_event_type(n, &back)) << n;
    EXPECT_EQ(back, t);
  }
  EventType t;
  EXPECT_FALSE(parse_event_type("?", &t));
  EXPECT_FALSE(parse_event_type("HandleProduce", &t));
  EXPECT_FALSE(parse_event_type("", &t));
}

TEST(EventNames, EveryResultHasAUniqueNameThatParsesBack) {
  std::set<std::string> seen;
  for (int i = 0; i < static_cast<int>(Result::kCount); ++i) {
    auto r = static_cast<Result>(i);
    std::string n(name(r));
    EXPECT_NE(n, "?") << i;
    EXPECT_TRUE(seen.insert(n).second) << n;
    Result back = Result::kCount;
    ASSERT_TRUE(parse_result(n, &back)) << n;
    EXPECT_EQ(back, r);
  }
  Result r;
  EXPECT_FALSE(parse_result("?", &r));
  EXPECT_FALSE(parse_result("NOT_ENOUGH_REPLICAS", &r));
}

TEST(EventNames, Faults) {
  const std::set<EventType> faults = {
      EventType::kRequestTimeout,   EventType::kDeliveryTimeout,   EventType::kProducerCrash,
      EventType::kBrokerCrash,      EventType::kBrokerPowerLoss,   EventType::kClusterPowerLoss,
      EventType::kNetworkPartition, EventType::kConsumerCrash,     EventType::kConsumerRebalance,
      EventType::kOffsetLoss,       EventType::kTransactionTimeout, EventType::kProducerZombie};
  for (int i = 0; i < static_cast<int>(EventType::kCount); ++i) {
    auto t = static_cast<EventType>(i);
    EXPECT_EQ(is_fault(t), faults.count(t) == 1) << name(t);
  }
}

TEST(EffectNames, RoundTrip) {
  EXPECT_EQ(name(Effect::kLostAcked), "L_ack");
  EXPECT_EQ(name(Effect::kLostFailed), "L_fail");
  EXPECT_EQ(name(Effect::kLostUnsent), "L_unsent");
  EXPECT_EQ(name(Effect::kLostSkipped), "L_skip");
  EXPECT_EQ(name(Effect::kDupInternal), "D_int");
  EXPECT_EQ(name(Effect::kDupApp), "D_app");
  EXPECT_EQ(name(Effect::kDupProcessed), "D_proc");
  EXPECT_EQ(name(Effect::kUncommitted), "V_unc");
  EXPECT_EQ(name(Effect::kReordered), "R");
  EXPECT_EQ(name(Effect::kCount), "?");
  for (int i = 0; i < static_cast<int>(Effect::kCount); ++i) {
    Effect e = Effect::kCount;
    ASSERT_TRUE(parse_effect(name(static_cast<Effect>(i)), &e));
    EXPECT_EQ(static_cast<int>(e), i);
  }
  Effect e;
  EXPECT_FALSE(parse_effect("l_ack", &e));
  EXPECT_FALSE(parse_effect("?", &e));
}

TEST(EventJson, ExactLine) {
  Event e;
  e.type = EventType::kHandleProduce;
  e.broker = 0;
  e.msg = 0;
  e.offset = 0;
  e.leader_epoch = 1;
  e.result = Result::kAppended;
  EXPECT_EQ(to_json_line(e, 3),
            R"({"step":3,"event":"handle_produce","broker":0,"msg":0,"offset":0,)"
            R"("leader_epoch":1,"result":"appended"})");
}

TEST(EventJson, FaultFlagAndAllFieldsInOrder) {
  EXPECT_EQ(to_json_line(full_event(EventType::kRequestTimeout), 1),
            R"({"step":1,"event":"request_timeout","fault":true,"broker":1,"peer":2,"msg":3,)"
            R"("gen":1,"offset":300,"count":4,"leader_epoch":5,"seq":6,"producer_id":7,)"
            R"("result":"appended","outcome":"acked"})");
  Event crash;
  crash.type = EventType::kClusterPowerLoss;
  EXPECT_EQ(to_json_line(crash, 12), R"({"step":12,"event":"cluster_power_loss","fault":true})");
}

TEST(EventJson, RoundTripEveryEventType) {
  for (int i = 0; i < static_cast<int>(EventType::kCount); ++i) {
    for (Event e : {Event{}, full_event(static_cast<EventType>(i))}) {
      e.type = static_cast<EventType>(i);
      std::string line = to_json_line(e, i + 1);
      EXPECT_EQ(line.find('\n'), std::string::npos);
      Event back;
      back.broker = 99;  // must be overwritten
      std::string error;
      ASSERT_TRUE(from_json_line(line, &back, &error)) << line << ": " << error;
      EXPECT_EQ(back, e) << line;
    }
  }
}

TEST(EventJson, RoundTripEveryResultAsResultAndOutcome) {
  for (int i = 0; i < static_cast<int>(Result::kCount); ++i) {
    Event e;
    e.type = EventType::kProduceResponse;
    e.msg = 0;
    e.result = static_cast<Result>(i);
    e.outcome = static_cast<Result>(static_cast<int>(Result::kCount) - 1 - i);
    std::string line = to_json_line(e, 1);
    Event back;
    std::string error;
    ASSERT_TRUE(from_json_line(line, &back, &error)) << line << ": " << error;
    EXPECT_EQ(back, e) << line;
  }
}

TEST(EventJson, ExtremeValuesRoundTrip) {
  Event e;
  e.type = EventType::kFetch;
  e.broker = 127;
  e.offset = 2147483647;
  e.msg = 1000000;
  e.count = 0;
  Event back;
  std::string error;
  ASSERT_TRUE(from_json_line(to_json_line(e, 1), &back, &error)) << error;
  EXPECT_EQ(back, e);
  // An explicit -1 is the absent value.
  ASSERT_TRUE(from_json_line(R"({"event":"fetch","peer":-1})", &back, &error)) << error;
  EXPECT_EQ(back.peer, -1);
}

TEST(EventJson, StepAndFaultAreIgnored) {
  Event back;
  std::string error;
  ASSERT_TRUE(from_json_line(R"({"step":"x","event":"send","fault":true,"msg":2})", &back, &error))
      << error;
  Event want;
  want.type = EventType::kSend;
  want.msg = 2;
  EXPECT_EQ(back, want);
}

std::string parse_error(const std::string& line) {
  Event e;
  std::string error;
  EXPECT_FALSE(from_json_line(line, &e, &error)) << line;
  return error;
}

TEST(EventJson, Errors) {
  EXPECT_EQ(parse_error(R"({"step":1,"event":"handle_prodce"})"), "unknown event 'handle_prodce'");
  EXPECT_EQ(parse_error(R"({"event":"send","offset":"0"})"), "field 'offset' must be an integer");
  EXPECT_EQ(parse_error(R"({"event":"send","offset":1.5})"), "field 'offset' must be an integer");
  EXPECT_EQ(parse_error(R"({"event":"send","msg":true})"), "field 'msg' must be an integer");
  EXPECT_EQ(parse_error(R"({"event":"send","gen":128})"),
            "field 'gen' must be between -1 and 127, got 128");
  EXPECT_EQ(parse_error(R"({"event":"send","msg":-2})"),
            "field 'msg' must be between -1 and 2147483647, got -2");
  EXPECT_EQ(parse_error(R"({"event":"fetch","offset":2147483648})"),
            "field 'offset' must be between -1 and 2147483647, got 2147483648");
  EXPECT_EQ(parse_error(R"({"event":"fetch","offset":18446744073709551615})"),
            "field 'offset' must be between -1 and 2147483647, got 18446744073709551615");
  EXPECT_EQ(parse_error(R"({"event":"send","mesg":0})"), "unknown key 'mesg'");
  EXPECT_EQ(parse_error(R"({"event":"commit","result":"commit_synk"})"),
            "unknown result 'commit_synk'");
  EXPECT_EQ(parse_error(R"({"event":"produce_response","outcome":"ack"})"),
            "unknown outcome 'ack'");
  EXPECT_EQ(parse_error(R"({"event":"commit","result":3})"), "field 'result' must be a string");
  EXPECT_EQ(parse_error(R"({"event":5})"), "field 'event' must be a string");
  EXPECT_EQ(parse_error(R"({"step":1,"msg":0})"), "missing field 'event'");
  EXPECT_EQ(parse_error(R"([1,2])"), "expected a JSON object");
  EXPECT_EQ(parse_error(R"({"event":"?"})"), "unknown event '?'");
  EXPECT_EQ(parse_error(R"({"event":"send"} x)").rfind("invalid JSON: ", 0), 0u);
  EXPECT_EQ(parse_error("").rfind("invalid JSON: ", 0), 0u);
}

TEST(EventJson, FailureLeavesOutputUntouched) {
  Event e = full_event(EventType::kPoll);
  Event copy = e;
  std::string error;
  EXPECT_FALSE(from_json_line(R"({"event":"send","gen":999})", &e, &error));
  EXPECT_EQ(e, copy);
}

Event ev(EventType t) {
  Event e;
  e.type = t;
  return e;
}

TEST(Describe, Producer) {
  Event e = ev(EventType::kSend);
  e.msg = 0;
  EXPECT_EQ(describe(e), "producer app: send(m0) → record accumulator");
  e.gen = 0;
  EXPECT_EQ(describe(e), "producer app: send(m0) → record accumulator");
  e.msg = 1;
  e.gen = 1;
  EXPECT_EQ(describe(e), "producer app: send(m1 (re-sent #1)) → record accumulator");

  e = ev(EventType::kProduceRequest);
  e.msg = 0;
  e.seq = 0;
  e.producer_id = 1;
  e.broker = 0;
  EXPECT_EQ(describe(e), "sender: Produce m0 (seq 0, producer id 1) → broker 0");

  e = ev(EventType::kProduceResponse);
  e.msg = 0;
  e.result = Result::kNotLeaderOrFollower;
  e.outcome = Result::kRetry;
  EXPECT_EQ(describe(e), "sender: response for m0: NOT_LEADER_OR_FOLLOWER → retry");
  e.result = Result::kAppended;
  e.offset = 0;
  e.outcome = Result::kAcked;
  EXPECT_EQ(describe(e), "sender: response for m0: success (offset 0) → acknowledged to the app");
  e.result = Result::kNotEnoughReplicas;
  e.offset = -1;
  e.outcome = Result::kFailedDropped;
  EXPECT_EQ(describe(e), "sender: response for m0: NOT_ENOUGH_REPLICAS → app drops it");
  e.outcome = Result::kFailedResent;
  EXPECT_EQ(describe(e), "sender: response for m0: NOT_ENOUGH_REPLICAS → app re-sends it");
}

TEST(Describe, Broker) {
  Event e = ev(EventType::kHandleProduce);
  e.broker = 0;
  e.leader_epoch = 1;
  e.msg = 0;
  e.offset = 0;
  e.result = Result::kAppended;
  EXPECT_EQ(describe(e), "broker 0 (leader, epoch 1): appends m0 at offset 0");
  e.result = Result::kDuplicate;
  e.seq = 0;
  EXPECT_EQ(describe(e), "broker 0 (leader, epoch 1): m0 is a duplicate (seq 0) of offset 0");
  e.result = Result::kNotEnoughReplicas;
  EXPECT_EQ(describe(e), "broker 0 (leader, epoch 1): rejects m0: NOT_ENOUGH_REPLICAS");
  e.result = Result::kOutOfOrderSequence;
  EXPECT_EQ(describe(e), "broker 0 (leader, epoch 1): rejects m0: OUT_OF_ORDER_SEQUENCE_NUMBER");

  e = ev(EventType::kFetch);
  e.broker = 1;
  e.peer = 0;
  e.offset = 0;
  e.count = 2;
  EXPECT_EQ(describe(e), "broker 1 fetches from leader 0 at offset 0: 2 records");
  e.count = 1;
  EXPECT_EQ(describe(e), "broker 1 fetches from leader 0 at offset 0: 1 record");

  e = ev(EventType::kTruncate);
  e.broker = 1;
  e.offset = 1;
  EXPECT_EQ(describe(e), "broker 1 truncates its log to offset 1");

  e = ev(EventType::kIsrShrink);
  e.broker = 0;
  e.peer = 2;
  EXPECT_EQ(describe(e), "leader 0 shrinks ISR: removes broker 2");

  e = ev(EventType::kWriteback);
  e.broker = 0;
  e.offset = 2;
  EXPECT_EQ(describe(e), "OS flushes broker 0's page cache to disk (offsets < 2)");
}

TEST(Describe, ControllerAndConsumer) {
  Event e = ev(EventType::kElectLeader);
  e.broker = 1;
  e.leader_epoch = 2;
  e.result = Result::kUnclean;
  EXPECT_EQ(describe(e), "controller elects broker 1 leader, epoch 2 (unclean)");

  e = ev(EventType::kLeaderAndIsr);
  e.broker = 1;
  e.leader_epoch = 2;
  e.result = Result::kLeader;
  EXPECT_EQ(describe(e), "broker 1 becomes leader in epoch 2");
  e.result = Result::kFollower;
  EXPECT_EQ(describe(e), "broker 1 becomes follower in epoch 2");

  e = ev(EventType::kPoll);
  e.count = 2;
  e.offset = 0;
  e.broker = 0;
  EXPECT_EQ(describe(e), "consumer polls 2 records from offset 0 on broker 0");

  e = ev(EventType::kProcess);
  e.msg = 0;
  e.offset = 0;
  EXPECT_EQ(describe(e), "sink applies m0 (offset 0)");

  e = ev(EventType::kCommit);
  e.offset = 2;
  e.result = Result::kCommitSync;
  EXPECT_EQ(describe(e), "consumer commits offset 2 (commitSync)");
  e.result = Result::kAutoCommit;
  EXPECT_EQ(describe(e), "consumer commits offset 2 (auto-commit)");

  e = ev(EventType::kOffsetReset);
  e.result = Result::kEarliest;
  e.offset = 0;
  EXPECT_EQ(describe(e), "auto.offset.reset=earliest: position → 0");
  e.result = Result::kNoReset;
  e.offset = -1;
  EXPECT_EQ(describe(e), "auto.offset.reset=none: consumer stops (NoOffsetForPartitionException)");
}

TEST(Describe, Faults) {
  Event e = ev(EventType::kBrokerPowerLoss);
  e.broker = 0;
  EXPECT_EQ(describe(e), "FAULT: broker 0 loses power (unflushed records lost)");
  e.type = EventType::kBrokerCrash;
  EXPECT_EQ(describe(e), "FAULT: broker 0 process crashes (page cache survives)");
  e.type = EventType::kNetworkPartition;
  EXPECT_EQ(describe(e),
            "FAULT: network partition isolates broker 0 from the controller and the other brokers");

  e = ev(EventType::kRequestTimeout);
  e.broker = 0;
  e.msg = 0;
  e.outcome = Result::kRetry;
  EXPECT_EQ(describe(e), "FAULT: request to broker 0 times out for m0 → retry");

  e = ev(EventType::kDeliveryTimeout);
  e.msg = 0;
  e.outcome = Result::kFailedDropped;
  EXPECT_EQ(describe(e), "FAULT: delivery.timeout.ms expires m0 → app drops it");

  e = ev(EventType::kProducerCrash);
  e.producer_id = 2;
  EXPECT_EQ(describe(e), "FAULT: producer crashes; restarts as producer id 2");

  EXPECT_EQ(describe(ev(EventType::kClusterPowerLoss)), "FAULT: every broker loses power at once");
  EXPECT_EQ(describe(ev(EventType::kConsumerCrash)),
            "FAULT: consumer crashes; restarts from committed offset");
  EXPECT_EQ(describe(ev(EventType::kConsumerRebalance)),
            "FAULT: consumer group rebalances (this member's generation is fenced)");
  EXPECT_EQ(describe(ev(EventType::kOffsetLoss)), "FAULT: committed offset lost");
}

TEST(Describe, EveryTypeIsDescribedAndFaultsSaySo) {
  for (int i = 0; i < static_cast<int>(EventType::kCount); ++i) {
    auto t = static_cast<EventType>(i);
    std::string d = describe(full_event(t));
    EXPECT_NE(d, "?") << name(t);
    EXPECT_EQ(d.rfind("FAULT: ", 0) == 0, is_fault(t)) << d;
  }
}

}  // namespace
}  // namespace kdc
