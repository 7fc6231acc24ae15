// The partition-log twins (partition_log_encoding.cc) agree with model/partition_log.cc
// and model/idempotence.cc on the replicas of reachable states (and on random logs that
// reach the capacity edges small runs do not): each twin is built once over replica
// variables, for every parameter value, and evaluated per replica.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <random>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "model/testing/config_for_test.h"
#include "model/idempotence.h"
#include "model/model.h"
#include "model/partition_log.h"
#include "model/symbolic/encoding.h"

namespace kdc::sym {
namespace {

Config Load(const std::string& example, const std::vector<std::string>& overrides) {
  return ExampleConfig(example, overrides);
}

std::string Bytes(const Replica& r) { return std::string(reinterpret_cast<const char*>(&r), sizeof(Replica)); }

// The replicas of the states reachable (breadth first, up to `cap`) in a few configurations
// that truncate, lose power, elect uncleanly, write markers and bump producer epochs,
// and the (leader, follower) pairs that meet in one state.
struct Corpus {
  std::vector<Replica> replicas;
  std::vector<std::pair<Replica, Replica>> pairs;
  size_t reachable_replicas = 0, reachable_pairs = 0;
};

Corpus Reachable(size_t cap) {
  std::vector<Config> configs = {
      Load("naive-defaults", {"model.messages=2", "fault.max.total=2", "fault.broker.crash=2"}),
      Load("naive-defaults", {"model.messages=1", "kafka.version=2.0", "acks=all", "default.replication.factor=2",
                              "max.in.flight.requests.per.connection=2", "app.on.send.error=resend"}),
      Load("textbook-at-least-once", {"model.messages=1", "kafka.version=3.9", "unclean.leader.election.enable=true",
                                      "fault.broker.power.loss=1", "flush.messages=1"}),
      Load("hardened", {"model.messages=1"}),
      Load("exactly-once-pipeline", {"model.messages=1"}),
      Load("eos-continue-after-abort", {"model.messages=1"}),
      Load("eos-kafka-3.5-late-write", {"model.messages=1"}),
      Load("eos-producer-app-zombie", {"model.messages=1"}),
  };
  Corpus out;
  std::set<std::string> replicas, pairs;
  for (const Config& c : configs) {
    std::vector<State> seen{initial_state(c)};
    std::set<std::string> known;
    auto key = [](const State& s) { return std::string(reinterpret_cast<const char*>(&s), sizeof(State)); };
    known.insert(key(seen[0]));
    std::vector<Step> steps;
    for (size_t i = 0; i < seen.size() && seen.size() < cap; ++i) {
      successors(c, seen[i], &steps);
      for (const Step& st : steps)
        if (known.insert(key(st.next)).second) seen.push_back(st.next);
    }
    for (const State& s : seen) {
      for (int b = 0; b < c.replication_factor; ++b) {
        if (replicas.insert(Bytes(s.replica[b])).second) out.replicas.push_back(s.replica[b]);
        for (int f = 0; f < c.replication_factor; ++f)
          if (f != b && pairs.insert(Bytes(s.replica[b]) + Bytes(s.replica[f])).second)
            out.pairs.push_back({s.replica[b], s.replica[f]});
      }
    }
  }
  out.reachable_replicas = out.replicas.size();
  out.reachable_pairs = out.pairs.size();
  return out;
}

// A random well-formed log: epochs never decrease, HW and flushed within the LEO.
Replica RandomReplica(std::mt19937& rng) {
  auto pick = [&](int n) { return int(rng() % unsigned(n)); };
  Replica r;
  r.log_end_offset = uint8_t(pick(kMaxLog + 1));
  // Half are one idempotent producer's log (sequences in order, mostly one producer id),
  // long enough to overflow the broker's five cached batches.
  const bool idempotent = pick(2) == 0;
  int epoch = pick(3), seq = pick(3);
  for (int i = 0; i < r.log_end_offset; ++i) {
    epoch = std::min(kMaxLeaderEpoch, epoch + (pick(3) == 0 ? pick(3) : 0));
    if (idempotent) {
      seq += pick(4) == 0 ? 0 : 1;
      r.log[i] = Record::make(pick(4), 0, epoch, pick(5) == 0 ? 2 : 1, seq, Record::Kind(pick(2)));
      continue;
    }
    const Record::Kind kind = Record::Kind(pick(4));
    r.log[i] = kind >= Record::kCommitMarker ? Record::marker(kind == Record::kCommitMarker, epoch, pick(3))
                                             : Record::make(pick(4), pick(4), epoch, pick(3), pick(8), kind);
  }
  r.high_watermark = uint8_t(pick(r.log_end_offset + 1));
  r.flushed = uint8_t(pick(r.log_end_offset + 1));
  r.known_epoch = uint8_t(epoch + pick(2));
  r.flags = uint8_t(pick(64));
  return r;
}

void AddRandom(Corpus* corpus, int n) {
  std::mt19937 rng(20240601);
  for (int i = 0; i < n; ++i) {
    corpus->replicas.push_back(RandomReplica(rng));
    corpus->pairs.push_back({RandomReplica(rng), RandomReplica(rng)});
  }
}

SymReplica Constant(const Replica& r) {
  State s;
  s.replica[0] = r;
  return constant(s).replica[0];
}

// Two replica-shaped sets of variables (leader, follower) and the model giving them values.
struct Vars {
  SymState s = fresh("log");
  const SymReplica& a() const { return s.replica[0]; }
  const SymReplica& b() const { return s.replica[1]; }
  z3::model Model(const Replica& x, const Replica& y = Replica{}) const {
    z3::model m(ctx());
    for (auto [var, value] : {std::pair{&s.replica[0], Constant(x)}, std::pair{&s.replica[1], Constant(y)}}) {
      SymReplica v = *var;
      auto vf = v.fields();
      auto xf = value.fields();
      for (size_t i = 0; i < vf.size(); ++i) {
        z3::func_decl d = vf[i]->decl();
        m.add_const_interp(d, *xf[i]);
      }
    }
    return m;
  }
};

int Int(const z3::model& m, const expr& e) {
  uint64_t raw = m.eval(e, true).get_numeral_uint64();
  return raw >= 0x8000 ? int(raw) - 0x10000 : int(raw);
}
bool Bool(const z3::model& m, const expr& e) { return m.eval(e, true).is_true(); }

// The executable Replica a model assigns to a symbolic one.
Replica Evaluate(const z3::model& m, const SymReplica& r) {
  Replica out;
  for (int i = 0; i < kMaxLog; ++i) {
    const SymRecord& x = r.log[i];
    out.log[i] = Record::make(Int(m, x.msg), Int(m, x.gen), Int(m, x.epoch), Int(m, x.producer_id),
                              Int(m, x.seq), Record::Kind(Int(m, x.kind)));
  }
  out.log_end_offset = uint8_t(Int(m, r.log_end_offset));
  out.flushed = uint8_t(Int(m, r.flushed));
  out.high_watermark = uint8_t(Int(m, r.high_watermark));
  out.known_epoch = uint8_t(Int(m, r.known_epoch));
  out.flags = uint8_t(Int(m, r.flags));
  return out;
}

// The versions at which the twins change behaviour, around each threshold.
const std::vector<KafkaVersion> kVersions = {{1, 1, 0}, {2, 0, 0}, {2, 4, 0}, {2, 5, 0}, {3, 9, 0}};

Config WithVersion(const KafkaVersion& v, int64_t flush = INT64_MAX) {
  Config c;
  c.version = v;
  c.flush_interval_messages = flush;
  return c;
}

std::string Describe(const Replica& r) {
  std::string o = "leo=" + std::to_string(r.log_end_offset) + " flushed=" + std::to_string(r.flushed) +
                  " hw=" + std::to_string(r.high_watermark) + " log=[";
  for (int i = 0; i < r.log_end_offset; ++i)
    o += (i ? " " : "") + std::to_string(r.log[i].msg()) + "/" + std::to_string(r.log[i].gen()) + " e" +
         std::to_string(r.log[i].epoch()) + " p" + std::to_string(r.log[i].producer_id()) + " s" +
         std::to_string(r.log[i].seq()) + " k" + std::to_string(int(r.log[i].kind));
  return o + "]";
}

class PartitionLogTwins : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    corpus_ = new Corpus(Reachable(2500));
    AddRandom(corpus_, 300);
  }
  static void TearDownTestSuite() { delete corpus_; }
  static Corpus* corpus_;
  Vars vars_;
};
Corpus* PartitionLogTwins::corpus_ = nullptr;

