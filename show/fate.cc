#include "show/fate.h"

#include <algorithm>
#include <map>

#include "conformance/model_replay.h"
#include "model/model.h"
#include "model/replication_safety.h"
#include "model/verdict.h"
#include "show/lanes.h"

namespace kdc::show {
namespace {

// Copies of `m` in every replica's log (page cache included): an acknowledged message is
// gone for good once no replica holds it.
int copies_in_logs(const Config& c, const State& s, int m) {
  int n = 0;
  for (int b = 0; b < c.replication_factor && b < kMaxReplicas; ++b)
    for (int o = 0; o < s.replica[b].log_end_offset; ++o)
      n += !s.replica[b].log[o].is_control() && s.replica[b].log[o].msg() == m;
  return n;
}

int copies_in_log(const State& s, int broker, int m) {
  if (broker < 0 || broker >= kMaxReplicas) return 0;
  int n = 0;
  for (int o = 0; o < s.replica[broker].log_end_offset; ++o)
    n += !s.replica[broker].log[o].is_control() && s.replica[broker].log[o].msg() == m;
  return n;
}

bool in_producer(const State& s, int m) {
  for (int i = 0; i < s.producer.queued; ++i)
    if (s.producer.queue[i].msg == m) return true;
  for (int i = 0; i < s.producer.in_flight; ++i)
    if (s.producer.flight[i].msg == m) return true;
  return false;
}

// The consumer will still reach `m`: it holds it polled, or the leader's log has it at or
// after the consumer's position.
bool ahead_of_consumer(const State& s, int m) {
  for (int i = 0; i < s.consumer.polled; ++i)
    if ((s.consumer.buffer[i].msg_gen & 3) == m) return true;
  const int leader = s.partition.leader;
  if (leader < 0) return true;  // no leader yet: nothing decided
  const Replica& r = s.replica[leader];
  for (int o = s.consumer.position; o < r.log_end_offset; ++o)
    if (!r.log[o].is_control() && r.log[o].msg() == m) return true;
  return false;
}

bool bit_of(uint8_t mask, int m) { return (mask >> m) & 1; }

std::string effect_text(Effect e) { return std::string(name(e)) + ": " + std::string(meaning(e)); }

}  // namespace

std::string_view name(Fate f) {
  switch (f) {
    case Fate::kAcknowledged: return "acknowledged";
    case Fate::kDelivered: return "delivered";
    case Fate::kStoredTwice: return "stored twice";
    case Fate::kDuplicated: return "duplicated";
    case Fate::kReordered: return "reordered";
    case Fate::kLost: return "lost";
  }
  return "?";
}

TraceFates message_fates(const Config& c, const Trace& t) {
  TraceFates f;
  const ReplayResult r = replay_trace(c, t);
  f.replayed = r.ok;
  f.diverged_at = r.ok ? 0 : r.failed_step;
  f.divergence = r.error;
  f.effects = r.effects;
  f.quiesced = r.ok && r.quiesced;
  if (const ReplicationBreak broken = first_replication_break(c, r.after); broken.finding) {
    f.replication_broken_at = broken.step;
    f.replication = std::string(name(broken.finding->kind)) + ": " + broken.finding->detail;
  }

  const State initial = initial_state(c);
  const int n = int(t.events.size());
  const int known = std::min<int>(r.steps, int(r.after.size()));
  // The model state before and after event i (0-based), where the replay got that far.
  auto before = [&](int i) -> const State* { return i == 0 ? &initial : i - 1 < known ? &r.after[i - 1] : nullptr; };
  auto after = [&](int i) -> const State* { return i < known ? &r.after[i] : nullptr; };

  std::map<int, int> processed;  // msg -> process events so far
  for (int i = 0; i < n; ++i) {
    const Event& e = t.events[i];
    const std::string m = message_label(e.msg, e.gen);
    const State* s0 = before(i);
    const State* s1 = after(i);
    if (e.outcome == Result::kAcked && e.msg >= 0)
      f.marks.push_back({i + 1, e.msg, Fate::kAcknowledged, {}, m + " acknowledged to the producer app"});
    if (e.type == EventType::kHandleProduce && (e.result == Result::kAppended || e.result == Result::kNone) && s0 &&
        s1 && copies_in_log(*s1, e.broker, e.msg) >= 2 && copies_in_log(*s0, e.broker, e.msg) < 2)
      f.marks.push_back({i + 1, e.msg, Fate::kStoredTwice, {},
                         m + " stored a second time in broker " + std::to_string(e.broker) + "'s log"});
    // Effects the model recorded at this step.
    EffectSet fresh = s0 && s1 ? EffectSet(s1->effects & ~s0->effects) : 0;
    if (e.type == EventType::kProcess && e.msg >= 0) {
      const int times = ++processed[e.msg];
      const EffectSet dup = fresh & kDuplicateEffects;
      if (dup) {
        for (int k = 0; k < int(Effect::kCount); ++k)
          if (dup & bit(Effect(k)))
            f.marks.push_back({i + 1, e.msg, Fate::kDuplicated, Effect(k),
                               m + (times > 1 ? " applied again" : " applied") + " (" + effect_text(Effect(k)) + ")"});
      } else if (times == 1) {
        f.marks.push_back({i + 1, e.msg, Fate::kDelivered, {}, m + " applied by the sink"});
      } else {
        f.marks.push_back({i + 1, e.msg, Fate::kDuplicated, {}, m + " applied again"});
      }
      if (fresh & bit(Effect::kReordered))
        f.marks.push_back({i + 1, e.msg, Fate::kReordered, Effect::kReordered,
                           m + " applied after a later message (" + effect_text(Effect::kReordered) + ")"});
      fresh &= ~(kDuplicateEffects | bit(Effect::kReordered));
    }
    // An abort decided after the sink applied the record (mark_aborted): V_unc here.
    for (int k = 0; k < int(Effect::kCount); ++k)
      if (fresh & bit(Effect(k)))
        f.marks.push_back({i + 1, e.msg, Fate::kDuplicated, Effect(k),
                           (e.msg >= 0 ? m + ": " : std::string()) + effect_text(Effect(k))});
  }

  if (f.quiesced) {
    const State& last = n == 0 ? initial : r.after[known - 1];
    const LossReport losses = losses_at_quiescence(c, last);
    for (int msg = 0; msg < c.messages && msg < kMaxMessages; ++msg) {
      if (!losses.lost[msg]) continue;
      const Effect effect = losses.per_message[msg];
      // The last step at which `was` held before it and not after it.
      auto last_change = [&](auto&& was) {
        int step = 0;
        for (int i = 0; i < n; ++i)
          if (was(*before(i)) && !was(*after(i))) step = i + 1;
        return step;
      };
      int step = 0;
      std::string how;  // what made the loss final at that step
      switch (effect) {
        case Effect::kLostFailed:
          step = last_change([&](const State& s) { return !bit_of(s.producer.dropped, msg); });
          how = "the application dropped it";
          break;
        case Effect::kLostUnsent:
          step = last_change([&](const State& s) { return !bit_of(s.producer.abandoned, msg); });
          how = "the crash took the producer's buffer";
          break;
        case Effect::kLostAcked:
          step = last_change([&](const State& s) { return copies_in_logs(c, s, msg) > 0; });
          how = "no log holds it any more";
          if (step == 0) {
            step = last_change([&](const State& s) { return in_producer(s, msg); });
            how = "its request is gone";
          }
          break;
        case Effect::kLostSkipped:
          step = last_change([&](const State& s) { return ahead_of_consumer(s, msg); });
          how = "the consumer is past it for good";
          break;
        default:
          break;
      }
      if (step == 0) {  // no state change pins it: the last step about the message
        how.clear();
        for (int i = 0; i < n; ++i)
          if (t.events[i].msg == msg) step = i + 1;
      }
      if (step == 0) step = n;
      f.marks.push_back({step, msg, Fate::kLost, effect,
                         message_label(msg, 0) + " lost" + (how.empty() ? "" : ": " + how) + " (" +
                             effect_text(effect) + ")"});
    }
  }
  std::stable_sort(f.marks.begin(), f.marks.end(),
                   [](const FateMark& a, const FateMark& b) { return a.step < b.step; });

  Effect claimed;
  if (!t.header.effect.empty() && parse_effect(t.header.effect, &claimed))
    for (const FateMark& mark : f.marks)
      if (mark.effect == claimed && mark.msg >= 0) {
        f.focus_msg = mark.msg;
        break;
      }
  return f;
}

}  // namespace kdc::show
