#include "model/checker/explicit_checker.h"

#include <atomic>

#include <absl/container/flat_hash_set.h>
#define XXH_INLINE_ALL  // inline XXH3: the fingerprint is the hottest call of the search
#include <xxhash.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace kdc {

uint64_t fingerprint(const State& s) { return XXH3_64bits(&s, sizeof(State)); }

bool replay_choices(const Config& config, const std::vector<uint16_t>& choices,
                    std::vector<Event>* events, State* final_state) {
  State s = initial_state(config);
  std::vector<Step> steps;
  events->clear();
  for (uint16_t k : choices) {
    successors(config, s, &steps);
    if (k >= steps.size()) return false;
    events->push_back(steps[k].event);
    s = steps[k].next;
  }
  *final_state = s;
  return true;
}

namespace {

// How each explored state was reached: its BFS parent and the index of the step taken.
// State ids are BFS discovery order, exactly as a one-thread search assigns them.
struct Trail {
  std::vector<uint32_t> parent;
  std::vector<uint16_t> choice;  // a cluster power loss alone can offer hundreds of steps

  uint32_t add(uint32_t from, uint16_t k) {
    parent.push_back(from);
    choice.push_back(k);
    return uint32_t(parent.size() - 1);
  }
  std::vector<uint16_t> path_to(uint32_t id) const {
    std::vector<uint16_t> path;
    for (; id != 0; id = parent[id]) path.push_back(choice[id]);
    std::reverse(path.begin(), path.end());
    return path;
  }
};

constexpr uint32_t kNone = UINT32_MAX;

struct Witness {
  uint32_t state = kNone;
  int message = -1;
  void offer(uint32_t id, int msg) {
    if (id < state) state = id, message = msg;
  }
};

// A successor not yet known when its level began; which thread owns its fingerprint
// decides which thread deduplicates it.
struct Candidate {
  uint64_t fp;
  uint32_t parent;
  uint16_t choice;
  State state;
};

struct WorkerStats {
  uint64_t transitions = 0, quiescent = 0, bound_hits = 0, cut_states = 0, unexplained = 0;
  uint32_t unexplained_state = kNone;
  // Per replication-safety property, the first state of its slice that breaks it.
  uint32_t replication_state[kReplicationViolations] = {kNone, kNone};
  Witness losses[int(Effect::kCount)];
};

}  // namespace

