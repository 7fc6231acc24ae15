#include "impl/broker/delayed_produce.h"

namespace kdc::impl {

uint64_t Purgatory::add(DelayedOperation op) {
  uint64_t key = ++next_key_;
  ops_.emplace(key, std::move(op));
  return key;
}

void Purgatory::set_timer(uint64_t key, TimerId timer) {
  auto it = ops_.find(key);
  if (it != ops_.end()) it->second.timer = timer;
}

bool Purgatory::take(uint64_t key, DelayedOperation* out) {
  auto it = ops_.find(key);
  if (it == ops_.end()) return false;
  *out = std::move(it->second);
  ops_.erase(it);
  return true;
}

std::vector<DelayedOperation> Purgatory::take_completed(int64_t high_watermark) {
  std::vector<DelayedOperation> out;
  for (auto it = ops_.begin(); it != ops_.end();) {
    if (high_watermark > it->second.last_offset) {
      out.push_back(std::move(it->second));
      it = ops_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

std::vector<DelayedOperation> Purgatory::take_all() {
  std::vector<DelayedOperation> out;
  for (auto& [key, op] : ops_) out.push_back(std::move(op));
  ops_.clear();
  return out;
}

}  // namespace kdc::impl
