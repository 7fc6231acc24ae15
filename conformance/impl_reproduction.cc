#include "conformance/impl_reproduction.h"

#include <variant>

#include "conformance/model_replay.h"

namespace kdc {
namespace {

// The fields of a step the implementation reproduces as the model writes them; offsets,
// sequence numbers and producer ids are the implementation's own.
Event pattern_of(const Event& e) {
  Event p;
  p.type = e.type;
  p.msg = e.msg;
  p.gen = e.gen;
  p.broker = e.broker;
  p.result = e.result;
  p.outcome = e.outcome;
  return p;
}

bool same_pattern(const Event& a, const Event& b) {
  return a.type == b.type && a.msg == b.msg && a.gen == b.gen && a.broker == b.broker &&
         a.result == b.result && a.outcome == b.outcome;
}

}  // namespace

std::vector<impl::DirectedFault> directed_faults_of(const std::vector<Event>& events,
                                                    impl::Millis heal_after) {
  std::vector<impl::DirectedFault> faults;
  for (size_t i = 0; i < events.size(); ++i) {
    if (!is_fault(events[i].type)) continue;
    impl::DirectedFault f;
    f.fault = events[i].type;
    f.broker = events[i].broker;
    f.heal_after = heal_after;
    f.count = events[i].type == EventType::kRequestTimeout ? events[i].count : -1;
    if (events[i].type == EventType::kDeliveryTimeout) {
      // The model's delivery timeout names the batch it expires.
      f.msg = events[i].msg;
      f.gen = events[i].gen;
    }
    if (i == 0) {
      // Nothing before it: right after the application's first send.
      f.after.type = EventType::kSend;
      f.after.msg = 0;
      f.after.gen = 0;
      f.occurrence = 1;
    } else {
      f.after = pattern_of(events[i - 1]);
      f.occurrence = 0;
      for (size_t j = 0; j < i; ++j) {
        if (same_pattern(pattern_of(events[j]), f.after)) ++f.occurrence;
      }
    }
    if (events[i].type == EventType::kProducerZombie) {
      // The replacement the zombie fault starts initialises (InitProducerId) where the
      // counterexample's next init_producer_id is: right after the step before it. Whether
      // the zombie commits first, or is fenced by it, is decided there.
      for (size_t k = i + 1; k < events.size(); ++k) {
        if (events[k].type != EventType::kInitProducerId) continue;
        f.init_after = pattern_of(events[k - 1]);
        for (size_t j = 0; j < k; ++j) {
          if (same_pattern(pattern_of(events[j]), f.init_after)) ++f.init_occurrence;
        }
        break;
      }
    }
    faults.push_back(f);
  }
  return faults;
}

ReproduceResult reproduce_on_impl(const Trace& model_trace, const ReproduceOptions& options) {
  ReproduceResult r;
  r.effect = model_trace.header.effect;
  if (r.effect.empty()) {
    r.error = "the trace names no effect (its header's \"effect\" is null): nothing to reproduce";
    return r;
  }
  auto loaded = config_of(model_trace.header);
  if (auto* e = std::get_if<ConfigError>(&loaded)) {
    r.error = "the trace's configuration: " + e->str();
    return r;
  }
  const Config& config = std::get<Config>(loaded);
  r.faults = directed_faults_of(model_trace.events, options.heal_after);
  for (int i = 0; i < options.seeds; ++i) {
    impl::RunOptions run;
    run.seed = options.first_seed + static_cast<uint64_t>(i);
    run.deterministic = true;
    run.directed_faults = r.faults;
    run.duration_ms = 600'000;  // virtual: a directed fault whose step never comes ends it
    // One record per batch, as in the model (docs/model.md, section 5, "Batching"): a
    // batch of several records is appended whole, which the model cannot do (finding F1).
    run.timings.batch_records = 1;
    impl::Cluster cluster(config, run);
    r.report = cluster.run();
    ++r.seeds_tried;
    if (r.report.effects.count(r.effect) > 0) {
      r.reproduced = true;
      r.seed = run.seed;
      r.events = cluster.trace().events();
      return r;
    }
    if (i + 1 == options.seeds) r.events = cluster.trace().events();
  }
  return r;
}

}  // namespace kdc
