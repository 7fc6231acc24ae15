// The consumer's side of group membership, as Kafka's ConsumerCoordinator (and its parent
// AbstractCoordinator) keep it: the member's state and generation, whether the generation
// was fenced (a heartbeat or commit answered REBALANCE_IN_PROGRESS / ILLEGAL_GENERATION),
// and when the next auto-commit is due (auto.commit.interval.ms).
//
// Not thread-safe: KafkaConsumer guards it with its own lock.
#ifndef KDC_IMPL_CONSUMER_CONSUMER_COORDINATOR_H_
#define KDC_IMPL_CONSUMER_CONSUMER_COORDINATOR_H_

#include <cstdint>

#include "impl/protocol/errors.h"
#include "impl/runtime/runtime.h"

namespace kdc::impl {

class ConsumerCoordinator {
 public:
  enum class MemberState : uint8_t {
    kUnjoined,   // never joined, or fenced: the next poll() joins
    kJoining,    // JoinGroup in flight
    kAssigning,  // joined; the starting offset is being fetched (onJoinComplete)
    kStable,
  };

  MemberState state() const { return state_; }
  int32_t generation() const { return generation_; }
  bool stable() const { return state_ == MemberState::kStable; }
  // True once this member has had a generation: its next join is a rejoin.
  bool joined_before() const { return joined_before_; }

  void join_sent() { state_ = MemberState::kJoining; }
  void joined(int32_t generation) {
    generation_ = generation;
    state_ = MemberState::kAssigning;
  }
  // The join (or the offset fetch after it) failed: the next poll() joins again.
  void join_failed() { state_ = MemberState::kUnjoined; }
  void assigned() {
    state_ = MemberState::kStable;
    joined_before_ = true;
  }
  // The group moved on without this member. The generation is kept: commits sent with it
  // are refused by the coordinator, which is how CommitFailedException reaches the app.
  void fenced() {
    if (state_ == MemberState::kStable) state_ = MemberState::kUnjoined;
  }
  static bool is_fencing(Error e) {
    return e == Error::kRebalanceInProgress || e == Error::kIllegalGeneration ||
           e == Error::kUnknownMemberId;
  }

  // Auto-commit (maybeAutoCommitOffsetsAsync): due when the interval has passed and the
  // position moved since the last auto-commit.
  bool auto_commit_due(Millis now, int64_t position) const {
    return now >= next_auto_commit_ && position != last_auto_committed_;
  }
  void auto_commit_sent(Millis now, Millis interval, int64_t position) {
    next_auto_commit_ = now + interval;
    last_auto_committed_ = position;
  }
  // The interval starts when the member gets its partition (Kafka: at construction).
  void start_auto_commit_timer(Millis now, Millis interval) { next_auto_commit_ = now + interval; }
  // The offset the group already holds for this member (OffsetFetch): nothing to auto-commit.
  void committed(int64_t offset) { last_auto_committed_ = offset; }

 private:
  MemberState state_ = MemberState::kUnjoined;
  int32_t generation_ = -1;
  bool joined_before_ = false;
  Millis next_auto_commit_ = 0;
  int64_t last_auto_committed_ = -1;
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_CONSUMER_CONSUMER_COORDINATOR_H_
