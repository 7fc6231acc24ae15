// consumer.cc over terms: the consumer application's steps (poll, process, commit) and
// its faults.
#include "model/symbolic/encoding.h"

namespace kdc::sym {
namespace {

expr manual_commits(const SymConfig& c) { return c.application_commits(); }
expr offsets_in_sink(const SymConfig& c) { return c.offsets_in_sink(); }
expr read_committed(const SymConfig& c) {
  return c.reader_isolation() == num(int(Isolation::kReadCommitted));
}
expr fetch_bound(const SymConfig& c, const SymReplica& r) {
  return z3::ite(read_committed(c), last_stable_offset(r), r.high_watermark);
}
expr sync_processing(const SymConfig& c) { return c.processing == num(int(Processing::kSync)); }

expr tracks_leader_epochs(const SymConfig& c) { return c.at_least(KafkaVersion{2, 1, 0}); }

expr inside_poll(const SymConfig& c, const SymConsumer& cs) {
  return !sync_processing(c) || (cs.polled == num(0) && !cs.has(ConsumerState::kMustCommit));
}

// The offset is a term: one case per offset the log can hold.
expr epoch_before(const SymReplica& r, const expr& offset) {
  expr out = num(0);
  for (int o = 1; o <= kMaxLog; ++o)
    out = z3::ite(offset == num(o) && num(o) <= r.log_end_offset, r.log[o - 1].epoch, out);
  return out;
}

std::string with_broker(const char* event, int b, const char* more = "") {
  return std::string(event) + "(b=" + std::to_string(b) + more + ")";
}

// Poll(b). The fetched range [position, bound) is a term: each log offset is taken when
// it lies in the range and is visible, and goes to the buffer slot after the records
// taken before it.
void poll(const SymState& s, StepSink* sink, int b) {
  const SymConfig& c = sink->config;
  const SymConsumer& cs = s.consumer;
  const SymReplica& r = s.replica[b];
  expr guard = !cs.has(ConsumerState::kStuck) && !cs.has(ConsumerState::kFenced) &&
               !cs.has(ConsumerState::kMustCommit) && !(sync_processing(c) && cs.polled > num(0)) &&
               acts_as_leader(s, b) && cs.position != num(kNoOffset) &&
               !(tracks_leader_epochs(c) && r.known_epoch != cs.leader_epoch);
  const expr filter = c.transactional;
  const expr bound = z3::ite(filter, fetch_bound(c, r), r.high_watermark);
  guard = guard && !(cs.position > r.log_end_offset || cs.position >= bound);
  const expr rc = read_committed(c);

  SymState next = s;
  SymConsumer& nc = next.consumer;
  expr count = num(0);
  for (int o = 0; o < kMaxLog; ++o) {
    const expr take =
        cs.position <= num(o) && num(o) < bound && (!filter || visible_to_reader(r, num(o), rc));
    const SymPolled rec = polled_record(r.log[o], num(o));
    const expr slot = cs.polled + count;
    for (int j = 0; j < kMaxPolled; ++j) nc.buffer[j] = sym::ite(take && slot == num(j), rec, nc.buffer[j]);
    count = count + z3::ite(take, num(1), num(0));
  }
  const expr fits = !(cs.polled + count > num(kMaxPolled));
  sink->cut(guard && !fits);

  nc.polled = cs.polled + count;
  nc.position = bound;
  nc.position_epoch = z3::ite(tracks_leader_epochs(c), epoch_before(r, bound), cs.position_epoch);
  nc.set(ConsumerState::kMustCommit, manual_commits(c) || cs.has(ConsumerState::kMustCommit));
  sink->emit(with_broker("Poll", b), guard && fits, next);
}

// OffsetReset(b): one step per auto.offset.reset value (the event's result).
void offset_reset(const SymState& s, StepSink* sink, int b) {
  const SymConfig& c = sink->config;
  const SymConsumer& cs = s.consumer;
  const SymReplica& r = s.replica[b];
  const expr guard = !cs.has(ConsumerState::kStuck) && !cs.has(ConsumerState::kFenced) &&
                     inside_poll(c, cs) && acts_as_leader(s, b) &&
                     !(tracks_leader_epochs(c) && r.known_epoch < cs.leader_epoch) &&
                     !(cs.position != num(kNoOffset) && cs.position <= r.log_end_offset);
  auto emit = [&](OffsetReset mode, const char* name, SymState next) {
    SymConsumer& nc = next.consumer;
    const expr tracks = tracks_leader_epochs(c);
    nc.leader_epoch = z3::ite(tracks, r.known_epoch, nc.leader_epoch);
    nc.position_epoch = z3::ite(
        tracks, z3::ite(nc.position == num(kNoOffset), num(0), epoch_before(r, nc.position)),
        nc.position_epoch);
    sink->emit(with_broker("OffsetReset", b, name),
               guard && c.auto_offset_reset == num(int(mode)), next);
  };
  SymState earliest = s;
  earliest.consumer.position = num(0);
  emit(OffsetReset::kEarliest, ",earliest", earliest);
  SymState latest = s;
  latest.consumer.position = fetch_bound(c, r);
  emit(OffsetReset::kLatest, ",latest", latest);
  SymState none = s;
  none.consumer.set(ConsumerState::kStuck, truth(true));
  emit(OffsetReset::kNone, ",none", none);
}

// ValidatePosition(b).
void validate_position(const SymState& s, StepSink* sink, int b) {
  const SymConfig& c = sink->config;
  const SymConsumer& cs = s.consumer;
  const SymReplica& r = s.replica[b];
  const expr guard = tracks_leader_epochs(c) && !cs.has(ConsumerState::kStuck) &&
                     !cs.has(ConsumerState::kFenced) && inside_poll(c, cs) && acts_as_leader(s, b) &&
                     cs.position != num(kNoOffset) && r.known_epoch > cs.leader_epoch;
  SymState next = s;
  SymConsumer& nc = next.consumer;
  const SymEpochEnd answer = epoch_end_offset(r, cs.position_epoch);
  const expr end = z3::ite(answer.epoch < num(0), num(0), answer.end_offset);
  const expr truncated = cs.position_epoch > num(0) && end < cs.position;
  const expr none = c.auto_offset_reset == num(int(OffsetReset::kNone));
  nc.set(ConsumerState::kStuck, cs.has(ConsumerState::kStuck) || (truncated && none));
  nc.position = z3::ite(truncated && !none, end, cs.position);
  nc.position_epoch = z3::ite(truncated && !none, epoch_before(r, end), cs.position_epoch);
  nc.leader_epoch = r.known_epoch;
  sink->emit(with_broker("ValidatePosition", b), guard, next);
}

// Process. The buffer shifts by one below `polled` (slots above it stay as they are).
void process(const SymState& s, StepSink* sink) {
  const SymConfig& c = sink->config;
  const SymConsumer& cs = s.consumer;
  const expr guard =
      cs.polled > num(0) && !(c.commit == num(int(CommitMode::kCommitThenProcess)) &&
                              cs.has(ConsumerState::kMustCommit));
  SymState next = s;
  SymConsumer& nc = next.consumer;
  const SymPolled rec = cs.buffer[0];
  const expr last = cs.polled - num(1);
  for (int i = 0; i < kMaxPolled; ++i) {
    const SymPolled above = i + 1 < kMaxPolled ? cs.buffer[i + 1] : SymPolled{};
    nc.buffer[i] = sym::ite(num(i) < last, above, sym::ite(num(i) == last, SymPolled{}, cs.buffer[i]));
  }
  nc.polled = last;
  apply_to_sink(&next, rec);
  nc.committed = z3::ite(offsets_in_sink(c), rec.offset + num(1), cs.committed);
  nc.committed_epoch = z3::ite(offsets_in_sink(c), rec.epoch, cs.committed_epoch);
  sink->emit("Process", guard, next);
}

// Commit: one step per result (commitAsync, a fenced commitSync, commitSync).
void commit(const SymState& s, StepSink* sink) {
  const SymConfig& c = sink->config;
  const SymConsumer& cs = s.consumer;
  const expr guard =
      manual_commits(c) && cs.has(ConsumerState::kMustCommit) &&
      !(c.commit != num(int(CommitMode::kCommitThenProcess)) && cs.polled > num(0)) &&
      cs.pending_commit == num(kNoOffset);
  SymState base = s;
  base.consumer.set(ConsumerState::kMustCommit, truth(false));
  const expr async = c.commit == num(int(CommitMode::kProcessThenCommitAsync));
  const expr fenced = cs.has(ConsumerState::kFenced);

  SymState pending = base;
  pending.consumer.pending_commit = cs.position;
  pending.consumer.pending_epoch = cs.position_epoch;
  sink->emit("Commit(commitAsync)", guard && async, pending);

  SymState failed = base;
  for (SymPolled& p : failed.consumer.buffer) p = SymPolled{};
  failed.consumer.polled = num(0);
  sink->emit("Commit(failed)", guard && !async && fenced, failed);

  SymState done = base;
  done.consumer.committed = cs.position;
  done.consumer.committed_epoch = cs.position_epoch;
  sink->emit("Commit(commitSync)", guard && !async && !fenced, done);
}

// CommitComplete: one step per result.
void commit_complete(const SymState& s, StepSink* sink) {
  const SymConsumer& cs = s.consumer;
  const expr guard = cs.pending_commit != num(kNoOffset);
  SymState base = s;
  base.consumer.pending_commit = num(kNoOffset);
  base.consumer.pending_epoch = num(0);
  sink->emit("CommitComplete(failed)", guard && cs.has(ConsumerState::kFenced), base);
  SymState done = base;
  done.consumer.committed = cs.pending_commit;
  done.consumer.committed_epoch = cs.pending_epoch;
  sink->emit("CommitComplete(commitAsync)", guard && !cs.has(ConsumerState::kFenced), done);
}

void auto_commit(const SymState& s, StepSink* sink) {
  const SymConfig& c = sink->config;
  const SymConsumer& cs = s.consumer;
  const expr guard = c.enable_auto_commit && !offsets_in_sink(c) &&
                     !cs.has(ConsumerState::kStuck) && !cs.has(ConsumerState::kFenced) &&
                     !(sync_processing(c) && cs.polled > num(0)) &&
                     cs.position != num(kNoOffset) && cs.committed != cs.position;
  SymState next = s;
  next.consumer.committed = cs.position;
  next.consumer.committed_epoch = cs.position_epoch;
  sink->emit("Commit(auto-commit)", guard, next);
}

void rejoin(const SymState& s, StepSink* sink) {
  const SymConfig& c = sink->config;
  const SymConsumer& cs = s.consumer;
  const expr guard = cs.has(ConsumerState::kFenced) && !(sync_processing(c) && cs.polled > num(0)) &&
                     cs.pending_commit == num(kNoOffset);
  SymState next = s;
  SymConsumer& nc = next.consumer;
  nc.flags = cs.flags & num(~(ConsumerState::kFenced | ConsumerState::kMustCommit) & 0xff);
  nc.position = cs.committed;
  nc.position_epoch = cs.committed_epoch;
  sink->emit("ConsumerRejoin", guard, next);
}

void consumer_crash(const SymState& s, StepSink* sink) {
  const SymConfig& c = sink->config;
  const SymConsumer& cs = s.consumer;
  const expr idle = cs.polled == num(0) && cs.position == cs.committed &&
                    cs.pending_commit == num(kNoOffset) && cs.flags == num(0);
  const expr guard = !idle && !c.processor() && fault_allowed(c, s, FaultKind::kConsumerCrash);
  SymState next = s;
  spend_fault(&next, FaultKind::kConsumerCrash);
  SymConsumer& nc = next.consumer;
  nc = constant(State{}).consumer;  // ConsumerState{}
  nc.committed = cs.committed;
  nc.committed_epoch = cs.committed_epoch;
  nc.position = cs.committed;
  nc.position_epoch = cs.committed_epoch;
  nc.leader_epoch = z3::ite(tracks_leader_epochs(c), num(0), num(1));
  sink->emit("ConsumerCrash", guard, next);
}

void consumer_rebalance(const SymState& s, StepSink* sink) {
  const SymConfig& c = sink->config;
  const SymConsumer& cs = s.consumer;
  const expr guard = !cs.has(ConsumerState::kFenced) && !cs.has(ConsumerState::kStuck) &&
                     !c.processor() && fault_allowed(c, s, FaultKind::kConsumerRebalance);
  SymState next = s;
  spend_fault(&next, FaultKind::kConsumerRebalance);
  next.consumer.flags = cs.flags | num(ConsumerState::kFenced);
  sink->emit("ConsumerRebalance", guard, next);
}

void offset_loss(const SymState& s, StepSink* sink) {
  const SymConfig& c = sink->config;
  const expr guard = s.consumer.committed != num(kNoOffset) && !offsets_in_sink(c) &&
                     fault_allowed(c, s, FaultKind::kOffsetLoss);
  SymState next = s;
  spend_fault(&next, FaultKind::kOffsetLoss);
  next.consumer.committed = num(kNoOffset);
  next.consumer.committed_epoch = num(0);
  sink->emit("OffsetLoss", guard, next);
}

}  // namespace

void local_consumer_steps(const SymState& s, StepSink* sink) {
  process(s, sink);
  commit(s, sink);
  commit_complete(s, sink);
  auto_commit(s, sink);
  rejoin(s, sink);
  consumer_crash(s, sink);
  consumer_rebalance(s, sink);
  offset_loss(s, sink);
}

expr consumer_has_local_work(const SymConfig& c, const SymState& s) {
  const SymConsumer& cs = s.consumer;
  return sync_processing(c) && (cs.polled > num(0) || cs.has(ConsumerState::kMustCommit) ||
                                cs.has(ConsumerState::kFenced));
}

void consumer_steps(const SymState& s, StepSink* sink) {
  const int brokers = sink->config.replication_factor;
  for (int b = 0; b < brokers; ++b) offset_reset(s, sink, b);
  for (int b = 0; b < brokers; ++b) validate_position(s, sink, b);
  for (int b = 0; b < brokers; ++b) poll(s, sink, b);
  local_consumer_steps(s, sink);
}

}  // namespace kdc::sym
