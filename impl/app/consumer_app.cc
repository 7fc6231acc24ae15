// The consumer application's poll loop, on its own actor (the application thread):
//
//   loop: records = poll()
//         commit-then-process: commitSync(position); on CommitFailedException drop the batch
//         process the records (sync: here, one record per work item; async: on the worker)
//         process-then-commit-sync / -async: commitSync / commitAsync(position)
//
// A record takes effect in the sink (the ledger) and its `process` event is recorded in one
// step, under the ledger's lock; with offsets in the sink the next offset is stored in the
// same step. With async processing the worker takes the records in order while the loop
// goes on polling and committing: "process" then means "handed to the worker", which is the
// point of the async configurations (commits may run ahead of processing).
#include "impl/app/consumer_app.h"

#include <algorithm>
#include <deque>
#include <mutex>
#include <string>

#include "impl/consumer/kafka_consumer.h"

namespace kdc::impl {

class ConsumerApp::Impl {
 public:
  Impl(const Env& env, Ledger& ledger, int instance)
      : env_(env), ledger_(ledger), async_(env.config.processing == Processing::kAsync) {
    const std::string name = "consumer-" + std::to_string(instance);
    app_ = env_.runtime.spawn(name + "/app");
    worker_ = env_.runtime.spawn(name + "/worker");
    consumer_ = std::make_unique<KafkaConsumer>(env_, instance, app_);
    if (env_.config.offsets_in_sink()) {
      // onPartitionsAssigned: seek to the offset stored with the results.
      consumer_->on_assigned_seek([this] { return ledger_.stored_offset(); });
    }
    // The downstream reader of a processor's output is no member of the processor's group.
    if (env_.config.processor()) consumer_->assign_manually();
    env_.runtime.post(app_, [this] { poll(); });
  }

  ~Impl() { crash(); }

  void crash() {
    {
      std::lock_guard<std::mutex> g(mu_);
      if (crashed_) return;
      crashed_ = true;
    }
    env_.runtime.stop(app_);
    env_.runtime.stop(worker_);
    consumer_->crash();
  }

  int64_t processed_upto() const {
    std::lock_guard<std::mutex> g(mu_);
    return std::max<int64_t>(processed_upto_, 0);
  }

  bool busy() const {
    std::lock_guard<std::mutex> g(mu_);
    return !batch_.empty() || worker_pending_ > 0 || commit_in_flight_ || async_in_flight_ ||
           async_commit_due_;
  }

  bool stopped() const {
    std::lock_guard<std::mutex> g(mu_);
    return stopped_;
  }

 private:
  CommitMode mode() const { return env_.config.commit; }

  // ---- the loop (app actor) ----

  void poll() {
    consumer_->poll([this](Error e, std::vector<Record> records) {
      on_polled(e, std::move(records));
    });
  }

  void poll_later() {
    env_.runtime.after(app_, env_.timings.consumer_poll_interval_ms, [this] { poll(); });
  }

  void on_polled(Error e, std::vector<Record> records) {
    const int64_t position = consumer_->position();
    const int32_t position_epoch = consumer_->position_epoch();
    std::unique_lock<std::mutex> l(mu_);
    if (e == Error::kOffsetOutOfRange) {
      stopped_ = true;  // auto.offset.reset=none: the application's poll() threw
      return;
    }
    if (records.empty()) {
      // Caught up: nothing below the position is left unprocessed.
      if (!busy_processing_locked() && position >= 0) {
        processed_upto_ = std::max(processed_upto_, position);
      }
      l.unlock();
      poll_later();
      return;
    }
    batch_end_ = position;
    batch_epoch_ = position_epoch;
    // Seeded bug commit_before_process: process-then-commit commits at poll time.
    const bool early_commit = env_.bugs.commit_before_process &&
                              (mode() == CommitMode::kProcessThenCommitSync ||
                               mode() == CommitMode::kProcessThenCommitAsync);
    if (mode() == CommitMode::kCommitThenProcess || early_commit) {
      commit_in_flight_ = true;
      l.unlock();
      consumer_->commit_sync(position, position_epoch,
                             [this, rs = std::move(records)](Error ce) mutable {
                               {
                                 std::lock_guard<std::mutex> g(mu_);
                                 commit_in_flight_ = false;
                               }
                               // CommitFailedException: the batch is abandoned; the next
                               // poll() rejoins.
                               if (ce != Error::kNone) {
                                 poll();
                                 return;
                               }
                               start_processing(std::move(rs));
                             });
      return;
    }
    l.unlock();
    start_processing(std::move(records));
  }

