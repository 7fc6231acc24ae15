// Real threads: one std::thread per actor, draining its queue; one timer thread that posts
// timer work to its actor when due. The interleaving is the operating system's.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "impl/runtime/runtime.h"

namespace kdc::impl {
namespace {

class ThreadedRuntime final : public Runtime {
 public:
  explicit ThreadedRuntime(uint64_t seed)
      : rng_(seed), start_(std::chrono::steady_clock::now()) {
    timer_thread_ = std::thread([this] { timer_loop(); });
  }

  ~ThreadedRuntime() override { shutdown(); }

  ActorId spawn(std::string name) override {
    std::lock_guard<std::mutex> g(actors_mu_);
    auto a = std::make_unique<Actor>();
    a->name = std::move(name);
    Actor* raw = a.get();
    actors_.push_back(std::move(a));
    raw->thread = std::thread([this, raw] { actor_loop(raw); });
    return static_cast<ActorId>(actors_.size() - 1);
  }

  void stop(ActorId id) override {
    Actor* a = actor(id);
    std::unique_lock<std::mutex> g(a->mu);
    a->alive = false;
    a->queue.clear();
    a->cv.notify_all();
    if (std::this_thread::get_id() == a->thread.get_id()) return;
    a->idle_cv.wait(g, [a] { return !a->busy; });
  }

  bool running(ActorId id) const override {
    Actor* a = const_cast<ThreadedRuntime*>(this)->actor(id);
    std::lock_guard<std::mutex> g(a->mu);
    return a->alive;
  }

  void post(ActorId id, Work work) override {
    Actor* a = actor(id);
    std::lock_guard<std::mutex> g(a->mu);
    if (!a->alive) return;
    a->queue.push_back(std::move(work));
    a->cv.notify_one();
  }

  void post_first(ActorId id, Work work) override {
    Actor* a = actor(id);
    std::lock_guard<std::mutex> g(a->mu);
    if (!a->alive) return;
    a->queue.push_front(std::move(work));
    a->cv.notify_one();
  }

  TimerId after(ActorId id, Millis delay, Work work) override {
    if (delay < 0) delay = 0;
    std::lock_guard<std::mutex> g(timer_mu_);
    TimerId t = ++next_timer_;
    Millis at = now() + delay;
    timers_.emplace(Key{at, t}, Timer{id, std::move(work)});
    timer_at_.emplace(t, at);
    timer_cv_.notify_one();
    return t;
  }

  void cancel(TimerId timer) override {
    std::lock_guard<std::mutex> g(timer_mu_);
    auto it = timer_at_.find(timer);
    if (it == timer_at_.end()) return;
    timers_.erase(Key{it->second, timer});
    timer_at_.erase(it);
  }

  Millis now() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now() - start_)
        .count();
  }

  uint64_t random(uint64_t bound) override {
    if (bound <= 1) return 0;
    std::lock_guard<std::mutex> g(rng_mu_);
    return std::uniform_int_distribution<uint64_t>(0, bound - 1)(rng_);
  }

  bool run_until(const std::function<bool()>& done, Millis deadline) override {
    while (!done()) {
      if (now() >= deadline) return done();
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    return true;
  }

  void shutdown() override {
    {
      std::lock_guard<std::mutex> g(timer_mu_);
      if (closed_) return;
      closed_ = true;
      timers_.clear();
      timer_at_.clear();
      timer_cv_.notify_all();
    }
    timer_thread_.join();
    std::vector<Actor*> all;
    {
      std::lock_guard<std::mutex> g(actors_mu_);
      for (auto& a : actors_) all.push_back(a.get());
    }
    for (Actor* a : all) {
      {
        std::lock_guard<std::mutex> g(a->mu);
        a->alive = false;
        a->exit = true;
        a->queue.clear();
        a->cv.notify_all();
      }
      a->thread.join();
    }
  }

  bool deterministic() const override { return false; }
  uint64_t work_done() const override { return work_done_.load(); }

 private:
  struct Actor {
    std::string name;
    std::thread thread;
    std::mutex mu;
    std::condition_variable cv;
    std::condition_variable idle_cv;
    std::deque<Work> queue;
    bool alive = true;
    bool busy = false;
    bool exit = false;
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

  Actor* actor(ActorId id) {
    std::lock_guard<std::mutex> g(actors_mu_);
    return actors_.at(id).get();
  }

  void actor_loop(Actor* a) {
    std::unique_lock<std::mutex> g(a->mu);
    for (;;) {
      a->cv.wait(g, [a] { return a->exit || !a->queue.empty(); });
      if (a->exit) return;
      Work work = std::move(a->queue.front());
      a->queue.pop_front();
      a->busy = true;
      g.unlock();
      work();
      ++work_done_;
      g.lock();
      a->busy = false;
      a->idle_cv.notify_all();
    }
  }

  void timer_loop() {
    std::unique_lock<std::mutex> g(timer_mu_);
    while (!closed_) {
      if (timers_.empty()) {
        timer_cv_.wait(g);
        continue;
      }
      auto it = timers_.begin();
      Millis wait = it->first.at - now();
      if (wait > 0) {
        timer_cv_.wait_for(g, std::chrono::milliseconds(wait));
        continue;
      }
      Timer t = std::move(it->second);
      timer_at_.erase(it->first.id);
      timers_.erase(it);
      g.unlock();
      post(t.actor, std::move(t.work));
      g.lock();
    }
  }

  std::mutex rng_mu_;
  std::mt19937_64 rng_;
  const std::chrono::steady_clock::time_point start_;

  std::mutex actors_mu_;
  std::vector<std::unique_ptr<Actor>> actors_;

  std::mutex timer_mu_;
  std::condition_variable timer_cv_;
  std::map<Key, Timer> timers_;
  std::unordered_map<TimerId, Millis> timer_at_;
  TimerId next_timer_ = 0;
  bool closed_ = false;
  std::thread timer_thread_;

  std::atomic<uint64_t> work_done_{0};
};

}  // namespace

std::unique_ptr<Runtime> make_threaded_runtime(uint64_t seed) {
  return std::make_unique<ThreadedRuntime>(seed);
}

}  // namespace kdc::impl
