// Between brokers and the controller: heartbeats (fencing), AlterPartition (ISR changes the
// leader asks for, KIP-497) and the partition state the controller publishes (LeaderAndIsr,
// or in KRaft the metadata record every broker replays).
#ifndef KDC_IMPL_PROTOCOL_CONTROLLER_H_
#define KDC_IMPL_PROTOCOL_CONTROLLER_H_

#include <cstdint>
#include <vector>

#include "impl/protocol/errors.h"
#include "impl/protocol/records.h"

namespace kdc::impl {

struct BrokerHeartbeatRequest {
  NodeId broker = -1;
  int64_t incarnation = 0;  // a new value after every process start (unclean shutdown: KIP-966)
  // The partition state the broker last learned: the controller sends LeaderAndIsr again
  // when it is stale (a message lost to a crash or a network partition).
  int32_t leader_epoch = -1;
  int32_t partition_epoch = -1;
};

struct BrokerHeartbeatResponse {
  bool fenced = false;
};

struct AlterPartitionRequest {
  int64_t correlation_id = 0;
  NodeId leader = -1;
  int32_t leader_epoch = -1;
  int32_t partition_epoch = -1;
  std::vector<NodeId> new_isr;
};

struct AlterPartitionResponse {
  int64_t correlation_id = 0;
  Error error = Error::kNone;
  NodeId leader = -1;
  int32_t leader_epoch = -1;
  int32_t partition_epoch = -1;
  std::vector<NodeId> isr;
};

// The partition's state as the controller decided it.
struct LeaderAndIsr {
  NodeId leader = -1;  // -1: no leader
  int32_t leader_epoch = -1;
  int32_t partition_epoch = -1;
  std::vector<NodeId> replicas;
  std::vector<NodeId> isr;
  std::vector<NodeId> elr;  // KIP-966
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_PROTOCOL_CONTROLLER_H_
