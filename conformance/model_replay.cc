#include "conformance/model_replay.h"

#include <absl/container/flat_hash_set.h>

#include <sstream>

#include "model/checker/explicit_checker.h"
#include "model/steps.h"

namespace kdc {

std::variant<Config, ConfigError> config_of(const TraceHeader& header) {
  std::vector<std::string> overrides;
  for (const auto& [key, value] : header.config) overrides.push_back(key + "=" + value);
  return load_config_text({}, overrides);
}

bool event_matches(const Event& e, const Event& m) {
  if (e.type != m.type) return false;
  auto agrees = [](auto want, auto have, auto absent) { return want == absent || want == have; };
  return agrees(e.broker, m.broker, int8_t(-1)) && agrees(e.peer, m.peer, int8_t(-1)) &&
         agrees(e.msg, m.msg, -1) && agrees(e.gen, m.gen, int8_t(-1)) &&
         agrees(e.offset, m.offset, -1) && agrees(e.count, m.count, -1) &&
         agrees(e.leader_epoch, m.leader_epoch, -1) && agrees(e.seq, m.seq, -1) &&
         agrees(e.producer_id, m.producer_id, -1) && agrees(e.result, m.result, Result::kNone) &&
         agrees(e.outcome, m.outcome, Result::kNone);
}

namespace {

// The fields `e` specifies that `m` does not share, as "offset: trace 3, model 1".
std::vector<std::string> field_differences(const Event& e, const Event& m) {
  std::vector<std::string> out;
  auto num = [&](const char* field, int want, int have) {
    if (want != -1 && want != have)
      out.push_back(std::string(field) + ": trace " + std::to_string(want) + ", model " +
                    (have == -1 ? std::string("absent") : std::to_string(have)));
  };
  auto res = [&](const char* field, Result want, Result have) {
    if (want != Result::kNone && want != have)
      out.push_back(std::string(field) + ": trace " + std::string(name(want)) + ", model " +
                    std::string(name(have)));
  };
  num("broker", e.broker, m.broker);
  num("peer", e.peer, m.peer);
  num("msg", e.msg, m.msg);
  num("gen", e.gen, m.gen);
  num("offset", e.offset, m.offset);
  num("count", e.count, m.count);
  num("leader_epoch", e.leader_epoch, m.leader_epoch);
  num("seq", e.seq, m.seq);
  num("producer_id", e.producer_id, m.producer_id);
  res("result", e.result, m.result);
  res("outcome", e.outcome, m.outcome);
  return out;
}


bool is_annotation(EventType t) {
  return t == EventType::kWriteback || t == EventType::kFenceBroker ||
         t == EventType::kUnfenceBroker || t == EventType::kLeaderAndIsr;
}

bool valid_broker(const Config& c, int b) { return b >= 0 && b < c.replication_factor; }

// Rule 2: the model folds these into other steps; the event must agree with the state
// those steps left (docs/conformance.md says why each check is what it is).
//
// `fence_owed`: a crash, power loss or partition of the broker was logged since its last
// fence_broker. The model fenced it in that fault step; the implementation's controller
// fences it when heartbeats time out, which may be after the broker restarted (the model
// then already unfenced it). The late fence is that same fence, logged late.
bool annotation_agrees(const Config& c, const State& s, const Event& e, bool fence_owed) {
  if (!valid_broker(c, e.broker)) return false;
  const Replica& r = s.replica[e.broker];
  switch (e.type) {
    case EventType::kWriteback:
      // Unchecked here: the implementation logs the flush before the append it belongs to
      // (flush.messages), and the model keeps no writeback point (any prefix at least the
      // flushed one may survive a power loss). The next broker_power_loss checks the
      // surviving prefix against the model instead.
      (void)r;
      return true;
    case EventType::kFenceBroker:
      return r.has(Replica::kFenced) || fence_owed;
    case EventType::kUnfenceBroker:
      return !r.has(Replica::kFenced);
    case EventType::kLeaderAndIsr:
      if (e.leader_epoch != -1 && r.known_epoch != e.leader_epoch) return false;
      if (e.result == Result::kLeader) return r.has(Replica::kLeader) && s.partition.leader == e.broker;
      if (e.result == Result::kFollower) return !r.has(Replica::kLeader);
      return true;
    default:
      return false;
  }
}

// Rule 3: events that leave the model state as it is. Each check is the model step's
// guard minus "it changes something", plus "nothing would change".
bool is_stutter(const Config& c, const State& s, const Event& e) {
  switch (e.type) {
    case EventType::kFetch: {
      if (e.count != 0 || !valid_broker(c, e.broker) || !valid_broker(c, e.peer)) return false;
      const Replica& f = s.replica[e.broker];
      const Replica& l = s.replica[e.peer];
      const int epoch = s.partition.leader_epoch;
      return connected(s, e.broker) && connected(s, e.peer) && is_current_leader(s, e.peer) &&
             e.leader_epoch == epoch && f.known_epoch == epoch && !f.has(Replica::kLeader) &&
             !f.has(Replica::kNeedsTruncation) && e.offset == f.log_end_offset &&
             f.log_end_offset == l.log_end_offset &&
             s.partition.follower_leo[e.broker] == f.log_end_offset &&
             f.high_watermark == l.high_watermark;
    }
    case EventType::kValidatePosition: {
      if (!valid_broker(c, e.broker)) return false;
      const Replica& l = s.replica[e.broker];
      return acts_as_leader(s, e.broker) && l.known_epoch == e.leader_epoch &&
             s.consumer.leader_epoch == e.leader_epoch && e.offset == s.consumer.position;
    }
    case EventType::kInitProducerId:
      // The model starts after initTransactions() (initial_state): the first instance's
      // InitProducerId is in the initial state.
      return c.transactional && s.coordinator.epoch == e.producer_id &&
             s.producer.producer_id == e.producer_id && e.result == Result::kNone &&
             s.producer.txn == ProducerState::kReady && s.producer.next_msg == 0;
    case EventType::kOffsetFetch:
      // The processor reads its committed input offset at start-up; the model starts
      // with it read. A no-op when it is where the model's processor already is.
      return c.processor() && !(s.producer.txn_flags & ProducerState::kNeedsOffsetFetch) &&
             s.producer.input_committed == e.offset && s.producer.next_msg == e.offset;
    case EventType::kSend: {
      // The application's send() again of a message whose callback failed
      // (app.on.send.error=resend) or that a crashed instance left unresolved
      // (app.on.producer.restart=replay-unacked): the model takes that send in the step
      // that failed the record (model/producer.cc, resend), the implementation's
      // application logs it when its callback (or its restart) runs. A no-op when the model
      // already holds that very record, the message's latest generation, in the
      // accumulator, never drained. Never for generation 0 (the first send is a step) nor
      // for a transactional producer (its re-send begins a new transaction, a step).
      if (c.transactional || e.gen <= 0 || e.msg < 0 || e.msg >= c.messages) return false;
      const ProducerState& p = s.producer;
      if (p.gen[e.msg] != e.gen) return false;
      for (int i = 0; i < p.queued; ++i) {
        const Batch& b = p.queue[i];
        if (b.msg == e.msg && b.gen == e.gen && b.seq < 0 && b.retries == 0) return true;
      }
      return false;
    }
    case EventType::kProduceComplete: {
      // The leader completing, in its purgatory, the acks=all request of an orphan: a
      // request the client gave up on while the connection stayed open (a delivery timeout
      // of a batch in flight, Sender.getExpiredInflightBatches, or a zombie's). The broker
      // does not know the client gave up: it parks the request and answers it as any other;
      // the client ignores the answer. The model drops an orphan once the leader handled it
      // (model/broker_produce.cc), so this completion changes nothing there. Only when the
      // model has no request of that record in the purgatory (then the step is the model's
      // own), the leader still acts as leader, holds that very record at that offset and
      // its high watermark has passed it, and the result is the one the model's completion
      // would give.
      if (!valid_broker(c, e.broker) || e.msg < 0 || e.offset < 0) return false;
      const Replica& r = s.replica[e.broker];
      if (!acts_as_leader(s, e.broker) || e.offset >= r.log_end_offset || e.offset >= r.high_watermark)
        return false;
      const Record& rec = r.log[e.offset];
      if (rec.is_control() || rec.msg() != e.msg || (e.gen >= 0 && rec.gen() != e.gen)) return false;
      for (int i = 0; i < s.producer.in_flight; ++i) {
        const Batch& b = s.producer.flight[i];
        if (b.stage == Batch::kInPurgatory && b.msg == e.msg && b.gen == rec.gen()) return false;
      }
      const Result result = set_size(isr_known_by(s, e.broker)) >= c.min_insync_replicas
                                ? Result::kAppended
                                : Result::kNotEnoughReplicasAfterAppend;
      return e.result == Result::kNone || e.result == result;
    }
    case EventType::kProduceResponse: {
      // A zombie's sender reading the success of its orphan (finding F7): the model drops
      // an orphan once the leader handled it, and a zombie's commit needs only its record
      // below the high watermark, not the answer. Only from the zombie's epoch
      // (coordinator.zombie_epoch), never for a batch the model itself awaits an answer
      // for, and only when the current leader holds that very record below its HW.
      if (!c.transactional || e.producer_id <= 0 || e.result != Result::kAppended) return false;
      if (s.coordinator.zombie_epoch == 0 || e.producer_id != s.coordinator.zombie_epoch) return false;
      for (int i = 0; i < s.producer.in_flight; ++i) {
        const Batch& b = s.producer.flight[i];
        if (b.stage != Batch::kOrphan && b.msg == e.msg && b.gen == e.gen &&
            b.producer_id == e.producer_id)
          return false;
      }
      const int leader = s.partition.leader;
      if (!valid_broker(c, leader) || !acts_as_leader(s, leader)) return false;
      const Replica& r = s.replica[leader];
      for (int o = 0; o < r.log_end_offset && o < r.high_watermark; ++o) {
        const Record& rec = r.log[o];
        if (!rec.is_control() && rec.msg() == e.msg && rec.gen() == e.gen &&
            rec.producer_id() == e.producer_id)
          return true;
      }
      return false;
    }
    case EventType::kMetadataUpdate:
      return s.producer.metadata_leader == e.broker && s.partition.leader == e.broker &&
             (e.leader_epoch == -1 || e.leader_epoch == s.partition.leader_epoch);
    case EventType::kProduceRequest: {
      // A zombie's sender sending the record its application had queued: the model puts
      // that record on the wire as an orphan in the producer_zombie step itself
      // (transactional_producer_crash), so the send is already taken. Only from an
      // instance that is no longer the application's producer (an older epoch, or any
      // epoch while the new instance has none yet; a crashed instance sends nothing) and
      // only for that very orphan; the broker's handling of it is a model step as usual.
      if (!c.transactional || e.producer_id == -1) return false;
      if (e.producer_id >= s.producer.producer_id && s.producer.txn != ProducerState::kNeedsInit)
        return false;
      for (int i = 0; i < s.producer.in_flight; ++i) {
        const Batch& b = s.producer.flight[i];
        if (b.stage == Batch::kOrphan && b.msg == e.msg && b.gen == e.gen &&
            b.broker == e.broker && b.seq == e.seq && b.producer_id == e.producer_id)
          return true;
      }
      return false;
    }
    default:
      return false;
  }
}

// Rule 7: a fault injected when it has nothing to act on. The model's guards leave such
// faults out (they cannot cause an effect); the fault injector fires on a timer and may
// hit that moment. Matched only when the model's guard fails for that reason alone; the
// fault still spends its budget, so later faults are checked against what is left.
bool harmless_fault(const Config& c, const State& s, const Event& e, State* next) {
  FaultKind kind;
  const bool all_sent = s.producer.next_msg >= c.messages;
  switch (e.type) {
    case EventType::kConsumerCrash: {
      const ConsumerState& cs = s.consumer;
      if (c.processor() || cs.polled != 0 || cs.position != cs.committed ||
          cs.pending_commit != kNoOffset || cs.flags != 0)
        return false;
      if (e.offset != -1 && e.offset != cs.committed) return false;
      kind = FaultKind::kConsumerCrash;
      break;
    }
    case EventType::kProducerCrash:
      // Only once the application has sent everything: a restart between two sends
      // matters (new producer id, app.on.producer.restart) and the model must show it.
      // Not for a transactional producer: its new instance registers (InitProducerId,
      // an epoch bump), which the model must take, so the crash is not harmless.
      if (c.transactional || !all_sent || s.producer.queued != 0 || s.producer.in_flight != 0)
        return false;
      kind = FaultKind::kProducerCrash;
      break;
    default:
      return false;
  }
  if (!fault_allowed(c, s, kind)) return false;
  *next = s;
  spend_fault(next, kind);
  return true;
}

// Rule 4: model steps the implementation takes without logging them when they happen.
// Faults are never silent: the fault injector logs every fault it injects.
bool unlogged_by_impl(const Event& e) {
  if (is_fault(e.type)) return false;
  switch (e.type) {
    case EventType::kFetch:
      // The follower logs a fetch when the response arrives; the leader served it (took
      // the fetch offset, advanced the HW) earlier. Only an empty fetch: one that carries
      // records is never needed early, as the leader counts a fetch's records one fetch later.
      return e.count == 0;
    default:
      return false;
  }
}

// Rule 6: fields the implementation writes with another meaning than the model's are
// compared as absent.
Event normalized(const Config& c, Event e) {
  // A non-transactional idempotent producer: the implementation logs Kafka's producer id
  // (broker-assigned, from 0, unchanged by a KIP-360 epoch bump); the model numbers each
  // (id, epoch) from 1. Neither names the other, so the field cannot be compared.
  if (c.idempotence && !c.transactional) e.producer_id = -1;
  return e;
}

// The model step nearest to an event no state allows: same type, fewest differing fields.
struct Nearest {
  int distance = 1 << 30;
  Event model;
  State from, to;
  bool found = false;
  void offer(const Event& e, const Step& step, const State& from_state) {
    if (step.event.type != e.type) return;
    const int d = int(field_differences(e, step.event).size());
    if (d >= distance) return;
    distance = d;
    model = step.event;
    from = from_state;
    to = step.next;
    found = true;
  }
};

// Explains `e` in state `s`: the states it can lead to.
void explain(const Config& c, const State& s, const Event& e, std::vector<Step>* steps,
             std::vector<std::pair<State, Match>>* out, Nearest* nearest,
             bool fence_owed = false) {
  if (is_annotation(e.type)) {
    if (annotation_agrees(c, s, e, fence_owed)) out->push_back({s, Match::kAnnotation});
    return;
  }
  if (e.type == EventType::kFetch) {
    // Nine in ten implementation events are fetches, and only the replication group
    // (model/replication.cc) emits them: asking it alone is the same answer, faster.
    steps->clear();
    StepSink sink{c, steps};
    replication_steps(s, &sink);
  } else {
    all_successors(c, s, steps);
  }
  bool any = false;
  for (const Step& step : *steps) {
    if (event_matches(e, step.event)) {
      out->push_back({step.next, Match::kStep});
      any = true;
    } else if (nearest) {
      nearest->offer(e, step, s);
    }
  }
  if (any) return;
  if (is_stutter(c, s, e)) {
    out->push_back({s, Match::kStutter});
    return;
  }
  State spent;
  if (harmless_fault(c, s, e, &spent)) out->push_back({spent, Match::kStutter});
}

std::string describe_enabled(const Config& c, const State& s, bool reduced) {
  std::vector<Step> steps;
  if (reduced) {
    successors(c, s, &steps);
  } else {
    all_successors(c, s, &steps);
  }
  std::string out;
  int shown = 0;
  for (const Step& step : steps) {
    if (shown++ == 12) {
      out += "\n    ... and " + std::to_string(steps.size() - 12) + " more";
      break;
    }
    out += "\n    " + describe(step.event);
  }
  if (steps.empty()) out += " nothing (the run had quiesced)";
  return out;
}

std::string nearest_text(const Config& c, const Event& e, const Nearest& n, const State& at) {
  if (!n.found) {
    // No step of that type at all: show the state whose guards refused it, with the
    // producer's requests (their stage decides HandleProduce and ProduceResponse).
    std::string out = "no model state reached enables any " + std::string(name(e.type)) +
                      " step; the first frontier state:\n";
    std::istringstream in(describe_state(c, at));
    for (std::string line; std::getline(in, line);) out += "  " + line + "\n";
    static const char* kStage[] = {"queued", "on the wire", "in purgatory", "response due", "orphan"};
    out += "  requests:";
    for (int i = 0; i < at.producer.in_flight; ++i) {
      const Batch& b = at.producer.flight[i];
      out += " m" + std::to_string(b.msg) + " → broker " + std::to_string(b.broker) + " (" +
             (b.stage < 5 ? kStage[b.stage] : "?") + ")";
    }
    if (at.producer.in_flight == 0) out += " none";
    return out + "\n";
  }
  std::string out = "closest model step: " + describe(n.model) + "\n";
  for (const std::string& d : field_differences(e, n.model)) out += "  differs in " + d + "\n";
  out += "state change that step makes:\n" + state_difference(c, n.from, n.to);
  return out;
}

// Effects and quiescence of the final frontier. Quiescence is judged on the reduced
// successors in both modes: the reduction never leaves a state without a step that has one.
void finish(const Config& c, ReplayResult* r) {
  r->effects = 0;
  std::vector<Step> steps;
  for (const State& s : r->frontier) {
    EffectSet e = s.effects;
    const int cut = successors(c, s, &steps);
    if (steps.empty() && cut == 0) {
      r->quiesced = true;
      e |= losses_at_quiescence(c, s).effects;
    }
    r->effects |= e;
  }
  if (r->ok) r->frontier_size = int(r->frontier.size());
}

}  // namespace

std::string state_difference(const Config& config, const State& from, const State& to) {
  auto lines = [&](const State& s) {
    std::vector<std::string> v;
    std::istringstream in(describe_state(config, s));
    for (std::string line; std::getline(in, line);) v.push_back(line);
    return v;
  };
  std::vector<std::string> a = lines(from), b = lines(to);
  std::string out;
  // describe_state prints a fixed sequence of lines, so line i of one is line i of the other.
  const size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const std::string& x = i < a.size() ? a[i] : std::string();
    const std::string& y = i < b.size() ? b[i] : std::string();
    if (x == y) continue;
    if (!x.empty()) out += "  - " + x + "\n";
    if (!y.empty()) out += "  + " + y + "\n";
  }
  if (out.empty()) out = "  (no difference)\n";
  return out;
}

