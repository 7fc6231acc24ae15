// Produce and WriteTxnMarkers on the leader, and the purgatory that holds acks=all
// requests and markers until the high watermark passes them (ReplicaManager.appendRecords,
// Partition.appendRecordsToLeader, DelayedProduce).
#include <algorithm>

#include "impl/broker/broker_impl.h"

namespace kdc::impl {

namespace {

// Trace events name a transactional producer by its epoch, any other by its producer id.
int32_t trace_producer(const Record& r) {
  if (r.transactional) return r.producer_epoch;
  return r.producer_id >= 0 ? static_cast<int32_t>(r.producer_id) : -1;
}

int32_t trace_producer(const RecordBatch& b) {
  if (b.transactional) return b.producer_epoch;
  return b.producer_id >= 0 ? static_cast<int32_t>(b.producer_id) : -1;
}

}  // namespace

void Broker::Impl::reject_produce_locked(NodeId from, const ProduceRequest& req, Error error,
                                         Result result) {
  const RecordBatch& b = req.batch;
  for (size_t i = 0; i < b.records.size(); ++i) {
    Event e;
    e.type = EventType::kHandleProduce;
    e.msg = b.records[i].msg;
    e.gen = b.records[i].gen;
    e.leader_epoch = leader_epoch_;
    if (b.producer_id >= 0 && b.base_sequence >= 0) e.seq = b.base_sequence + static_cast<int32_t>(i);
    e.producer_id = trace_producer(b);
    e.result = result;
    record_locked(e);
  }
  if (req.acks == 0) return;
  ProduceResponse resp;
  resp.correlation_id = req.correlation_id;
  resp.error = error;
  resp.leader_epoch = leader_epoch_;
  send_locked(from, resp);
}

bool Broker::Impl::handle_produce_locked(NodeId from, uint64_t connection, const ProduceRequest& req,
                                         bool after_verification) {
  const RecordBatch& batch = req.batch;
  const Config& config = env_.config;
  if (!is_leader_) {
    reject_produce_locked(from, req, Error::kNotLeaderOrFollower, Result::kNotLeaderOrFollower);
    return false;
  }
  if (req.acks == -1 && under_min_isr_locked()) {
    reject_produce_locked(from, req, Error::kNotEnoughReplicas, Result::kNotEnoughReplicas);
    return false;
  }
  const ProducerEntry* entry = producers_.find(batch.producer_id);
  bool ongoing = entry != nullptr && entry->txn_first_offset >= 0;
  if (config.transaction_verification && batch.transactional && !ongoing) {
    // KIP-890 part 1: a write that does not continue a transaction open on this partition
    // is checked with the coordinator first; the guard is dropped by a marker meanwhile.
    auto g = guards_.find(batch.producer_id);
    bool verified = g != guards_.end() && g->second.verified;
    if (!verified) {
      if (after_verification) {
        reject_produce_locked(from, req, Error::kInvalidTxnState, Result::kInvalidTxnState);
        return false;
      }
      int64_t corr = next_correlation_++;
      guards_[batch.producer_id] = VerificationGuard{corr, false};
      verifications_[corr] = PendingVerification{from, connection, req};
      AddPartitionsToTxnRequest v;
      v.correlation_id = corr;
      v.producer_id = batch.producer_id;
      v.producer_epoch = batch.producer_epoch;
      v.verify_only = true;
      send_locked(kTxnCoordinator, v);
      if (req.acks != 0) mute_locked(from);
      return true;
    }
  }

  ProducerCheck check = producers_.check(batch);
  const bool fenced_epoch = check.result == Result::kInvalidProducerEpoch ||
                            check.result == Result::kProducerFenced;
  // Seeded bug skip_sequence_check: duplicates and out-of-order sequences are appended.
  if (env_.bugs.skip_sequence_check && check.kind != ProducerCheck::kAppend && !fenced_epoch) {
    check = ProducerCheck{};
  }
  // Seeded bug no_epoch_fencing: an older producer epoch (a zombie) is not fenced.
  if (env_.bugs.no_epoch_fencing && check.kind == ProducerCheck::kReject && fenced_epoch) {
    check = ProducerCheck{};
  }
  if (check.kind == ProducerCheck::kReject) {
    reject_produce_locked(from, req, check.error, check.result);
    return false;
  }
  DelayedOperation op;
  op.kind = DelayedOperation::kProduce;
  op.from = from;
  op.connection = connection;
  op.correlation_id = req.correlation_id;
  op.leader_epoch = leader_epoch_;
  int64_t n = static_cast<int64_t>(batch.records.size());
  if (check.kind == ProducerCheck::kDuplicate) {
    op.duplicate = true;
    op.first_offset = check.duplicate_first_offset;
    for (int64_t i = 0; i < n; ++i) {
      Record r = log_.at(op.first_offset + i);
      op.records.push_back(r);
      Event e;
      e.type = EventType::kHandleProduce;
      e.msg = batch.records[static_cast<size_t>(i)].msg;
      e.gen = batch.records[static_cast<size_t>(i)].gen;
      e.offset = static_cast<int32_t>(op.first_offset + i);
      e.leader_epoch = leader_epoch_;
      e.seq = batch.base_sequence + static_cast<int32_t>(i);
      e.producer_id = trace_producer(batch);
      e.result = Result::kDuplicate;
      record_locked(e);
    }
  } else {
    op.first_offset = log_.log_end_offset();
    std::vector<LogEntry> entries;
    for (int64_t i = 0; i < n; ++i) {
      const Record& in = batch.records[static_cast<size_t>(i)];
      LogEntry le;
      Record& r = le.record;
      r.offset = op.first_offset + i;
      r.leader_epoch = leader_epoch_;
      r.msg = in.msg;
      r.gen = in.gen;
      r.producer_id = batch.producer_id;
      r.producer_epoch = batch.producer_epoch;
      r.seq = batch.producer_id >= 0 && batch.base_sequence >= 0
                  ? batch.base_sequence + static_cast<int32_t>(i)
                  : -1;
      r.transactional = batch.transactional;
      le.batch_last = i == n - 1;
      entries.push_back(le);
    }
    log_.append(entries);
    producers_.on_append(entries);
    for (const LogEntry& le : entries) {
      op.records.push_back(le.record);
      Event e;
      e.type = EventType::kHandleProduce;
      e.msg = le.record.msg;
      e.gen = le.record.gen;
      e.offset = static_cast<int32_t>(le.record.offset);
      e.leader_epoch = leader_epoch_;
      e.seq = le.record.seq;
      e.producer_id = trace_producer(le.record);
      e.result = Result::kAppended;
      record_locked(e);
    }
    log_.maybe_flush();
  }
  op.last_offset = op.first_offset + n - 1;
  if (!op.duplicate) maybe_advance_high_watermark_locked();
  if (req.acks == 0) return false;
  if (req.acks == 1) {
    ProduceResponse resp;
    resp.correlation_id = req.correlation_id;
    resp.base_offset = op.first_offset;
    resp.duplicate = op.duplicate;
    resp.leader_epoch = leader_epoch_;
    send_locked(from, resp);
    return false;
  }
  // acks=all: the purgatory, even when the high watermark is already there
  // (DelayedProduce.tryCompleteElseWatch completes it at once).
  mute_locked(from);
  uint64_t key = purgatory_.add(std::move(op));
  TimerId t = env_.runtime.after(reader_, std::max<int32_t>(req.timeout_ms, 0),
                                 [this, key] { on_produce_timeout(key); });
  purgatory_.set_timer(key, t);
  complete_delayed_locked();
  return true;
}

void Broker::Impl::complete_delayed_locked() {
  complete_delayed_fetches_locked();
  if (purgatory_.empty()) return;
  std::vector<DelayedOperation> done = purgatory_.take_completed(log_.high_watermark());
  for (DelayedOperation& op : done) {
    // Partition.checkEnoughReplicasReachOffset.
    finish_delayed_locked(op, under_min_isr_locked() ? Error::kNotEnoughReplicasAfterAppend
                                                     : Error::kNone);
  }
}

void Broker::Impl::finish_delayed_locked(DelayedOperation& op, Error error) {
  if (op.timer != 0) env_.runtime.cancel(op.timer);
  bool live = conns_[op.from].id == op.connection;
  if (op.kind == DelayedOperation::kMarker) {
    if (live) {
      WriteTxnMarkersResponse resp;
      resp.correlation_id = op.correlation_id;
      resp.error = error;
      resp.offset = op.first_offset;
      send_locked(op.from, resp);
    }
    unmute_locked(op.from, op.connection);
    return;
  }
  Result result = Result::kAppended;
  switch (error) {
    case Error::kNone: result = Result::kAppended; break;
    case Error::kNotEnoughReplicasAfterAppend: result = Result::kNotEnoughReplicasAfterAppend; break;
    case Error::kNotLeaderOrFollower: result = Result::kNotLeaderOrFollower; break;
    default: result = Result::kRequestTimedOut; break;
  }
  for (const Record& r : op.records) {
    Event e;
    e.type = EventType::kProduceComplete;
    e.msg = r.msg;
    e.gen = r.gen;
    e.offset = static_cast<int32_t>(r.offset);
    e.result = result;
    record_locked(e);
  }
  if (live) {
    ProduceResponse resp;
    resp.correlation_id = op.correlation_id;
    resp.error = error;
    resp.base_offset = error == Error::kNone ? op.first_offset : -1;
    resp.duplicate = op.duplicate;
    resp.leader_epoch = op.leader_epoch;
    send_locked(op.from, resp);
  }
  unmute_locked(op.from, op.connection);
}

void Broker::Impl::on_produce_timeout(uint64_t key) {
  std::lock_guard<std::mutex> g(mu_);
  if (dead_) return;
  DelayedOperation op;
  if (!purgatory_.take(key, &op)) return;
  op.timer = 0;
  finish_delayed_locked(op, Error::kRequestTimedOut);
}

void Broker::Impl::on_verification_response_locked(const AddPartitionsToTxnResponse& r) {
  auto it = verifications_.find(r.correlation_id);
  if (it == verifications_.end()) return;
  PendingVerification pv = std::move(it->second);
  verifications_.erase(it);
  int64_t pid = pv.request.batch.producer_id;
  auto g = guards_.find(pid);
  bool guard_ok = g != guards_.end() && g->second.token == r.correlation_id;
  if (r.error == Error::kNone && guard_ok) {
    g->second.verified = true;
    if (handle_produce_locked(pv.from, pv.connection, pv.request, /*after_verification=*/true)) return;
  } else {
    if (guard_ok) guards_.erase(g);
    reject_produce_locked(pv.from, pv.request, Error::kInvalidTxnState, Result::kInvalidTxnState);
  }
  unmute_locked(pv.from, pv.connection);
}

void Broker::Impl::fail_verifications_locked() {
  // The coordinator did not answer (connection lost, or leadership moved): the producer
  // retries (AddPartitionsToTxnManager maps such failures to a retriable error).
  std::map<int64_t, PendingVerification> pending = std::move(verifications_);
  verifications_.clear();
  for (auto& [corr, pv] : pending) {
    guards_.erase(pv.request.batch.producer_id);
    reject_produce_locked(pv.from, pv.request, Error::kNotEnoughReplicas, Result::kNotEnoughReplicas);
    unmute_locked(pv.from, pv.connection);
  }
}

void Broker::Impl::handle_write_txn_markers_locked(const Message& m, const WriteTxnMarkersRequest& req) {
  WriteTxnMarkersResponse resp;
  resp.correlation_id = req.correlation_id;
  if (!is_leader_) {
    resp.error = Error::kNotLeaderOrFollower;
    send_locked(m.from, resp);
    return;
  }
  // Markers are written with acks=all.
  if (under_min_isr_locked()) {
    resp.error = Error::kNotEnoughReplicas;
    send_locked(m.from, resp);
    return;
  }
  const ProducerEntry* entry = producers_.find(req.producer_id);
  if (entry != nullptr && req.producer_epoch < entry->epoch) {
    resp.error = env_.config.version >= KafkaVersion{2, 7, 0} ? Error::kInvalidProducerEpoch
                                                               : Error::kProducerFenced;
    send_locked(m.from, resp);
    return;
  }
  Event e;
  e.type = EventType::kWriteTxnMarker;
  // The coordinator names its transaction's message (it knows it even when this log holds
  // no record of it); else the transaction's first data record here says.
  if (req.msg >= 0) {
    e.msg = req.msg;
    e.gen = req.gen;
  } else if (entry != nullptr && entry->txn_first_offset >= 0) {
    const Record& first = log_.at(entry->txn_first_offset);
    e.msg = first.msg;
    e.gen = first.gen;
  }
  LogEntry le;
  le.record.offset = log_.log_end_offset();
  le.record.leader_epoch = leader_epoch_;
  le.record.producer_id = req.producer_id;
  le.record.producer_epoch = req.producer_epoch;
  le.record.transactional = true;
  le.record.control = req.commit ? Control::kCommit : Control::kAbort;
  log_.append({le});
  producers_.on_append({le});
  guards_.erase(req.producer_id);
  e.offset = static_cast<int32_t>(le.record.offset);
  e.leader_epoch = leader_epoch_;
  e.producer_id = req.producer_epoch;
  e.result = req.commit ? Result::kCommitTxn : Result::kAbortTxn;
  record_locked(e);
  log_.maybe_flush();

  DelayedOperation op;
  op.kind = DelayedOperation::kMarker;
  op.from = m.from;
  op.connection = conns_[m.from].id;
  op.correlation_id = req.correlation_id;
  op.first_offset = le.record.offset;
  op.last_offset = le.record.offset;
  op.leader_epoch = leader_epoch_;
  mute_locked(m.from);
  purgatory_.add(std::move(op));
  maybe_advance_high_watermark_locked();
  complete_delayed_locked();
}

}  // namespace kdc::impl
