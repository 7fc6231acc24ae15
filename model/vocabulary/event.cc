#include "model/vocabulary/event.h"

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace kdc {
namespace {

using ordered_json = nlohmann::ordered_json;

constexpr std::array<std::string_view, static_cast<size_t>(EventType::kCount)> kEventNames = {
    "send",
    "produce_request",
    "produce_response",
    "metadata_update",
    "handle_produce",
    "produce_complete",
    "fetch",
    "truncate",
    "isr_shrink",
    "isr_expand",
    "writeback",
    "broker_restart",
    "network_heal",
    "fence_broker",
    "unfence_broker",
    "elect_leader",
    "leader_and_isr",
    "poll",
    "process",
    "commit",
    "commit_complete",
    "offset_reset",
    "consumer_rejoin",
    "validate_position",
    "init_producer_id",
    "add_partitions_to_txn",
    "add_offsets_to_txn",
    "end_txn",
    "write_txn_marker",
    "complete_txn",
    "offset_fetch",
    "request_timeout",
    "delivery_timeout",
    "producer_crash",
    "broker_crash",
    "broker_power_loss",
    "cluster_power_loss",
    "network_partition",
    "consumer_crash",
    "consumer_rebalance",
    "offset_loss",
    "transaction_timeout",
    "producer_zombie",
};

constexpr std::array<std::string_view, static_cast<size_t>(Result::kCount)> kResultNames = {
    "none",
    "appended",
    "duplicate",
    "not_leader_or_follower",
    "not_enough_replicas",
    "not_enough_replicas_after_append",
    "out_of_order_sequence",
    "network_exception",
    "request_timed_out",
    "delivery_timed_out",
    "acked",
    "retry",
    "failed_dropped",
    "failed_resent",
    "abortable_error",
    "clean",
    "unclean",
    "eligible_leader_replica",
    "last_known_leader",
    "leader",
    "follower",
    "auto_commit",
    "commit_sync",
    "commit_async",
    "commit_failed",
    "earliest",
    "latest",
    "no_reset",
    "commit",
    "abort",
    "producer_fenced",
    "invalid_producer_epoch",
    "invalid_txn_state",
    "illegal_generation",
    "concurrent_transactions",
};

// The integer fields in the order they are written. Each is stored in one of three
// widths: the model's values fit in a byte, the implementation's long runs do not.
struct IntField {
  const char* key;
  int64_t max;
  int8_t Event::* f8;
  int32_t Event::* f32;
};

constexpr int64_t kInt32Max = 2147483647;

constexpr IntField kIntFields[] = {
    {"broker", 127, &Event::broker, nullptr},
    {"peer", 127, &Event::peer, nullptr},
    {"msg", kInt32Max, nullptr, &Event::msg},
    {"gen", 127, &Event::gen, nullptr},
    {"offset", kInt32Max, nullptr, &Event::offset},
    {"count", kInt32Max, nullptr, &Event::count},
    {"leader_epoch", kInt32Max, nullptr, &Event::leader_epoch},
    {"seq", kInt32Max, nullptr, &Event::seq},
    {"producer_id", kInt32Max, nullptr, &Event::producer_id},
};

int64_t get_int(const Event& e, const IntField& f) { return f.f32 ? e.*f.f32 : e.*f.f8; }

void set_int(Event* e, const IntField& f, int64_t v) {
  if (f.f32) {
    e->*f.f32 = static_cast<int32_t>(v);
  } else {
    e->*f.f8 = static_cast<int8_t>(v);
  }
}

// ---- describe() helpers ----

std::string num(int v) { return v < 0 ? std::string("?") : std::to_string(v); }

std::string msg_label(const Event& e) {
  std::string s = e.msg < 0 ? std::string("m?") : "m" + std::to_string(e.msg);
  if (e.gen > 0) s += " (re-sent #" + std::to_string(e.gen) + ")";
  return s;
}

std::string broker_label(int b) { return "broker " + num(b); }

// What the producer did, after an arrow; empty for kNone.
std::string outcome_suffix(Result o) {
  switch (o) {
    case Result::kNone:
      return "";
    case Result::kAcked:
      return " → acknowledged to the app";
    case Result::kRetry:
      return " → retry";
    case Result::kFailedDropped:
      return " → app drops it";
    case Result::kFailedResent:
      return " → app re-sends it";
    case Result::kAbortableError:
      return " → abortable error: the app must abort the transaction";
    default:
      return " → " + std::string(name(o));
  }
}

std::string leader_prefix(const Event& e) {
  std::string s = broker_label(e.broker);
  if (e.result == Result::kNotLeaderOrFollower) {
    if (e.leader_epoch >= 0) s += " (epoch " + std::to_string(e.leader_epoch) + ")";
    return s;
  }
  s += " (leader";
  if (e.leader_epoch >= 0) s += ", epoch " + std::to_string(e.leader_epoch);
  return s + ")";
}

std::string records(int n) { return num(n) + (n == 1 ? " record" : " records"); }

}  // namespace

std::string kafka_error(Result r) {
  switch (r) {
    case Result::kNone:
    case Result::kAppended:
      return "NONE";
    case Result::kDuplicate:
      return "DUPLICATE_SEQUENCE_NUMBER";
    case Result::kNotLeaderOrFollower:
      return "NOT_LEADER_OR_FOLLOWER";
    case Result::kNotEnoughReplicas:
      return "NOT_ENOUGH_REPLICAS";
    case Result::kNotEnoughReplicasAfterAppend:
      return "NOT_ENOUGH_REPLICAS_AFTER_APPEND";
    case Result::kOutOfOrderSequence:
      return "OUT_OF_ORDER_SEQUENCE_NUMBER";
    case Result::kNetworkException:
      return "NETWORK_EXCEPTION";
    case Result::kRequestTimedOut:
      return "REQUEST_TIMED_OUT";
    case Result::kDeliveryTimedOut:
      // The client fails the batch with a TimeoutException, i.e. Errors.REQUEST_TIMED_OUT.
      return "REQUEST_TIMED_OUT (delivery.timeout.ms expired)";
    case Result::kProducerFenced:
      return "PRODUCER_FENCED";
    case Result::kInvalidProducerEpoch:
      return "INVALID_PRODUCER_EPOCH";
    case Result::kInvalidTxnState:
      return "INVALID_TXN_STATE";
    case Result::kIllegalGeneration:
      return "ILLEGAL_GENERATION";
    case Result::kConcurrentTransactions:
      return "CONCURRENT_TRANSACTIONS";
    default:
      return std::string(name(r));
  }
}

std::string_view name(EventType t) {
  auto i = static_cast<size_t>(t);
  return i < kEventNames.size() ? kEventNames[i] : std::string_view("?");
}

std::string_view name(Result r) {
  auto i = static_cast<size_t>(r);
  return i < kResultNames.size() ? kResultNames[i] : std::string_view("?");
}

bool parse_event_type(std::string_view s, EventType* out) {
  for (size_t i = 0; i < kEventNames.size(); ++i) {
    if (kEventNames[i] == s) {
      *out = static_cast<EventType>(i);
      return true;
    }
  }
  return false;
}

bool parse_result(std::string_view s, Result* out) {
  for (size_t i = 0; i < kResultNames.size(); ++i) {
    if (kResultNames[i] == s) {
      *out = static_cast<Result>(i);
      return true;
    }
  }
  return false;
}

bool is_fault(EventType t) {
  switch (t) {
    case EventType::kRequestTimeout:
    case EventType::kDeliveryTimeout:
    case EventType::kProducerCrash:
    case EventType::kBrokerCrash:
    case EventType::kBrokerPowerLoss:
    case EventType::kClusterPowerLoss:
    case EventType::kNetworkPartition:
    case EventType::kConsumerCrash:
    case EventType::kConsumerRebalance:
    case EventType::kOffsetLoss:
    case EventType::kTransactionTimeout:
    case EventType::kProducerZombie:
      return true;
    default:
      return false;
  }
}

std::string to_json_line(const Event& e, int step) {
  ordered_json j;
  j["step"] = step;
  j["event"] = name(e.type);
  if (is_fault(e.type)) j["fault"] = true;
  for (const IntField& f : kIntFields) {
    int64_t v = get_int(e, f);
    if (v != -1) j[f.key] = v;
  }
  if (e.result != Result::kNone) j["result"] = name(e.result);
  if (e.outcome != Result::kNone) j["outcome"] = name(e.outcome);
  return j.dump();
}

bool from_json_line(std::string_view line, Event* out, std::string* error) {
  auto fail = [&](std::string msg) {
    if (error) *error = std::move(msg);
    return false;
  };
  ordered_json j;
  try {
    j = ordered_json::parse(line.begin(), line.end());
  } catch (const ordered_json::parse_error& ex) {
    std::string what = ex.what();
    // Drop nlohmann's "[json.exception.parse_error.101] " tag.
    if (auto p = what.find("] "); what.rfind("[json.exception", 0) == 0 && p != std::string::npos)
      what = what.substr(p + 2);
    return fail("invalid JSON: " + what);
  }
  if (!j.is_object()) return fail("expected a JSON object");

  Event e;
  bool have_event = false;
  for (const auto& [key, value] : j.items()) {
    if (key == "step" || key == "fault") continue;  // positional / derived from the type
    if (key == "event") {
      if (!value.is_string()) return fail("field 'event' must be a string");
      const auto& s = value.get_ref<const std::string&>();
      if (!parse_event_type(s, &e.type)) return fail("unknown event '" + s + "'");
      have_event = true;
      continue;
    }
    if (key == "result" || key == "outcome") {
      if (!value.is_string()) return fail("field '" + key + "' must be a string");
      const auto& s = value.get_ref<const std::string&>();
      Result r;
      if (!parse_result(s, &r)) return fail("unknown " + key + " '" + s + "'");
      (key == "result" ? e.result : e.outcome) = r;
      continue;
    }
    const IntField* field = nullptr;
    for (const IntField& f : kIntFields) {
      if (key == f.key) field = &f;
    }
    if (field == nullptr) return fail("unknown key '" + key + "'");
    if (!value.is_number_integer()) return fail("field '" + key + "' must be an integer");
    std::string range = "field '" + key + "' must be between -1 and " + std::to_string(field->max);
    if (value.is_number_unsigned()) {
      uint64_t v = value.get<uint64_t>();
      if (v > static_cast<uint64_t>(field->max)) return fail(range + ", got " + std::to_string(v));
      set_int(&e, *field, static_cast<int64_t>(v));
    } else {
      int64_t v = value.get<int64_t>();
      if (v < -1 || v > field->max) return fail(range + ", got " + std::to_string(v));
      set_int(&e, *field, v);
    }
  }
  if (!have_event) return fail("missing field 'event'");
  *out = e;
  return true;
}

std::string describe(const Event& e) {
  const std::string m = msg_label(e);
  const std::string b = broker_label(e.broker);
  switch (e.type) {
    case EventType::kSend:
      return "producer app: send(" + m + ") → record accumulator";
    case EventType::kProduceRequest: {
      std::string s = "sender: Produce " + m;
      if (e.seq >= 0 && e.producer_id >= 0) {
        s += " (seq " + std::to_string(e.seq) + ", producer id " + std::to_string(e.producer_id) + ")";
      } else if (e.seq >= 0) {
        s += " (seq " + std::to_string(e.seq) + ")";
      } else if (e.producer_id >= 0) {
        s += " (producer id " + std::to_string(e.producer_id) + ")";
      }
      return s + " → " + b;
    }
    case EventType::kProduceResponse: {
      std::string s = "sender: response for " + m + ": ";
      if (e.result == Result::kAppended || e.result == Result::kNone) {
        s += "success";
        if (e.offset >= 0) s += " (offset " + std::to_string(e.offset) + ")";
      } else if (e.result == Result::kDuplicate) {
        // The broker answers a duplicate batch with NONE and the original offset.
        s += "success (duplicate";
        if (e.offset >= 0) s += " of offset " + std::to_string(e.offset);
        s += ")";
      } else {
        s += kafka_error(e.result);
      }
      return s + outcome_suffix(e.outcome);
    }
    case EventType::kMetadataUpdate: {
      std::string s = "producer metadata: " + b + " leads the partition";
      if (e.leader_epoch >= 0) s += " (epoch " + std::to_string(e.leader_epoch) + ")";
      return s;
    }
    case EventType::kHandleProduce: {
      std::string s = leader_prefix(e) + ": ";
      if (e.result == Result::kAppended || e.result == Result::kNone) {
        return s + "appends " + m + " at offset " + num(e.offset);
      }
      if (e.result == Result::kDuplicate) {
        return s + m + " is a duplicate (seq " + num(e.seq) + ") of offset " + num(e.offset);
      }
      return s + "rejects " + m + ": " + kafka_error(e.result);
    }
    case EventType::kProduceComplete: {
      std::string s = leader_prefix(e) + ": acks=all produce of " + m;
      if (e.result == Result::kAppended || e.result == Result::kNone) {
        s += " completes";
        if (e.offset >= 0) s += " at offset " + std::to_string(e.offset);
        return s + " (high watermark reached)";
      }
      return s + " fails: " + kafka_error(e.result);
    }
    case EventType::kFetch:
      return b + " fetches from leader " + num(e.peer) + " at offset " + num(e.offset) + ": " +
             records(e.count);
    case EventType::kTruncate:
      return b + " truncates its log to offset " + num(e.offset);
    case EventType::kIsrShrink:
      return "leader " + num(e.broker) + " shrinks ISR: removes " + broker_label(e.peer);
    case EventType::kIsrExpand:
      return "leader " + num(e.broker) + " expands ISR: adds " + broker_label(e.peer);
    case EventType::kWriteback:
      return "OS flushes " + b + "'s page cache to disk (offsets < " + num(e.offset) + ")";
    case EventType::kBrokerRestart:
      return b + " process restarts (recovers its log from disk)";
    case EventType::kNetworkHeal:
      return "network heals: " + b + " reaches the controller and the other brokers again";
    case EventType::kFenceBroker:
      return "controller fences " + b + " (missed heartbeats)";
    case EventType::kUnfenceBroker:
      return "controller unfences " + b + " (registered again)";
    case EventType::kElectLeader: {
      std::string s;
      if (e.broker < 0) {
        s = "controller finds no eligible leader: partition offline";
        if (e.leader_epoch >= 0) s += ", epoch " + std::to_string(e.leader_epoch);
        return s;
      }
      s = "controller elects " + b + " leader";
      if (e.leader_epoch >= 0) s += ", epoch " + std::to_string(e.leader_epoch);
      if (e.result == Result::kClean) s += " (clean)";
      if (e.result == Result::kUnclean) s += " (unclean)";
      if (e.result == Result::kEligibleLeaderReplica) s += " (eligible leader replica)";
      if (e.result == Result::kLastKnownLeader) s += " (last known leader)";
      return s;
    }
    case EventType::kLeaderAndIsr: {
      std::string s = b + " becomes " + (e.result == Result::kFollower ? "follower" : "leader");
      if (e.leader_epoch >= 0) s += " in epoch " + std::to_string(e.leader_epoch);
      return s;
    }
    case EventType::kPoll:
      return "consumer polls " + records(e.count) + " from offset " + num(e.offset) + " on " + b;
    case EventType::kProcess:
      return "sink applies " + m + " (offset " + num(e.offset) + ")";
    case EventType::kCommit: {
      if (e.result == Result::kCommitFailed) {
        std::string s = "consumer commit FAILED: CommitFailedException (generation fenced)";
        if (e.offset >= 0) s += "; offset " + std::to_string(e.offset) + " not committed";
        return s;
      }
      std::string s = "consumer commits offset " + num(e.offset);
      if (e.result == Result::kAutoCommit) s += " (auto-commit)";
      if (e.result == Result::kCommitSync) s += " (commitSync)";
      if (e.result == Result::kCommitAsync) s += " (commitAsync)";
      return s;
    }
    case EventType::kCommitComplete:
      return "group coordinator stores the async commit of offset " + num(e.offset);
    case EventType::kOffsetReset:
      if (e.result == Result::kNoReset) {
        return "auto.offset.reset=none: consumer stops (NoOffsetForPartitionException)";
      }
      return std::string("auto.offset.reset=") +
             (e.result == Result::kEarliest ? "earliest" : e.result == Result::kLatest ? "latest" : "?") +
             ": position → " + num(e.offset);
    case EventType::kConsumerRejoin: {
      std::string s = "consumer rejoins the group";
      if (e.offset >= 0) s += "; resumes from committed offset " + std::to_string(e.offset);
      return s;
    }
    case EventType::kValidatePosition:
      return "consumer validates its position with leader " + std::to_string(e.broker) +
             " (epoch " + std::to_string(e.leader_epoch) + ", KIP-320): position → " + num(e.offset);
    case EventType::kInitProducerId: {
      if (e.result == Result::kConcurrentTransactions)
        return "new producer instance: InitProducerId → coordinator bumps the epoch to " +
               num(e.producer_id) + " and aborts the previous instance's open transaction "
               "(CONCURRENT_TRANSACTIONS: the new instance waits)";
      return "new producer instance: InitProducerId → producer epoch " + num(e.producer_id) +
             " (older epochs are fenced)";
    }
    case EventType::kAddPartitionsToTxn:
      if (e.result == Result::kProducerFenced)
        return "producer (epoch " + num(e.producer_id) +
               "): AddPartitionsToTxn → PRODUCER_FENCED (fatal; the app starts a new producer)";
      return "producer (epoch " + num(e.producer_id) + ") adds the partition to the transaction of " + m;
    case EventType::kAddOffsetsToTxn: {
      std::string s = "processor (epoch " + num(e.producer_id) + ") sends input offset " +
                      num(e.offset) + " to the transaction";
      if (e.result == Result::kIllegalGeneration)
        return s + " → ILLEGAL_GENERATION (generation fenced, KIP-447): the transaction must abort";
      if (e.result == Result::kProducerFenced) return s + " → PRODUCER_FENCED (fatal)";
      return s;
    }
    case EventType::kEndTxn: {
      std::string who = "producer (epoch " + num(e.producer_id) + ")";
      if (e.result == Result::kCommitTxn) return who + " commits the transaction of " + m;
      if (e.result == Result::kAbortTxn) return who + " aborts the transaction of " + m;
      return who + ": EndTxn for " + m + " → " + kafka_error(e.result) +
             " (fatal; the app starts a new producer)";
    }
    case EventType::kWriteTxnMarker:
      return std::string("transaction coordinator writes the ") +
             (e.result == Result::kCommitTxn ? "COMMIT" : "ABORT") + " marker (epoch " +
             num(e.producer_id) + ") at offset " + num(e.offset) + " on leader " + num(e.broker);
    case EventType::kCompleteTxn:
      return std::string("transaction coordinator completes the ") +
             (e.result == Result::kCommitTxn ? "commit" : "abort") + " of " + m +
             (e.offset >= 0 ? "; input offset " + std::to_string(e.offset) + " is now committed"
                            : std::string());
    case EventType::kOffsetFetch:
      return "processor resumes from the committed input offset " + num(e.offset);
    case EventType::kTransactionTimeout:
      return "FAULT: transaction.timeout.ms expires: the coordinator aborts the transaction of " + m +
             " and bumps the epoch to " + num(e.producer_id);
    case EventType::kProducerZombie:
      return "FAULT: a new producer instance starts while the old one (epoch " +
             num(e.producer_id) + ") keeps running (zombie)";
    case EventType::kRequestTimeout: {
      std::string s = "FAULT: request";
      if (e.broker >= 0) s += " to " + b;
      s += " times out for " + m + outcome_suffix(e.outcome);
      // count: how many requests on the closed connection the broker had already read.
      if (e.count > 0)
        s += " (connection closed; the broker had already read " + std::to_string(e.count) +
             (e.count == 1 ? " request, which it may still append)" : " requests, which it may still append)");
      else if (e.count == 0)
        s += " (connection closed; requests not yet read are lost)";
      return s;
    }
    case EventType::kDeliveryTimeout:
      return "FAULT: delivery.timeout.ms expires " + m + outcome_suffix(e.outcome);
    case EventType::kProducerCrash: {
      std::string s = "FAULT: producer crashes";
      if (e.producer_id >= 0) s += "; restarts as producer id " + std::to_string(e.producer_id);
      // count: requests on the wire that brokers had already read (they may still append).
      if (e.count > 0)
        s += " (brokers had already read " + std::to_string(e.count) + " of its requests)";
      return s;
    }
    case EventType::kBrokerCrash:
      return "FAULT: " + b + " process crashes (page cache survives)";
    case EventType::kBrokerPowerLoss:
      return "FAULT: " + b + " loses power (unflushed records lost)";
    case EventType::kClusterPowerLoss:
      return "FAULT: every broker loses power at once";
    case EventType::kNetworkPartition:
      return "FAULT: network partition isolates " + b +
             " from the controller and the other brokers";
    case EventType::kConsumerCrash:
      return "FAULT: consumer crashes; restarts from committed offset";
    case EventType::kConsumerRebalance:
      return "FAULT: consumer group rebalances (this member's generation is fenced)";
    case EventType::kOffsetLoss:
      return "FAULT: committed offset lost";
    case EventType::kCount:
      break;
  }
  return "?";
}

}  // namespace kdc
