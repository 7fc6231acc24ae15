// The controller (KRaft's active controller, as one node that never fails, as in the model):
// broker registration and heartbeats, fencing after broker.session.timeout.ms, leader
// election (clean, unclean, ELR, last known leader: KIP-966), ISR changes that leaders ask
// for (AlterPartition, KIP-497), and publishing the partition state to every broker.
#ifndef KDC_IMPL_CONTROLLER_CONTROLLER_H_
#define KDC_IMPL_CONTROLLER_CONTROLLER_H_

#include <memory>
#include <vector>

#include "impl/cluster/env.h"
#include "impl/protocol/records.h"

namespace kdc::impl {

class Controller {
 public:
  // Brokers 0 .. replication_factor-1 hold the partition; broker 0 leads in epoch 1, with
  // every replica in the ISR (the model's initial state).
  explicit Controller(const Env& env);
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  struct View {
    NodeId leader = -1;
    int32_t leader_epoch = -1;
    std::vector<NodeId> isr;
    std::vector<NodeId> elr;
    std::vector<NodeId> fenced;
  };
  View view() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_CONTROLLER_CONTROLLER_H_
