// The produce purgatory (DelayedProduce, and the WriteTxnMarkers requests that wait the same
// way): requests appended on the leader that are answered only once the high watermark
// passes their last offset, their timeout expires, or the broker stops leading.
//
// A plain container: the broker decides when to complete, records the trace events and
// sends the responses, all under its own mutex.
#ifndef KDC_IMPL_BROKER_DELAYED_PRODUCE_H_
#define KDC_IMPL_BROKER_DELAYED_PRODUCE_H_

#include <cstdint>
#include <map>
#include <vector>

#include "impl/protocol/records.h"
#include "impl/runtime/runtime.h"

namespace kdc::impl {

struct DelayedOperation {
  enum Kind { kProduce, kMarker };
  Kind kind = kProduce;
  NodeId from = -1;
  uint64_t connection = 0;  // the connection it was read from: a response to a broken one is dropped
  int64_t correlation_id = 0;
  int64_t first_offset = -1;
  int64_t last_offset = -1;  // waits for high watermark > last_offset
  bool duplicate = false;
  int32_t leader_epoch = -1;
  std::vector<Record> records;  // for the produce_complete events (offsets as appended)
  TimerId timer = 0;
};

class Purgatory {
 public:
  // Returns the operation's key.
  uint64_t add(DelayedOperation op);
  void set_timer(uint64_t key, TimerId timer);
  // Removes and returns the operation, if it still waits.
  bool take(uint64_t key, DelayedOperation* out);
  // Removes and returns, oldest first, those the high watermark has passed.
  std::vector<DelayedOperation> take_completed(int64_t high_watermark);
  std::vector<DelayedOperation> take_all();
  bool empty() const { return ops_.empty(); }
  size_t size() const { return ops_.size(); }

 private:
  uint64_t next_key_ = 0;
  std::map<uint64_t, DelayedOperation> ops_;
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_BROKER_DELAYED_PRODUCE_H_
