// The consumer application: the poll loop, processing each record into the sink
// (app.processing sync, or on a worker thread: async), committing as app.commit says
// (auto, commit-then-process, process-then-commit-sync/async, external-atomic: the offset
// stored in the sink with each result). After a crash a new instance resumes from the
// committed (or sink-stored) offset.
#ifndef KDC_IMPL_APP_CONSUMER_APP_H_
#define KDC_IMPL_APP_CONSUMER_APP_H_

#include <memory>

#include "impl/app/ledger.h"
#include "impl/cluster/env.h"

namespace kdc::impl {

class ConsumerApp {
 public:
  ConsumerApp(const Env& env, Ledger& ledger, int instance);
  ~ConsumerApp();
  ConsumerApp(const ConsumerApp&) = delete;
  ConsumerApp& operator=(const ConsumerApp&) = delete;

  void crash();
  // The next offset it will process (all records below it are processed), and whether it
  // has records polled but not yet processed or a commit in flight.
  int64_t processed_upto() const;
  bool busy() const;
  bool stopped() const;  // auto.offset.reset=none stopped it (NoOffsetForPartition / LogTruncation)

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_APP_CONSUMER_APP_H_
