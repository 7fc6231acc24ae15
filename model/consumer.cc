// The consumer application: poll, process into the sink (in the poll loop, or handed to
// a worker), commit offsets (auto-commit inside poll, or the application's own commits),
// and its faults: crash and restart from the committed offset, rebalance, offset loss.
#include <algorithm>

#include "model/partition_log.h"
#include "model/sink.h"
#include "model/steps.h"

namespace kdc {
namespace {

bool manual_commits(const Config& c) { return c.application_commits(); }
bool offsets_in_sink(const Config& c) { return c.offsets_in_sink(); }
bool read_committed(const Config& c) { return c.reader_isolation() == Isolation::kReadCommitted; }
// The records the consumer may read: up to the high watermark, or (read_committed) the
// last stable offset.
int fetch_bound(const Config& c, const Replica& r) {
  return read_committed(c) ? last_stable_offset(r) : r.high_watermark;
}
bool sync_processing(const Config& c) { return c.processing == Processing::kSync; }

// Kafka 2.1+ consumers know leader epochs (KIP-320): they do not fetch from a broker in an
// older epoch, and validate their position before fetching in a newer one.
bool tracks_leader_epochs(const Config& c) { return c.version >= KafkaVersion{2, 1, 0}; }

// poll() runs between batches only, in the sync loop.
bool inside_poll(const Config& c, const ConsumerState& cs) {
  return !sync_processing(c) || (cs.polled == 0 && !cs.has(ConsumerState::kMustCommit));
}

uint8_t epoch_before(const Replica& r, int offset) {
  return offset > 0 && offset <= r.log_end_offset ? uint8_t(r.log[offset - 1].epoch()) : 0;
}

Event consumer_event(EventType type, int offset) {
  Event e;
  e.type = type;
  e.offset = int16_t(offset == kNoOffset ? -1 : offset);
  return e;
}

// Poll(b): fetch the records from the position up to the high watermark of a broker
// acting as leader (read_uncommitted), or up to its last stable offset (read_committed),
// which drops the records of aborted transactions. Transaction markers take offsets but
// are never returned. In the sync loop the application polls again only after processing
// (and, for manual commits, committing) the previous batch.
void poll(const State& s, StepSink* sink, int b) {
  const Config& c = sink->config;
  const ConsumerState& cs = s.consumer;
  if (cs.has(ConsumerState::kStuck) || cs.has(ConsumerState::kFenced)) return;
  if (cs.has(ConsumerState::kMustCommit)) return;
  if (sync_processing(c) && cs.polled > 0) return;
  if (!acts_as_leader(s, b) || cs.position == kNoOffset) return;
  const Replica& r = s.replica[b];
  if (tracks_leader_epochs(c) && r.known_epoch != cs.leader_epoch) return;
  // Without a transactional producer every record below the HW is visible.
  const bool filter = c.transactional;
  const int bound = filter ? fetch_bound(c, r) : r.high_watermark;
  if (cs.position > r.log_end_offset || cs.position >= bound) return;
  bool visible[kMaxLog];
  int count = 0;
  for (int o = cs.position; o < bound; ++o) {
    visible[o] = !filter || visible_to_reader(r, o, read_committed(c));
    count += visible[o];
  }
  if (cs.polled + count > kMaxPolled) return sink->cut();

  State next = s;
  ConsumerState& nc = next.consumer;
  for (int o = cs.position; o < bound; ++o)
    if (visible[o]) nc.buffer[nc.polled++] = polled_record(r.log[o], o);
  nc.position = uint8_t(bound);
  if (tracks_leader_epochs(c)) nc.position_epoch = epoch_before(r, nc.position);
  if (manual_commits(c)) nc.set(ConsumerState::kMustCommit, true);
  Event e = consumer_event(EventType::kPoll, cs.position);
  e.broker = int8_t(b);
  e.count = int8_t(count);
  sink->emit(e, next);
}

// OffsetReset(b): the consumer has no valid position (no committed offset, or past the
// leader's log end after a truncation): auto.offset.reset decides where it goes.
void offset_reset(const State& s, StepSink* sink, int b) {
  const Config& c = sink->config;
  const ConsumerState& cs = s.consumer;
  if (cs.has(ConsumerState::kStuck) || cs.has(ConsumerState::kFenced)) return;
  if (!inside_poll(c, cs) || !acts_as_leader(s, b)) return;
  const Replica& r = s.replica[b];
  if (tracks_leader_epochs(c) && r.known_epoch < cs.leader_epoch) return;
  if (cs.position != kNoOffset && cs.position <= r.log_end_offset) return;
  State next = s;
  ConsumerState& nc = next.consumer;
  Event e;
  e.type = EventType::kOffsetReset;
  e.broker = int8_t(b);
  switch (c.auto_offset_reset) {
    case OffsetReset::kEarliest:
      nc.position = 0;
      e.result = Result::kEarliest;
      break;
    case OffsetReset::kLatest:
      nc.position = uint8_t(fetch_bound(c, r));
      e.result = Result::kLatest;
      break;
    case OffsetReset::kNone:
      nc.set(ConsumerState::kStuck, true);
      e.result = Result::kNoReset;
      break;
  }
  if (nc.position != kNoOffset && !nc.has(ConsumerState::kStuck)) e.offset = nc.position;
  if (tracks_leader_epochs(c)) {
    nc.leader_epoch = r.known_epoch;
    nc.position_epoch = nc.position == kNoOffset ? 0 : epoch_before(r, nc.position);
  }
  sink->emit(e, next);
}

// ValidatePosition(b) (2.1+, KIP-320): before fetching from a leader in a newer epoch, the
// consumer asks it where the epoch of its position ends (OffsetsForLeaderEpoch). If the
// log was truncated below the position, it rewinds to that offset rather than resetting;
// with auto.offset.reset=none it stops with LogTruncationException instead.
void validate_position(const State& s, StepSink* sink, int b) {
  const Config& c = sink->config;
  const ConsumerState& cs = s.consumer;
  if (!tracks_leader_epochs(c) || cs.has(ConsumerState::kStuck) || cs.has(ConsumerState::kFenced))
    return;
  if (!inside_poll(c, cs) || !acts_as_leader(s, b) || cs.position == kNoOffset) return;
  const Replica& r = s.replica[b];
  if (r.known_epoch <= cs.leader_epoch) return;
  State next = s;
  ConsumerState& nc = next.consumer;
  if (cs.position_epoch > 0) {
    EpochEnd answer = epoch_end_offset(r, cs.position_epoch);
    const int end = answer.epoch < 0 ? 0 : answer.end_offset;
    if (end < cs.position) {
      if (c.auto_offset_reset == OffsetReset::kNone) {
        nc.set(ConsumerState::kStuck, true);  // LogTruncationException
      } else {
        nc.position = uint8_t(end);
        nc.position_epoch = epoch_before(r, end);
      }
    }
  }
  nc.leader_epoch = r.known_epoch;
  Event e = consumer_event(EventType::kValidatePosition, nc.position);
  e.broker = int8_t(b);
  e.leader_epoch = int8_t(r.known_epoch);
  sink->emit(e, next);
}

// Process: the application applies the oldest polled record to the sink. Under
// commit-then-process it first commits.
void process(const State& s, StepSink* sink) {
  const Config& c = sink->config;
  const ConsumerState& cs = s.consumer;
  if (cs.polled == 0) return;
  if (c.commit == CommitMode::kCommitThenProcess && cs.has(ConsumerState::kMustCommit)) return;
  State next = s;
  ConsumerState& nc = next.consumer;
  const PolledRecord rec = nc.buffer[0];
  std::copy(nc.buffer + 1, nc.buffer + nc.polled, nc.buffer);
  nc.buffer[--nc.polled] = PolledRecord{};
  apply_to_sink(&next, rec);
  if (offsets_in_sink(c)) {  // the result and the next offset, in one write to the sink
    nc.committed = uint8_t(rec.offset + 1);
    nc.committed_epoch = rec.epoch;
  }
  Event e = consumer_event(EventType::kProcess, rec.offset);
  e.msg = int8_t(polled_msg(rec));
  e.gen = int8_t(polled_gen(rec));
  e.leader_epoch = int8_t(rec.epoch);
  sink->emit(e, next);
}

// Commit: the application commits its position: right after poll (commit-then-process)
// or once the batch is processed (process-then-commit-*). A fenced generation's
// commitSync throws CommitFailedException and the batch is abandoned; commitAsync fails
// later, silently.
void commit(const State& s, StepSink* sink) {
  const Config& c = sink->config;
  const ConsumerState& cs = s.consumer;
  if (!manual_commits(c) || !cs.has(ConsumerState::kMustCommit)) return;
  if (c.commit != CommitMode::kCommitThenProcess && cs.polled > 0) return;
  if (cs.pending_commit != kNoOffset) return;
  State next = s;
  ConsumerState& nc = next.consumer;
  nc.set(ConsumerState::kMustCommit, false);
  Event e = consumer_event(EventType::kCommit, cs.position);
  if (c.commit == CommitMode::kProcessThenCommitAsync) {
    nc.pending_commit = cs.position;
    nc.pending_epoch = cs.position_epoch;
    e.result = Result::kCommitAsync;
  } else if (cs.has(ConsumerState::kFenced)) {
    std::fill(nc.buffer, nc.buffer + kMaxPolled, PolledRecord{});
    nc.polled = 0;
    e.result = Result::kCommitFailed;
  } else {
    nc.committed = cs.position;
    nc.committed_epoch = cs.position_epoch;
    e.result = Result::kCommitSync;
  }
  sink->emit(e, next);
}

// CommitComplete: an async commit reaches the group coordinator (or is rejected there
// because the generation was fenced).
void commit_complete(const State& s, StepSink* sink) {
  const ConsumerState& cs = s.consumer;
  if (cs.pending_commit == kNoOffset) return;
  State next = s;
  ConsumerState& nc = next.consumer;
  Event e = consumer_event(EventType::kCommitComplete, cs.pending_commit);
  if (cs.has(ConsumerState::kFenced)) {
    e.result = Result::kCommitFailed;
  } else {
    nc.committed = cs.pending_commit;
    nc.committed_epoch = cs.pending_epoch;
    e.result = Result::kCommitAsync;
  }
  nc.pending_commit = kNoOffset;
  nc.pending_epoch = 0;
  sink->emit(e, next);
}

// AutoCommit: inside poll(), enable.auto.commit commits the position of every record
// poll() has returned. In the sync loop those are processed; handed to a worker, they
// may not be.
void auto_commit(const State& s, StepSink* sink) {
  const Config& c = sink->config;
  const ConsumerState& cs = s.consumer;
  if (!c.enable_auto_commit || offsets_in_sink(c) || cs.has(ConsumerState::kStuck) ||
      cs.has(ConsumerState::kFenced))
    return;
  if (sync_processing(c) && cs.polled > 0) return;
  if (cs.position == kNoOffset || cs.committed == cs.position) return;
  State next = s;
  next.consumer.committed = cs.position;
  next.consumer.committed_epoch = cs.position_epoch;
  Event e = consumer_event(EventType::kCommit, cs.position);
  e.result = Result::kAutoCommit;
  sink->emit(e, next);
}

// Rejoin: the next poll() of a fenced member rejoins the group and resumes from the
// committed offset. A worker still holding records of the old assignment keeps them.
void rejoin(const State& s, StepSink* sink) {
  const Config& c = sink->config;
  const ConsumerState& cs = s.consumer;
  if (!cs.has(ConsumerState::kFenced)) return;
  if (sync_processing(c) && cs.polled > 0) return;
  if (cs.pending_commit != kNoOffset) return;
  State next = s;
  ConsumerState& nc = next.consumer;
  nc.set(ConsumerState::kFenced, false);
  nc.set(ConsumerState::kMustCommit, false);
  nc.position = cs.committed;
  nc.position_epoch = cs.committed_epoch;
  sink->emit(consumer_event(EventType::kConsumerRejoin, nc.position), next);
}

// ConsumerCrash [fault]: the consumer dies (polled records and any async commit in flight
// with it) and restarts from the committed offset.
void consumer_crash(const State& s, StepSink* sink) {
  const Config& c = sink->config;
  const ConsumerState& cs = s.consumer;
  if (cs.polled == 0 && cs.position == cs.committed && cs.pending_commit == kNoOffset &&
      cs.flags == 0)
    return;
  if (c.processor() || !fault_allowed(c, s, FaultKind::kConsumerCrash)) return;
  State next = s;
  spend_fault(&next, FaultKind::kConsumerCrash);
  ConsumerState& nc = next.consumer;
  nc = ConsumerState{};
  nc.committed = cs.committed;
  nc.committed_epoch = cs.committed_epoch;
  nc.position = cs.committed;
  nc.position_epoch = cs.committed_epoch;
  // A new instance knows no leader epoch yet; 2.1+ validates the committed position.
  nc.leader_epoch = tracks_leader_epochs(c) ? 0 : 1;
  sink->emit(consumer_event(EventType::kConsumerCrash, cs.committed), next);
}

// ConsumerRebalance [fault]: the group rebalances without this member (e.g. it exceeded
// max.poll.interval.ms); its generation is fenced until it rejoins.
void consumer_rebalance(const State& s, StepSink* sink) {
  const ConsumerState& cs = s.consumer;
  if (cs.has(ConsumerState::kFenced) || cs.has(ConsumerState::kStuck)) return;
  // In a consume-transform-produce pipeline the rebalance fault hits the processor.
  if (sink->config.processor()) return;
  if (!fault_allowed(sink->config, s, FaultKind::kConsumerRebalance)) return;
  State next = s;
  spend_fault(&next, FaultKind::kConsumerRebalance);
  next.consumer.set(ConsumerState::kFenced, true);
  sink->emit(consumer_event(EventType::kConsumerRebalance, kNoOffset), next);
}

// OffsetLoss [fault]: the committed offset disappears (offsets.retention expired, a new
// group.id): the next restart or rejoin falls back on auto.offset.reset.
void offset_loss(const State& s, StepSink* sink) {
  if (s.consumer.committed == kNoOffset) return;
  if (offsets_in_sink(sink->config)) return;  // Kafka holds no offset to lose
  if (!fault_allowed(sink->config, s, FaultKind::kOffsetLoss)) return;
  State next = s;
  spend_fault(&next, FaultKind::kOffsetLoss);
  next.consumer.committed = kNoOffset;
  next.consumer.committed_epoch = 0;
  sink->emit(consumer_event(EventType::kOffsetLoss, s.consumer.committed), next);
}

}  // namespace

// Steps that read and write only the consumer's own state and the sink (the group
// coordinator's committed offset counts as the consumer's).
void local_consumer_steps(const State& s, StepSink* sink) {
  process(s, sink);
  commit(s, sink);
  commit_complete(s, sink);
  auto_commit(s, sink);
  rejoin(s, sink);
  consumer_crash(s, sink);
  consumer_rebalance(s, sink);
  offset_loss(s, sink);
}

bool consumer_has_local_work(const Config& c, const State& s) {
  if (c.processing != Processing::kSync) return false;
  const ConsumerState& cs = s.consumer;
  return cs.polled > 0 || cs.has(ConsumerState::kMustCommit) || cs.has(ConsumerState::kFenced);
}

void consumer_steps(const State& s, StepSink* sink) {
  const int brokers = replica_count(sink->config);
  for (int b = 0; b < brokers; ++b) offset_reset(s, sink, b);
  for (int b = 0; b < brokers; ++b) validate_position(s, sink, b);
  for (int b = 0; b < brokers; ++b) poll(s, sink, b);
  local_consumer_steps(s, sink);
}

}  // namespace kdc
