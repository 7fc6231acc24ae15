#include "model/partition_log.h"

#include <algorithm>

namespace kdc {

bool append_record(const Config& config, Replica* r, Record record) {
  if (r->log_end_offset >= kMaxLog) return false;
  r->log[r->log_end_offset++] = record;
  if (r->log_end_offset - r->flushed >= config.flush_interval_messages) r->flushed = r->log_end_offset;
  return true;
}

void truncate_to(Replica* r, int offset) {
  if (offset >= r->log_end_offset) return;
  for (int i = offset; i < r->log_end_offset; ++i) r->log[i] = Record{};
  r->log_end_offset = uint8_t(offset);
  r->flushed = std::min<uint8_t>(r->flushed, r->log_end_offset);
  r->high_watermark = std::min<uint8_t>(r->high_watermark, r->log_end_offset);
}

void lose_unflushed(Replica* r) { truncate_to(r, r->flushed); }

int last_epoch(const Replica& r) {
  return r.log_end_offset == 0 ? -1 : r.log[r.log_end_offset - 1].epoch();
}

int epoch_start_offset(const Replica& r, int epoch) {
  for (int i = 0; i < r.log_end_offset; ++i)
    if (r.log[i].epoch() >= epoch) return i;
  return r.log_end_offset;
}

EpochEnd epoch_end_offset(const Replica& leader, int epoch) {
  EpochEnd answer;
  for (int i = 0; i < leader.log_end_offset; ++i)
    if (leader.log[i].epoch() <= epoch) answer.epoch = std::max(answer.epoch, leader.log[i].epoch());
  if (answer.epoch < 0) return answer;
  // The epoch ends where the first record of a later epoch starts.
  answer.end_offset = epoch_start_offset(leader, answer.epoch + 1);
  return answer;
}

namespace {

// End of `epoch` in the follower's own log: first offset of a later epoch.
int own_epoch_end(const Replica& follower, int epoch) {
  return epoch_start_offset(follower, epoch + 1);
}

}  // namespace

int divergence_offset(const Config& config, const Replica& leader, const Replica& follower) {
  const bool kip279 = config.version >= KafkaVersion{2, 0, 0};
  int end = follower.log_end_offset;
  // KIP-101: one round. The follower asks about its latest epoch and truncates to the
  // answer. KIP-279: when the leader answers with an older epoch, the follower bounds
  // the answer by where that epoch ends in its own log, and asks again until stable.
  for (int round = 0; round < kMaxLog + 1; ++round) {
    Replica prefix = follower;
    truncate_to(&prefix, end);
    int asked = last_epoch(prefix);
    if (asked < 0) return end;  // empty: nothing can diverge
    EpochEnd answer = epoch_end_offset(leader, asked);
    int next;
    if (answer.epoch < 0) {
      next = 0;  // the leader has nothing from this epoch or earlier
    } else {
      next = std::min(end, answer.end_offset);
      if (kip279 && answer.epoch < asked) next = std::min(next, own_epoch_end(prefix, answer.epoch));
    }
    if (!kip279 || next == end) return next;
    end = next;
  }
  return end;
}

int last_stable_offset(const Replica& r) {
  int first_open = -1;
  for (int o = 0; o < r.high_watermark; ++o) {
    const Record& rec = r.log[o];
    if (rec.is_control())
      first_open = -1;
    else if (rec.kind == Record::kTransactional && first_open < 0)
      first_open = o;
  }
  return first_open < 0 ? r.high_watermark : first_open;
}

bool aborted_in_log(const Replica& r, int offset) {
  if (r.log[offset].kind != Record::kTransactional) return false;
  for (int o = offset + 1; o < r.high_watermark; ++o)
    if (r.log[o].is_control()) return r.log[o].kind == Record::kAbortMarker;
  return false;
}

bool visible_to_reader(const Replica& r, int offset, bool read_committed) {
  if (r.log[offset].is_control()) return false;
  if (!read_committed) return true;
  return offset < last_stable_offset(r) && !aborted_in_log(r, offset);
}

int latest_producer_epoch(const Replica& r) {
  int epoch = 0;
  for (int o = 0; o < r.log_end_offset; ++o)
    if (r.log[o].is_transactional() && r.log[o].producer_id() > epoch) epoch = r.log[o].producer_id();
  return epoch;
}

}  // namespace kdc