ReplayResult replay_on_model(const Config& config, const std::vector<Event>& events) {
  ReplayResult r;
  std::vector<State> frontier{initial_state(config)}, next;
  std::vector<Step> steps;
  for (size_t i = 0; i < events.size(); ++i) {
    absl::flat_hash_set<uint64_t> seen;
    next.clear();
    std::vector<std::string> allowed;
    for (const State& s : frontier) {
      successors(config, s, &steps);
      for (const Step& step : steps) {
        if (step.event == events[i]) {
          if (seen.insert(fingerprint(step.next)).second) next.push_back(step.next);
        } else if (allowed.size() < 12) {
          allowed.push_back(describe(step.event));
        }
      }
    }
    if (next.empty()) {
      r.ok = false;
      r.failed_step = int(i) + 1;
      r.error = "step " + std::to_string(i + 1) + " (" + describe(events[i]) +
                ") is not a step the model allows here; it allows:";
      for (const std::string& a : allowed) r.error += "\n    " + a;
      if (allowed.empty()) r.error += " nothing (the run had quiesced)";
      r.frontier_size = int(frontier.size());
      r.searched_states = int(frontier.size());
      Nearest nearest;
      for (const State& s : frontier) {
        successors(config, s, &steps);
        for (const Step& step : steps) nearest.offer(events[i], step, s);
      }
      r.state_diff = nearest_text(config, events[i], nearest, frontier.front());
      break;
    }
    frontier.swap(next);
    r.after.push_back(frontier.front());
    r.steps = int(i) + 1;
  }
  r.frontier = frontier;
  finish(config, &r);
  return r;
}

