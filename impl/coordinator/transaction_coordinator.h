// The transaction coordinator (never fails, as in the model): producer ids and epochs of
// the transactional.id, the transaction's state, transaction.timeout.ms, and the commit /
// abort markers it writes to the partition leader (and the offsets it completes at the
// group coordinator).
#ifndef KDC_IMPL_COORDINATOR_TRANSACTION_COORDINATOR_H_
#define KDC_IMPL_COORDINATOR_TRANSACTION_COORDINATOR_H_

#include <cstdint>
#include <memory>
#include <set>
#include <utility>

#include "impl/cluster/env.h"

namespace kdc::impl {

class TransactionCoordinator {
 public:
  explicit TransactionCoordinator(const Env& env);
  ~TransactionCoordinator();
  TransactionCoordinator(const TransactionCoordinator&) = delete;
  TransactionCoordinator& operator=(const TransactionCoordinator&) = delete;

  // True while a transaction is open or its markers are being written.
  bool busy() const;
  // The sends (message, send number) whose transaction this coordinator aborted (EndTxn
  // abort, a fenced instance's transaction at InitProducerId, a transaction timeout).
  std::set<std::pair<int32_t, int8_t>> aborted_sends() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_COORDINATOR_TRANSACTION_COORDINATOR_H_
