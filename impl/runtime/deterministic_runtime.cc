// The seeded scheduler: one OS thread, virtual time. Each step it picks, with the seeded
// generator, one actor among those with queued work and runs that actor's oldest item.
// When no actor has work, virtual time jumps to the earliest timer, whose work is queued.
// Nothing here reads the wall clock or iterates an unordered container, so the same seed
// gives the same sequence of work items.
#include <deque>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "impl/runtime/runtime.h"

namespace kdc::impl {
namespace {

class DeterministicRuntime final : public Runtime {
 public:
  explicit DeterministicRuntime(uint64_t seed) : rng_(seed) {}
  // Every choice from `choices`, in order; 0 once they run out (so a shorter vector is a
  // simpler schedule: the lowest-numbered runnable actor, the smallest delay).
  explicit DeterministicRuntime(std::vector<uint32_t> choices)
      : rng_(0), scripted_(true), choices_(std::move(choices)) {}

  ActorId spawn(std::string name) override {
    actors_.push_back(Actor{std::move(name), true, {}});
    return static_cast<ActorId>(actors_.size() - 1);
  }

  void stop(ActorId actor) override {
    Actor& a = actors_.at(actor);
    a.alive = false;
    a.queue.clear();
    runnable_.erase(actor);
  }

  bool running(ActorId actor) const override { return actors_.at(actor).alive; }

  void post(ActorId actor, Work work) override {
    Actor& a = actors_.at(actor);
    if (!a.alive) return;
    a.queue.push_back(std::move(work));
    runnable_.insert(actor);
  }

  void post_first(ActorId actor, Work work) override {
    Actor& a = actors_.at(actor);
    if (!a.alive) return;
    a.queue.push_front(std::move(work));
    runnable_.insert(actor);
    urgent_.push_back(actor);
  }

  TimerId after(ActorId actor, Millis delay, Work work) override {
    if (delay < 0) delay = 0;
    TimerId id = ++next_timer_;
    timers_.emplace(Key{now_ + delay, id}, Timer{actor, std::move(work)});
    timer_at_.emplace(id, now_ + delay);
    return id;
  }

  void cancel(TimerId timer) override {
    auto it = timer_at_.find(timer);
    if (it == timer_at_.end()) return;
    timers_.erase(Key{it->second, timer});
    timer_at_.erase(it);
  }

  Millis now() const override { return now_; }

  uint64_t random(uint64_t bound) override {
    if (bound <= 1) return 0;
    if (scripted_) {
      const uint64_t c = next_choice_ < choices_.size() ? choices_[next_choice_] : 0;
      ++next_choice_;
      return c % bound;
    }
    return std::uniform_int_distribution<uint64_t>(0, bound - 1)(rng_);
  }

  bool run_until(const std::function<bool()>& done, Millis deadline) override {
    while (!done()) {
      if (runnable_.empty()) {
        if (!fire_next_timer(deadline)) return done();
        continue;
      }
      ActorId id;
      if (!urgent_.empty()) {
        id = urgent_.front();
        urgent_.pop_front();
        if (!actors_[id].alive || actors_[id].queue.empty()) continue;
      } else {
        // The seeded choice of which thread runs next.
        auto it = runnable_.begin();
        std::advance(it, static_cast<long>(random(runnable_.size())));
        id = *it;
      }
      Actor& a = actors_[id];
      Work work = std::move(a.queue.front());
      a.queue.pop_front();
      if (a.queue.empty()) runnable_.erase(id);
      ++work_done_;
      work();
    }
    return true;
  }

  void shutdown() override {
    for (ActorId i = 0; i < static_cast<ActorId>(actors_.size()); ++i) stop(i);
    timers_.clear();
    timer_at_.clear();
  }

  bool deterministic() const override { return true; }
  uint64_t work_done() const override { return work_done_; }
  uint64_t choices_made() const override { return next_choice_; }

 private:
  struct Actor {
    std::string name;
    bool alive;
    std::deque<Work> queue;
  };
  struct Key {
    Millis at;
    TimerId id;
    bool operator<(const Key& o) const { return std::tie(at, id) < std::tie(o.at, o.id); }
  };
  struct Timer {
    ActorId actor;
    Work work;
  };

  // Queues the earliest timer's work (advancing virtual time to it); false if there is none
  // before `deadline`.
  bool fire_next_timer(Millis deadline) {
    while (!timers_.empty()) {
      auto it = timers_.begin();
      if (it->first.at > deadline) return false;
      now_ = std::max(now_, it->first.at);
      Timer t = std::move(it->second);
      timer_at_.erase(it->first.id);
      timers_.erase(it);
      if (!actors_[t.actor].alive) continue;
      post(t.actor, std::move(t.work));
      return true;
    }
    return false;
  }

  std::mt19937_64 rng_;
  bool scripted_ = false;
  std::vector<uint32_t> choices_;
  uint64_t next_choice_ = 0;  // choices consumed (scripted), including those past the end
  std::vector<Actor> actors_;
  std::set<ActorId> runnable_;  // ordered: the choice depends only on the seed
  std::deque<ActorId> urgent_;   // post_first: run before any seeded choice
  std::map<Key, Timer> timers_;
  std::unordered_map<TimerId, Millis> timer_at_;  // looked up, never iterated
  TimerId next_timer_ = 0;
  Millis now_ = 0;
  uint64_t work_done_ = 0;
};

}  // namespace

std::unique_ptr<Runtime> make_deterministic_runtime(uint64_t seed) {
  return std::make_unique<DeterministicRuntime>(seed);
}

std::unique_ptr<Runtime> make_deterministic_runtime_with_choices(std::vector<uint32_t> choices) {
  return std::make_unique<DeterministicRuntime>(std::move(choices));
}

}  // namespace kdc::impl
