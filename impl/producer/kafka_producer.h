// The producer client, written as KafkaProducer is: the application thread calls send(),
// which appends to the record accumulator (batches, linger.ms); the sender thread drains
// ready batches to the partition leader (max.in.flight.requests.per.connection), reads the
// responses in order, retries (retries, retry.backoff.ms, request.timeout.ms,
// delivery.timeout.ms), numbers batches for an idempotent producer, and runs callbacks.
// A transactional producer (transactional.id) adds the transaction calls.
//
// Contract (cluster- and app-facing):
//  - `instance` k is the k-th producer process of the run (0 first); its network node is
//    kProducerBase + k. Callbacks and transaction completions run on `app_actor`.
//  - crash(): the process dies at once: its threads stop, its connections drop, buffered
//    records vanish without callbacks.
#ifndef KDC_IMPL_PRODUCER_KAFKA_PRODUCER_H_
#define KDC_IMPL_PRODUCER_KAFKA_PRODUCER_H_

#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "impl/cluster/env.h"
#include "impl/protocol/errors.h"

namespace kdc::impl {

struct SendResult {
  Error error = Error::kNone;
  int64_t offset = -1;
};
using SendCallback = std::function<void(const SendResult&)>;
using Completion = std::function<void(Error)>;

class KafkaProducer {
 public:
  KafkaProducer(const Env& env, int instance, ActorId app_actor);
  ~KafkaProducer();
  KafkaProducer(const KafkaProducer&) = delete;
  KafkaProducer& operator=(const KafkaProducer&) = delete;

  void crash();

  // Records `send`. The callback runs once, on the app actor.
  void send(int32_t msg, int8_t gen, SendCallback callback);

  // Transactions (config.transactional).
  void init_transactions(Completion done);
  void begin_transaction();
  void send_offsets_to_transaction(int64_t offset, int32_t generation, Completion done);
  void commit_transaction(Completion done);
  void abort_transaction(Completion done);

  // A delivery-timeout fault: the batch holding (msg, gen), or with msg < 0 the oldest
  // unacknowledged batch, reaches delivery.timeout.ms now (Sender::expire_now). False if
  // there is none to expire.
  bool expire_delivery(int32_t msg, int8_t gen);

  // Records sent whose callback has not run yet (msg, gen), oldest first.
  std::vector<std::pair<int32_t, int8_t>> unresolved() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_PRODUCER_KAFKA_PRODUCER_H_
