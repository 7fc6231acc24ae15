// Test doubles for the producer's tests: a partition leader that answers Metadata and
// Produce as a test scripts it, and a group coordinator for the processor. Header-only, so
// that only the tests that include it build it.
#ifndef KDC_IMPL_PRODUCER_FAKE_CLUSTER_FOR_TEST_H_
#define KDC_IMPL_PRODUCER_FAKE_CLUSTER_FOR_TEST_H_

#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "impl/cluster/env.h"

namespace kdc::impl::testing {

// Everything a component needs, on the deterministic runtime.
struct TestEnv {
  explicit TestEnv(Config c, uint64_t seed = 1, Timings t = Timings{})
      : runtime(make_deterministic_runtime(seed)),
        network(*runtime, NetworkOptions{}),
        config(std::move(c)),
        env{*runtime, network, trace, config, t} {}
  ~TestEnv() { runtime->shutdown(); }
  bool run(const std::function<bool()>& done, Millis deadline = 600000) {
    return runtime->run_until(done, deadline);
  }
  std::vector<Event> events(EventType type) const {
    std::vector<Event> out;
    for (const Event& e : trace.events()) {
      if (e.type == type) out.push_back(e);
    }
    return out;
  }
  std::unique_ptr<Runtime> runtime;
  Network network;
  TraceRecorder trace;
  Config config;
  Env env;
};

// Broker `node` leading the partition (epoch 1). Each Produce is appended unless `script`
// returns an error for it; with `hold` the responses wait until release().
class FakeBroker {
 public:
  FakeBroker(TestEnv& t, NodeId node) : t_(t), node_(node) {
    actor_ = t.runtime->spawn("fake-broker");
    attach();
  }
  void attach() {
    t_.network.attach(node_, actor_, [this](Message m) { handle(std::move(m)); }, nullptr);
  }
  void handle(Message m) {
    if (auto* r = std::get_if<MetadataRequest>(&m.payload)) {
      MetadataResponse resp;
      resp.correlation_id = r->correlation_id;
      resp.leader = leader;
      resp.leader_epoch = leader_epoch;
      t_.network.send(node_, m.from, resp);
    } else if (auto* r = std::get_if<ProduceRequest>(&m.payload)) {
      produces.push_back(*r);
      ProduceResponse resp;
      resp.correlation_id = r->correlation_id;
      resp.error = script ? script(*r, static_cast<int>(produces.size()) - 1) : Error::kNone;
      if (resp.error == Error::kNone) {
        resp.base_offset = log_end;
        for (Record rec : r->batch.records) {
          rec.offset = log_end++;
          log.push_back(rec);
        }
      }
      if (r->acks == 0) return;
      if (hold) {
        held.emplace_back(m.from, resp);
      } else {
        t_.network.send(node_, m.from, resp);
      }
    } else if (auto* r = std::get_if<WriteTxnMarkersRequest>(&m.payload)) {
      markers.push_back(*r);
      Record rec;
      rec.offset = log_end++;
      rec.control = r->commit ? Control::kCommit : Control::kAbort;
      log.push_back(rec);
      WriteTxnMarkersResponse resp;
      resp.correlation_id = r->correlation_id;
      resp.offset = rec.offset;
      t_.network.send(node_, m.from, resp);
    }
  }
  void release() {
    for (auto& [to, resp] : held) t_.network.send(node_, to, resp);
    held.clear();
  }

  NodeId leader = 0;
  int32_t leader_epoch = 1;
  bool hold = false;
  std::function<Error(const ProduceRequest&, int)> script;
  std::vector<ProduceRequest> produces;
  std::vector<Record> log;
  std::vector<WriteTxnMarkersRequest> markers;
  std::vector<std::pair<NodeId, ProduceResponse>> held;
  int64_t log_end = 0;

 private:
  TestEnv& t_;
  NodeId node_;
  ActorId actor_;
};

// The group coordinator, as the processor sees it.
class FakeGroupCoordinator {
 public:
  explicit FakeGroupCoordinator(TestEnv& t) : t_(t) {
    actor_ = t.runtime->spawn("fake-group-coordinator");
    t.network.attach(kGroupCoordinator, actor_, [this](Message m) { handle(std::move(m)); }, nullptr);
  }
  void handle(Message m) {
    if (auto* r = std::get_if<JoinGroupRequest>(&m.payload)) {
      ++generation;
      t_.network.send(kGroupCoordinator, m.from, JoinGroupResponse{r->correlation_id, Error::kNone, generation});
    } else if (auto* r = std::get_if<OffsetFetchRequest>(&m.payload)) {
      t_.network.send(kGroupCoordinator, m.from, OffsetFetchResponse{r->correlation_id, Error::kNone, committed, -1});
    } else if (auto* r = std::get_if<TxnOffsetCommitRequest>(&m.payload)) {
      Error e = r->generation == generation ? Error::kNone : Error::kIllegalGeneration;
      if (e == Error::kNone) pending = r->offset;
      t_.network.send(kGroupCoordinator, m.from, TxnOffsetCommitResponse{r->correlation_id, e});
    } else if (auto* r = std::get_if<WriteTxnMarkersRequest>(&m.payload)) {
      if (r->commit && pending >= 0) committed = pending;
      pending = -1;
      WriteTxnMarkersResponse resp;
      resp.correlation_id = r->correlation_id;
      t_.network.send(kGroupCoordinator, m.from, resp);
    }
  }
  int32_t generation = 0;
  int64_t committed = -1;
  int64_t pending = -1;

 private:
  TestEnv& t_;
  ActorId actor_;
};

}  // namespace kdc::impl::testing

#endif  // KDC_IMPL_PRODUCER_FAKE_CLUSTER_FOR_TEST_H_
