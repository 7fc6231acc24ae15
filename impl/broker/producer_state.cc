#include "impl/broker/producer_state.h"

#include <algorithm>

namespace kdc::impl {

ProducerCheck ProducerStateManager::check(const RecordBatch& batch) const {
  ProducerCheck out;
  if (batch.producer_id < 0 || batch.records.empty()) return out;
  int32_t first = batch.base_sequence;
  int32_t last = first + static_cast<int32_t>(batch.records.size()) - 1;
  auto reject = [&out](Error e, Result r) {
    out.kind = ProducerCheck::kReject;
    out.error = e;
    out.result = r;
    return out;
  };
  auto it = producers_.find(batch.producer_id);
  if (it == producers_.end() || it->second.epoch < 0) {
    // No state for this producer id. Before 2.5 only sequence 0 may start it
    // (UnknownProducerIdException); from 2.5 any sequence does.
    if (!(version_ >= KafkaVersion{2, 5, 0}) && first != 0) {
      return reject(Error::kUnknownProducerId, Result::kOutOfOrderSequence);
    }
    return out;
  }
  const ProducerEntry& entry = it->second;
  if (batch.producer_epoch == entry.epoch) {
    for (const BatchMetadata& b : entry.batches) {
      if (b.first_seq == first && b.last_seq == last) {
        out.kind = ProducerCheck::kDuplicate;
        out.duplicate_first_offset = b.first_offset;
        return out;
      }
    }
  }
  if (batch.producer_epoch < entry.epoch) {
    // Fenced by a newer epoch: PRODUCER_FENCED until 2.7 made it INVALID_PRODUCER_EPOCH (KIP-588).
    if (version_ >= KafkaVersion{2, 7, 0}) {
      return reject(Error::kInvalidProducerEpoch, Result::kInvalidProducerEpoch);
    }
    return reject(Error::kProducerFenced, Result::kProducerFenced);
  }
  if (batch.producer_epoch > entry.epoch) {
    // A new epoch starts its sequence at 0.
    if (first != 0) return reject(Error::kOutOfOrderSequenceNumber, Result::kOutOfOrderSequence);
    return out;
  }
  if (entry.last_seq < 0) {
    if (first != 0) return reject(Error::kOutOfOrderSequenceNumber, Result::kOutOfOrderSequence);
    return out;
  }
  if (first != entry.last_seq + 1) {
    return reject(Error::kOutOfOrderSequenceNumber, Result::kOutOfOrderSequence);
  }
  return out;
}

void ProducerStateManager::on_append(const std::vector<LogEntry>& entries) {
  for (const LogEntry& e : entries) {
    const Record& r = e.record;
    if (r.producer_id < 0) continue;
    ProducerEntry& entry = producers_[r.producer_id];
    if (r.producer_epoch > entry.epoch) {
      // A new epoch: its sequence numbers start again (ProducerAppendInfo.updateProducerEpoch).
      entry.epoch = r.producer_epoch;
      entry.last_seq = -1;
      entry.batches.clear();
    }
    if (r.control != Control::kNone) {
      entry.txn_first_offset = -1;
      continue;
    }
    if (r.transactional && entry.txn_first_offset < 0) entry.txn_first_offset = r.offset;
    if (r.seq < 0) continue;
    if (pending_.first_offset < 0) {
      pending_.first_seq = r.seq;
      pending_.first_offset = r.offset;
    }
    pending_.last_seq = r.seq;
    pending_.last_offset = r.offset;
    if (e.batch_last) {
      entry.batches.push_back(pending_);
      while (entry.batches.size() > kBatchesRetained) entry.batches.pop_front();
      entry.last_seq = pending_.last_seq;
      pending_ = BatchMetadata{};
    }
  }
}

void ProducerStateManager::rebuild(const std::vector<LogEntry>& log) {
  producers_.clear();
  pending_ = BatchMetadata{};
  on_append(log);
  // A batch cut by truncation is gone from the log; it leaves no metadata.
  pending_ = BatchMetadata{};
}

const ProducerEntry* ProducerStateManager::find(int64_t producer_id) const {
  auto it = producers_.find(producer_id);
  return it == producers_.end() ? nullptr : &it->second;
}

int64_t last_stable_offset(const std::vector<LogEntry>& log, int64_t high_watermark) {
  std::map<int64_t, int64_t> open;  // producer id → first offset of its open transaction
  int64_t first_unstable = high_watermark;
  for (const LogEntry& e : log) {
    const Record& r = e.record;
    if (!r.transactional || r.producer_id < 0) continue;
    if (r.control == Control::kNone) {
      open.emplace(r.producer_id, r.offset);
      continue;
    }
    auto it = open.find(r.producer_id);
    if (it == open.end()) continue;
    // Completed, but stable only once its marker is replicated (below the high watermark).
    if (r.offset >= high_watermark) first_unstable = std::min(first_unstable, it->second);
    open.erase(it);
  }
  for (const auto& [pid, first] : open) first_unstable = std::min(first_unstable, first);
  return std::min(first_unstable, high_watermark);
}

std::vector<AbortedTransaction> aborted_transactions(const std::vector<LogEntry>& log, int64_t from,
                                                     int64_t to) {
  std::vector<AbortedTransaction> out;
  std::map<int64_t, int64_t> open;
  for (const LogEntry& e : log) {
    const Record& r = e.record;
    if (!r.transactional || r.producer_id < 0) continue;
    if (r.control == Control::kNone) {
      open.emplace(r.producer_id, r.offset);
      continue;
    }
    auto it = open.find(r.producer_id);
    if (it == open.end()) continue;
    if (r.control == Control::kAbort && r.offset >= from && it->second < to) {
      out.push_back({r.producer_id, it->second});
    }
    open.erase(it);
  }
  return out;
}

}  // namespace kdc::impl