  void start_processing(std::vector<Record> records) {
    std::unique_lock<std::mutex> l(mu_);
    if (!async_) {
      batch_.assign(records.begin(), records.end());
      l.unlock();
      env_.runtime.post(app_, [this] { process_next(); });
      return;
    }
    // Hand the batch to the worker; the loop goes on as if it were processed.
    const int64_t end = batch_end_;
    worker_pending_ += static_cast<int>(records.size()) + 1;
    for (const Record& r : records) {
      env_.runtime.post(worker_, [this, r] {
        std::lock_guard<std::mutex> g(mu_);
        process_locked(r);
        --worker_pending_;
      });
    }
    env_.runtime.post(worker_, [this, end] {
      std::lock_guard<std::mutex> g(mu_);
      processed_upto_ = std::max(processed_upto_, end);  // markers and skipped records too
      --worker_pending_;
    });
    l.unlock();
    after_processing();
  }

  // Sync processing: one record per work item, so that a crash can fall between two.
  void process_next() {
    {
      std::lock_guard<std::mutex> g(mu_);
      if (!batch_.empty()) {
        process_locked(batch_.front());
        batch_.pop_front();
        if (!batch_.empty()) {
          env_.runtime.post(app_, [this] { process_next(); });
          return;
        }
      }
      processed_upto_ = std::max(processed_upto_, batch_end_);
    }
    after_processing();
  }

  void process_locked(const Record& r) {
    Ledger::Applied a;
    a.msg = r.msg;
    a.gen = r.gen;
    a.offset = r.offset;
    a.leader_epoch = r.leader_epoch;
    a.producer_id = r.producer_id;
    a.producer_epoch = r.producer_epoch;
    ledger_.applied(
        a,
        [&] {
          Event e;
          e.type = EventType::kProcess;
          e.msg = r.msg;
          e.gen = r.gen;
          e.offset = static_cast<int32_t>(r.offset);
          e.leader_epoch = r.leader_epoch;
          env_.trace.record(e);
        },
        env_.config.offsets_in_sink() ? r.offset + 1 : -1);
    processed_upto_ = std::max(processed_upto_, r.offset + 1);
  }

  // The batch is processed (or, async, handed over): commit as app.commit says, then poll.
  void after_processing() {
    std::unique_lock<std::mutex> l(mu_);
    const int64_t offset = batch_end_;
    const int32_t epoch = batch_epoch_;
    switch (mode()) {
      case CommitMode::kProcessThenCommitSync:
        commit_in_flight_ = true;
        l.unlock();
        consumer_->commit_sync(offset, epoch, [this](Error) {
          {
            std::lock_guard<std::mutex> g(mu_);
            commit_in_flight_ = false;
          }
          poll();  // a failed commit: nothing of the batch is left; poll() rejoins
        });
        return;
      case CommitMode::kProcessThenCommitAsync:
        if (async_in_flight_) {
          // One async commit at a time: this one goes when the earlier one completes, and the
          // loop polls again only after that (the commit is owed).
          async_commit_due_ = true;
          return;
        }
        l.unlock();
        commit_async(offset, epoch);
        poll();
        return;
      default:
        l.unlock();
        poll();
        return;
    }
  }

  void commit_async(int64_t offset, int32_t epoch) {
    {
      std::lock_guard<std::mutex> g(mu_);
      async_in_flight_ = true;
      async_commit_due_ = false;
    }
    consumer_->commit_async(offset, epoch, [this](Error) {
      bool owed = false;
      int64_t o = -1;
      int32_t ep = -1;
      {
        std::lock_guard<std::mutex> g(mu_);
        async_in_flight_ = false;
        owed = async_commit_due_;
        o = batch_end_;
        ep = batch_epoch_;
      }
      if (owed) {
        commit_async(o, ep);
        poll();
      }
    });
  }

  bool busy_processing_locked() const { return !batch_.empty() || worker_pending_ > 0; }

  Env env_;
  Ledger& ledger_;
  const bool async_;
  ActorId app_ = -1;
  ActorId worker_ = -1;
  std::unique_ptr<KafkaConsumer> consumer_;

  mutable std::mutex mu_;
  bool crashed_ = false;
  bool stopped_ = false;
  int64_t processed_upto_ = -1;
  std::deque<Record> batch_;     // sync: polled, not yet processed
  int worker_pending_ = 0;       // async: items queued on the worker
  int64_t batch_end_ = -1;       // the position after the last poll
  int32_t batch_epoch_ = -1;
  bool commit_in_flight_ = false;
  bool async_in_flight_ = false;
  bool async_commit_due_ = false;
};

ConsumerApp::ConsumerApp(const Env& env, Ledger& ledger, int instance)
    : impl_(std::make_unique<Impl>(env, ledger, instance)) {}
ConsumerApp::~ConsumerApp() = default;
void ConsumerApp::crash() { impl_->crash(); }
int64_t ConsumerApp::processed_upto() const { return impl_->processed_upto(); }
bool ConsumerApp::busy() const { return impl_->busy(); }
bool ConsumerApp::stopped() const { return impl_->stopped(); }

}  // namespace kdc::impl
