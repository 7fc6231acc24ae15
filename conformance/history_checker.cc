#include "conformance/history_checker.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "conformance/history_graph.h"

namespace kdc {

bool anomaly_allowed(const std::string& anomaly, bool subscribes, const HistoryOptions& options) {
  if (anomaly == "int-send-skip" || anomaly == "G0") return true;
  if (subscribes && (anomaly == "poll-skip" || anomaly == "nonmonotonic-poll")) return true;
  if (options.ww_deps && anomaly == "G1c") return true;
  return false;
}

namespace {

using nlohmann::json;
constexpr uint32_t kNone = UINT32_MAX;
// Lists of skipped or unseen values are cut here; `delta` / `count` still give the size.
constexpr size_t kMaxListed = 32;

// What the history says about one value of one key.
struct ValueInfo {
  uint32_t key = 0;
  Atom value;
  int32_t writer = -1;          // last non-invoke operation that sent it (Jepsen's writer-of)
  int32_t first_ok_reader = -1;
  int64_t first_index = -1;     // dense log index of its first and last appearance
  int64_t last_index = -1;
  int64_t vo_index = -1;        // its index in the version order, if it is the one chosen there
  int32_t slots = 0;            // how many offsets hold it
  bool ok_read = false;         // polled by an :ok operation
  bool ok_sent = false;         // sent by an :ok operation
  bool failed = false;          // sent by a :fail operation
};

// One key's log: offsets observed (ascending), the distinct values at each, and the version
// order (one value per non-empty offset: the first observed).
struct KeyLog {
  std::vector<std::pair<int64_t, uint32_t>> entries;  // (offset, value id), as observed
  std::vector<int64_t> offset;                        // per dense index
  std::vector<uint32_t> begin;                        // per dense index into `values`, + end
  std::vector<uint32_t> values;
  std::vector<uint32_t> ok_read;                      // value ids polled by :ok operations
};

struct KV {
  uint32_t key;
  Atom value;
  bool operator==(const KV&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, const KV& kv) {
    return H::combine(std::move(h), kv.key, kv.value);
  }
};

// (key id, value id) of one read or send; value kNone for "polled the key, saw nothing".
struct Ref {
  uint32_t key;
  uint32_t vid;
};

// A per-operation view grouped by key, in first-appearance order; reused across operations.
struct Groups {
  std::vector<uint32_t> keys;
  std::vector<std::vector<uint32_t>> vids;
  size_t n = 0;
  void fill(const Ref* b, const Ref* e) {
    n = 0;
    for (const Ref* r = b; r != e; ++r) {
      size_t g = 0;
      while (g < n && keys[g] != r->key) ++g;
      if (g == n) {
        if (keys.size() <= n) {
          keys.emplace_back();
          vids.emplace_back();
        }
        keys[n] = r->key;
        vids[n].clear();
        ++n;
      }
      if (r->vid != kNone) vids[g].push_back(r->vid);
    }
  }
};

class Checker {
 public:
  Checker(const History& h, const HistoryOptions& o) : h_(h), opt_(o) {}

  HistoryReport run() {
    index();
    build_logs();
    inconsistent_offsets_and_duplicates();
    lost_writes();
    g1a_and_precommitted();
    internal_order();
    per_process();
    unseen();
    cycles();
    report_.keys = int64_t(key_atoms_.size());
    for (auto& [name, cases] : report_.anomalies)
      if (!anomaly_allowed(name, subscribes_, opt_)) report_.bad.push_back(name);
    report_.valid = report_.bad.empty();
    return std::move(report_);
  }

