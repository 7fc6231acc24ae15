// What the consumer's Fetcher does with a FetchResponse (Kafka's Fetcher / CompletedFetch):
// drop control records and, read_committed, the records of aborted transactions (the
// response's aborted-transaction list, tracked per producer id until its ABORT marker), and
// say where the position moves. Like Kafka's client it trusts the broker to stop at the high
// watermark (the last stable offset for read_committed): CompletedFetch.nextFetchedRecord
// never compares a record's offset with either, so a leader that serves past them
// (seeded bug fetch_past_hw) is believed.
#ifndef KDC_IMPL_CONSUMER_FETCHER_H_
#define KDC_IMPL_CONSUMER_FETCHER_H_

#include <cstdint>
#include <vector>

#include "impl/protocol/fetch.h"

namespace kdc::impl {

struct CompletedFetch {
  std::vector<Record> records;   // data records returned to the application
  int64_t next_offset = -1;      // the position after them (-1: nothing consumed)
  int32_t next_offset_epoch = -1;  // the epoch of the last record consumed
};

CompletedFetch complete_fetch(const FetchResponse& response, int64_t fetch_offset,
                              IsolationLevel isolation);

}  // namespace kdc::impl

#endif  // KDC_IMPL_CONSUMER_FETCHER_H_
