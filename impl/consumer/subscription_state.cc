#include "impl/consumer/subscription_state.h"

namespace kdc::impl {

void SubscriptionState::seek_unvalidated(int64_t offset, int32_t offset_epoch) {
  offset_ = offset;
  offset_epoch_ = offset_epoch;
  // validated_epoch_ stays: validation is due only once the leader epoch differs from it.
  state_ = FetchState::kAwaitValidation;
}

void SubscriptionState::seek_validated(int64_t offset, int32_t offset_epoch,
                                       int32_t leader_epoch) {
  offset_ = offset;
  offset_epoch_ = offset_epoch;
  validated_epoch_ = leader_epoch;
  state_ = FetchState::kFetching;
}

void SubscriptionState::request_reset() {
  offset_ = -1;
  offset_epoch_ = -1;
  state_ = FetchState::kAwaitReset;
}

void SubscriptionState::update_leader_epoch(int32_t leader_epoch, bool validate) {
  if (!has_position()) return;
  if (!validate) {
    validated_epoch_ = leader_epoch;
    state_ = FetchState::kFetching;
    return;
  }
  state_ = validated_epoch_ == leader_epoch ? FetchState::kFetching
                                            : FetchState::kAwaitValidation;
}

void SubscriptionState::complete_validation(int64_t offset, int32_t offset_epoch,
                                            int32_t leader_epoch) {
  seek_validated(offset, offset_epoch, leader_epoch);
}

}  // namespace kdc::impl