TEST_F(PartitionLogTwins, CorpusIsLarge) {
  EXPECT_GT(corpus_->reachable_replicas, 100u);
  EXPECT_GT(corpus_->reachable_pairs, 300u);
  std::cout << corpus_->reachable_replicas << " reachable replicas, " << corpus_->reachable_pairs
            << " reachable (leader, follower) pairs, " << corpus_->replicas.size() - corpus_->reachable_replicas
            << " random replicas and pairs\n";
}

TEST_F(PartitionLogTwins, AppendRecord) {
  const std::vector<Record> records = {Record::make(1, 2, 3, 1, 4, Record::kTransactional),
                                       Record::marker(false, 2, 2), Record::make(3, 1, 1, 0, 0)};
  const std::vector<int64_t> flushes = {1, 2, 3, INT64_MAX};
  struct Case {
    Record record;
    int64_t flush;
    SymReplica next;
    expr ok;
  };
  std::vector<Case> cases;
  for (const Record& rec : records)
    for (int64_t flush : flushes) {
      SymConfig sc = constant(WithVersion({3, 9, 0}, flush));
      SymReplica next = vars_.a();
      State holder;
      holder.replica[0].log[0] = rec;
      expr ok = append_record(sc, &next, constant(holder).replica[0].log[0]);
      cases.push_back({rec, flush, next, ok});
    }
  for (const Replica& r : corpus_->replicas) {
    z3::model m = vars_.Model(r);
    for (const Case& k : cases) {
      Replica expected = r;
      bool ok = append_record(WithVersion({3, 9, 0}, k.flush), &expected, k.record);
      ASSERT_EQ(Bool(m, k.ok), ok) << Describe(r);
      ASSERT_EQ(Bytes(Evaluate(m, k.next)), Bytes(expected)) << Describe(r) << " flush=" << k.flush;
    }
  }
}

