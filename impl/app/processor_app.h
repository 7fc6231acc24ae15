// The consume-transform-produce processor (app.commit=transactional): it reads a reliable
// input topic whose offset i holds message i, and for each input record runs
// beginTransaction(); send(output i); sendOffsetsToTransaction({input: i + 1}, group
// metadata); commitTransaction(). After an abortable error it aborts, then app.on.txn.abort
// says whether it seeks back to the last committed input offset (rewind) or goes on with
// the next record (continue). A fenced producer (PRODUCER_FENCED) stops the instance; the
// harness starts a new one, which resumes from the group's committed input offset.
//
// Its consumer side talks to the group coordinator from node kProcessorNodeBase + instance
// (JoinGroup for the generation, OffsetFetch for the committed input offset); the input
// records themselves need no network.
#ifndef KDC_IMPL_APP_PROCESSOR_APP_H_
#define KDC_IMPL_APP_PROCESSOR_APP_H_

#include <memory>

#include "impl/app/ledger.h"
#include "impl/cluster/env.h"

namespace kdc::impl {

// The processor's consumer client: a node of its own next to its producer's.
constexpr NodeId kProcessorNodeBase = kProducerBase + 50;

class ProcessorApp {
 public:
  ProcessorApp(const Env& env, Ledger& ledger, int instance, int messages);
  ~ProcessorApp();
  ProcessorApp(const ProcessorApp&) = delete;
  ProcessorApp& operator=(const ProcessorApp&) = delete;

  void crash();           // the process dies with its producer and consumer
  bool finished() const;  // every input record committed or given up
  bool stopped() const;   // fenced: this instance stopped
  // A delivery-timeout fault on its KafkaProducer (KafkaProducer::expire_delivery).
  bool expire_delivery(int32_t msg, int8_t gen);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_APP_PROCESSOR_APP_H_