 private:
  uint32_t key_id(Atom k) {
    auto [it, inserted] = key_ids_.try_emplace(k, uint32_t(key_atoms_.size()));
    if (inserted) {
      key_atoms_.push_back(k);
      logs_.emplace_back();
    }
    return it->second;
  }
  uint32_t value_id(uint32_t key, Atom v) {
    auto [it, inserted] = value_ids_.try_emplace(KV{key, v}, uint32_t(info_.size()));
    if (inserted) {
      info_.emplace_back();
      info_.back().key = key;
      info_.back().value = v;
    }
    return it->second;
  }
  static bool reads_f(OpF f) { return f == OpF::kPoll || f == OpF::kTxn; }
  static bool writes_f(OpF f) { return f == OpF::kSend || f == OpF::kTxn; }
  const Ref* reads_begin(size_t i) const { return reads_.data() + read_begin_[i]; }
  const Ref* reads_end(size_t i) const { return reads_.data() + read_begin_[i + 1]; }
  const Ref* writes_begin(size_t i) const { return writes_.data() + write_begin_[i]; }
  const Ref* writes_end(size_t i) const { return writes_.data() + write_begin_[i + 1]; }

  // Pass 1: intern keys and values once, note who wrote and who read what.
  void index() {
    read_begin_.reserve(h_.ops.size() + 1);
    write_begin_.reserve(h_.ops.size() + 1);
    for (size_t i = 0; i < h_.ops.size(); ++i) {
      const Operation& op = h_.ops[i];
      read_begin_.push_back(uint32_t(reads_.size()));
      write_begin_.push_back(uint32_t(writes_.size()));
      client_.push_back(op.process.kind == Atom::kInt);
      if (!client_.back()) continue;
      ++report_.client_ops;
      if (op.f == OpF::kSubscribe) subscribes_ = true;
      bool completed = op.type != OpType::kInvoke;
      for (const MicroOp& m : op.mops) {
        if (m.kind == MicroOp::kSend && writes_f(op.f)) {
          uint32_t k = key_id(m.key);
          uint32_t v = value_id(k, m.value);
          writes_.push_back({k, v});
          if (!completed) continue;
          ValueInfo& vi = info_[v];
          vi.writer = int32_t(i);
          if (op.type == OpType::kFail) vi.failed = true;
          if (op.type == OpType::kOk) vi.ok_sent = true;
        } else if (m.kind == MicroOp::kPoll && reads_f(op.f)) {
          for (const Read& r : m.reads) {
            uint32_t k = key_id(r.key);
            if (r.value.kind == Atom::kAbsent) {
              reads_.push_back({k, kNone});
              continue;
            }
            uint32_t v = value_id(k, r.value);
            reads_.push_back({k, v});
            if (op.type != OpType::kOk) continue;
            ValueInfo& vi = info_[v];
            if (!vi.ok_read) logs_[k].ok_read.push_back(v);
            vi.ok_read = true;
            if (vi.first_ok_reader < 0) vi.first_ok_reader = int32_t(i);
          }
        }
      }
    }
    read_begin_.push_back(uint32_t(reads_.size()));
    write_begin_.push_back(uint32_t(writes_.size()));
  }

  // Jepsen's must-have-committed?: :ok, or :info with one of its sends polled by an :ok op.
  bool committed(size_t i) const {
    const Operation& op = h_.ops[i];
    if (op.type == OpType::kOk) return true;
    if (op.type != OpType::kInfo) return false;
    for (const Ref* w = writes_begin(i); w != writes_end(i); ++w)
      if (info_[w->vid].ok_read) return true;
    return false;
  }

