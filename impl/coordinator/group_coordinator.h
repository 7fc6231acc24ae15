// The consumer group coordinator (never fails, as in the model): the group's generation,
// its committed offset for the partition, offsets committed by transactions (they become
// visible when the transaction commits).
#ifndef KDC_IMPL_COORDINATOR_GROUP_COORDINATOR_H_
#define KDC_IMPL_COORDINATOR_GROUP_COORDINATOR_H_

#include <memory>

#include "impl/cluster/env.h"

namespace kdc::impl {

class GroupCoordinator {
 public:
  // initial_committed_offset: -1 for a new group (Kafka's start), 0 for a pipeline that
  // was already running when the run starts (the model's start: docs/model.md, section 3).
  explicit GroupCoordinator(const Env& env, int64_t initial_committed_offset = -1);
  ~GroupCoordinator();
  GroupCoordinator(const GroupCoordinator&) = delete;
  GroupCoordinator& operator=(const GroupCoordinator&) = delete;

  // Faults, called by the fault injector (which records the fault event).
  void rebalance();    // the current generation is fenced; members must rejoin
  void lose_offsets(); // the committed offset disappears (offsets.retention, new group id)

  int64_t committed_offset() const;  // -1: none
  int32_t generation() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_COORDINATOR_GROUP_COORDINATOR_H_
