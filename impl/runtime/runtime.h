// The runtime the implementation runs on: serial executors ("threads"), timers, a clock and
// a random source. Every component of impl/ is written against this interface, so the same
// broker and client code runs on real threads or under a seeded scheduler.
//
// Contract (both runtimes):
//  - An actor is a serial executor, the counterpart of one thread of a Kafka process (a
//    broker's request handler, a replica fetcher, a producer's sender, ...). Work posted to
//    an actor runs one item at a time, in the order posted. Two actors' work may interleave
//    in any order (threaded) or in an order the seed decides (deterministic).
//  - Work never blocks waiting for other actors: a component that must wait posts work or
//    sets a timer and returns. Shared state between actors of one process is guarded by the
//    component's own mutex.
//  - stop(actor) drops the actor's queued work and timers and refuses later work; it returns
//    once the actor runs nothing (from inside the actor itself it returns at once, and the
//    current item finishes). A stopped actor is never started again: a restarted process
//    spawns new actors. This is how a crash stops a process's threads.
//  - now() is milliseconds since the runtime was made: virtual time in the deterministic
//    runtime (it advances only when no work is runnable, to the next timer), the steady
//    clock in the threaded one.
//  - random() is seeded. In the deterministic runtime every choice (which actor runs next,
//    every random() result) comes from the seed, so a seed gives the same run, byte for byte.
#ifndef KDC_IMPL_RUNTIME_RUNTIME_H_
#define KDC_IMPL_RUNTIME_RUNTIME_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace kdc::impl {

using Millis = int64_t;
using ActorId = int32_t;
using TimerId = uint64_t;
using Work = std::function<void()>;

class Runtime {
 public:
  virtual ~Runtime() = default;

  // A new serial executor; `name` is for diagnostics ("broker-1/fetcher").
  virtual ActorId spawn(std::string name) = 0;
  virtual void stop(ActorId actor) = 0;
  virtual bool running(ActorId actor) const = 0;

  // Runs `work` on `actor` (dropped if the actor is stopped).
  virtual void post(ActorId actor, Work work) = 0;
  // Runs `work` on `actor` before anything else runs (deterministic: it is the very next
  // item the scheduler runs; threaded: at the front of the actor's queue). For the harness:
  // a fault that must strike right after a given step, before any other thread moves.
  virtual void post_first(ActorId actor, Work work) = 0;
  // Runs `work` on `actor` once `delay` ms have passed (never sooner; ties run in the order
  // they were set). Dropped if the actor stops first.
  virtual TimerId after(ActorId actor, Millis delay, Work work) = 0;
  // Cancels a timer that has not fired; a no-op otherwise.
  virtual void cancel(TimerId timer) = 0;

  virtual Millis now() const = 0;
  // Uniform in [0, bound); bound > 0.
  virtual uint64_t random(uint64_t bound) = 0;

  // Runs until `done()` holds (checked after every work item in the deterministic runtime,
  // every millisecond or so in the threaded one), until nothing is left to run (deterministic
  // only) or until now() reaches `deadline`. Returns done(). `done` is called on the
  // caller's thread; it must take the locks of whatever it reads.
  virtual bool run_until(const std::function<bool()>& done, Millis deadline) = 0;

  // Stops every actor (threaded: joins the threads). Called before the components die.
  virtual void shutdown() = 0;

  virtual bool deterministic() const = 0;
  // Work items run so far (statistics).
  virtual uint64_t work_done() const = 0;
  // Scripted runtimes (below): choices consumed so far; 0 for the others.
  virtual uint64_t choices_made() const { return 0; }
};

// One thread runs everything; `seed` decides every interleaving, timer tie and random().
std::unique_ptr<Runtime> make_deterministic_runtime(uint64_t seed);
// The same scheduler, but every choice is scripted: the i-th choice (a scheduling decision
// among more than one runnable actor, or a random() draw with bound > 1) is
// choices[i] % bound, and 0 once the vector runs out. For property-based testing: a
// generator produces the vector, and shrinking it (fewer, smaller values) simplifies the
// interleaving; the same vector gives the same run, byte for byte.
std::unique_ptr<Runtime> make_deterministic_runtime_with_choices(std::vector<uint32_t> choices);
// One std::thread per actor, a timer thread; random() is seeded but the interleaving is the
// operating system's.
std::unique_ptr<Runtime> make_threaded_runtime(uint64_t seed);

}  // namespace kdc::impl

#endif  // KDC_IMPL_RUNTIME_RUNTIME_H_