ReplayResult replay_impl_trace(const Config& config, const std::vector<Event>& events,
                               const ReplayOptions& options) {
  ReplayResult r;
  r.after.reserve(events.size());
  r.how.reserve(events.size());
  r.silent_before.reserve(events.size());
  std::vector<State> frontier{initial_state(config)};
  std::vector<Step> steps;
  std::vector<std::pair<State, Match>> found;
  bool fence_owed[kMaxReplicas] = {};
  for (size_t i = 0; i < events.size(); ++i) {
    const Event e = normalized(config, events[i]);
    const bool owed = e.broker >= 0 && e.broker < kMaxReplicas && fence_owed[e.broker];
    // Breadth first over unlogged steps: depth 0 is the frontier itself. The first depth
    // at which some state explains the event wins, so the fewest unlogged steps are
    // inferred (and the search stays cheap when the implementation logged everything).
    absl::flat_hash_set<uint64_t> seen;
    std::vector<State> level = frontier, deeper;
    for (const State& s : level) seen.insert(fingerprint(s));
    found.clear();
    int depth = 0;
    for (;; ++depth) {
      for (const State& s : level) explain(config, s, e, &steps, &found, nullptr, owed);
      if (!found.empty() || depth == options.max_silent_depth) break;
      deeper.clear();
      for (const State& s : level) {
        all_successors(config, s, &steps);
        for (const Step& step : steps) {
          if (!unlogged_by_impl(step.event)) continue;
          if (int(seen.size()) >= options.max_silent_states) {
            r.search_truncated = true;
            break;
          }
          if (seen.insert(fingerprint(step.next)).second) deeper.push_back(step.next);
        }
      }
      if (deeper.empty()) break;
      level.swap(deeper);
    }
    if (found.empty()) {
      r.ok = false;
      r.failed_step = int(i) + 1;
      r.frontier_size = int(frontier.size());
      r.searched_states = int(seen.size());
      r.error = "step " + std::to_string(i + 1) + " (" + describe(e) +
                ") is not a step the model allows in any of the " +
                std::to_string(frontier.size()) + " frontier state(s), nor after up to " +
                std::to_string(options.max_silent_depth) + " unlogged model steps (" +
                std::to_string(seen.size()) + " states searched); one frontier state allows:" +
                describe_enabled(config, frontier.front(), false);
      // The nearest step over every state the search reached, closest first.
      Nearest nearest;
      std::vector<std::pair<State, Match>> ignored;
      for (const State& s : frontier) explain(config, s, e, &steps, &ignored, &nearest);
      if (!nearest.found) {
        for (const State& s : level) explain(config, s, e, &steps, &ignored, &nearest);
      }
      r.state_diff = nearest_text(config, e, nearest, frontier.front());
      break;
    }
    absl::flat_hash_set<uint64_t> kept;
    frontier.clear();
    Match how = found.front().second;
    for (const auto& [s, m] : found) {
      if (!kept.insert(fingerprint(s)).second) continue;
      if (int(frontier.size()) >= options.max_frontier) {
        r.frontier_truncated = true;
        break;
      }
      frontier.push_back(s);
      if (m == Match::kStep) how = Match::kStep;
    }
    if (e.broker >= 0 && e.broker < kMaxReplicas) {
      if (e.type == EventType::kBrokerCrash || e.type == EventType::kBrokerPowerLoss ||
          e.type == EventType::kNetworkPartition)
        fence_owed[e.broker] = true;
      if (e.type == EventType::kFenceBroker) fence_owed[e.broker] = false;
    }
    if (e.type == EventType::kClusterPowerLoss)
      for (bool& f : fence_owed) f = true;
    r.how.push_back(how);
    r.silent_before.push_back(depth);
    r.silent_steps += depth;
    if (how == Match::kStutter) ++r.stutters;
    if (how == Match::kAnnotation) ++r.annotations;
    r.after.push_back(frontier.front());
    r.steps = int(i) + 1;
  }
  r.frontier = frontier;
  finish(config, &r);
  return r;
}

ReplayResult replay_trace(const Config& config, const Trace& trace, const ReplayOptions& options) {
  if (trace.header.source == "model") return replay_on_model(config, trace.events);
  return replay_impl_trace(config, trace.events, options);
}

}  // namespace kdc
