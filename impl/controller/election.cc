#include "impl/controller/election.h"

#include <algorithm>

namespace kdc::impl {

namespace {

bool contains(const std::vector<NodeId>& v, NodeId n) {
  return std::find(v.begin(), v.end(), n) != v.end();
}

bool erase(std::vector<NodeId>& v, NodeId n) {
  auto it = std::find(v.begin(), v.end(), n);
  if (it == v.end()) return false;
  v.erase(it);
  return true;
}

void insert_sorted(std::vector<NodeId>& v, NodeId n) {
  if (contains(v, n)) return;
  v.push_back(n);
  std::sort(v.begin(), v.end());
}

bool under_min_isr(const LeaderAndIsr& p, const Config& config) {
  return static_cast<int>(p.isr.size()) < config.min_insync_replicas;
}

}  // namespace

bool fence_replica(PartitionState& s, NodeId broker, const Config& config) {
  LeaderAndIsr& p = s.published;
  bool changed = false;
  if (contains(p.isr, broker)) {
    if (config.eligible_leader_replicas) {
      erase(p.isr, broker);
      if (under_min_isr(p, config)) insert_sorted(p.elr, broker);
      changed = true;
    } else if (p.isr.size() > 1) {
      // Without ELR the last replica standing stays in the ISR.
      erase(p.isr, broker);
      changed = true;
    }
  }
  if (p.leader == broker) {
    p.leader = -1;
    s.last_known_leader = broker;
    changed = true;
  }
  if (changed) ++p.partition_epoch;
  return changed;
}

bool unclean_restart(PartitionState& s, NodeId broker, const Config& config) {
  if (!config.eligible_leader_replicas) return false;
  LeaderAndIsr& p = s.published;
  bool changed = erase(p.isr, broker);
  changed = erase(p.elr, broker) || changed;
  if (changed) ++p.partition_epoch;
  return changed;
}

Election choose_leader(const PartitionState& s, const std::set<NodeId>& fenced, const Config& config) {
  const LeaderAndIsr& p = s.published;
  Election e;
  if (p.leader >= 0) return e;
  auto eligible = [&fenced](NodeId b) { return fenced.count(b) == 0; };
  for (NodeId r : p.replicas) {
    if (contains(p.isr, r) && eligible(r)) return Election{r, Result::kClean};
  }
  if (config.eligible_leader_replicas) {
    for (NodeId r : p.replicas) {
      if (contains(p.elr, r) && eligible(r)) return Election{r, Result::kEligibleLeaderReplica};
    }
    // canElectLastKnownLeader: nobody in the ISR or the ELR at all.
    if (p.isr.empty() && p.elr.empty() && s.last_known_leader >= 0 && eligible(s.last_known_leader)) {
      return Election{s.last_known_leader, Result::kLastKnownLeader};
    }
  }
  if (config.unclean_leader_election) {
    for (NodeId r : p.replicas) {
      if (eligible(r)) return Election{r, Result::kUnclean};
    }
  }
  return e;
}

void apply_election(PartitionState& s, const Election& e) {
  LeaderAndIsr& p = s.published;
  p.leader = e.leader;
  ++p.leader_epoch;
  ++p.partition_epoch;
  switch (e.kind) {
    case Result::kClean:
      break;
    case Result::kEligibleLeaderReplica:
      p.isr = {e.leader};
      erase(p.elr, e.leader);
      break;
    default:  // unclean, last known leader
      p.isr = {e.leader};
      p.elr.clear();
      break;
  }
  s.last_known_leader = e.leader;
}

Error alter_isr(PartitionState& s, const AlterPartitionRequest& req, const std::set<NodeId>& fenced,
                const Config& config) {
  LeaderAndIsr& p = s.published;
  if (req.leader != p.leader || req.leader_epoch != p.leader_epoch) return Error::kFencedLeaderEpoch;
  if (req.partition_epoch != p.partition_epoch) return Error::kInvalidRequest;  // INVALID_UPDATE_VERSION
  if (!contains(req.new_isr, p.leader)) return Error::kInvalidRequest;
  for (NodeId r : req.new_isr) {
    if (!contains(p.replicas, r)) return Error::kInvalidRequest;
    // KIP-841: a fenced broker cannot join the ISR (INELIGIBLE_REPLICA).
    if (!contains(p.isr, r) && fenced.count(r) > 0) return Error::kInvalidRequest;
  }
  std::vector<NodeId> old = p.isr;
  p.isr = req.new_isr;
  std::sort(p.isr.begin(), p.isr.end());
  if (config.eligible_leader_replicas) {
    for (NodeId r : p.isr) erase(p.elr, r);
    if (under_min_isr(p, config)) {
      for (NodeId r : old) {
        if (!contains(p.isr, r)) insert_sorted(p.elr, r);
      }
    } else {
      p.elr.clear();
    }
  }
  ++p.partition_epoch;
  return Error::kNone;
}

}  // namespace kdc::impl
