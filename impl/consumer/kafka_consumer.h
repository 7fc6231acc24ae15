// The consumer client, written as KafkaConsumer is: the group membership (join, heartbeat,
// generation), the position, poll() fetching from the partition leader (read_uncommitted or
// read_committed), auto.offset.reset, KIP-320 position validation, commitSync and
// commitAsync, and auto-commit on the poll thread (enable.auto.commit).
//
// Contract: `instance` k is the k-th consumer process (node kConsumerBase + k). Every
// completion runs on `app_actor`. crash(): the process dies at once.
//  - The group is joined inside the first poll() (subscribe), or never (assign(), set
//    before the first poll). A member fenced by a rebalance rejoins inside its next poll()
//    (once no async commit is in flight) and resumes from the committed offset, recording
//    `consumer_rejoin`.
//  - poll() answers Error::kOffsetOutOfRange, and every later poll() too, once
//    auto.offset.reset=none has stopped the consumer (NoOffsetForPartitionException,
//    OffsetOutOfRangeException, LogTruncationException).
//  - commit_sync / commit_async answer kIllegalGeneration when the generation was fenced
//    (CommitFailedException); the group coordinator records the commit's trace event when it
//    takes effect; commit_async records `commit` (commit_async) when it is sent.
#ifndef KDC_IMPL_CONSUMER_KAFKA_CONSUMER_H_
#define KDC_IMPL_CONSUMER_KAFKA_CONSUMER_H_

#include <functional>
#include <memory>
#include <vector>

#include "impl/cluster/env.h"
#include "impl/protocol/errors.h"
#include "impl/protocol/records.h"

namespace kdc::impl {

class KafkaConsumer {
 public:
  KafkaConsumer(const Env& env, int instance, ActorId app_actor);
  ~KafkaConsumer();
  KafkaConsumer(const KafkaConsumer&) = delete;
  KafkaConsumer& operator=(const KafkaConsumer&) = delete;

  void crash();

  // One poll(): records from the position on (possibly none), then the position moves past
  // them. Data records only (markers and, read_committed, aborted records are skipped).
  void poll(std::function<void(Error, std::vector<Record>)> done);
  void commit_sync(int64_t offset, int32_t leader_epoch, std::function<void(Error)> done);
  void commit_async(int64_t offset, int32_t leader_epoch, std::function<void(Error)> done);
  void seek(int64_t offset);
  int64_t position() const;         // -1: no valid position
  int32_t position_epoch() const;   // the epoch of the record before position() (-1: unknown)
  int32_t generation() const;
  bool stopped() const;             // auto.offset.reset=none stopped it

  // Offsets kept outside Kafka (ConsumerRebalanceListener.onPartitionsAssigned seeking to the
  // sink's offset): on every assignment the position is `stored()` (-1: none, so
  // auto.offset.reset applies) instead of the group's committed offset. Set before poll().
  void on_assigned_seek(std::function<int64_t()> stored);
  // assign() instead of subscribe(): no group membership, no group commits.
  void assign_manually();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_CONSUMER_KAFKA_CONSUMER_H_