TEST_F(PartitionLogTwins, TruncateAndLoseUnflushed) {
  std::vector<SymReplica> truncated;
  for (int o = 0; o <= kMaxLog; ++o) {
    truncated.push_back(vars_.a());
    truncate_to(&truncated.back(), num(o));
  }
  SymReplica lost = vars_.a();
  lose_unflushed(&lost);
  SymReplica by_hw = vars_.a();  // a symbolic offset, as learn_leadership passes one
  truncate_to(&by_hw, vars_.a().high_watermark);
  for (const Replica& r : corpus_->replicas) {
    z3::model m = vars_.Model(r);
    for (int o = 0; o <= kMaxLog; ++o) {
      Replica expected = r;
      truncate_to(&expected, o);
      ASSERT_EQ(Bytes(Evaluate(m, truncated[o])), Bytes(expected)) << Describe(r) << " to " << o;
    }
    Replica expected = r;
    lose_unflushed(&expected);
    ASSERT_EQ(Bytes(Evaluate(m, lost)), Bytes(expected)) << Describe(r);
    expected = r;
    truncate_to(&expected, r.high_watermark);
    ASSERT_EQ(Bytes(Evaluate(m, by_hw)), Bytes(expected)) << Describe(r);
  }
}

TEST_F(PartitionLogTwins, EpochArithmetic) {
  constexpr int kEpochs = 8;
  expr last = last_epoch(vars_.a());
  std::vector<expr> starts;
  std::vector<SymEpochEnd> ends;
  for (int e = -1; e < kEpochs; ++e) {
    starts.push_back(epoch_start_offset(vars_.a(), num(e)));
    ends.push_back(epoch_end_offset(vars_.a(), num(e)));
  }
  for (const Replica& r : corpus_->replicas) {
    z3::model m = vars_.Model(r);
    ASSERT_EQ(Int(m, last), last_epoch(r)) << Describe(r);
    for (int e = -1; e < kEpochs; ++e) {
      ASSERT_EQ(Int(m, starts[e + 1]), epoch_start_offset(r, e)) << Describe(r) << " epoch " << e;
      EpochEnd end = epoch_end_offset(r, e);
      ASSERT_EQ(Int(m, ends[e + 1].epoch), end.epoch) << Describe(r) << " epoch " << e;
      ASSERT_EQ(Int(m, ends[e + 1].end_offset), end.end_offset) << Describe(r) << " epoch " << e;
    }
  }
}

