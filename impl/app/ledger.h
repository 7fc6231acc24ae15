// What the applications did, kept outside their processes so that it survives their
// crashes: the harness's record of the run, like a Jepsen history. The producer
// application writes what it sent and what its callbacks said; the sink (the external
// system the consumer writes into) writes what took effect. The run report
// (cluster/run_report.h) judges a finished run from it and from the brokers' logs.
//
// Thread-safe. Components record trace events for these steps themselves; the ledger only
// keeps the facts.
#ifndef KDC_IMPL_APP_LEDGER_H_
#define KDC_IMPL_APP_LEDGER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <vector>

namespace kdc::impl {

class Ledger {
 public:
  // The producer application.
  void sent(int32_t msg, int8_t gen);
  void acked(int32_t msg, int8_t gen, int64_t offset);
  void failed(int32_t msg, int8_t gen, bool dropped);  // dropped: the app gave up on msg
  void abandoned(int32_t msg);  // buffered at a producer crash; the restarted app skips it

  // The sink: one effect of processing a record.
  struct Applied {
    int32_t msg = -1;
    int8_t gen = -1;
    int64_t offset = -1;
    int32_t leader_epoch = -1;
    int64_t producer_id = -1;    // the record's producer (transactions: which attempt)
    int16_t producer_epoch = -1;
  };
  // `in_critical_section` runs under the ledger's lock, so the caller's trace event and the
  // effect are one step; store_offset >= 0 stores the consumer's next offset with the result
  // in the same step (app.commit=external-atomic).
  void applied(const Applied& a, const std::function<void()>& in_critical_section = nullptr,
               int64_t store_offset = -1);

  struct Message {
    int sends = 0;          // application send() calls (gens 0 .. sends-1)
    bool acked = false;
    bool dropped = false;
    bool abandoned = false;
    int64_t acked_offset = -1;
  };
  struct Snapshot {
    std::map<int32_t, Message> messages;
    std::vector<Applied> applied;  // in the order they took effect
  };
  Snapshot snapshot() const;

  // The consumer's sink-held offset (app.commit=external-atomic): stored with each result.
  void store_offset(int64_t next_offset);
  int64_t stored_offset() const;  // -1: none

 private:
  mutable std::mutex mu_;
  Snapshot s_;
  int64_t stored_offset_ = -1;
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_APP_LEDGER_H_
