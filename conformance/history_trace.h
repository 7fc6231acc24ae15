// A kdc trace (docs/trace-format.md) as a Jepsen history, so that Jepsen's Kafka checks
// (history_checker.h) can judge a run of the implementation or a model counterexample.
//
// The run has one partition: key 0. A message's value is its id (`msg`), whatever its
// `gen`, so an application re-send that lands twice is one value at two offsets.
//   producer  `send` opens a :send; the `produce_response` that acks it completes it :ok
//             with the offset of the message's last `handle_produce` / `produce_complete`
//             that appended it (nil if the trace has none); a failed outcome completes it
//             :info, because a failed produce may still have been appended (an earlier
//             attempt, an orphan). In a transaction the send completes at `end_txn`:
//             commit :ok, abort :fail (also a `transaction_timeout` or an
//             `init_producer_id` that aborts it), fenced :info.
//   consumer  each `poll` opens a :poll; the `process` events after it are its records.
//   crashes   `producer_crash` / `consumer_crash`: the open operations of that client end
//             :info, a :crash op is written (invoke, info), and the client continues as a
//             new process (Jepsen's rule after a crash); producers are 0, 2, 4, ...,
//             consumers 1, 3, 5, ...
// An asynchronous producer has many sends in flight, so unlike Jepsen's single-threaded
// clients one process may have several operations open at once; the checks do not depend
// on that.
#ifndef KDC_CONFORMANCE_HISTORY_TRACE_H_
#define KDC_CONFORMANCE_HISTORY_TRACE_H_

#include "conformance/history.h"
#include "model/vocabulary/trace.h"

namespace kdc {

History history_from_trace(const Trace& trace);

}  // namespace kdc

#endif  // KDC_CONFORMANCE_HISTORY_TRACE_H_
