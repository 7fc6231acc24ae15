// A test double for the partition leader, seen from a consumer: a broker actor bound to a
// node that answers Metadata, Fetch, ListOffsets and OffsetsForLeaderEpoch from a scripted
// log, with Kafka's checks (FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH against the fetcher's
// current epoch, OFFSET_OUT_OF_RANGE past the log end, reads bounded by the high watermark or
// the last stable offset). Tests change the log between steps to script truncations and
// elections. Deterministic runtime only (no locking).
#ifndef KDC_IMPL_CONSUMER_TESTING_FAKE_LEADER_H_
#define KDC_IMPL_CONSUMER_TESTING_FAKE_LEADER_H_

#include <type_traits>
#include <variant>
#include <vector>

#include "impl/cluster/env.h"

namespace kdc::impl::testing {

class FakeLeader {
 public:
  FakeLeader(const Env& env, NodeId node) : env_(env), node_(node) {
    actor_ = env_.runtime.spawn("fake-leader");
    env_.network.attach(node_, actor_, [this](Message m) { handle(std::move(m)); },
                        [](NodeId) {});
  }

  // The log; hw / lso -1 mean "the log end" / "the high watermark".
  std::vector<Record> log;
  int64_t hw = -1;
  int64_t lso = -1;
  int32_t epoch = 1;
  std::vector<AbortedTransaction> aborted;
  int fetches = 0;
  std::vector<FetchRequest> fetch_requests;

  void append(int32_t msg, int32_t leader_epoch, int64_t producer_id = -1,
              bool transactional = false, Control control = Control::kNone) {
    Record r;
    r.offset = static_cast<int64_t>(log.size());
    r.leader_epoch = leader_epoch;
    r.msg = msg;
    r.gen = msg >= 0 ? 0 : -1;
    r.producer_id = producer_id;
    r.transactional = transactional;
    r.control = control;
    log.push_back(r);
  }
  int64_t leo() const { return static_cast<int64_t>(log.size()); }
  int64_t high_watermark() const { return hw < 0 ? leo() : hw; }
  int64_t stable_offset() const { return lso < 0 ? high_watermark() : lso; }

 private:
  void reply(NodeId to, Payload p) { env_.network.send(node_, to, std::move(p)); }

  void handle(Message m) {
    std::visit(
        [&](auto& req) {
          using T = std::decay_t<decltype(req)>;
          if constexpr (std::is_same_v<T, MetadataRequest>) {
            MetadataResponse r;
            r.correlation_id = req.correlation_id;
            r.leader = node_;
            r.leader_epoch = epoch;
            reply(m.from, r);
          } else if constexpr (std::is_same_v<T, FetchRequest>) {
            ++fetches;
            fetch_requests.push_back(req);
            FetchResponse r;
            r.correlation_id = req.correlation_id;
            r.high_watermark = high_watermark();
            r.last_stable_offset = stable_offset();
            r.log_end_offset = leo();
            r.leader_epoch = epoch;
            if (req.current_leader_epoch >= 0 && req.current_leader_epoch < epoch) {
              r.error = Error::kFencedLeaderEpoch;
            } else if (req.current_leader_epoch > epoch) {
              r.error = Error::kUnknownLeaderEpoch;
            } else if (req.fetch_offset > leo()) {
              r.error = Error::kOffsetOutOfRange;
            } else {
              const int64_t bound = req.isolation == IsolationLevel::kReadCommitted
                                        ? stable_offset()
                                        : high_watermark();
              for (const Record& rec : log) {
                if (rec.offset >= req.fetch_offset && rec.offset < bound) r.records.push_back(rec);
              }
              if (req.isolation == IsolationLevel::kReadCommitted) r.aborted = aborted;
            }
            reply(m.from, r);
          } else if constexpr (std::is_same_v<T, ListOffsetsRequest>) {
            ListOffsetsResponse r;
            r.correlation_id = req.correlation_id;
            r.leader_epoch = epoch;
            if (req.timestamp == -2) {
              r.offset = 0;
            } else {
              r.offset = req.isolation == IsolationLevel::kReadCommitted ? stable_offset()
                                                                         : high_watermark();
            }
            reply(m.from, r);
          } else if constexpr (std::is_same_v<T, OffsetsForLeaderEpochRequest>) {
            OffsetsForLeaderEpochResponse r;
            r.correlation_id = req.correlation_id;
            if (req.current_leader_epoch >= 0 && req.current_leader_epoch < epoch) {
              r.error = Error::kFencedLeaderEpoch;
            } else {
              // The largest epoch <= the one asked for, and where the next one starts.
              int32_t found = -1;
              for (const Record& rec : log) {
                if (rec.leader_epoch <= req.leader_epoch) found = std::max(found, rec.leader_epoch);
              }
              if (found < 0) {
                r.leader_epoch = req.leader_epoch;
                r.end_offset = 0;
              } else {
                r.leader_epoch = found;
                r.end_offset = leo();
                for (const Record& rec : log) {
                  if (rec.leader_epoch > found) {
                    r.end_offset = rec.offset;
                    break;
                  }
                }
              }
            }
            reply(m.from, r);
          }
        },
        m.payload);
  }

  Env env_;
  NodeId node_;
  ActorId actor_ = -1;
};

}  // namespace kdc::impl::testing

#endif  // KDC_IMPL_CONSUMER_TESTING_FAKE_LEADER_H_