  // Version orders: offsets from every poll (even of :fail ops: a poll's data is supposed to
  // be safe whatever its transaction does) and from sends that must have committed.
  void build_logs() {
    for (size_t i = 0; i < h_.ops.size(); ++i) {
      if (!client_[i]) continue;
      const Operation& op = h_.ops[i];
      bool sends = writes_f(op.f) && committed(i);
      const Ref* w = writes_begin(i);
      const Ref* r = reads_begin(i);
      for (const MicroOp& m : op.mops) {
        if (m.kind == MicroOp::kSend) {
          if (!writes_f(op.f)) continue;
          if (sends && m.pair && m.offset != kNilOffset) logs_[w->key].entries.push_back({m.offset, w->vid});
          ++w;
        } else if (reads_f(op.f)) {
          for (const Read& rd : m.reads) {
            if (rd.value.kind != Atom::kAbsent && rd.offset != kNilOffset)
              logs_[r->key].entries.push_back({rd.offset, r->vid});
            ++r;
          }
        }
      }
    }
    std::vector<std::pair<int64_t, uint32_t>> sorted;
    std::vector<uint32_t> count;
    for (KeyLog& log : logs_) {
      auto& e = log.entries;
      if (e.empty()) continue;
      // Offsets are nearly dense in practice: bucket them (linear); sort only a sparse log.
      int64_t lo = e[0].first, hi = e[0].first;
      for (auto& [o, v] : e) lo = std::min(lo, o), hi = std::max(hi, o);
      uint64_t range = uint64_t(hi - lo) + 1;
      if (range <= 4 * e.size() + 1024) {
        count.assign(range + 1, 0);
        for (auto& [o, v] : e) ++count[uint64_t(o - lo) + 1];
        for (size_t b = 1; b < count.size(); ++b) count[b] += count[b - 1];
        sorted.resize(e.size());
        for (auto& p : e) sorted[count[uint64_t(p.first - lo)]++] = p;  // stable
      } else {
        sorted = e;
        std::stable_sort(sorted.begin(), sorted.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
      }
      for (size_t j = 0; j < sorted.size(); ++j) {
        auto [o, v] = sorted[j];
        bool new_slot = log.offset.empty() || log.offset.back() != o;
        if (new_slot) {
          log.offset.push_back(o);
          log.begin.push_back(uint32_t(log.values.size()));
        }
        bool seen = false;
        for (size_t x = log.begin.back(); x < log.values.size() && !seen; ++x) seen = log.values[x] == v;
        if (!seen) log.values.push_back(v);
      }
      log.begin.push_back(uint32_t(log.values.size()));
      e.clear();
      e.shrink_to_fit();
      for (size_t d = 0; d + 1 < log.begin.size(); ++d) {
        for (uint32_t x = log.begin[d]; x < log.begin[d + 1]; ++x) {
          ValueInfo& vi = info_[log.values[x]];
          if (vi.first_index < 0) vi.first_index = int64_t(d);
          vi.last_index = int64_t(d);
          ++vi.slots;
        }
        info_[log.values[log.begin[d]]].vo_index = int64_t(d);  // Jepsen: later indices win
      }
    }
  }

  size_t log_size(uint32_t k) const { return logs_[k].offset.size(); }
  uint32_t chosen(uint32_t k, int64_t index) const { return logs_[k].values[logs_[k].begin[index]]; }

  json atom(Atom a) const {
    switch (a.kind) {
      case Atom::kInt: return a.v;
      case Atom::kBool: return bool(a.v);
      case Atom::kKeyword:
      case Atom::kString: return h_.names[a.v];
      default: return nullptr;
    }
  }
  json key(uint32_t k) const { return atom(key_atoms_[k]); }
  json value(uint32_t vid) const { return vid == kNone ? json(nullptr) : atom(info_[vid].value); }
  json op_ref(int64_t i) const {
    if (i < 0) return nullptr;
    const Operation& op = h_.ops[i];
    json j = {{"index", op.index},
              {"process", atom(op.process)},
              {"type", std::string(name(op.type))},
              {"f", op.f == OpF::kOther ? op.other_f : std::string(name(op.f))}};
    if (op.line > 0) j["line"] = op.line;
    return j;
  }
  json skipped(uint32_t k, int64_t from, int64_t to) const {  // version order (from, to)
    json out = json::array();
    for (int64_t i = from + 1; i < to && out.size() < kMaxListed; ++i) out.push_back(value(chosen(k, i)));
    return out;
  }
  void add(const char* anomaly, json detail) { report_.anomalies[anomaly].push_back(std::move(detail)); }

  void inconsistent_offsets_and_duplicates() {
    for (uint32_t k = 0; k < logs_.size(); ++k) {
      const KeyLog& log = logs_[k];
      for (size_t d = 0; d < log.offset.size(); ++d) {
        if (log.begin[d + 1] - log.begin[d] < 2) continue;
        std::vector<json> vs;
        for (uint32_t x = log.begin[d]; x < log.begin[d + 1]; ++x) vs.push_back(value(log.values[x]));
        add("inconsistent-offsets", {{"key", key(k)}, {"offset", log.offset[d]}, {"index", d}, {"values", vs}});
      }
      // A value at more than one offset, listed in the order of its first offset.
      std::vector<uint32_t> dups;
      absl::flat_hash_map<uint32_t, json> offsets;
      for (size_t d = 0; d < log.offset.size(); ++d)
        for (uint32_t x = log.begin[d]; x < log.begin[d + 1]; ++x) {
          uint32_t v = log.values[x];
          if (info_[v].slots < 2) continue;
          auto [it, first] = offsets.try_emplace(v, json::array());
          if (first) dups.push_back(v);
          it->second.push_back(log.offset[d]);
        }
      for (uint32_t v : dups)
        add("duplicate", {{"key", key(k)}, {"value", value(v)}, {"count", info_[v].slots}, {"offsets", offsets[v]}});
    }
  }

  // Every value at or below the highest offset an :ok poll reached must have been polled by
  // some :ok operation, if its writer must have committed.
  void lost_writes() {
    for (uint32_t k = 0; k < logs_.size(); ++k) {
      const KeyLog& log = logs_[k];
      int64_t bound = -1;
      uint32_t bound_value = kNone;
      for (uint32_t v : log.ok_read)
        if (info_[v].first_index > bound) bound = info_[v].first_index, bound_value = v;
      for (int64_t d = 0; d <= bound; ++d) {
        for (uint32_t x = log.begin[d]; x < log.begin[d + 1]; ++x) {
          const ValueInfo& vi = info_[log.values[x]];
          if (vi.last_index != d || vi.ok_read) continue;
          // A value with no writer cannot be judged (Jepsen stops with :no-writer-of).
          if (vi.writer < 0 || !committed(size_t(vi.writer))) continue;
          add("lost-write", {{"key", key(k)},
                             {"value", atom(vi.value)},
                             {"index", vi.first_index},
                             {"max-read-index", bound},
                             {"writer", op_ref(vi.writer)},
                             {"max-read", op_ref(info_[bound_value].first_ok_reader)}});
        }
      }
    }
  }

  void g1a_and_precommitted() {
    for (size_t i = 0; i < h_.ops.size(); ++i) {
      if (!client_[i]) continue;
      const Operation& op = h_.ops[i];
      if (op.type == OpType::kOk && reads_f(op.f))
        for (const Ref* r = reads_begin(i); r != reads_end(i); ++r)
          if (r->vid != kNone && info_[r->vid].failed)
            add("G1a", {{"key", key(r->key)},
                        {"value", value(r->vid)},
                        {"writer", op_ref(info_[r->vid].writer)},
                        {"reader", op_ref(int64_t(i))}});
      // A transaction that polled its own send: in Kafka's model no consumer sees a record
      // before its transaction commits.
      bool found = false;
      for (const Ref* w = writes_begin(i); w != writes_end(i) && !found; ++w)
        for (const Ref* r = reads_begin(i); r != reads_end(i) && !found; ++r)
          if (r->key == w->key && r->vid == w->vid) {
            add("precommitted-read", {{"op", op_ref(int64_t(i))}, {"key", key(w->key)}, {"value", value(w->vid)}});
            found = true;
          }
    }
  }

  int64_t vo(uint32_t vid) const { return vid == kNone ? -1 : info_[vid].vo_index; }

  // Inside one operation: successive polls (sends) of a key must be adjacent in its version
  // order. delta = i2 - i1; unknown indices count as 1, as in Jepsen.
  void internal_order() {
    Groups g;
    for (size_t i = 0; i < h_.ops.size(); ++i) {
      if (!client_[i]) continue;
      const Operation& op = h_.ops[i];
      if (reads_f(op.f)) {
        g.fill(reads_begin(i), reads_end(i));
        for (size_t x = 0; x < g.n; ++x) {
          if (std::find(op.rebalanced.begin(), op.rebalanced.end(), key_atoms_[g.keys[x]]) != op.rebalanced.end())
            continue;  // the assignment changed mid-operation: no promise of contiguity
          internal_pairs(i, g.keys[x], g.vids[x], "int-poll-skip", "int-nonmonotonic-poll");
        }
      }
      if (writes_f(op.f) && op.type != OpType::kInvoke) {
        g.fill(writes_begin(i), writes_end(i));
        for (size_t x = 0; x < g.n; ++x) internal_pairs(i, g.keys[x], g.vids[x], "int-send-skip", "int-nonmonotonic-send");
      }
    }
  }
  void internal_pairs(size_t i, uint32_t k, const std::vector<uint32_t>& vs, const char* skip, const char* nonmono) {
    for (size_t j = 1; j < vs.size(); ++j) {
      int64_t i1 = vo(vs[j - 1]), i2 = vo(vs[j]);
      int64_t delta = i1 >= 0 && i2 >= 0 ? i2 - i1 : 1;
      if (delta > 1)
        add(skip, {{"key", key(k)}, {"values", json::array({value(vs[j - 1]), value(vs[j])})}, {"delta", delta},
                   {"skipped", skipped(k, i1, i2)}, {"op", op_ref(int64_t(i))}});
      else if (delta < 1)
        add(nonmono, {{"key", key(k)}, {"values", json::array({value(vs[j - 1]), value(vs[j])})}, {"delta", delta},
                      {"op", op_ref(int64_t(i))}});
    }
  }

  // Across one process's operations: each poll of a key starts right after where its last
  // :ok poll of that key ended; each send follows its last send. An :assign / :subscribe
  // forgets the keys it no longer names.
  void per_process() {
    struct Last {
      int32_t op;
      uint32_t vid;  // the last value that operation polled (sent); kNone if none
    };
    struct Process {
      absl::flat_hash_map<uint32_t, Last> polled, sent;
    };
    absl::flat_hash_map<int64_t, Process> processes;
    Groups g;
    for (size_t i = 0; i < h_.ops.size(); ++i) {
      if (!client_[i]) continue;
      const Operation& op = h_.ops[i];
      Process& p = processes[op.process.v];
      bool done = op.type == OpType::kOk || op.type == OpType::kInfo;
      if ((op.f == OpF::kAssign || op.f == OpF::kSubscribe) && done) {
        std::vector<uint32_t> keep;
        for (Atom a : op.keys)
          if (auto it = key_ids_.find(a); it != key_ids_.end()) keep.push_back(it->second);
        auto retain = [&](absl::flat_hash_map<uint32_t, Last>& m) {
          for (auto it = m.begin(); it != m.end();) {
            if (std::find(keep.begin(), keep.end(), it->first) == keep.end()) m.erase(it++);
            else ++it;
          }
        };
        retain(p.polled);
        retain(p.sent);
        continue;
      }
      if (reads_f(op.f)) {
        g.fill(reads_begin(i), reads_end(i));
        for (size_t x = 0; x < g.n; ++x) {
          uint32_t k = g.keys[x];
          const std::vector<uint32_t>& vs = g.vids[x];
          if (auto it = p.polled.find(k); it != p.polled.end()) {
            uint32_t v1 = it->second.vid, v2 = vs.empty() ? kNone : vs.front();
            int64_t i1 = vo(v1), i2 = vo(v2);
            int64_t delta = i1 >= 0 && i2 >= 0 ? i2 - i1 : 1;
            json ops = json::array({op_ref(it->second.op), op_ref(int64_t(i))});
            if (delta > 1)
              add("poll-skip", {{"key", key(k)}, {"delta", delta}, {"skipped", skipped(k, i1, i2)}, {"ops", ops}});
            else if (delta < 1)
              add("nonmonotonic-poll",
                  {{"key", key(k)}, {"values", json::array({value(v1), value(v2)})}, {"delta", delta}, {"ops", ops}});
          }
          // Only an :ok poll moves the position: a failed or crashed one is rolled back.
          if (op.type == OpType::kOk) p.polled[k] = {int32_t(i), vs.empty() ? kNone : vs.back()};
        }
      }
      if (writes_f(op.f) && done) {
        g.fill(writes_begin(i), writes_end(i));
        for (size_t x = 0; x < g.n; ++x) {
          uint32_t k = g.keys[x];
          const std::vector<uint32_t>& vs = g.vids[x];
          if (auto it = p.sent.find(k); it != p.sent.end()) {
            uint32_t v1 = it->second.vid, v2 = vs.front();
            int64_t i1 = vo(v1), i2 = vo(v2);
            int64_t delta = i1 >= 0 && i2 >= 0 ? i2 - i1 : 1;
            if (delta < 1)
              add("nonmonotonic-send", {{"key", key(k)}, {"values", json::array({value(v1), value(v2)})}, {"delta", delta},
                                        {"ops", json::array({op_ref(it->second.op), op_ref(int64_t(i))})}});
          }
          p.sent[k] = {int32_t(i), vs.back()};
        }
      }
    }
  }

  // Sent by an :ok operation, never polled by one.
  void unseen() {
    std::vector<std::vector<uint32_t>> per_key(key_atoms_.size());
    for (uint32_t v = 0; v < info_.size(); ++v)
      if (info_[v].ok_sent && !info_[v].ok_read) per_key[info_[v].key].push_back(v);
    for (uint32_t k = 0; k < per_key.size(); ++k) {
      if (per_key[k].empty()) continue;
      json values = json::array();
      for (size_t j = 0; j < per_key[k].size() && j < kMaxListed; ++j) values.push_back(value(per_key[k][j]));
      add("unseen", {{"key", key(k)}, {"count", per_key[k].size()}, {"values", values}});
    }
  }

  void cycles() {
    std::vector<DepEdge> edges;
    if (opt_.ww_deps) {
      for (const ValueInfo& vi : info_) {
        if (vi.writer < 0 || vi.vo_index <= 0) continue;
        uint32_t prev = chosen(vi.key, vi.vo_index - 1);
        int32_t w1 = info_[prev].writer;
        if (w1 >= 0 && w1 != vi.writer)
          edges.push_back({w1, vi.writer, DepEdge::kWW, key_atoms_[vi.key], info_[prev].value, vi.value});
      }
    }
    for (size_t i = 0; i < h_.ops.size(); ++i) {
      if (!client_[i] || h_.ops[i].type == OpType::kInvoke || !reads_f(h_.ops[i].f)) continue;
      for (const Ref* r = reads_begin(i); r != reads_end(i); ++r) {
        if (r->vid == kNone) continue;
        int32_t w = info_[r->vid].writer;
        if (w >= 0 && w != int32_t(i))
          edges.push_back({w, int32_t(i), DepEdge::kWR, key_atoms_[r->key], info_[r->vid].value, {}});
      }
    }
    for (const DepCycle& c : find_cycles(int32_t(h_.ops.size()), edges)) {
      json ops = json::array(), steps = json::array();
      for (int32_t o : c.ops) ops.push_back(op_ref(o));
      for (const DepEdge& e : c.steps) {
        json s = {{"type", e.kind == DepEdge::kWW ? "ww" : "wr"}, {"key", atom(e.key)}, {"value", atom(e.value)}};
        if (e.kind == DepEdge::kWW) s["value'"] = atom(e.value2);
        steps.push_back(s);
      }
      add(c.anomaly.c_str(), {{"cycle", ops}, {"steps", steps}});
    }
  }

  const History& h_;
  const HistoryOptions& opt_;
  HistoryReport report_;
  bool subscribes_ = false;
  std::vector<char> client_;
  absl::flat_hash_map<Atom, uint32_t> key_ids_;
  std::vector<Atom> key_atoms_;
  std::vector<KeyLog> logs_;
  absl::flat_hash_map<KV, uint32_t> value_ids_;
  std::vector<ValueInfo> info_;
  std::vector<Ref> reads_, writes_;
  std::vector<uint32_t> read_begin_, write_begin_;
};

}  // namespace

HistoryReport check_history(const History& h, const HistoryOptions& options) {
  return Checker(h, options).run();
}

}  // namespace kdc
