#include "impl/consumer/fetcher.h"

#include <algorithm>
#include <set>

namespace kdc::impl {

CompletedFetch complete_fetch(const FetchResponse& response, int64_t fetch_offset,
                              IsolationLevel isolation) {
  const bool committed_only = isolation == IsolationLevel::kReadCommitted;

  std::vector<AbortedTransaction> aborted = response.aborted;
  std::sort(aborted.begin(), aborted.end(),
            [](const AbortedTransaction& a, const AbortedTransaction& b) {
              return a.first_offset < b.first_offset;
            });
  size_t next_aborted = 0;
  std::set<int64_t> aborted_producers;

  CompletedFetch out;
  for (const Record& r : response.records) {
    if (r.offset < fetch_offset) continue;
    out.next_offset = r.offset + 1;
    out.next_offset_epoch = r.leader_epoch;
    if (committed_only) {
      // An aborted transaction starts at its first offset and ends with its ABORT marker.
      while (next_aborted < aborted.size() && aborted[next_aborted].first_offset <= r.offset) {
        aborted_producers.insert(aborted[next_aborted].producer_id);
        ++next_aborted;
      }
      if (r.control != Control::kNone) {
        if (r.control == Control::kAbort) aborted_producers.erase(r.producer_id);
        continue;
      }
      if (r.transactional && aborted_producers.count(r.producer_id) > 0) continue;
    } else if (r.control != Control::kNone) {
      continue;  // markers take an offset but are never returned
    }
    out.records.push_back(r);
  }
  return out;
}

}  // namespace kdc::impl
