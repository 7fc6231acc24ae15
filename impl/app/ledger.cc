#include "impl/app/ledger.h"

#include <algorithm>

namespace kdc::impl {

void Ledger::sent(int32_t msg, int8_t gen) {
  std::lock_guard<std::mutex> g(mu_);
  Message& m = s_.messages[msg];
  m.sends = std::max<int>(m.sends, gen + 1);
}

void Ledger::acked(int32_t msg, int8_t /*gen*/, int64_t offset) {
  std::lock_guard<std::mutex> g(mu_);
  Message& m = s_.messages[msg];
  m.acked = true;
  m.acked_offset = offset;
}

void Ledger::failed(int32_t msg, int8_t /*gen*/, bool dropped) {
  std::lock_guard<std::mutex> g(mu_);
  if (dropped) s_.messages[msg].dropped = true;
}

void Ledger::abandoned(int32_t msg) {
  std::lock_guard<std::mutex> g(mu_);
  s_.messages[msg].abandoned = true;
}

void Ledger::applied(const Applied& a, const std::function<void()>& in_critical_section,
                     int64_t store_offset) {
  std::lock_guard<std::mutex> g(mu_);
  if (in_critical_section) in_critical_section();
  s_.applied.push_back(a);
  if (store_offset >= 0) stored_offset_ = store_offset;
}

Ledger::Snapshot Ledger::snapshot() const {
  std::lock_guard<std::mutex> g(mu_);
  return s_;
}

void Ledger::store_offset(int64_t next_offset) {
  std::lock_guard<std::mutex> g(mu_);
  stored_offset_ = next_offset;
}

int64_t Ledger::stored_offset() const {
  std::lock_guard<std::mutex> g(mu_);
  return stored_offset_;
}

}  // namespace kdc::impl
