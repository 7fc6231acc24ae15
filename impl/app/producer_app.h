// The producer application: sends the workload's messages 0 .. messages-1 and acts on
// callbacks as app.on.send.error says (drop, or send again as the next gen). After a
// producer crash a new instance starts and, as app.on.producer.restart says, sends again the
// messages the old one had not resolved (replay-unacked) or gives them up (skip: recorded
// as abandoned). With app.commit=transactional it is the consume-transform-produce
// processor instead (impl/app/processor_app.h).
#ifndef KDC_IMPL_APP_PRODUCER_APP_H_
#define KDC_IMPL_APP_PRODUCER_APP_H_

#include <memory>

#include "impl/app/ledger.h"
#include "impl/cluster/env.h"

namespace kdc::impl {

class ProducerApp {
 public:
  // Instance k of the application (k > 0: a restart after a crash; it reads the ledger to
  // learn what the earlier instances sent and what they were told).
  ProducerApp(const Env& env, Ledger& ledger, int instance, int messages);
  ~ProducerApp();
  ProducerApp(const ProducerApp&) = delete;
  ProducerApp& operator=(const ProducerApp&) = delete;

  void crash();           // the process dies with its KafkaProducer
  bool finished() const;  // every message sent and resolved (acked, or given up)
  // A delivery-timeout fault on its KafkaProducer (KafkaProducer::expire_delivery).
  bool expire_delivery(int32_t msg, int8_t gen);
  // A replacement started while the old instance still runs (a zombie fault): it reads the
  // ledger at once but holds its initTransactions() until release_init().
  void defer_init();
  void release_init();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_APP_PRODUCER_APP_H_
