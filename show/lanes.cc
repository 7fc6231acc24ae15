#include "show/lanes.h"

namespace kdc::show {
namespace {

ActorRef app() { return {Actor::kProducerApp}; }
ActorRef accumulator() { return {Actor::kAccumulator}; }
ActorRef sender() { return {Actor::kSender}; }
ActorRef broker(int b) { return {Actor::kBroker, b}; }
ActorRef controller() { return {Actor::kController}; }
ActorRef group() { return {Actor::kGroupCoordinator}; }
ActorRef txn() { return {Actor::kTxnCoordinator}; }
ActorRef consumer() { return {Actor::kConsumer}; }
ActorRef sink() { return {Actor::kSink}; }

std::string num(int v) { return v < 0 ? std::string("?") : std::to_string(v); }
std::string at(int offset) { return "@" + num(offset); }
std::string msg(const Event& e) { return message_label(e.msg, e.gen); }
std::string records(int n) { return num(n) + (n == 1 ? " rec" : " recs"); }

bool ok(Result r) { return r == Result::kNone || r == Result::kAppended || r == Result::kDuplicate; }

// What the producer did with a response or a timeout: the callback reaches the app, or the
// batch goes back to the accumulator. Drawn on from the sender (or where the fault struck).
void add_outcome(const Event& e, ActorRef from, EventShape* s) {
  switch (e.outcome) {
    case Result::kAcked:
      s->arrows.push_back({from, app(), ArrowKind::kResponse, "callback: " + msg(e) + " acked"});
      break;
    case Result::kRetry:
      s->arrows.push_back({from, accumulator(), ArrowKind::kData, "retry " + msg(e)});
      break;
    case Result::kFailedDropped:
      s->arrows.push_back({from, app(), ArrowKind::kResponse, "failed → app drops " + msg(e), true});
      break;
    case Result::kFailedResent:
      s->arrows.push_back({from, app(), ArrowKind::kResponse, "failed → app re-sends " + msg(e), true});
      break;
    case Result::kAbortableError:
      s->arrows.push_back({from, app(), ArrowKind::kResponse, "abortable: abort txn", true});
      break;
    default:
      break;
  }
}

// A step of one actor, drawn as a box.
EventShape local(ActorRef who, std::string label) {
  EventShape s;
  s.local = {who};
  s.local_label = std::move(label);
  return s;
}

EventShape arrow(ActorRef from, ActorRef to, ArrowKind kind, std::string label, bool error = false) {
  EventShape s;
  s.arrows.push_back({from, to, kind, std::move(label), error});
  return s;
}

EventShape fault(std::vector<ActorRef> struck, std::string label) {
  EventShape s;
  s.struck = std::move(struck);
  s.local_label = std::move(label);
  return s;
}

std::string txn_word(Result r) { return r == Result::kCommitTxn ? "commit" : r == Result::kAbortTxn ? "abort" : kafka_error(r); }

}  // namespace

std::string message_label(int m, int gen) {
  std::string s = m < 0 ? std::string("m?") : "m" + std::to_string(m);
  if (gen > 0) s += "'" + std::to_string(gen);
  return s;
}

EventShape shape_of(const Event& e) {
  switch (e.type) {
    case EventType::kSend:
      return arrow(app(), accumulator(), ArrowKind::kRequest, "send(" + msg(e) + ")");
    case EventType::kProduceRequest: {
      // The sender drains the batch from the accumulator and sends it in one go.
      EventShape s = arrow(accumulator(), sender(), ArrowKind::kData, "drain " + msg(e));
      std::string label = "Produce " + msg(e);
      if (e.seq >= 0) label += " seq " + std::to_string(e.seq);
      if (e.broker >= 0) s.arrows.push_back({sender(), broker(e.broker), ArrowKind::kRequest, label});
      add_outcome(e, sender(), &s);  // acks=0: acknowledged as soon as it is sent
      return s;
    }
    case EventType::kProduceResponse: {
      EventShape s;
      std::string label = ok(e.result) ? (e.result == Result::kDuplicate ? "ok (duplicate)" : "ok")
                                       : kafka_error(e.result);
      if (ok(e.result) && e.offset >= 0) label += " " + at(e.offset);
      if (e.broker >= 0)
        s.arrows.push_back({broker(e.broker), sender(), ArrowKind::kResponse, label, !ok(e.result)});
      else
        s = local(sender(), label);
      add_outcome(e, sender(), &s);
      return s;
    }
    case EventType::kMetadataUpdate:
      return arrow(broker(e.broker), sender(), ArrowKind::kResponse,
                   "Metadata: leader " + num(e.broker) + (e.leader_epoch >= 0 ? " e" + num(e.leader_epoch) : ""));
    case EventType::kHandleProduce:
      if (e.result == Result::kAppended || e.result == Result::kNone)
        return local(broker(e.broker), "append " + msg(e) + " " + at(e.offset));
      if (e.result == Result::kDuplicate) return local(broker(e.broker), "duplicate of " + at(e.offset));
      return local(broker(e.broker), "reject " + msg(e) + ": " + kafka_error(e.result));
    case EventType::kProduceComplete:
      if (ok(e.result)) return local(broker(e.broker), "HW passed " + msg(e) + ": complete");
      return local(broker(e.broker), msg(e) + ": " + kafka_error(e.result));
    case EventType::kFetch:
      if (e.peer < 0) return local(broker(e.broker), "fetch " + at(e.offset));
      return arrow(broker(e.peer), broker(e.broker), ArrowKind::kData,
                   "fetch " + at(e.offset) + ": " + records(e.count));
    case EventType::kTruncate:
      return local(broker(e.broker), "truncate to " + at(e.offset));
    case EventType::kIsrShrink:
      return arrow(broker(e.broker), controller(), ArrowKind::kRequest, "AlterPartition: ISR −" + num(e.peer));
    case EventType::kIsrExpand:
      return arrow(broker(e.broker), controller(), ArrowKind::kRequest, "AlterPartition: ISR +" + num(e.peer));
    case EventType::kWriteback:
      return local(broker(e.broker), "flush < " + at(e.offset));
    case EventType::kBrokerRestart:
      return local(broker(e.broker), "restart" + (e.offset >= 0 ? ", LEO " + num(e.offset) : std::string()));
    case EventType::kNetworkHeal:
      return local(broker(e.broker), "network heals");
    case EventType::kFenceBroker:
      return arrow(controller(), broker(e.broker), ArrowKind::kControl, "fence");
    case EventType::kUnfenceBroker:
      return arrow(controller(), broker(e.broker), ArrowKind::kControl, "unfence");
    case EventType::kElectLeader: {
      if (e.broker < 0) return local(controller(), "no eligible leader: offline");
      std::string how = e.result == Result::kClean                   ? "clean"
                        : e.result == Result::kUnclean               ? "UNCLEAN"
                        : e.result == Result::kEligibleLeaderReplica ? "ELR"
                        : e.result == Result::kLastKnownLeader       ? "last known"
                                                                     : "";
      return arrow(controller(), broker(e.broker), ArrowKind::kControl,
                   "leader e" + num(e.leader_epoch) + (how.empty() ? "" : " (" + how + ")"),
                   e.result == Result::kUnclean);
    }
    case EventType::kLeaderAndIsr:
      return arrow(controller(), broker(e.broker), ArrowKind::kControl,
                   std::string(e.result == Result::kFollower ? "follower" : "leader") + " e" + num(e.leader_epoch));
    case EventType::kPoll:
      if (e.broker < 0) return local(consumer(), "poll " + at(e.offset) + ": " + records(e.count));
      return arrow(broker(e.broker), consumer(), ArrowKind::kData, "poll " + at(e.offset) + ": " + records(e.count));
    case EventType::kProcess:
      return arrow(consumer(), sink(), ArrowKind::kData, "process " + msg(e) + " " + at(e.offset));
    case EventType::kCommit: {
      if (e.result == Result::kCommitFailed)
        return arrow(consumer(), group(), ArrowKind::kRequest, "commit " + num(e.offset) + ": FAILED", true);
      std::string how = e.result == Result::kAutoCommit   ? " (auto)"
                        : e.result == Result::kCommitSync ? " (sync)"
                        : e.result == Result::kCommitAsync ? " (async)"
                                                           : "";
      return arrow(consumer(), group(), ArrowKind::kRequest, "commit " + num(e.offset) + how);
    }
    case EventType::kCommitComplete:
      if (e.result == Result::kCommitFailed)
        return arrow(group(), consumer(), ArrowKind::kResponse, "async commit " + num(e.offset) + " failed", true);
      return arrow(group(), consumer(), ArrowKind::kResponse, "async commit " + num(e.offset) + " stored");
    case EventType::kOffsetReset:
      if (e.result == Result::kNoReset) return local(consumer(), "no reset: consumer stops");
      return local(consumer(), std::string("reset ") + (e.result == Result::kEarliest ? "earliest" : "latest") +
                                   " → " + at(e.offset));
    case EventType::kConsumerRejoin:
      return arrow(group(), consumer(), ArrowKind::kResponse, "rejoin: from " + at(e.offset));
    case EventType::kValidatePosition:
      return arrow(consumer(), broker(e.broker), ArrowKind::kRequest,
                   "validate e" + num(e.leader_epoch) + " → " + at(e.offset));
    case EventType::kInitProducerId:
      return arrow(app(), txn(), ArrowKind::kRequest,
                   "InitProducerId → epoch " + num(e.producer_id) +
                       (e.result == Result::kConcurrentTransactions ? " (aborts open txn)" : ""));
    case EventType::kAddPartitionsToTxn:
      return arrow(sender(), txn(), ArrowKind::kRequest,
                   "AddPartitionsToTxn" + (e.result == Result::kNone ? std::string() : ": " + kafka_error(e.result)),
                   e.result != Result::kNone);
    case EventType::kAddOffsetsToTxn:
      return arrow(app(), txn(), ArrowKind::kRequest,
                   "AddOffsetsToTxn " + at(e.offset) +
                       (e.result == Result::kNone ? std::string() : ": " + kafka_error(e.result)),
                   e.result != Result::kNone);
    case EventType::kEndTxn:
      return arrow(app(), txn(), ArrowKind::kRequest, "EndTxn " + txn_word(e.result) + " " + msg(e),
                   e.result != Result::kCommitTxn && e.result != Result::kAbortTxn);
    case EventType::kWriteTxnMarker:
      return arrow(txn(), broker(e.broker), ArrowKind::kControl,
                   std::string(e.result == Result::kCommitTxn ? "COMMIT" : "ABORT") + " marker " + at(e.offset));
    case EventType::kCompleteTxn:
      return local(txn(), txn_word(e.result) + " of " + msg(e) + " complete");
    case EventType::kOffsetFetch:
      return arrow(group(), app(), ArrowKind::kResponse, "OffsetFetch → " + at(e.offset));
    case EventType::kRequestTimeout: {
      EventShape s = fault({sender()}, "request.timeout.ms: " + msg(e));
      add_outcome(e, sender(), &s);
      return s;
    }
    case EventType::kDeliveryTimeout: {
      // A batch still in the accumulator, or (2.1+) the oldest request in flight.
      const ActorRef where = e.broker >= 0 ? sender() : accumulator();
      EventShape s = fault({where}, "delivery.timeout.ms: " + msg(e));
      add_outcome(e, where, &s);
      return s;
    }
    case EventType::kProducerCrash:
      return fault({app(), accumulator(), sender()}, "producer crashes");
    case EventType::kBrokerCrash:
      return fault({broker(e.broker)}, "process crash");
    case EventType::kBrokerPowerLoss:
      return fault({broker(e.broker)}, "power loss, keeps < " + at(e.offset));
    case EventType::kClusterPowerLoss:
      return fault({broker(-1)}, "power loss");  // every broker
    case EventType::kNetworkPartition:
      return fault({broker(e.broker)}, "cut off");
    case EventType::kConsumerCrash:
      return fault({consumer()}, "crash, restart " + at(e.offset));
    case EventType::kConsumerRebalance:
      return fault({consumer()}, "rebalance: fenced");
    case EventType::kOffsetLoss:
      return fault({group()}, "committed offset lost");
    case EventType::kTransactionTimeout:
      return fault({txn()}, "txn timeout: abort " + msg(e));
    case EventType::kProducerZombie:
      return fault({app()}, "zombie instance");
    case EventType::kCount:
      break;
  }
  return local(app(), std::string(name(e.type)));
}

std::vector<ActorRef> actors_of(const Event& e) {
  const EventShape s = shape_of(e);
  std::vector<ActorRef> out;
  auto add = [&](const ActorRef& a) {
    for (const ActorRef& b : out)
      if (a == b) return;
    out.push_back(a);
  };
  for (const Arrow& a : s.arrows) add(a.from), add(a.to);
  for (const ActorRef& a : s.local) add(a);
  for (const ActorRef& a : s.struck) add(a);
  return out;
}

}  // namespace kdc::show
