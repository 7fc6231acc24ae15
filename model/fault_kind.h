// The fault classes, each bounded by one fault.* key (FaultBudget in config.h).
#ifndef KDC_MODEL_FAULT_KIND_H_
#define KDC_MODEL_FAULT_KIND_H_

#include <cstdint>
#include <string_view>

namespace kdc {

enum class FaultKind : uint8_t {
  kRequestTimeout,
  kDeliveryTimeout,
  kProducerCrash,
  kBrokerCrash,
  kBrokerPowerLoss,
  kClusterPowerLoss,
  kNetworkPartition,
  kConsumerCrash,
  kConsumerRebalance,
  kOffsetLoss,
  kTransactionTimeout,
  kProducerZombie,
};
inline constexpr int kFaultKinds = 12;

struct FaultBudget;
// The fault.* bound of one kind.
uint8_t budget_of(const FaultBudget& budget, FaultKind kind);  // model.cc
// Its budget key: "fault.broker.power.loss".
std::string_view fault_key(FaultKind kind);  // model.cc

}  // namespace kdc

#endif  // KDC_MODEL_FAULT_KIND_H_
