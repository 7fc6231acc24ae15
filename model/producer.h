// The producer: application thread → record accumulator → sender (I/O) thread.
//
// The application calls send(); the record waits in the accumulator (one record per
// batch, docs/model.md "Batching"); the sender drains batches to the partition leader
// it knows from metadata, at most max.in.flight.requests.per.connection at a time, and
// reads responses in order per connection. Errors are retried while `retries` allows;
// a batch that finally fails reaches the application's callback, and app.on.send.error
// decides whether the application drops the message or calls send() again.
#ifndef KDC_MODEL_PRODUCER_H_
#define KDC_MODEL_PRODUCER_H_

#include "model/state.h"
#include "model/vocabulary/config.h"
#include "model/vocabulary/event.h"

namespace kdc {

// A failed attempt of batch `b` (already removed from the queue and from flight):
// re-enqueue it at the front of the accumulator when the error is retriable and retries
// remain, else fail it to the application. Returns the outcome (kRetry, kFailed*).
// `front_slot` is where a non-idempotent retry goes in the queue. Returns Result::kCount
// when a bound does not allow the outcome: the caller must cut the step.
Result fail_attempt(const Config& c, State* s, Batch b, bool retriable, int front_slot);

// Requests the sender still waits for (orphans excluded).
int waiting_requests(const ProducerState& p);

// Index in p.flight of the oldest request to `broker` the sender waits for, or -1.
int oldest_waiting(const ProducerState& p, int broker);

void remove_flight(ProducerState* p, int index);

}  // namespace kdc

#endif  // KDC_MODEL_PRODUCER_H_
