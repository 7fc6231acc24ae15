#include "conformance/history_trace.h"

#include <map>
#include <set>
#include <utility>

namespace kdc {
namespace {

class Converter {
 public:
  explicit Converter(const Trace& t) : t_(t) {}

  History run() {
    // A send whose transaction ends in the trace completes when it ends, not at its ack.
    for (const Event& e : t_.events)
      if (e.type == EventType::kEndTxn || e.type == EventType::kTransactionTimeout ||
          (e.type == EventType::kInitProducerId && e.result == Result::kConcurrentTransactions))
        transactional_.insert({e.msg, e.gen});
    for (step_ = 1; step_ <= int64_t(t_.events.size()); ++step_) on(t_.events[step_ - 1]);
    close_poll();
    return std::move(h_);
  }

 private:
  using Id = std::pair<int32_t, int8_t>;  // (msg, gen)
  struct Pending {
    int64_t process;
  };

  Operation& emit(int64_t process, OpType type, OpF f) {
    Operation op;
    op.index = int64_t(h_.ops.size());
    op.time = step_;
    op.process = Atom::integer(process);
    op.type = type;
    op.f = f;
    h_.ops.push_back(std::move(op));
    return h_.ops.back();
  }
  void send_op(int64_t process, OpType type, int32_t msg, int64_t offset, bool pair) {
    MicroOp m;
    m.kind = MicroOp::kSend;
    m.key = Atom::integer(0);
    m.value = Atom::integer(msg);
    m.pair = pair;
    m.offset = offset;
    emit(process, type, OpF::kSend).mops.push_back(m);
  }
  void complete(const Id& id, OpType type) {
    auto it = pending_.find(id);
    if (it == pending_.end()) return;
    int64_t process = it->second.process;
    pending_.erase(it);
    if (type == OpType::kOk) {
      auto o = appended_.find(id);
      send_op(process, type, id.first, o == appended_.end() ? kNilOffset : o->second, true);
    } else {
      send_op(process, type, id.first, kNilOffset, false);
    }
  }
  void crash(int64_t* process) {
    emit(*process, OpType::kInvoke, OpF::kCrash);
    emit(*process, OpType::kInfo, OpF::kCrash);
    *process += 2;
  }
  void close_poll() {
    if (poll_ < 0) return;
    Operation& op = emit(consumer_, OpType::kOk, OpF::kPoll);
    MicroOp m;
    m.kind = MicroOp::kPoll;
    m.polled = true;
    m.reads = std::move(reads_);
    op.mops.push_back(std::move(m));
    reads_.clear();
    poll_ = -1;
  }
  void open_poll() {
    close_poll();
    MicroOp m;
    m.kind = MicroOp::kPoll;
    emit(consumer_, OpType::kInvoke, OpF::kPoll).mops.push_back(m);
    poll_ = step_;
  }
  static bool failed(Result outcome) {
    return outcome == Result::kFailedDropped || outcome == Result::kFailedResent;
  }

  void on(const Event& e) {
    Id id{e.msg, e.gen};
    switch (e.type) {
      case EventType::kSend:
        send_op(producer_, OpType::kInvoke, e.msg, kNilOffset, false);
        pending_[id] = {producer_};
        break;
      case EventType::kHandleProduce:
      case EventType::kProduceComplete:
        if ((e.result == Result::kAppended || e.result == Result::kDuplicate) && e.offset >= 0)
          appended_[id] = e.offset;
        break;
      case EventType::kProduceResponse:
      case EventType::kRequestTimeout:
      case EventType::kDeliveryTimeout:
        if (transactional_.count(id)) break;  // decided by end_txn
        if (e.outcome == Result::kAcked) complete(id, OpType::kOk);
        else if (failed(e.outcome)) complete(id, OpType::kInfo);
        break;
      case EventType::kEndTxn:
        if (e.result == Result::kCommitTxn) complete(id, OpType::kOk);
        else if (e.result == Result::kAbortTxn) complete(id, OpType::kFail);
        else complete(id, OpType::kInfo);
        break;
      case EventType::kTransactionTimeout:
        complete(id, OpType::kFail);
        break;
      case EventType::kInitProducerId:
        if (e.result == Result::kConcurrentTransactions) complete(id, OpType::kFail);
        break;
      case EventType::kProducerCrash: {
        std::vector<Id> open;
        for (auto& [pid, p] : pending_)
          if (p.process == producer_) open.push_back(pid);
        for (const Id& pid : open) complete(pid, OpType::kInfo);
        crash(&producer_);
        break;
      }
      case EventType::kPoll:
        open_poll();
        break;
      case EventType::kProcess:
        if (poll_ < 0) open_poll();
        reads_.push_back({Atom::integer(0), e.offset >= 0 ? int64_t(e.offset) : kNilOffset, Atom::integer(e.msg)});
        break;
      case EventType::kConsumerCrash:
        close_poll();
        crash(&consumer_);
        break;
      default:
        break;
    }
  }

  const Trace& t_;
  History h_;
  int64_t step_ = 0;
  int64_t producer_ = 0, consumer_ = 1;
  std::set<Id> transactional_;
  std::map<Id, Pending> pending_;
  std::map<Id, int64_t> appended_;
  int64_t poll_ = -1;  // step of the open poll, -1 none
  std::vector<Read> reads_;
};

}  // namespace

History history_from_trace(const Trace& trace) { return Converter(trace).run(); }

}  // namespace kdc
