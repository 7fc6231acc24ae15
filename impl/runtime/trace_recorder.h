// The implementation's trace: every component records each step it performs, in the
// shared vocabulary (model/vocabulary/event.h), while it still holds the lock under which
// it performs the step. The recorder's own lock is a leaf (nothing is called while it is
// held), so recording from inside any critical section is safe, and the order of the
// trace is an order in which the steps really happened.
#ifndef KDC_IMPL_RUNTIME_TRACE_RECORDER_H_
#define KDC_IMPL_RUNTIME_TRACE_RECORDER_H_

#include <functional>
#include <mutex>
#include <vector>

#include "model/vocabulary/event.h"

namespace kdc::impl {

class TraceRecorder {
 public:
  void record(const Event& e) {
    std::lock_guard<std::mutex> g(mu_);
    if (enabled_) events_.push_back(e);
    ++count_;
    if (observer_) observer_(e);
  }
  // Load runs count events without keeping them.
  void set_keep(bool keep) {
    std::lock_guard<std::mutex> g(mu_);
    enabled_ = keep;
  }
  // Called for every event under the recorder's lock; it must not record or block.
  void set_observer(std::function<void(const Event&)> observer) {
    std::lock_guard<std::mutex> g(mu_);
    observer_ = std::move(observer);
  }
  std::vector<Event> events() const {
    std::lock_guard<std::mutex> g(mu_);
    return events_;
  }
  uint64_t count() const {
    std::lock_guard<std::mutex> g(mu_);
    return count_;
  }

 private:
  mutable std::mutex mu_;
  bool enabled_ = true;
  uint64_t count_ = 0;
  std::vector<Event> events_;
  std::function<void(const Event&)> observer_;
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_RUNTIME_TRACE_RECORDER_H_
