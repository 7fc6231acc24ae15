#include "impl/cluster/fault_plan.h"

#include <algorithm>
#include <utility>

namespace kdc::impl {

std::vector<PlannedFault> plan_faults(const Config& config, Runtime& random, Millis window) {
  const FaultBudget& b = config.faults;
  std::vector<std::pair<EventType, int>> budget = {
      {EventType::kRequestTimeout, b.request_timeout},
      {EventType::kDeliveryTimeout, b.delivery_timeout},
      {EventType::kProducerCrash, b.producer_crash},
      {EventType::kBrokerCrash, b.broker_crash},
      {EventType::kBrokerPowerLoss, b.broker_power_loss},
      {EventType::kClusterPowerLoss, b.cluster_power_loss},
      {EventType::kNetworkPartition, b.network_partition},
      // In a consume-transform-produce pipeline the model's consumer is the downstream
      // reader, which keeps its offsets in the sink and never crashes (finding F4).
      {EventType::kConsumerCrash, config.processor() ? 0 : b.consumer_crash},
      {EventType::kConsumerRebalance, b.consumer_rebalance},
      {EventType::kOffsetLoss, b.offset_loss},
      {EventType::kTransactionTimeout, config.transactional ? b.transaction_timeout : 0},
      {EventType::kProducerZombie, config.transactional ? b.producer_zombie : 0},
  };
  int available = 0;
  for (const auto& [k, n] : budget) available += n;
  int total = std::min<int>(available, b.max_total);
  std::vector<PlannedFault> plan;
  if (total == 0) return plan;
  int count = 1 + static_cast<int>(random.random(static_cast<uint64_t>(total)));
  for (int i = 0; i < count; ++i) {
    int left = 0;
    for (const auto& [k, n] : budget) left += n;
    if (left == 0) break;
    int pick = static_cast<int>(random.random(static_cast<uint64_t>(left)));
    for (auto& [k, n] : budget) {
      if (pick < n) {
        --n;
        PlannedFault f;
        f.kind = k;
        f.at = static_cast<Millis>(random.random(static_cast<uint64_t>(window) + 1));
        // Some heal before the controller's session timeout notices, some after.
        f.heal_after = 1000 + static_cast<Millis>(random.random(30000));
        f.broker = static_cast<int>(random.random(static_cast<uint64_t>(config.replication_factor)));
        plan.push_back(f);
        break;
      }
      pick -= n;
    }
  }
  std::stable_sort(plan.begin(), plan.end(),
                   [](const PlannedFault& x, const PlannedFault& y) { return x.at < y.at; });
  return plan;
}

}  // namespace kdc::impl
