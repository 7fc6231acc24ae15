// Kafka's error codes, by their names in org.apache.kafka.common.protocol.Errors (only
// those the implementation uses). Network-level failures the client itself decides
// (disconnection, request timeout) are here too, as in Kafka's client.
#ifndef KDC_IMPL_PROTOCOL_ERRORS_H_
#define KDC_IMPL_PROTOCOL_ERRORS_H_

#include <cstdint>
#include <string_view>

namespace kdc::impl {

enum class Error : uint8_t {
  kNone,
  kNotLeaderOrFollower,
  kNotEnoughReplicas,
  kNotEnoughReplicasAfterAppend,
  kOutOfOrderSequenceNumber,
  kUnknownProducerId,
  kDuplicateSequenceNumber,
  kFencedLeaderEpoch,
  kUnknownLeaderEpoch,
  kOffsetOutOfRange,
  kInvalidProducerEpoch,
  kProducerFenced,
  kInvalidTxnState,
  kConcurrentTransactions,
  kTransactionAbortable,
  kIllegalGeneration,
  kUnknownMemberId,
  kRebalanceInProgress,
  kStaleBrokerEpoch,
  kNetworkException,   // client side: the connection broke
  kRequestTimedOut,    // client side: request.timeout.ms passed
  kInvalidRequest,
};

std::string_view error_name(Error e);  // "NOT_LEADER_OR_FOLLOWER"

}  // namespace kdc::impl

#endif  // KDC_IMPL_PROTOCOL_ERRORS_H_
