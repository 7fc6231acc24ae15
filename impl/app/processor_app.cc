#include "impl/app/processor_app.h"

#include <algorithm>
#include <mutex>

#include "impl/producer/kafka_producer.h"

namespace kdc::impl {

class ProcessorApp::Impl {
 public:
  Impl(const Env& env, Ledger& ledger, int instance, int messages)
      : env_(env), ledger_(ledger), messages_(messages), node_(kProcessorNodeBase + instance) {
    actor_ = env_.runtime.spawn("processor-" + std::to_string(instance) + "/app");
    producer_ = std::make_unique<KafkaProducer>(env_, instance, actor_);
    env_.network.attach(node_, actor_, [this](Message m) { on_message(std::move(m)); }, nullptr);
    env_.runtime.post(actor_, [this] { start(); });
  }
  ~Impl() { crash(); }

  void crash() {
    {
      std::lock_guard<std::mutex> g(mu_);
      if (crashed_) return;
      crashed_ = true;
    }
    env_.runtime.stop(actor_);
    producer_->crash();
    env_.network.detach(node_);
  }

  bool finished() const {
    std::lock_guard<std::mutex> g(mu_);
    return done_;
  }
  bool stopped() const {
    std::lock_guard<std::mutex> g(mu_);
    return stopped_;
  }

  bool expire_delivery(int32_t msg, int8_t gen) {
    {
      std::lock_guard<std::mutex> g(mu_);
      if (crashed_) return false;
    }
    return producer_->expire_delivery(msg, gen);
  }

 private:
  // On the app actor from here on.
  void start() {
    producer_->init_transactions([this](Error e) {
      if (e != Error::kNone) return stop();
      join();
    });
  }

  void stop() {
    std::lock_guard<std::mutex> g(mu_);
    stopped_ = true;
  }

  void join() {
    std::lock_guard<std::mutex> g(mu_);
    join_corr_ = next_corr_++;
    env_.network.send(node_, kGroupCoordinator, JoinGroupRequest{join_corr_});
  }

  void fetch_offset_locked() {
    fetch_corr_ = next_corr_++;
    env_.network.send(node_, kGroupCoordinator, OffsetFetchRequest{fetch_corr_});
  }

  void on_message(Message m) {
    bool go = false;
    {
      std::lock_guard<std::mutex> g(mu_);
      if (crashed_) return;
      if (auto* r = std::get_if<JoinGroupResponse>(&m.payload)) {
        if (r->correlation_id != join_corr_) return;
        join_corr_ = 0;
        if (r->error != Error::kNone) {
          env_.runtime.after(actor_, env_.timings.retry_backoff_ms, [this] { join(); });
          return;
        }
        generation_ = r->generation;
        fetch_offset_locked();
      } else if (auto* r = std::get_if<OffsetFetchResponse>(&m.payload)) {
        if (r->correlation_id != fetch_corr_) return;
        fetch_corr_ = 0;
        if (r->error != Error::kNone) {
          env_.runtime.after(actor_, env_.timings.retry_backoff_ms, [this] {
            std::lock_guard<std::mutex> g(mu_);
            fetch_offset_locked();
          });
          return;
        }
        // The input topic starts at 0: no committed offset means from the beginning.
        committed_ = position_ = std::max<int64_t>(0, r->offset);
        Event e;
        e.type = EventType::kOffsetFetch;
        e.offset = static_cast<int32_t>(position_);
        env_.trace.record(e);
        go = true;
      }
    }
    if (go) next();
  }

  // One input record, one transaction.
  void next() {
    int64_t i;
    int8_t gen;
    {
      std::lock_guard<std::mutex> g(mu_);
      if (position_ >= messages_) {
        done_ = true;
        return;
      }
      i = position_;
      auto snap = ledger_.snapshot();
      auto it = snap.messages.find(static_cast<int32_t>(i));
      gen = static_cast<int8_t>(it == snap.messages.end() ? 0 : it->second.sends);
      offset_ = -1;
    }
    int32_t msg = static_cast<int32_t>(i);
    producer_->begin_transaction();
    ledger_.sent(msg, gen);
    producer_->send(msg, gen, [this](const SendResult& r) {
      std::lock_guard<std::mutex> g(mu_);
      if (r.error == Error::kNone) offset_ = r.offset;
    });
    int32_t generation;
    {
      std::lock_guard<std::mutex> g(mu_);
      generation = generation_;
    }
    producer_->send_offsets_to_transaction(i + 1, generation, [this, msg, gen](Error e) {
      if (e != Error::kNone) return failed(msg, gen, e);
      producer_->commit_transaction([this, msg, gen](Error e2) {
        if (e2 != Error::kNone) return failed(msg, gen, e2);
        int64_t offset;
        {
          std::lock_guard<std::mutex> g(mu_);
          committed_ = position_ = msg + 1;
          offset = offset_;
        }
        ledger_.acked(msg, gen, offset);
        next();
      });
    });
  }

  void failed(int32_t msg, int8_t gen, Error e) {
    if (e == Error::kProducerFenced) return stop();
    producer_->abort_transaction([this, msg, gen, e](Error e2) {
      if (e2 != Error::kNone) return stop();
      if (e == Error::kIllegalGeneration) {
        // Our generation was fenced (a rebalance): rejoin, then resume from the committed
        // input offset.
        Event ev;
        ev.type = EventType::kConsumerRejoin;
        env_.trace.record(ev);
        return join();
      }
      bool rewind = env_.config.on_txn_abort == OnTxnAbort::kRewind;
      {
        std::lock_guard<std::mutex> g(mu_);
        position_ = rewind ? committed_ : msg + 1;
      }
      if (!rewind) ledger_.failed(msg, gen, /*dropped=*/true);
      next();
    });
  }

  const Env& env_;
  Ledger& ledger_;
  const int messages_;
  const NodeId node_;
  ActorId actor_ = -1;
  std::unique_ptr<KafkaProducer> producer_;

  mutable std::mutex mu_;
  bool crashed_ = false;
  bool stopped_ = false;
  bool done_ = false;
  int64_t next_corr_ = 1;
  int64_t join_corr_ = 0;
  int64_t fetch_corr_ = 0;
  int32_t generation_ = -1;
  int64_t position_ = 0;   // the next input offset to process
  int64_t committed_ = 0;  // the last committed input offset this instance knows
  int64_t offset_ = -1;    // where the current transaction's output landed
};

ProcessorApp::ProcessorApp(const Env& env, Ledger& ledger, int instance, int messages)
    : impl_(std::make_unique<Impl>(env, ledger, instance, messages)) {}
ProcessorApp::~ProcessorApp() = default;
void ProcessorApp::crash() { impl_->crash(); }
bool ProcessorApp::finished() const { return impl_->finished(); }
bool ProcessorApp::stopped() const { return impl_->stopped(); }
bool ProcessorApp::expire_delivery(int32_t msg, int8_t gen) { return impl_->expire_delivery(msg, gen); }

}  // namespace kdc::impl
