// The consumer's position in the partition, kept as Kafka's SubscriptionState keeps it: the
// next offset to fetch, the epoch of the record before it (the "offset epoch", KIP-320), the
// leader epoch the position was last validated against, and what must happen before the
// next fetch (an offset reset, a validation).
//
// Not thread-safe: KafkaConsumer guards it with its own lock.
#ifndef KDC_IMPL_CONSUMER_SUBSCRIPTION_STATE_H_
#define KDC_IMPL_CONSUMER_SUBSCRIPTION_STATE_H_

#include <cstdint>

namespace kdc::impl {

class SubscriptionState {
 public:
  enum class FetchState : uint8_t {
    kInitializing,     // assigned, the starting offset not known yet (OffsetFetch running)
    kAwaitReset,       // no valid position: auto.offset.reset must decide
    kAwaitValidation,  // the leader changed since the position was validated (KIP-320)
    kFetching,
  };

  FetchState state() const { return state_; }
  bool has_position() const { return state_ == FetchState::kAwaitValidation ||
                                     state_ == FetchState::kFetching; }
  int64_t position() const { return offset_; }
  int32_t offset_epoch() const { return offset_epoch_; }
  int32_t validated_epoch() const { return validated_epoch_; }

  // Back to "starting offset unknown" (partitions assigned again after a rebalance).
  void assign() { state_ = FetchState::kInitializing; }
  // A committed or stored offset. It keeps the epoch it was validated against: a member that
  // rejoins knows the leader it fetched from; a new instance knows none (-1).
  void seek_unvalidated(int64_t offset, int32_t offset_epoch);
  // A position the leader itself gave (ListOffsets, a validation, fetched records).
  void seek_validated(int64_t offset, int32_t offset_epoch, int32_t leader_epoch);
  void request_reset();
  // The current leader's epoch as metadata reports it. With KIP-320 (2.1+) a position tied
  // to another epoch must be validated before the next fetch; before 2.1 the consumer
  // follows the new leader without a check.
  void update_leader_epoch(int32_t leader_epoch, bool validate);
  // Validation finished in `leader_epoch`, the position now `offset` (unchanged or rewound).
  void complete_validation(int64_t offset, int32_t offset_epoch, int32_t leader_epoch);

  // auto.offset.reset=none and no valid offset: NoOffsetForPartition / LogTruncation.
  void stop() { stopped_ = true; }
  bool stopped() const { return stopped_; }

 private:
  FetchState state_ = FetchState::kInitializing;
  int64_t offset_ = -1;
  int32_t offset_epoch_ = -1;
  int32_t validated_epoch_ = -1;
  bool stopped_ = false;
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_CONSUMER_SUBSCRIPTION_STATE_H_
