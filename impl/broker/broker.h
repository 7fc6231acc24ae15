// A broker process: the replica of the topic's one partition on one machine, its request
// handling, its replica fetcher, its log on disk, its heartbeat to the controller.
//
// Contract (cluster-facing):
//  - Construction starts the process: it recovers the log from `disk` (what a crash left in
//    the page cache, or what a power loss left on disk), records `broker_restart` if
//    `incarnation` > 0, binds network address `id`, registers with the controller and
//    starts its threads (actors).
//  - crash() kills the process at once: its actors stop, its network address detaches, nothing
//    is flushed. The object is then destroyed; `disk` lives on.
//  - view() is for the harness's report and tests; it takes the broker's lock.
#ifndef KDC_IMPL_BROKER_BROKER_H_
#define KDC_IMPL_BROKER_BROKER_H_

#include <memory>
#include <vector>

#include "impl/cluster/env.h"
#include "impl/protocol/records.h"
#include "impl/storage/disk.h"

namespace kdc::impl {

class Broker {
 public:
  Broker(const Env& env, NodeId id, Disk& disk, int64_t incarnation);
  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  void crash();

  struct View {
    NodeId id = -1;
    bool leader = false;          // believes it leads the partition
    int32_t leader_epoch = -1;    // the epoch it knows
    int64_t log_end_offset = 0;
    int64_t high_watermark = 0;
    int64_t last_stable_offset = 0;
    int64_t flushed_offset = 0;   // records below this are on disk
    std::vector<Record> records;  // the whole log, markers included
    std::vector<NodeId> isr;      // as the broker knows it
  };
  View view() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_BROKER_BROKER_H_
