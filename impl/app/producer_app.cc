#include "impl/app/producer_app.h"

#include <deque>
#include <mutex>
#include <utility>

#include "impl/app/processor_app.h"
#include "impl/producer/kafka_producer.h"

namespace kdc::impl {
namespace {

// The application sends its messages a few milliseconds apart, so that linger.ms and the
// batch size decide the batches, not one burst.

}  // namespace

class ProducerApp::Impl {
 public:
  Impl(const Env& env, Ledger& ledger, int instance, int messages)
      : env_(env), ledger_(ledger), instance_(instance), messages_(messages) {
    if (env_.config.processor()) {
      processor_ = std::make_unique<ProcessorApp>(env, ledger, instance, messages);
      return;
    }
    actor_ = env_.runtime.spawn("producer-app-" + std::to_string(instance));
    producer_ = std::make_unique<KafkaProducer>(env_, instance, actor_);
    env_.runtime.post(actor_, [this] { start(); });
  }
  ~Impl() { crash(); }

  void crash() {
    if (processor_) return processor_->crash();
    {
      std::lock_guard<std::mutex> g(mu_);
      if (crashed_) return;
      crashed_ = true;
    }
    env_.runtime.stop(actor_);
    producer_->crash();
  }

  bool expire_delivery(int32_t msg, int8_t gen) {
    if (processor_) return processor_->expire_delivery(msg, gen);
    {
      std::lock_guard<std::mutex> g(mu_);
      if (crashed_) return false;
    }
    return producer_->expire_delivery(msg, gen);
  }

  bool finished() const {
    if (processor_) return processor_->finished();
    Ledger::Snapshot s = ledger_.snapshot();
    for (int32_t m = 0; m < messages_; ++m) {
      auto it = s.messages.find(m);
      if (it == s.messages.end()) return false;
      const Ledger::Message& lm = it->second;
      if (!(lm.acked || lm.dropped || lm.abandoned)) return false;
    }
    return true;
  }

 private:
  // On the app actor from here on.
  void start() {
    // A restarted instance reads what the earlier ones left unresolved: it sends those again
    // (replay-unacked) or gives them up (skip), then goes on with what was never sent.
    Ledger::Snapshot s = ledger_.snapshot();
    std::deque<std::pair<int32_t, int8_t>> replays, fresh;
    for (int32_t m = 0; m < messages_; ++m) {
      auto it = s.messages.find(m);
      if (it == s.messages.end() || it->second.sends == 0) {
        fresh.emplace_back(m, 0);
        continue;
      }
      const Ledger::Message& lm = it->second;
      if (lm.acked || lm.dropped || lm.abandoned) continue;
      if (instance_ > 0 && env_.config.on_producer_restart == OnProducerRestart::kReplayUnacked) {
        replays.emplace_back(m, static_cast<int8_t>(lm.sends));
      } else {
        ledger_.abandoned(m);
      }
    }
    {
      std::lock_guard<std::mutex> g(mu_);
      queue_ = std::move(replays);
      for (auto& p : fresh) queue_.push_back(p);
    }
    if (env_.config.transactional) {
      {
        std::lock_guard<std::mutex> g(mu_);
        if (init_deferred_) {
          init_pending_ = true;
          return;
        }
      }
      init();
    } else {
      send_next();
    }
  }

 public:
  void defer_init() {
    std::lock_guard<std::mutex> g(mu_);
    init_deferred_ = true;
  }

  void release_init() {
    bool pending;
    {
      std::lock_guard<std::mutex> g(mu_);
      init_deferred_ = false;
      pending = init_pending_;
      init_pending_ = false;
    }
    if (pending) env_.runtime.post(actor_, [this] { init(); });
  }

 private:
  void init() {
    producer_->init_transactions([this](Error e) {
      if (e == Error::kNone) next_transaction();
    });
  }

  bool pop(std::pair<int32_t, int8_t>* out) {
    std::lock_guard<std::mutex> g(mu_);
    if (queue_.empty()) return false;
    *out = queue_.front();
    queue_.pop_front();
    return true;
  }

  // Plain producer: one send() per message, acting on each callback as app.on.send.error says.
  void send_next() {
    std::pair<int32_t, int8_t> m;
    if (!pop(&m)) return;
    send(m.first, m.second);
    if (env_.timings.app_send_interval_ms > 0) {
      env_.runtime.after(actor_, env_.timings.app_send_interval_ms, [this] { send_next(); });
    } else {
      env_.runtime.post(actor_, [this] { send_next(); });
    }
  }

  void send(int32_t msg, int8_t gen) {
    ledger_.sent(msg, gen);
    producer_->send(msg, gen, [this, msg, gen](const SendResult& r) {
      if (r.error == Error::kNone) {
        ledger_.acked(msg, gen, r.offset);
        return;
      }
      bool drop = env_.config.on_send_error == OnSendError::kDrop;
      ledger_.failed(msg, gen, drop);
      if (!drop) send(msg, static_cast<int8_t>(gen + 1));
    });
  }

  // Transactional producer: beginTransaction(); send(m); commitTransaction() per message.
  // On an abortable error it aborts, then drops m or sends it again in a new transaction.
  void next_transaction() {
    std::pair<int32_t, int8_t> m;
    if (!pop(&m)) return;
    auto [msg, gen] = m;
    producer_->begin_transaction();
    ledger_.sent(msg, gen);
    auto offset = std::make_shared<int64_t>(-1);
    producer_->send(msg, gen, [offset](const SendResult& r) {
      if (r.error == Error::kNone) *offset = r.offset;
    });
    producer_->commit_transaction([this, msg, gen, offset](Error e) {
      if (e == Error::kNone) {
        ledger_.acked(msg, gen, *offset);
        return next_transaction();
      }
      if (e == Error::kProducerFenced) return;  // fatal: this instance is done
      producer_->abort_transaction([this, msg, gen](Error e2) {
        if (e2 != Error::kNone) return;  // fenced while aborting
        bool drop = env_.config.on_send_error == OnSendError::kDrop;
        ledger_.failed(msg, gen, drop);
        if (!drop) {
          std::lock_guard<std::mutex> g(mu_);
          queue_.emplace_front(msg, static_cast<int8_t>(gen + 1));
        }
        next_transaction();
      });
    });
  }

  const Env& env_;
  Ledger& ledger_;
  const int instance_;
  const int messages_;
  std::unique_ptr<ProcessorApp> processor_;
  ActorId actor_ = -1;
  std::unique_ptr<KafkaProducer> producer_;

  mutable std::mutex mu_;
  bool crashed_ = false;
  bool init_deferred_ = false;  // defer_init(): hold initTransactions() until release_init()
  bool init_pending_ = false;   // start() reached it while held
  std::deque<std::pair<int32_t, int8_t>> queue_;
};

ProducerApp::ProducerApp(const Env& env, Ledger& ledger, int instance, int messages)
    : impl_(std::make_unique<Impl>(env, ledger, instance, messages)) {}
ProducerApp::~ProducerApp() = default;
void ProducerApp::crash() { impl_->crash(); }
bool ProducerApp::finished() const { return impl_->finished(); }
bool ProducerApp::expire_delivery(int32_t msg, int8_t gen) { return impl_->expire_delivery(msg, gen); }
void ProducerApp::defer_init() { impl_->defer_init(); }
void ProducerApp::release_init() { impl_->release_init(); }

}  // namespace kdc::impl
