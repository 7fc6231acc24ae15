#include "show/diagram.h"

#include <algorithm>

#include "model/verdict.h"

namespace kdc::show {
namespace {

bool uses(const Trace& t, Actor a) {
  for (const Event& e : t.events)
    for (const ActorRef& r : actors_of(e))
      if (r.actor == a) return true;
  return false;
}

// The settings a reader needs to follow the story, in the order Kafka users think of them.
std::string key_settings(const TraceHeader& h) {
  static const char* kKeys[] = {"kafka.version", "acks", "enable.idempotence", "retries",
                                "replication.factor", "min.insync.replicas",
                                "unclean.leader.election.enable", "enable.auto.commit",
                                "auto.offset.reset", "app.commit", "app.on.send.error",
                                "transactional.id", "isolation.level", "fault.max.total"};
  std::string s;
  for (const char* k : kKeys)
    for (const auto& [key, value] : h.config)
      if (key == k) s += (s.empty() ? "" : "  ") + key + "=" + value;
  return s;
}

}  // namespace

std::vector<int> Diagram::lanes_of(const ActorRef& a) const {
  std::vector<int> out;
  for (int i = 0; i < int(lanes.size()); ++i)
    if (lanes[i].actor.actor == a.actor && (a.actor != Actor::kBroker || a.broker < 0 || lanes[i].actor.broker == a.broker))
      out.push_back(i);
  return out;
}

ActorRef fate_actor(const FateMark& mark, const Row& row) {
  switch (mark.fate) {
    case Fate::kAcknowledged: return {Actor::kProducerApp};
    case Fate::kDelivered:
    case Fate::kDuplicated:
    case Fate::kReordered:
      return row.event.type == EventType::kProcess ? ActorRef{Actor::kSink} : actors_of(row.event).front();
    case Fate::kStoredTwice: return {Actor::kBroker, row.event.broker};
    case Fate::kLost: break;
  }
  // A loss is final where the step happened: the last lane the step reaches (the broker
  // that truncated, the app that dropped it, the consumer that moved past it).
  const EventShape& s = row.shape;
  if (!s.arrows.empty()) return s.arrows.back().to;
  if (!s.local.empty()) return s.local.front();
  if (!s.struck.empty()) return s.struck.front();
  return {Actor::kProducerApp};
}

Diagram build_diagram(const Trace& t, const Config& config, const TraceFates& fates, const std::string& name) {
  Diagram d;
  const bool processor = config.processor();
  Effect effect;
  const bool has_effect = !t.header.effect.empty() && parse_effect(t.header.effect, &effect);
  if (has_effect) {
    d.title = t.header.effect + " — " +
              (fates.focus_msg >= 0 ? message_label(fates.focus_msg, 0) + ": " : std::string()) +
              std::string(meaning(effect));
  } else {
    d.title = t.header.note.empty() ? "A run" : t.header.note;
  }
  d.subtitle = name + " · " + (t.header.source == "model" ? "model counterexample" : "implementation trace") +
               " · " + std::to_string(t.events.size()) + " steps";
  d.settings = key_settings(t.header);
  d.focus_msg = fates.focus_msg;

  int brokers = config.replication_factor;
  for (const Event& e : t.events) brokers = std::max({brokers, e.broker + 1, e.peer + 1});
  d.lanes.push_back({{Actor::kProducerApp}, processor ? "processor app" : "producer app", "app"});
  d.lanes.push_back({{Actor::kAccumulator}, "record accumulator", "acc"});
  d.lanes.push_back({{Actor::kSender}, "sender thread", "snd"});
  for (int b = 0; b < brokers; ++b) d.lanes.push_back({{Actor::kBroker, b}, "broker " + std::to_string(b), "b" + std::to_string(b)});
  d.lanes.push_back({{Actor::kController}, "controller", "ctl"});
  if (uses(t, Actor::kGroupCoordinator)) d.lanes.push_back({{Actor::kGroupCoordinator}, "group coordinator", "grp"});
  if (uses(t, Actor::kTxnCoordinator)) d.lanes.push_back({{Actor::kTxnCoordinator}, "txn coordinator", "txn"});
  d.lanes.push_back({{Actor::kConsumer}, processor ? "downstream consumer" : "consumer", "con"});
  d.lanes.push_back({{Actor::kSink}, "sink", "snk"});

  for (size_t i = 0; i < t.events.size(); ++i) {
    Row row;
    row.step = int(i) + 1;
    row.event = t.events[i];
    row.text = describe(row.event);
    row.shape = shape_of(row.event);
    for (const FateMark& m : fates.marks)
      if (m.step == row.step) row.fates.push_back(m);
    row.about_focus = fates.focus_msg >= 0 && row.event.msg == fates.focus_msg;
    d.rows.push_back(std::move(row));
  }

  // Brokers are down from a crash or power loss until they restart, cut off from a
  // partition until the network heals.
  std::vector<int> down(d.lanes.size(), -1), cut(d.lanes.size(), -1);
  auto close = [&](std::vector<int>& open, int lane, int row, bool partitioned) {
    if (open[lane] >= 0) d.outages.push_back({lane, open[lane], row, partitioned});
    open[lane] = -1;
  };
  for (int r = 0; r < int(d.rows.size()); ++r) {
    const Event& e = d.rows[r].event;
    auto broker_lanes = d.lanes_of({Actor::kBroker, e.type == EventType::kClusterPowerLoss ? -1 : e.broker});
    for (int lane : broker_lanes) {
      switch (e.type) {
        case EventType::kBrokerCrash:
        case EventType::kBrokerPowerLoss:
        case EventType::kClusterPowerLoss:
          if (down[lane] < 0) down[lane] = r;
          break;
        case EventType::kBrokerRestart:
          close(down, lane, r, false);
          break;
        case EventType::kNetworkPartition:
          if (cut[lane] < 0) cut[lane] = r;
          break;
        case EventType::kNetworkHeal:
          close(cut, lane, r, true);
          break;
        default:
          break;
      }
    }
  }
  for (int lane = 0; lane < int(d.lanes.size()); ++lane) {
    close(down, lane, int(d.rows.size()), false);
    close(cut, lane, int(d.rows.size()), true);
  }

  if (fates.replication_broken_at > 0)
    d.notes.push_back("Replication safety breaks at step " + std::to_string(fates.replication_broken_at) +
                      " (" + fates.replication + ")");
  if (!fates.replayed) {
    std::string why = fates.divergence.substr(0, fates.divergence.find('\n'));
    while (!why.empty() && (why.back() == ':' || why.back() == ' ')) why.pop_back();
    d.notes.push_back("The model replay stops at step " + std::to_string(fates.diverged_at) +
                      ": fates after it come from the events alone (" + why + ")");
  }
  else if (!fates.quiesced && fates.replication_broken_at == 0 && (!has_effect || (bit(effect) & kLossEffects)))
    d.notes.push_back("The run stops before everything settles (the model could still take steps), so no "
                      "message is judged lost here.");
  return d;
}

}  // namespace kdc::show
