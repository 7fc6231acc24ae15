#include "impl/producer/sender.h"

#include <algorithm>
#include <limits>
#include <utility>
#include <vector>

namespace kdc::impl {
namespace {

constexpr Millis kNever = std::numeric_limits<Millis>::max();

// The broker's answer in the vocabulary's words.
Result result_of(Error e, bool duplicate) {
  switch (e) {
    case Error::kNone: return duplicate ? Result::kDuplicate : Result::kAppended;
    case Error::kDuplicateSequenceNumber: return Result::kDuplicate;
    case Error::kNotLeaderOrFollower:
    case Error::kFencedLeaderEpoch:
    case Error::kUnknownLeaderEpoch: return Result::kNotLeaderOrFollower;
    case Error::kNotEnoughReplicas: return Result::kNotEnoughReplicas;
    case Error::kNotEnoughReplicasAfterAppend: return Result::kNotEnoughReplicasAfterAppend;
    // Before 2.5 Kafka answers UNKNOWN_PRODUCER_ID; the vocabulary names it this way.
    case Error::kOutOfOrderSequenceNumber:
    case Error::kUnknownProducerId: return Result::kOutOfOrderSequence;
    case Error::kNetworkException: return Result::kNetworkException;
    case Error::kRequestTimedOut: return Result::kRequestTimedOut;
    case Error::kProducerFenced: return Result::kProducerFenced;
    case Error::kInvalidProducerEpoch: return Result::kInvalidProducerEpoch;
    case Error::kInvalidTxnState: return Result::kInvalidTxnState;
    default: return Result::kNone;
  }
}

// Errors whose exception is a RetriableException in Kafka's client.
bool retriable(Error e) {
  switch (e) {
    case Error::kNotLeaderOrFollower:
    case Error::kFencedLeaderEpoch:
    case Error::kUnknownLeaderEpoch:
    case Error::kNotEnoughReplicas:
    case Error::kNotEnoughReplicasAfterAppend:
    case Error::kNetworkException:
    case Error::kRequestTimedOut: return true;
    default: return false;
  }
}

bool stale_leader_error(Error e) {
  return e == Error::kNotLeaderOrFollower || e == Error::kFencedLeaderEpoch ||
         e == Error::kUnknownLeaderEpoch;
}

int16_t acks_value(Acks a) {
  switch (a) {
    case Acks::kZero: return 0;
    case Acks::kOne: return 1;
    case Acks::kAll: return -1;
  }
  return -1;
}

}  // namespace

Sender::Sender(ProducerCore& core) : core_(core) {}

void Sender::start() {
  const Env& env = core_.env;
  actor_ = env.runtime.spawn("producer-" + std::to_string(core_.instance) + "/sender");
  env.network.attach(
      core_.node, actor_, [this](Message m) { on_message(std::move(m)); },
      [this](NodeId peer) { on_disconnect(peer); });
  wakeup();
}

void Sender::crash() {
  {
    std::lock_guard<std::mutex> g(core_.mu);
    core_.crashed = true;
    core_.alive->store(false);
  }
  core_.env.runtime.stop(actor_);
  core_.env.network.detach(core_.node);
}

void Sender::wakeup() {
  core_.env.runtime.post(actor_, [this] {
    std::lock_guard<std::mutex> g(core_.mu);
    run_locked();
  });
}

void Sender::on_message(Message m) {
  std::lock_guard<std::mutex> g(core_.mu);
  if (core_.crashed) return;
  if (auto* r = std::get_if<ProduceResponse>(&m.payload)) {
    handle_produce_response_locked(m.from, *r);
  } else if (auto* r = std::get_if<MetadataResponse>(&m.payload)) {
    handle_metadata_response_locked(m.from, *r);
  } else {
    handle_coordinator_response_locked(m.payload);
  }
  run_locked();
}

// NetworkClient.handleDisconnections: every request awaited on the connection fails.
void Sender::on_disconnect(NodeId peer) {
  std::lock_guard<std::mutex> g(core_.mu);
  if (core_.crashed) return;
  if (metadata_corr_ != 0 && metadata_broker_ == peer) {
    metadata_corr_ = 0;
    ++metadata_next_;
  }
  if (peer == leader_) metadata_wanted_ = true;
  Millis now = core_.env.runtime.now();
  auto it = in_flight_.find(peer);
  if (it != in_flight_.end()) {
    std::deque<InFlight> failed = std::move(it->second);
    in_flight_.erase(it);
    for (InFlight& f : failed) {
      Decision d = decide_locked(*f.batch, Error::kNetworkException, now);
      for (size_t i = 0; i < f.batch->records.size(); ++i) {
        Event e = produce_event(EventType::kProduceResponse, peer, *f.batch, i);
        e.result = Result::kNetworkException;
        e.outcome = d.outcome;
        core_.env.trace.record(e);
      }
      apply_locked(f.batch, d, Error::kNetworkException, -1, now);
    }
  }
  run_locked();
}

Event Sender::produce_event(EventType type, NodeId broker, const ProducerBatch& b,
                            size_t i) const {
  Event e;
  e.type = type;
  e.broker = static_cast<int8_t>(broker);
  e.msg = b.records[i].msg;
  e.gen = b.records[i].gen;
  if (b.has_sequence()) e.seq = b.base_sequence + static_cast<int32_t>(i);
  e.producer_id = core_.txn.event_producer_id(b);
  return e;
}

bool Sender::produce_in_flight_locked() const {
  for (const auto& [broker, q] : in_flight_) {
    if (!q.empty()) return true;
  }
  return false;
}

void Sender::run_locked() {
  if (core_.crashed) return;
  drained_this_loop_ = false;
  more_to_drain_ = false;
  Millis now = core_.env.runtime.now();
  Millis wake = kNever;
  expire_locked(now, &wake);
  check_request_timeouts_locked(now, &wake);
  maybe_metadata_locked(now, &wake);
  drain_locked(now);
  maybe_transaction_progress_locked();
  maybe_coordinator_request_locked(now, &wake);
  // Draining may have been waiting for the coordinator (an id, a partition added).
  drain_locked(now);
  // The deadlines of what was just sent, and what the next drain waits for (linger, a
  // retry's backoff).
  expire_locked(now, &wake);
  check_request_timeouts_locked(now, &wake);
  if (!core_.accumulator.empty()) core_.accumulator.ready(now, core_.flush, &wake);
  schedule_locked(now, wake);
  // Sender.run loops on runOnce: the next batch of the partition goes in the next loop.
  if (more_to_drain_) wakeup();
}

void Sender::schedule_locked(Millis now, Millis wake) {
  if (wake == wake_at_) return;
  if (wake_timer_ != 0) core_.env.runtime.cancel(wake_timer_);
  wake_timer_ = 0;
  wake_at_ = wake;
  if (wake == kNever) return;
  wake_timer_ = core_.env.runtime.after(actor_, std::max<Millis>(0, wake - now), [this] {
    std::lock_guard<std::mutex> g(core_.mu);
    wake_timer_ = 0;
    wake_at_ = -1;
    run_locked();
  });
}

// delivery.timeout.ms (KIP-91): batches in the accumulator; from 2.1 also the oldest
// requests in flight (Sender.getExpiredInflightBatches). Before 2.1 request.timeout.ms
// expired batches waiting in the accumulator.
void Sender::expire_locked(Millis now, Millis* wake) {
  const Config& c = core_.env.config;
  bool kip91 = c.version >= KafkaVersion{2, 1, 0};
  Millis timeout = kip91 ? c.delivery_timeout_ms : c.request_timeout_ms;
  for (const BatchPtr& b : core_.accumulator.expire(now, timeout, wake)) expire_batch_locked(b, -1, now);
  if (!kip91) return;
  for (auto& [broker, q] : in_flight_) {
    while (!q.empty()) {
      Millis deadline = q.front().batch->created_ms + c.delivery_timeout_ms;
      if (now < deadline) {
        *wake = std::min(*wake, deadline);
        break;
      }
      // The request stays on the wire; its response, if any, is ignored.
      BatchPtr b = q.front().batch;
      q.pop_front();
      expire_batch_locked(b, broker, now);
    }
  }
}

// Sender.failBatch with the TimeoutException of an expired batch: not retried.
void Sender::expire_batch_locked(const BatchPtr& b, NodeId broker, Millis now) {
  Decision d;
  d.fate = Fate::kFail;
  d.outcome = failure_outcome();
  d.bump = !core_.txn.transactional() && core_.txn.numbered_under_current(*b);
  for (size_t i = 0; i < b->records.size(); ++i) {
    Event e = produce_event(EventType::kDeliveryTimeout, broker, *b, i);
    e.result = Result::kDeliveryTimedOut;
    e.outcome = d.outcome;
    core_.env.trace.record(e);
  }
  apply_locked(b, d, Error::kRequestTimedOut, -1, now);
}

bool Sender::expire_now(int32_t msg, int8_t gen) {
  {
    std::lock_guard<std::mutex> g(core_.mu);
    if (core_.crashed) return false;
    auto holds = [&](const BatchPtr& b) {
      if (msg < 0) return true;
      for (const PendingRecord& r : b->records) {
        if (r.msg == msg && (gen < 0 || r.gen == gen)) return true;
      }
      return false;
    };
    // The candidate: queued (broker -1) or in flight to a broker. With no record named, the
    // oldest batch (the first whose deadline comes); a drained batch before a queued one
    // of the same age.
    BatchPtr target;
    NodeId where = -1;
    auto consider = [&](const BatchPtr& b, NodeId broker) {
      if (!holds(b)) return;
      if (!target || b->created_ms < target->created_ms ||
          (b->created_ms == target->created_ms && where < 0 && broker >= 0)) {
        target = b;
        where = broker;
      }
    };
    for (const auto& [broker, q] : in_flight_) {
      for (const InFlight& f : q) consider(f.batch, broker);
    }
    for (const BatchPtr& b : core_.accumulator.batches()) consider(b, -1);
    if (!target) return false;
    Millis now = core_.env.runtime.now();
    if (where < 0) {
      core_.accumulator.remove(target);
    } else {
      // Before 2.1 (KIP-91) nothing expires a batch in flight: only its request timeout.
      if (core_.env.config.version < KafkaVersion{2, 1, 0}) return false;
      std::deque<InFlight>& q = in_flight_[where];
      q.erase(std::find_if(q.begin(), q.end(), [&](const InFlight& f) { return f.batch == target; }));
      // The request stays on the connection; its response, if any, is ignored.
    }
    expire_batch_locked(target, where, now);
  }
  wakeup();
  return true;
}

// request.timeout.ms: NetworkClient.handleTimedOutRequests closes the connection, and every
// request awaited on it fails. The broker may already have read some (orphans): the
// client cannot know how many (count = -1).
void Sender::check_request_timeouts_locked(Millis now, Millis* wake) {
  Millis timeout = core_.env.config.request_timeout_ms;
  std::vector<NodeId> timed_out;
  for (auto& [broker, q] : in_flight_) {
    if (q.empty()) continue;
    Millis deadline = q.front().sent_ms + timeout;
    if (now >= deadline) {
      timed_out.push_back(broker);
    } else {
      *wake = std::min(*wake, deadline);
    }
  }
  for (NodeId broker : timed_out) {
    std::deque<InFlight> failed = std::move(in_flight_[broker]);
    in_flight_.erase(broker);
    // NetworkClient closes the connection: of the requests still on the wire the broker had
    // read some (orphans it may append) and the rest die with the socket.
    core_.env.network.close_connection(core_.node, broker);
    metadata_wanted_ = true;  // NetworkClient requests a metadata update after a disconnect
    bool first = true;
    for (InFlight& f : failed) {
      Error err = first ? Error::kRequestTimedOut : Error::kNetworkException;
      Decision d = decide_locked(*f.batch, err, now);
      if (first) {
        Event e = produce_event(EventType::kRequestTimeout, broker, *f.batch, 0);
        e.count = -1;
        e.result = Result::kRequestTimedOut;
        e.outcome = d.outcome;
        core_.env.trace.record(e);
      }
      first = false;
      apply_locked(f.batch, d, err, -1, now);
    }
  }
  if (metadata_corr_ != 0) {
    if (now >= metadata_deadline_) {
      metadata_corr_ = 0;
      ++metadata_next_;
    } else {
      *wake = std::min(*wake, metadata_deadline_);
    }
  }
}

void Sender::maybe_metadata_locked(Millis now, Millis* wake) {
  const Env& env = core_.env;
  bool work = !core_.accumulator.empty() || produce_in_flight_locked();
  if (work && now - metadata_last_ms_ >= env.timings.metadata_max_age_ms) metadata_wanted_ = true;
  // A leader whose process is down refuses connections: ask who leads now.
  if (leader_ >= 0 && !env.network.attached(leader_)) metadata_wanted_ = true;
  if (!(metadata_wanted_ || leader_ < 0) || !work || metadata_corr_ != 0) return;
  if (now < metadata_retry_at_) {
    *wake = std::min(*wake, metadata_retry_at_);
    return;
  }
  int rf = std::max(1, env.config.replication_factor);
  for (int tries = 0; tries < rf; ++tries) {
    NodeId b = static_cast<NodeId>(metadata_next_ % rf);
    if (!env.network.attached(b)) {
      ++metadata_next_;
      continue;
    }
    metadata_corr_ = next_correlation_++;
    metadata_broker_ = b;
    metadata_deadline_ = now + env.config.request_timeout_ms;
    *wake = std::min(*wake, metadata_deadline_);
    env.network.send(core_.node, b, MetadataRequest{metadata_corr_});
    return;
  }
  metadata_retry_at_ = now + env.timings.retry_backoff_ms;
  *wake = std::min(*wake, metadata_retry_at_);
}

void Sender::handle_metadata_response_locked(NodeId broker, const MetadataResponse& r) {
  if (r.correlation_id != metadata_corr_ || broker != metadata_broker_) return;
  Millis now = core_.env.runtime.now();
  metadata_corr_ = 0;
  metadata_last_ms_ = now;
  ++metadata_next_;
  // KIP-320: metadata older than what the producer knows is ignored.
  if (r.leader < 0 || (leader_ >= 0 && r.leader_epoch < leader_epoch_)) {
    metadata_retry_at_ = now + core_.env.timings.retry_backoff_ms;
    return;
  }
  if (r.leader != leader_) {
    Event e;
    e.type = EventType::kMetadataUpdate;
    e.broker = static_cast<int8_t>(r.leader);
    e.leader_epoch = r.leader_epoch;
    core_.env.trace.record(e);
  } else if (r.leader_epoch == leader_epoch_ && metadata_wanted_) {
    // Nothing new: ask again after the backoff, in case the cluster is electing.
    metadata_retry_at_ = now + core_.env.timings.retry_backoff_ms;
  }
  leader_ = r.leader;
  leader_epoch_ = r.leader_epoch;
  metadata_wanted_ = false;
}

void Sender::drain_locked(Millis now) {
  const Env& env = core_.env;
  TransactionManager& txn = core_.txn;
  if (leader_ < 0 || metadata_wanted_) return;
  if (!env.network.attached(leader_)) return;
  if (txn.idempotent() && (!txn.has_producer_id() || txn.bump_requested())) return;
  if (txn.transactional()) {
    TxnState s = txn.state();
    if (s != TxnState::kInTransaction && s != TxnState::kCommitting) return;
    if (!txn.partition_added()) return;
  }
  std::deque<InFlight>& q = in_flight_[leader_];
  Millis ignored = kNever;
  while (static_cast<int>(q.size()) < env.config.max_in_flight) {
    BatchPtr b = core_.accumulator.ready(now, core_.flush, &ignored);
    if (!b) break;
    // RecordAccumulator.drain takes at most one batch per partition in each sender loop
    // (drainBatchesForOneNode visits each partition once): one Produce per loop here.
    if (drained_this_loop_) {
      more_to_drain_ = true;
      break;
    }
    if (txn.idempotent()) {
      // RecordAccumulator.shouldStopDrainBatchesForPartition: a retried, numbered batch waits
      // until the requests before it have resolved; an unnumbered one waits while requests
      // of an older producer id are in flight.
      bool any = produce_in_flight_locked();
      if (b->has_sequence() && any) break;
      if (!b->has_sequence() && any) {
        bool stale = false;
        for (const auto& [br, fq] : in_flight_) {
          for (const InFlight& f : fq) stale |= !txn.numbered_under_current(*f.batch);
        }
        if (stale) break;
      }
    }
    core_.accumulator.pop_front();
    drained_this_loop_ = true;
    if (b->has_sequence() && !txn.numbered_under_current(*b)) b->clear_sequence();
    txn.number(*b);
    ++b->attempts;

    ProduceRequest req;
    req.correlation_id = next_correlation_++;
    req.acks = acks_value(env.config.acks);
    req.timeout_ms = static_cast<int32_t>(env.config.request_timeout_ms);
    req.batch.producer_id = b->producer_id;
    req.batch.producer_epoch = b->producer_epoch;
    req.batch.base_sequence = b->base_sequence;
    req.batch.transactional = b->transactional;
    bool acks0 = env.config.acks == Acks::kZero;
    for (size_t i = 0; i < b->records.size(); ++i) {
      Record r;
      r.msg = b->records[i].msg;
      r.gen = b->records[i].gen;
      r.producer_id = b->producer_id;
      r.producer_epoch = b->producer_epoch;
      r.seq = b->has_sequence() ? b->base_sequence + static_cast<int32_t>(i) : -1;
      r.transactional = b->transactional;
      req.batch.records.push_back(r);
      Event e = produce_event(EventType::kProduceRequest, leader_, *b, i);
      if (acks0) e.outcome = Result::kAcked;
      env.trace.record(e);
    }
    if (acks0) {
      // Nobody waits for a response: the callback succeeds at once.
      Decision d;
      d.fate = Fate::kAck;
      apply_locked(b, d, Error::kNone, -1, now);
    } else {
      q.push_back(InFlight{req.correlation_id, b, now});
    }
    env.network.send(core_.node, leader_, std::move(req));
  }
}

void Sender::handle_produce_response_locked(NodeId broker, const ProduceResponse& r) {
  auto it = in_flight_.find(broker);
  if (it == in_flight_.end()) return;
  std::deque<InFlight>& q = it->second;
  auto f = std::find_if(q.begin(), q.end(), [&](const InFlight& x) {
    return x.correlation_id == r.correlation_id;
  });
  if (f == q.end()) return;  // forgotten: timed out, expired, or its connection broke
  BatchPtr b = f->batch;
  q.erase(f);
  Millis now = core_.env.runtime.now();
  Result result = result_of(r.error, r.duplicate);
  Decision d;
  if (r.error == Error::kNone || r.error == Error::kDuplicateSequenceNumber) {
    d.fate = Fate::kAck;
    d.outcome = Result::kAcked;
  } else {
    d = decide_locked(*b, r.error, now);
  }
  for (size_t i = 0; i < b->records.size(); ++i) {
    Event e = produce_event(EventType::kProduceResponse, broker, *b, i);
    e.result = result;
    e.outcome = d.outcome;
    core_.env.trace.record(e);
  }
  if (stale_leader_error(r.error)) metadata_wanted_ = true;
  apply_locked(b, d, r.error, r.base_offset, now);
}

Result Sender::failure_outcome() const {
  if (core_.txn.transactional()) return Result::kAbortableError;
  return core_.env.config.on_send_error == OnSendError::kDrop ? Result::kFailedDropped
                                                               : Result::kFailedResent;
}

Sender::Decision Sender::decide_locked(const ProducerBatch& b, Error error, Millis now) const {
  const Config& c = core_.env.config;
  const TransactionManager& txn = core_.txn;
  Decision d;
  // Sender.canRetry: retries left and delivery.timeout.ms not reached.
  bool can_retry = b.attempts <= c.retries &&
                   !(c.version >= KafkaVersion{2, 1, 0} && now >= b.created_ms + c.delivery_timeout_ms);
  bool retry = false;
  if (error == Error::kProducerFenced && txn.transactional()) {
    d.fatal = true;
  } else if (error == Error::kOutOfOrderSequenceNumber || error == Error::kUnknownProducerId) {
    if (txn.idempotent() && !txn.transactional() && can_retry) {
      switch (txn.out_of_order(b)) {
        case TransactionManager::Verdict::kRetry: retry = true; break;
        case TransactionManager::Verdict::kBumpAndRetry:
          retry = true;
          d.bump = true;
          break;
        case TransactionManager::Verdict::kFail: break;
      }
    }
  } else {
    retry = can_retry && retriable(error);
  }
  if (retry) {
    d.fate = Fate::kRetry;
    d.outcome = Result::kRetry;
    return d;
  }
  d.fate = Fate::kFail;
  d.outcome = failure_outcome();
  // A failed batch leaves a gap in the sequence: the idempotent producer takes a new epoch
  // (KIP-360; before 2.5 the producer id was reset, a new id in the model too).
  if (txn.idempotent() && !txn.transactional() && txn.numbered_under_current(b)) d.bump = true;
  return d;
}

void Sender::apply_locked(const BatchPtr& b, const Decision& d, Error error, int64_t base_offset,
                          Millis now) {
  TransactionManager& txn = core_.txn;
  if (d.bump) txn.request_epoch_bump();
  switch (d.fate) {
    case Fate::kAck: {
      txn.acknowledged(*b);
      for (size_t i = 0; i < b->records.size(); ++i) {
        PendingRecord& r = b->records[i];
        core_.unresolved.erase(r.id);
        SendResult res{Error::kNone, base_offset < 0 ? -1 : base_offset + static_cast<int64_t>(i)};
        if (r.callback) core_.to_app([cb = r.callback, res] { cb(res); });
      }
      return;
    }
    case Fate::kRetry:
      b->retry_at = now + core_.env.timings.retry_backoff_ms;
      core_.accumulator.reenqueue(b);
      return;
    case Fate::kFail: {
      for (PendingRecord& r : b->records) {
        core_.unresolved.erase(r.id);
        SendResult res{error == Error::kNone ? Error::kRequestTimedOut : error, -1};
        if (r.callback) core_.to_app([cb = r.callback, res] { cb(res); });
      }
      if (txn.transactional()) {
        if (d.fatal) {
          fatal_locked(Error::kProducerFenced);
        } else {
          txn.abortable(error);
        }
      }
      return;
    }
  }
}

void Sender::fatal_locked(Error e) {
  core_.txn.fatal(e);
  for (const BatchPtr& b : core_.accumulator.take_all()) {
    for (PendingRecord& r : b->records) {
      core_.unresolved.erase(r.id);
      if (r.callback) core_.to_app([cb = r.callback, e] { cb(SendResult{e, -1}); });
    }
  }
  // Late coordinator answers are ignored (their correlation id is forgotten).
  core_.requests.clear();
  core_.coordinator_corr = 0;
  core_.end_queued = false;
  core_.flush = false;
  core_.complete(core_.init_done, e);
  core_.complete(core_.offsets_done, e);
  core_.complete(core_.commit_done, e);
  core_.complete(core_.abort_done, e);
}

// commitTransaction() waits for the flush; abortTransaction() for the requests in flight.
// Then EndTxn. An error meanwhile fails the commit (the application must abort).
void Sender::maybe_transaction_progress_locked() {
  TransactionManager& txn = core_.txn;
  if (!txn.transactional()) {
    if (txn.idempotent() && (!txn.has_producer_id() || txn.bump_requested()) && !init_queued_) {
      CoordinatorRequest r;
      r.kind = CoordinatorRequest::Kind::kInitProducerId;
      core_.requests.push_back(r);
      init_queued_ = true;
    }
    return;
  }
  if (txn.state() == TxnState::kAbortableError && core_.commit_done) {
    core_.flush = false;
    core_.complete(core_.commit_done, txn.last_error());
    return;
  }
  if (core_.end_queued) return;
  bool flushed = core_.accumulator.empty() && !produce_in_flight_locked();
  if (txn.state() == TxnState::kCommitting && flushed) {
    CoordinatorRequest r;
    r.kind = CoordinatorRequest::Kind::kEndTxn;
    r.commit = true;
    r.msg = txn.txn_msg();
    r.gen = txn.txn_gen();
    core_.requests.push_back(r);
    core_.end_queued = true;
  } else if (txn.state() == TxnState::kAborting && !produce_in_flight_locked()) {
    CoordinatorRequest r;
    r.kind = CoordinatorRequest::Kind::kEndTxn;
    r.commit = false;
    r.msg = txn.txn_msg();
    r.gen = txn.txn_gen();
    core_.requests.push_back(r);
    core_.end_queued = true;
  }
}

void Sender::maybe_coordinator_request_locked(Millis now, Millis* wake) {
  if (core_.coordinator_corr != 0 || core_.requests.empty()) return;
  // TransactionManager.maybeTerminateRequestWithError: in an error state (a batch failed
  // for good after the application queued its partition and offsets) the transaction's
  // requests are failed with the error instead of sent; only EndTxn (the abort) and
  // InitProducerId go out.
  if (core_.txn.transactional() && core_.txn.state() == TxnState::kAbortableError) {
    std::deque<CoordinatorRequest> keep;
    for (const CoordinatorRequest& r : core_.requests) {
      if (r.kind == CoordinatorRequest::Kind::kEndTxn || r.kind == CoordinatorRequest::Kind::kInitProducerId)
        keep.push_back(r);
    }
    core_.requests = std::move(keep);
    core_.complete(core_.offsets_done, core_.txn.last_error());
    if (core_.requests.empty()) return;
  }
  // TransactionManager.nextRequest: no EndTxn for a transaction that added neither its
  // partition nor its offsets (transactionStarted is false): the coordinator knows nothing
  // to complete. The producer completes it on its own ("Not sending EndTxn for completed
  // transaction since no partitions or offsets were successfully added").
  if (core_.txn.transactional() && core_.requests.front().kind == CoordinatorRequest::Kind::kEndTxn &&
      !core_.txn.transaction_started()) {
    CoordinatorRequest r = core_.requests.front();
    Event e;
    e.type = EventType::kEndTxn;
    e.msg = r.msg;
    e.gen = r.gen;
    e.producer_id = core_.txn.event_producer_id();
    e.result = r.commit ? Result::kCommitTxn : Result::kAbortTxn;
    core_.env.trace.record(e);
    end_txn_done_locked(r.commit, -1);
    if (core_.requests.empty()) return;
  }
  if (now < coordinator_retry_at_) {
    *wake = std::min(*wake, coordinator_retry_at_);
    return;
  }
  const Env& env = core_.env;
  const TransactionManager& txn = core_.txn;
  const CoordinatorRequest& r = core_.requests.front();
  int64_t corr = next_correlation_++;
  core_.coordinator_corr = corr;
  switch (r.kind) {
    case CoordinatorRequest::Kind::kInitProducerId: {
      InitProducerIdRequest q;
      q.correlation_id = corr;
      q.transactional = txn.transactional();
      q.transaction_timeout_ms = static_cast<int32_t>(env.config.transaction_timeout_ms);
      if (r.bump) {
        q.producer_id = txn.producer_id();
        q.producer_epoch = txn.epoch();
      }
      env.network.send(core_.node, kTxnCoordinator, q);
      break;
    }
    case CoordinatorRequest::Kind::kAddPartitions: {
      AddPartitionsToTxnRequest q;
      q.correlation_id = corr;
      q.producer_id = txn.producer_id();
      q.producer_epoch = txn.epoch();
      q.msg = r.msg;
      q.gen = r.gen;
      env.network.send(core_.node, kTxnCoordinator, q);
      break;
    }
    case CoordinatorRequest::Kind::kAddOffsets: {
      AddOffsetsToTxnRequest q;
      q.correlation_id = corr;
      q.producer_id = txn.producer_id();
      q.producer_epoch = txn.epoch();
      q.offset = r.offset;
      q.msg = r.msg;
      q.gen = r.gen;
      env.network.send(core_.node, kTxnCoordinator, q);
      break;
    }
    case CoordinatorRequest::Kind::kTxnOffsetCommit: {
      TxnOffsetCommitRequest q;
      q.correlation_id = corr;
      q.producer_id = txn.producer_id();
      q.producer_epoch = txn.epoch();
      q.generation = r.generation;
      q.offset = r.offset;
      env.network.send(core_.node, kGroupCoordinator, q);
      break;
    }
    case CoordinatorRequest::Kind::kEndTxn: {
      EndTxnRequest q;
      q.correlation_id = corr;
      q.producer_id = txn.producer_id();
      q.producer_epoch = txn.epoch();
      q.commit = r.commit;
      q.msg = r.msg;
      q.gen = r.gen;
      env.network.send(core_.node, kTxnCoordinator, q);
      break;
    }
  }
}

// EndTxn succeeded (or was not needed): the transaction is over. `new_epoch` >= 0: the
// coordinator bumped the epoch with it (transaction.version=2).
void Sender::end_txn_done_locked(bool commit, int16_t new_epoch) {
  TransactionManager& txn = core_.txn;
  core_.requests.pop_front();
  core_.end_queued = false;
  core_.flush = false;
  if (new_epoch >= 0) txn.set_producer_id(txn.producer_id(), new_epoch);
  if (commit) {
    txn.set_state(TxnState::kReady);
    core_.complete(core_.commit_done, Error::kNone);
  } else if (core_.env.config.version >= KafkaVersion{2, 5, 0} && new_epoch < 0) {
    // KIP-360: after an abortable error the producer bumps its epoch before going on.
    txn.set_state(TxnState::kInitializing);
    CoordinatorRequest bump;
    bump.kind = CoordinatorRequest::Kind::kInitProducerId;
    bump.bump = true;
    core_.requests.push_front(bump);
  } else {
    txn.set_state(TxnState::kReady);
    core_.complete(core_.abort_done, Error::kNone);
  }
}

// An error of a coordinator request: the transaction is abortable, or the instance fenced.
// Requests queued behind it for the same transaction are dropped.
void Sender::coordinator_error_locked(Error e, bool fatal) {
  if (fatal) {
    fatal_locked(Error::kProducerFenced);
    return;
  }
  core_.txn.abortable(e);
  std::deque<CoordinatorRequest> keep;
  for (const CoordinatorRequest& r : core_.requests) {
    if (r.kind == CoordinatorRequest::Kind::kEndTxn || r.kind == CoordinatorRequest::Kind::kInitProducerId) {
      keep.push_back(r);
    }
  }
  core_.requests = std::move(keep);
  core_.complete(core_.offsets_done, e);
}

void Sender::handle_coordinator_response_locked(const Payload& p) {
  int64_t corr = std::visit([](const auto& m) -> int64_t {
    if constexpr (requires { m.correlation_id; }) {
      return m.correlation_id;
    } else {
      return -1;
    }
  }, p);
  if (corr != core_.coordinator_corr || core_.coordinator_corr == 0 || core_.requests.empty()) return;
  core_.coordinator_corr = 0;
  const Env& env = core_.env;
  TransactionManager& txn = core_.txn;
  CoordinatorRequest req = core_.requests.front();
  Millis now = env.runtime.now();
  auto retry_later = [&] { coordinator_retry_at_ = now + env.timings.retry_backoff_ms; };
  auto fenced = [](Error e) { return e == Error::kProducerFenced || e == Error::kInvalidProducerEpoch; };
  auto offsets_event = [&](Result result) {
    Event e;
    e.type = EventType::kAddOffsetsToTxn;
    e.msg = txn.txn_msg();
    e.gen = txn.txn_gen();
    e.producer_id = txn.event_producer_id();
    e.offset = static_cast<int32_t>(req.offset);
    e.result = result;
    env.trace.record(e);
  };

  if (auto* r = std::get_if<InitProducerIdResponse>(&p)) {
    if (r->error == Error::kNone) {
      core_.requests.pop_front();
      init_queued_ = false;
      txn.set_producer_id(r->producer_id, r->producer_epoch);
      if (txn.transactional()) {
        txn.set_state(TxnState::kReady);
        core_.complete(core_.init_done, Error::kNone);
        core_.complete(core_.abort_done, Error::kNone);
      }
    } else if (fenced(r->error)) {
      core_.requests.pop_front();
      fatal_locked(Error::kProducerFenced);
    } else {
      retry_later();  // CONCURRENT_TRANSACTIONS: the previous transaction is completing
    }
  } else if (auto* r = std::get_if<AddPartitionsToTxnResponse>(&p)) {
    if (r->error == Error::kNone) {
      core_.requests.pop_front();
      txn.set_partition_added();
    } else if (r->error == Error::kConcurrentTransactions) {
      retry_later();
    } else {
      core_.requests.pop_front();
      coordinator_error_locked(r->error, fenced(r->error));
    }
  } else if (auto* r = std::get_if<AddOffsetsToTxnResponse>(&p)) {
    if (r->error == Error::kNone) {
      core_.requests.pop_front();
      txn.set_offsets_added();
    } else if (r->error == Error::kConcurrentTransactions) {
      retry_later();
    } else {
      core_.requests.pop_front();
      offsets_event(fenced(r->error) ? Result::kProducerFenced : result_of(r->error, false));
      coordinator_error_locked(r->error, fenced(r->error));
    }
  } else if (auto* r = std::get_if<TxnOffsetCommitResponse>(&p)) {
    if (r->error == Error::kNone) {
      core_.requests.pop_front();
      offsets_event(Result::kNone);
      core_.complete(core_.offsets_done, Error::kNone);
    } else if (r->error == Error::kIllegalGeneration || r->error == Error::kUnknownMemberId ||
               r->error == Error::kRebalanceInProgress) {
      // KIP-447: the consumer generation was fenced; abortable.
      core_.requests.pop_front();
      offsets_event(Result::kIllegalGeneration);
      coordinator_error_locked(Error::kIllegalGeneration, false);
    } else if (fenced(r->error)) {
      core_.requests.pop_front();
      offsets_event(Result::kProducerFenced);
      coordinator_error_locked(r->error, true);
    } else {
      retry_later();
    }
  } else if (auto* r = std::get_if<EndTxnResponse>(&p)) {
    if (r->error == Error::kNone) {
      end_txn_done_locked(req.commit, r->producer_epoch);
    } else if (r->error == Error::kConcurrentTransactions) {
      retry_later();
    } else if (fenced(r->error) || !req.commit) {
      core_.requests.pop_front();
      core_.end_queued = false;
      fatal_locked(Error::kProducerFenced);
    } else {
      core_.requests.pop_front();
      core_.end_queued = false;
      core_.flush = false;
      txn.abortable(r->error);
      core_.complete(core_.commit_done, r->error);
    }
  }
}

}  // namespace kdc::impl