CheckResult check(const Config& config, const CheckOptions& options) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };

  const int threads = options.threads > 0
                          ? options.threads
                          : std::max(1, int(std::thread::hardware_concurrency()));
  auto owner = [threads](uint64_t fp) { return int(fp % uint64_t(threads)); };

  CheckResult result;
  std::vector<absl::flat_hash_set<uint64_t>> visited(threads);
  Trail trail;
  Witness witness[int(Effect::kCount)];
  uint32_t unexplained_state = kNone;
  uint32_t replication_state[kReplicationViolations] = {kNone, kNone};

  std::vector<State> frontier{initial_state(config)};
  visited[owner(fingerprint(frontier[0]))].insert(fingerprint(frontier[0]));
  trail.add(0, 0);
  uint32_t level_base = 0;
  double next_report = options.progress_interval;

  // buckets[t][o]: candidates thread t found whose fingerprint thread o owns.
  std::vector<std::vector<std::vector<Candidate>>> buckets(
      threads, std::vector<std::vector<Candidate>>(threads));
  // fresh[o]: the candidates owner o found new, as (thread, index) into buckets, in
  // (parent, choice) order.
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> fresh(threads);
  std::vector<WorkerStats> stats(threads);

  auto run = [threads](auto&& work) {
    if (threads == 1) return work(0);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back(work, t);
    for (auto& th : pool) th.join();
  };

  std::atomic<bool> unexpanded{false};
  while (!frontier.empty()) {
    const size_t n = frontier.size();
    // With max_depth, the last level is judged (quiescence, cuts) but not expanded.
    const bool last_level = options.max_depth >= 0 && result.depth >= options.max_depth;
    // Phase 1: expand contiguous slices of the level. Nobody writes `visited` now.
    run([&](int t) {
      const size_t lo = n * t / threads, hi = n * (t + 1) / threads;
      std::vector<Step> steps;
      WorkerStats& st = stats[t];
      for (auto& b : buckets[t]) b.clear();
      for (size_t i = lo; i < hi; ++i) {
        const uint32_t id = level_base + uint32_t(i);
        // Once a level has shown a violation, no later state can give a shorter run.
        for (int k = 0; k < kReplicationViolations; ++k)
          if (replication_state[k] == kNone && st.replication_state[k] == kNone &&
              check_replication_safety(config, frontier[i], ReplicationViolation(k)))
            st.replication_state[k] = id;
        const int cut = successors(config, frontier[i], &steps);
        st.bound_hits += uint64_t(cut);
        st.transitions += steps.size();
        if (steps.empty() && cut > 0) {
          ++st.cut_states;  // stopped by a bound, not quiesced: no loss is judged here
        } else if (steps.empty()) {
          ++st.quiescent;
          LossReport losses = losses_at_quiescence(config, frontier[i]);
          if (!losses.unexplained.empty() && st.unexplained_state == kNone) st.unexplained_state = id;
          st.unexplained += losses.unexplained.size();
          for (int m = 0; m < config.messages; ++m)
            if (losses.lost[m]) st.losses[int(losses.per_message[m])].offer(id, m);
        }
        if (last_level && !steps.empty()) unexpanded = true;
        for (size_t k = 0; k < steps.size() && !last_level; ++k) {
          const uint64_t fp = fingerprint(steps[k].next);
          const int o = owner(fp);
          if (visited[o].contains(fp)) continue;
          buckets[t][o].push_back(Candidate{fp, id, uint16_t(k), steps[k].next});
        }
        if (t == 0 && options.on_progress && (i & 1023) == 0 && elapsed() >= next_report) {
          options.on_progress({trail.parent.size(), n - i * threads, result.depth, elapsed()});
          next_report = elapsed() + options.progress_interval;
        }
      }
    });
    // Phase 2: each owner keeps the first candidate of each new fingerprint. Scanning the
    // threads' buckets in thread order visits candidates in (parent, choice) order, so
    // "first" is what a one-thread BFS would have kept.
    run([&](int o) {
      fresh[o].clear();
      for (int t = 0; t < threads; ++t) {
        const auto& bucket = buckets[t][o];
        for (uint32_t i = 0; i < bucket.size(); ++i)
          if (visited[o].insert(bucket[i].fp).second) fresh[o].emplace_back(uint32_t(t), i);
      }
    });
    // Phase 3: merge the owners' lists into the next level in (parent, choice) order.
    std::vector<State> next;
    size_t total = 0;
    for (const auto& f : fresh) total += f.size();
    next.reserve(total);
    std::vector<size_t> pos(threads, 0);
    auto candidate = [&](int o) -> Candidate& {
      const auto [t, i] = fresh[o][pos[o]];
      return buckets[t][o][i];
    };
    for (size_t made = 0; made < total; ++made) {
      int best = -1;
      for (int o = 0; o < threads; ++o) {
        if (pos[o] == fresh[o].size()) continue;
        if (best < 0) {
          best = o;
          continue;
        }
        const Candidate& c = candidate(o);
        const Candidate& b = candidate(best);
        if (c.parent < b.parent || (c.parent == b.parent && c.choice < b.choice)) best = o;
      }
      Candidate& c = candidate(best);
      ++pos[best];
      const uint32_t id = trail.add(c.parent, c.choice);
      EffectSet found = 0;
      for (int e = 0; e < int(Effect::kCount); ++e)
        if (witness[e].state != kNone) found |= EffectSet(1u << e);
      for (EffectSet f = EffectSet(c.state.effects & ~found); f;) {
        const int e = std::countr_zero(unsigned(f));
        f &= EffectSet(f - 1);
        // The event's message is the one the effect concerns (a Process step).
        std::vector<Step> steps;
        successors(config, frontier[c.parent - level_base], &steps);
        witness[e].offer(id, steps[c.choice].event.msg);
      }
      next.push_back(std::move(c.state));
    }
    // Losses found at this level's quiescent states (smaller ids than any new state).
    for (WorkerStats& st : stats) {
      for (int e = 0; e < int(Effect::kCount); ++e) {
        if (st.losses[e].state != kNone) witness[e].offer(st.losses[e].state, st.losses[e].message);
        st.losses[e] = Witness{};
      }
      if (st.unexplained_state < unexplained_state) unexplained_state = st.unexplained_state;
      st.unexplained_state = kNone;
      for (int k = 0; k < kReplicationViolations; ++k) {
        replication_state[k] = std::min(replication_state[k], st.replication_state[k]);
        st.replication_state[k] = kNone;
      }
    }
    if (trail.parent.size() > options.max_states) {
      result.complete = false;
      break;
    }
    level_base += uint32_t(n);
    frontier.swap(next);
    if (!frontier.empty()) ++result.depth;
    if (last_level) {
      result.depth_limited = unexpanded.load();
      break;
    }
  }

  for (const WorkerStats& st : stats) {
    result.transitions += st.transitions;
    result.quiescent_states += st.quiescent;
    result.bound_hits += st.bound_hits;
    result.cut_states += st.cut_states;
    result.unexplained += st.unexplained;
  }
  result.states = trail.parent.size();
  for (int e = 0; e < int(Effect::kCount); ++e) {
    if (witness[e].state == kNone) continue;
    result.effects |= EffectSet(1u << e);
    Counterexample cx;
    cx.effect = Effect(e);
    cx.message = witness[e].message;
    replay_choices(config, trail.path_to(witness[e].state), &cx.events, &cx.final_state);
    result.counterexamples.push_back(std::move(cx));
  }
  for (int k = 0; k < kReplicationViolations; ++k) {
    if (replication_state[k] == kNone) continue;
    ReplicationCounterexample cx;
    replay_choices(config, trail.path_to(replication_state[k]), &cx.events, &cx.final_state);
    cx.finding = *check_replication_safety(config, cx.final_state, ReplicationViolation(k));
    cx.state_id = replication_state[k];
    result.replication[k] = std::move(cx);
  }
  if (unexplained_state != kNone) {
    State last;
    replay_choices(config, trail.path_to(unexplained_state), &result.unexplained_trace, &last);
  }
  result.seconds = elapsed();
  return result;
}

const ReplicationCounterexample* CheckResult::first_replication_violation() const {
  const ReplicationCounterexample* first = nullptr;
  for (const auto& r : replication)
    if (r && (!first || r->state_id < first->state_id)) first = &*r;
  return first;
}

}  // namespace kdc