TEST_F(PartitionLogTwins, DivergenceOffset) {
  std::vector<expr> terms;
  for (const KafkaVersion& v : kVersions)
    terms.push_back(divergence_offset(constant(WithVersion(v)), vars_.a(), vars_.b()));
  for (const auto& [leader, follower] : corpus_->pairs) {
    z3::model m = vars_.Model(leader, follower);
    for (size_t k = 0; k < kVersions.size(); ++k)
      ASSERT_EQ(Int(m, terms[k]), divergence_offset(WithVersion(kVersions[k]), leader, follower))
          << "version " << kVersions[k].str() << "\nleader   " << Describe(leader) << "\nfollower "
          << Describe(follower);
  }
}

TEST_F(PartitionLogTwins, Transactions) {
  expr lso = last_stable_offset(vars_.a());
  expr latest = latest_producer_epoch(vars_.a());
  std::vector<expr> aborted, visible, visible_committed;
  for (int o = 0; o < kMaxLog; ++o) {
    aborted.push_back(aborted_in_log(vars_.a(), num(o)));
    visible.push_back(visible_to_reader(vars_.a(), num(o), truth(false)));
    visible_committed.push_back(visible_to_reader(vars_.a(), num(o), truth(true)));
  }
  for (const Replica& r : corpus_->replicas) {
    z3::model m = vars_.Model(r);
    ASSERT_EQ(Int(m, lso), last_stable_offset(r)) << Describe(r);
    ASSERT_EQ(Int(m, latest), latest_producer_epoch(r)) << Describe(r);
    for (int o = 0; o < kMaxLog; ++o) {
      ASSERT_EQ(Bool(m, aborted[o]), aborted_in_log(r, o)) << Describe(r) << " at " << o;
      ASSERT_EQ(Bool(m, visible[o]), visible_to_reader(r, o, false)) << Describe(r) << " at " << o;
      ASSERT_EQ(Bool(m, visible_committed[o]), visible_to_reader(r, o, true)) << Describe(r) << " at " << o;
    }
  }
}

TEST_F(PartitionLogTwins, CheckSequence) {
  struct Case {
    KafkaVersion version;
    int producer_id, seq;
    SymSequenceCheck check;
  };
  std::vector<Case> cases;
  for (KafkaVersion v : {KafkaVersion{2, 4, 0}, KafkaVersion{2, 5, 0}})
    for (int pid = 0; pid < 4; ++pid)
      for (int seq = 0; seq < 12; ++seq)
        cases.push_back({v, pid, seq, check_sequence(constant(WithVersion(v)), vars_.a(), num(pid), num(seq))});
  for (const Replica& r : corpus_->replicas) {
    z3::model m = vars_.Model(r);
    for (const Case& k : cases) {
      SequenceCheck expected = check_sequence(WithVersion(k.version), r, k.producer_id, k.seq);
      ASSERT_EQ(Int(m, k.check.kind), int(expected.kind))
          << Describe(r) << " pid " << k.producer_id << " seq " << k.seq << " " << k.version.str();
      ASSERT_EQ(Int(m, k.check.duplicate_offset), expected.duplicate_offset)
          << Describe(r) << " pid " << k.producer_id << " seq " << k.seq;
    }
  }
}

}  // namespace
}  // namespace kdc::sym
