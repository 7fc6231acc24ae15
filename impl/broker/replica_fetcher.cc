// The follower side (ReplicaFetcherThread / AbstractFetcherThread): reconcile the log with
// the leader's by leader epoch (KIP-101, KIP-279), then fetch in a loop, appending what the
// leader has and adopting its high watermark.
#include <algorithm>

#include "impl/broker/broker_impl.h"

namespace kdc::impl {

void Broker::Impl::fetcher_schedule_locked(Millis delay) {
  if (fetch_scheduled_ || fetcher_ < 0) return;
  fetch_scheduled_ = true;
  uint64_t gen = fetch_generation_;
  if (delay <= 0) {
    env_.runtime.post(fetcher_, [this, gen] { fetcher_run(gen); });
  } else {
    env_.runtime.after(fetcher_, delay, [this, gen] { fetcher_run(gen); });
  }
}

void Broker::Impl::fetcher_backoff_locked() {
  fetcher_schedule_locked(env_.timings.replica_fetch_backoff_ms);
}

void Broker::Impl::fetcher_run(uint64_t generation) {
  std::lock_guard<std::mutex> g(mu_);
  if (dead_ || generation != fetch_generation_) return;
  fetch_scheduled_ = false;
  if (is_leader_ || leader_id_ < 0 || fetch_inflight_ != 0 || fetch_state_ == FetcherState::kIdle) {
    return;
  }
  int64_t corr = next_correlation_++;
  if (fetch_state_ == FetcherState::kTruncating) {
    OffsetsForLeaderEpochRequest r;
    r.correlation_id = corr;
    r.replica_id = id_;
    r.current_leader_epoch = leader_epoch_;
    r.leader_epoch = log_.epoch_of_last_record_below(probe_end_);
    send_locked(leader_id_, r);
  } else {
    FetchRequest f;
    f.correlation_id = corr;
    f.replica_id = id_;
    f.fetch_offset = log_.log_end_offset();
    f.current_leader_epoch = leader_epoch_;
    f.last_fetched_epoch = log_.epoch_of_last_record_below(f.fetch_offset);
    send_locked(leader_id_, f);
  }
  fetch_inflight_ = corr;
  // A request lost to a network partition is never answered: give up on it after a while
  // (replica.socket.timeout.ms, shortened so that a healed follower resumes soon).
  Millis timeout = std::max<Millis>(2000, 4 * env_.timings.replica_fetch_wait_max_ms);
  env_.runtime.after(fetcher_, timeout, [this, generation, corr] { on_fetcher_timeout(generation, corr); });
}

void Broker::Impl::on_fetcher_timeout(uint64_t generation, int64_t correlation_id) {
  std::lock_guard<std::mutex> g(mu_);
  if (dead_ || generation != fetch_generation_ || fetch_inflight_ != correlation_id) return;
  fetch_inflight_ = 0;
  fetcher_backoff_locked();
}

void Broker::Impl::on_epoch_response_locked(const OffsetsForLeaderEpochResponse& r) {
  if (r.correlation_id != fetch_inflight_ || fetch_state_ != FetcherState::kTruncating) return;
  fetch_inflight_ = 0;
  if (r.error != Error::kNone) {
    fetcher_backoff_locked();
    return;
  }
  int64_t hw = log_.high_watermark();
  if (!(env_.config.version >= KafkaVersion{2, 0, 0})) {
    // KIP-101 (0.11 to 1.1): one round; the leader not knowing the epoch means the high watermark.
    finish_truncation_locked(r.end_offset < 0 ? hw : std::min(r.end_offset, probe_end_));
    return;
  }
  // KIP-279: AbstractFetcherThread.getOffsetTruncationState.
  if (r.end_offset < 0) {
    finish_truncation_locked(std::min(hw, probe_end_));
    return;
  }
  if (r.leader_epoch < 0) {
    finish_truncation_locked(std::min(r.end_offset, probe_end_));
    return;
  }
  auto [follower_epoch, follower_end] = log_.end_offset_for(r.leader_epoch, probe_end_);
  if (follower_end < 0) {
    finish_truncation_locked(std::min(r.end_offset, probe_end_));
    return;
  }
  if (follower_epoch != r.leader_epoch) {
    // The follower lacks the leader's epoch: go back to the end of its own largest epoch
    // below it and ask again.
    probe_end_ = std::min(follower_end, probe_end_);
    fetcher_schedule_locked(0);
    return;
  }
  finish_truncation_locked(std::min(r.end_offset, follower_end));
}

void Broker::Impl::finish_truncation_locked(int64_t point) {
  point = std::clamp<int64_t>(point, 0, log_.log_end_offset());
  if (point < log_.log_end_offset()) {
    log_.truncate_to(point);
    producers_.rebuild(log_.entries());
  }
  Event e;
  e.type = EventType::kTruncate;
  e.peer = static_cast<int8_t>(leader_id_);
  e.offset = static_cast<int32_t>(log_.log_end_offset());
  e.leader_epoch = leader_epoch_;
  record_locked(e);
  fetch_state_ = FetcherState::kFetching;
  fetcher_schedule_locked(0);
}

void Broker::Impl::on_fetch_response_locked(const FetchResponse& r) {
  if (r.correlation_id != fetch_inflight_ || fetch_state_ != FetcherState::kFetching) return;
  fetch_inflight_ = 0;
  if (r.error != Error::kNone) {
    if (r.error == Error::kOffsetOutOfRange && env_.config.version >= KafkaVersion{0, 11, 0}) {
      // Our log is longer than the leader's: reconcile again.
      fetch_state_ = FetcherState::kTruncating;
      probe_end_ = log_.log_end_offset();
      fetcher_schedule_locked(0);
    } else {
      fetcher_backoff_locked();
    }
    return;
  }
  int64_t fetch_offset = log_.log_end_offset();
  std::vector<LogEntry> entries;
  for (size_t i = 0; i < r.records.size(); ++i) {
    LogEntry e;
    e.record = r.records[i];
    e.batch_last = r.batch_last.size() != r.records.size() || r.batch_last[i] != 0;
    entries.push_back(e);
  }
  if (!entries.empty() && entries.front().record.offset != fetch_offset) entries.clear();
  if (!entries.empty()) {
    log_.append(entries);
    producers_.on_append(entries);
  }
  if (r.high_watermark >= 0) log_.set_high_watermark(std::min(r.high_watermark, log_.log_end_offset()));
  Event e;
  e.type = EventType::kFetch;
  e.peer = static_cast<int8_t>(leader_id_);
  e.offset = static_cast<int32_t>(fetch_offset);
  e.count = static_cast<int32_t>(entries.size());
  e.leader_epoch = leader_epoch_;
  record_locked(e);
  log_.maybe_flush();
  // The leader already waited (DelayedFetch) when it had nothing to send: fetch again.
  fetcher_schedule_locked(0);
}

}  // namespace kdc::impl
