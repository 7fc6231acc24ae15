#include "impl/protocol/errors.h"

namespace kdc::impl {

std::string_view error_name(Error e) {
  switch (e) {
    case Error::kNone: return "NONE";
    case Error::kNotLeaderOrFollower: return "NOT_LEADER_OR_FOLLOWER";
    case Error::kNotEnoughReplicas: return "NOT_ENOUGH_REPLICAS";
    case Error::kNotEnoughReplicasAfterAppend: return "NOT_ENOUGH_REPLICAS_AFTER_APPEND";
    case Error::kOutOfOrderSequenceNumber: return "OUT_OF_ORDER_SEQUENCE_NUMBER";
    case Error::kUnknownProducerId: return "UNKNOWN_PRODUCER_ID";
    case Error::kDuplicateSequenceNumber: return "DUPLICATE_SEQUENCE_NUMBER";
    case Error::kFencedLeaderEpoch: return "FENCED_LEADER_EPOCH";
    case Error::kUnknownLeaderEpoch: return "UNKNOWN_LEADER_EPOCH";
    case Error::kOffsetOutOfRange: return "OFFSET_OUT_OF_RANGE";
    case Error::kInvalidProducerEpoch: return "INVALID_PRODUCER_EPOCH";
    case Error::kProducerFenced: return "PRODUCER_FENCED";
    case Error::kInvalidTxnState: return "INVALID_TXN_STATE";
    case Error::kConcurrentTransactions: return "CONCURRENT_TRANSACTIONS";
    case Error::kTransactionAbortable: return "TRANSACTION_ABORTABLE";
    case Error::kIllegalGeneration: return "ILLEGAL_GENERATION";
    case Error::kUnknownMemberId: return "UNKNOWN_MEMBER_ID";
    case Error::kRebalanceInProgress: return "REBALANCE_IN_PROGRESS";
    case Error::kStaleBrokerEpoch: return "STALE_BROKER_EPOCH";
    case Error::kNetworkException: return "NETWORK_EXCEPTION";
    case Error::kRequestTimedOut: return "REQUEST_TIMED_OUT";
    case Error::kInvalidRequest: return "INVALID_REQUEST";
  }
  return "UNKNOWN";
}

}  // namespace kdc::impl
