// The partition's state as the controller keeps it, and the rules that change it, after
// KRaft's PartitionChangeBuilder: fencing a replica (ISR, ELR), unclean restarts (KIP-966),
// ISR changes a leader asks for (AlterPartition) and leader election.
//
// Pure functions over values: the Controller calls them under its mutex and records the
// events and publishes the result.
#ifndef KDC_IMPL_CONTROLLER_ELECTION_H_
#define KDC_IMPL_CONTROLLER_ELECTION_H_

#include <set>
#include <vector>

#include "impl/protocol/controller.h"
#include "model/vocabulary/config.h"
#include "model/vocabulary/event.h"

namespace kdc::impl {

struct PartitionState {
  LeaderAndIsr published;        // leader, epochs, replicas, ISR, ELR
  NodeId last_known_leader = -1;  // who led when the partition became leaderless (KIP-966)
};

struct Election {
  NodeId leader = -1;             // -1: nobody can be elected now
  Result kind = Result::kNone;    // kClean, kEligibleLeaderReplica, kLastKnownLeader, kUnclean
};

// The replica was fenced (missed heartbeats, or a new incarnation registered): it leaves
// the ISR unless it is the last member and ELR is off; with ELR it joins the ELR while the
// ISR is under min.insync.replicas; a fenced leader leaves the partition leaderless.
// Returns true if the state changed.
bool fence_replica(PartitionState& s, NodeId broker, const Config& config);

// A restart is an unclean shutdown (KIP-966, handleBrokerUncleanShutdown): with ELR the
// broker leaves the ISR and the ELR. Returns true if the state changed.
bool unclean_restart(PartitionState& s, NodeId broker, const Config& config);

// PartitionChangeBuilder.electLeader, in the model's order: ISR (clean), ELR, last known
// leader, unclean.
Election choose_leader(const PartitionState& s, const std::set<NodeId>& fenced, const Config& config);
// Applies an election: a new leader epoch; after a non-clean one the ISR is {leader}.
void apply_election(PartitionState& s, const Election& e);

// AlterPartition from the current leader: validates and applies `new_isr`.
Error alter_isr(PartitionState& s, const AlterPartitionRequest& req, const std::set<NodeId>& fenced,
                const Config& config);

}  // namespace kdc::impl

#endif  // KDC_IMPL_CONTROLLER_ELECTION_H_
