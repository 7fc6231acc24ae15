// Jepsen's Kafka anomalies (history_checker.h): each one found in a small hand-written
// history and absent from a valid one; parsing errors; EDN = JSONL; cycles; export.
// Several histories follow the cases of Jepsen's kafka_test.clj, rewritten.
#include "conformance/history.h"

#include <gtest/gtest.h>

#include <set>

#include "conformance/history_checker.h"
#include "conformance/history_graph.h"
#include "conformance/history_trace.h"

namespace kdc {
namespace {

using nlohmann::json;

History parse(const std::string& edn) {
  History h;
  std::string error;
  EXPECT_TRUE(parse_edn_history(edn, "h.edn", &h, &error)) << error;
  return h;
}

HistoryReport check(const std::string& edn, bool ww_deps = false) {
  HistoryOptions o;
  o.ww_deps = ww_deps;
  return check_history(parse(edn), o);
}

std::vector<std::string> names(const HistoryReport& r) {
  std::vector<std::string> n;
  for (auto& [name, cases] : r.anomalies) n.push_back(name);
  return n;
}

using Names = std::vector<std::string>;

// Two producers, two consumers, two keys; every acknowledged send is polled, in order.
const char* kValid = R"(
{:index 0, :time 0, :process 0, :type :invoke, :f :send, :value [[:send :x 1] [:send :y 1]]}
{:index 1, :time 1, :process 0, :type :ok, :f :send, :value [[:send :x [0 1]] [:send :y [0 1]]]}
{:index 2, :time 2, :process 1, :type :invoke, :f :send, :value [[:send :x 2]]}
{:index 3, :time 3, :process 1, :type :ok, :f :send, :value [[:send :x [1 2]]]}
{:index 4, :time 4, :process 2, :type :invoke, :f :assign, :value [:x :y]}
{:index 5, :time 5, :process 2, :type :ok, :f :assign, :value [:x :y]}
{:index 6, :time 6, :process 2, :type :invoke, :f :poll, :value [[:poll]]}
{:index 7, :time 7, :process 2, :type :ok, :f :poll, :value [[:poll {:x [[0 1]], :y [[0 1]]}]]}
{:index 8, :time 8, :process 2, :type :invoke, :f :poll, :value [[:poll]]}
{:index 9, :time 9, :process 2, :type :ok, :f :poll, :value [[:poll {:x [[1 2]], :y []}]]}
{:index 10, :time 10, :process 3, :type :invoke, :f :txn, :value [[:poll] [:send :y 2]]}
{:index 11, :time 11, :process 3, :type :ok, :f :txn, :value [[:poll {:x [[0 1] [1 2]]}] [:send :y [1 2]]]}
{:index 12, :time 12, :process 2, :type :invoke, :f :poll, :value [[:poll]]}
{:index 13, :time 13, :process 2, :type :ok, :f :poll, :value [[:poll {:y [[1 2]]}]]}
{:index 14, :time 14, :nemesis true, :process :nemesis, :type :info, :f :kill, :value nil}
)";

TEST(HistoryCheckerTest, ValidHistoryHasNoAnomalies) {
  for (bool ww : {false, true}) {
    HistoryReport r = check(kValid, ww);
    EXPECT_TRUE(r.valid);
    EXPECT_EQ(names(r), Names{}) << json(r.anomalies).dump();
    EXPECT_EQ(r.client_ops, 14);  // the nemesis op is not a client op
    EXPECT_EQ(r.keys, 2);
  }
}

TEST(HistoryCheckerTest, LostWrite) {
  // a at 0, b at 1, d at 3 acknowledged; c (an :info send) polled at offset 2, so a and b
  // should have been polled too. d lies above the highest poll: not lost.
  HistoryReport r = check(R"(
{:index 0, :process 0, :type :invoke, :f :send, :value [[:send :x :a]]}
{:index 1, :process 0, :type :ok, :f :send, :value [[:send :x [0 :a]]]}
{:index 2, :process 0, :type :invoke, :f :send, :value [[:send :x :b] [:send :x :d]]}
{:index 3, :process 0, :type :ok, :f :send, :value [[:send :x [1 :b]] [:send :x [3 :d]]]}
{:index 4, :process 1, :type :invoke, :f :send, :value [[:send :x :c]]}
{:index 5, :process 1, :type :info, :f :send, :value [[:send :x :c]]}
{:index 6, :process 0, :type :invoke, :f :poll, :value [[:poll]]}
{:index 7, :process 0, :type :ok, :f :poll, :value [[:poll {:x [[2 :c]]}]]}
)");
  ASSERT_TRUE(r.anomalies.count("lost-write"));
  const auto& lost = r.anomalies["lost-write"];
  ASSERT_EQ(lost.size(), 2u);
  EXPECT_EQ(lost[0]["value"], "a");
  EXPECT_EQ(lost[0]["index"], 0);
  EXPECT_EQ(lost[0]["max-read-index"], 2);
  EXPECT_EQ(lost[0]["writer"]["index"], 1);
  EXPECT_EQ(lost[0]["max-read"]["index"], 7);
  EXPECT_EQ(lost[1]["value"], "b");
  EXPECT_EQ(lost[1]["writer"]["index"], 3);
  EXPECT_FALSE(r.valid);
}

TEST(HistoryCheckerTest, DuplicateAndInconsistentOffsets) {
  HistoryReport r = check(R"(
{:index 0, :process 0, :type :ok, :f :send, :value [[:send :x [0 :a]] [:send :x [1 :b]]]}
{:index 1, :process 1, :type :ok, :f :poll, :value [[:poll {:x [[0 :a] [1 :b] [2 :a]]}]]}
{:index 2, :process 2, :type :ok, :f :poll, :value [[:poll {:x [[1 :c]]}]]}
)");
  ASSERT_EQ(r.anomalies["duplicate"].size(), 1u);
  EXPECT_EQ(r.anomalies["duplicate"][0], json::parse(R"({"key":"x","value":"a","count":2,"offsets":[0,2]})"));
  ASSERT_EQ(r.anomalies["inconsistent-offsets"].size(), 1u);
  EXPECT_EQ(r.anomalies["inconsistent-offsets"][0],
            json::parse(R"({"key":"x","offset":1,"index":1,"values":["b","c"]})"));
  EXPECT_FALSE(r.valid);
}

// Process 0 polls offsets 1-2, then 4, then 7; 3 and 6 are known to exist.
const char* kPollSkipOps = R"(
{:index 0, :process 0, :type :ok, :f :poll, :value [[:poll {:x [[1 :a] [2 :b]]}]]}
{:index 1, :process 1, :type :ok, :f :poll, :value [[:poll {:x [[3 :c]]}]]}
%s
{:index 3, :process 0, :type :ok, :f :poll, :value [[:poll {:x [[4 :d]]}]]}
{:index 4, :process 2, :type :ok, :f :send, :value [[:send :x [6 :f]]]}
{:index 5, :process 0, :type :ok, :f :poll, :value [[:poll {:x [[7 :g]]}]]}
{:index 6, :process 3, :type :info, :f :send, :value [[:send :x :a] [:send :x :b] [:send :x :c] [:send :x :d] [:send :x :g]]}
{:index 7, :process 4, :type :ok, :f :poll, :value [[:poll {:x [[6 :f]]}]]}
)";

std::string poll_skip_history(const std::string& middle) {
  char buf[4096];
  snprintf(buf, sizeof buf, kPollSkipOps, middle.c_str());
  return buf;
}

TEST(HistoryCheckerTest, PollSkip) {
  HistoryReport r = check(poll_skip_history(""));
  ASSERT_EQ(r.anomalies["poll-skip"].size(), 2u);
  EXPECT_EQ(r.anomalies["poll-skip"][0]["skipped"], json::parse(R"(["c"])"));
  EXPECT_EQ(r.anomalies["poll-skip"][0]["delta"], 2);
  EXPECT_EQ(r.anomalies["poll-skip"][0]["ops"][0]["index"], 0);
  EXPECT_EQ(r.anomalies["poll-skip"][1]["skipped"], json::parse(R"(["f"])"));
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.bad, Names{"poll-skip"});

  // Assigning away from :x forgets the position: no skip.
  HistoryReport away = check(poll_skip_history("{:index 2, :process 0, :type :ok, :f :assign, :value [:y]}"));
  EXPECT_EQ(away.anomalies["poll-skip"].size(), 1u);  // only the 4 -> 7 skip remains
  // Subscribing keeps :x but makes skips allowed (a rebalance may have moved the consumer).
  HistoryReport sub = check(poll_skip_history("{:index 2, :process 0, :type :ok, :f :subscribe, :value [:x :y]}"));
  EXPECT_EQ(sub.anomalies["poll-skip"].size(), 2u);
  EXPECT_TRUE(sub.valid);
}

TEST(HistoryCheckerTest, NonmonotonicPoll) {
  HistoryReport r = check(R"(
{:index 0, :process 0, :type :ok, :f :send, :value [[:send :x [0 :a]] [:send :x [1 :b]]]}
{:index 1, :process 1, :type :ok, :f :poll, :value [[:poll {:x [[0 :a] [1 :b]]}]]}
{:index 2, :process 1, :type :fail, :f :poll, :value [[:poll {:x []}]]}
{:index 3, :process 1, :type :ok, :f :poll, :value [[:poll {:x [[1 :b]]}]]}
)");
  EXPECT_EQ(names(r), Names{"nonmonotonic-poll"});
  EXPECT_EQ(r.anomalies["nonmonotonic-poll"][0]["values"], json::parse(R"(["b","b"])"));
  EXPECT_EQ(r.anomalies["nonmonotonic-poll"][0]["delta"], 0);
}

TEST(HistoryCheckerTest, NonmonotonicSend) {
  HistoryReport r = check(R"(
{:index 0, :process 0, :type :ok, :f :send, :value [[:send :x [1 :a]]]}
{:index 1, :process 0, :type :ok, :f :send, :value [[:send :x [0 :b]]]}
{:index 2, :process 1, :type :ok, :f :poll, :value [[:poll {:x [[0 :b] [1 :a]]}]]}
)");
  EXPECT_EQ(names(r), Names{"nonmonotonic-send"});
  EXPECT_EQ(r.anomalies["nonmonotonic-send"][0]["delta"], -1);
}

TEST(HistoryCheckerTest, InternalPollOrder) {
  const char* sends = R"(
{:index 0, :process 0, :type :ok, :f :send, :value [[:send :x [0 :a]] [:send :x [1 :b]] [:send :x [2 :c]]]}
{:index 1, :process 2, :type :ok, :f :poll, :value [[:poll {:x [[0 :a] [1 :b] [2 :c]]}]]}
)";
  HistoryReport skip = check(std::string(sends) +
                             "{:index 2, :process 1, :type :ok, :f :poll, :value [[:poll {:x [[0 :a]]}] [:poll {:x [[2 :c]]}]]}");
  EXPECT_EQ(names(skip), Names{"int-poll-skip"});
  EXPECT_EQ(skip.anomalies["int-poll-skip"][0]["skipped"], json::parse(R"(["b"])"));
  HistoryReport back = check(std::string(sends) +
                             "{:index 2, :process 1, :type :ok, :f :poll, :value [[:poll {:x [[1 :b] [0 :a]]}]]}");
  EXPECT_EQ(names(back), Names{"int-nonmonotonic-poll"});
  // A rebalance of :x during the operation excuses both.
  HistoryReport rebalanced = check(std::string(sends) +
                                   "{:index 2, :process 1, :type :ok, :f :poll, :value [[:poll {:x [[1 :b] [0 :a]]}]], "
                                   ":rebalance-log [{:keys [:x]}]}");
  EXPECT_EQ(names(rebalanced), Names{});
}

TEST(HistoryCheckerTest, InternalSendOrder) {
  HistoryReport skip = check(R"(
{:index 0, :process 0, :type :ok, :f :send, :value [[:send :x [0 :a]] [:send :x [2 :c]]]}
{:index 1, :process 1, :type :ok, :f :send, :value [[:send :x [1 :b]]]}
{:index 2, :process 2, :type :ok, :f :poll, :value [[:poll {:x [[0 :a] [1 :b] [2 :c]]}]]}
)");
  EXPECT_EQ(names(skip), Names{"int-send-skip"});
  EXPECT_TRUE(skip.valid);  // Jepsen allows it: other producers interleave
  HistoryReport back = check(R"(
{:index 0, :process 0, :type :ok, :f :send, :value [[:send :x [1 :a]] [:send :x [0 :b]]]}
{:index 2, :process 2, :type :ok, :f :poll, :value [[:poll {:x [[0 :b] [1 :a]]}]]}
)");
  EXPECT_EQ(names(back), Names{"int-nonmonotonic-send"});
  EXPECT_FALSE(back.valid);
}

TEST(HistoryCheckerTest, G1aAbortedRead) {
  HistoryReport r = check(R"(
{:index 0, :process 0, :type :invoke, :f :send, :value [[:send :x :a]]}
{:index 1, :process 0, :type :fail, :f :send, :value [[:send :x :a]]}
{:index 2, :process 1, :type :ok, :f :poll, :value [[:poll {:x [[0 :a]]}]]}
)");
  EXPECT_EQ(names(r), Names{"G1a"});
  EXPECT_EQ(r.anomalies["G1a"][0]["writer"]["index"], 1);
  EXPECT_EQ(r.anomalies["G1a"][0]["reader"]["index"], 2);
}

TEST(HistoryCheckerTest, PrecommittedRead) {
  HistoryReport r = check(R"(
{:index 0, :process 0, :type :invoke, :f :txn, :value [[:send :x :a] [:poll]]}
{:index 1, :process 0, :type :ok, :f :txn, :value [[:send :x [0 :a]] [:poll {:x [[0 :a]]}]]}
)");
  EXPECT_EQ(names(r), Names{"precommitted-read"});
  EXPECT_EQ(r.anomalies["precommitted-read"][0], json::parse(
      R"({"op":{"index":1,"process":0,"type":"ok","f":"txn","line":3},"key":"x","value":"a"})"));
}

TEST(HistoryCheckerTest, Unseen) {
  HistoryReport r = check(R"(
{:index 0, :process 0, :type :ok, :f :poll, :value [[:poll {}]]}
{:index 1, :process 0, :type :ok, :f :send, :value [[:send :x [0 :a]] [:send :x [1 :b]]]}
{:index 2, :process 0, :type :ok, :f :poll, :value [[:poll {:x [[0 :a]]}]]}
)");
  EXPECT_EQ(names(r), Names{"unseen"});
  EXPECT_EQ(r.anomalies["unseen"][0], json::parse(R"({"key":"x","count":1,"values":["b"]})"));
}

TEST(HistoryCheckerTest, G0WriteCycleNeedsWwDeps) {
  // Two transactions write x and y in opposite orders.
  const char* h = R"(
{:index 0, :process 0, :type :ok, :f :send, :value [[:send :x [0 :a]] [:send :y [1 :a]]]}
{:index 1, :process 1, :type :ok, :f :send, :value [[:send :x [1 :b]] [:send :y [0 :b]]]}
{:index 2, :process 2, :type :ok, :f :poll, :value [[:poll {:x [[0 :a] [1 :b]], :y [[0 :b] [1 :a]]}]]}
)";
  EXPECT_EQ(names(check(h, false)), Names{});
  HistoryReport r = check(h, true);
  EXPECT_EQ(names(r), Names{"G0"});
  EXPECT_TRUE(r.valid);  // allowed: Kafka does not isolate writes
  const json& c = r.anomalies["G0"][0];
  ASSERT_EQ(c["cycle"].size(), 3u);
  EXPECT_EQ(c["cycle"][0], c["cycle"][2]);
  EXPECT_EQ(c["steps"][0]["type"], "ww");
  EXPECT_EQ(c["steps"][1]["type"], "ww");
}

TEST(HistoryCheckerTest, G1cPureWr) {
  HistoryReport r = check(R"(
{:index 0, :process 0, :type :ok, :f :txn, :value [[:send :x [0 :a]] [:poll {:y [[0 :b]]}]]}
{:index 1, :process 1, :type :ok, :f :txn, :value [[:send :y [0 :b]] [:poll {:x [[0 :a]]}]]}
)");
  EXPECT_EQ(names(r), Names{"G1c"});
  EXPECT_FALSE(r.valid);
  const json& c = r.anomalies["G1c"][0];
  EXPECT_EQ(c["cycle"].size(), 3u);
  EXPECT_EQ(c["steps"][0]["type"], "wr");
  EXPECT_EQ(c["steps"][1]["type"], "wr");
}

TEST(HistoryCheckerTest, G1cWwWr) {
  // t1 sent x=a, which t2 polled; t2 sent y=b, which precedes t1's y=c.
  const char* h = R"(
{:index 0, :process 0, :type :ok, :f :txn, :value [[:send :x [0 :a]] [:send :y [2 :c]]]}
{:index 1, :process 1, :type :ok, :f :txn, :value [[:poll {:x [[0 :a]]}] [:send :y [1 :b]]]}
{:index 2, :process 2, :type :ok, :f :poll, :value [[:poll {:y [[1 :b] [2 :c]]}]]}
)";
  EXPECT_EQ(names(check(h, false)), Names{});
  HistoryReport r = check(h, true);
  EXPECT_EQ(names(r), Names{"G1c"});
  EXPECT_TRUE(r.valid);  // with --ww-deps, Jepsen expects G1c
  const json& c = r.anomalies["G1c"][0];
  std::set<std::string> kinds;
  for (const json& s : c["steps"]) kinds.insert(s["type"]);
  EXPECT_EQ(kinds, (std::set<std::string>{"wr", "ww"}));
}

TEST(HistoryGraphTest, OneCyclePerComponent) {
  auto wr = [](int a, int b) { return DepEdge{a, b, DepEdge::kWR, Atom::integer(0), Atom::integer(b), {}}; };
  auto ww = [](int a, int b) {
    return DepEdge{a, b, DepEdge::kWW, Atom::integer(0), Atom::integer(a), Atom::integer(b)};
  };
  // A DAG: none.
  EXPECT_TRUE(find_cycles(5, {wr(0, 1), wr(1, 2), ww(0, 2), wr(3, 3)}).empty());
  // 0 -ww-> 1 -ww-> 2 -ww-> 0 (G0) and 3 -wr-> 4 -ww-> 3 (G1c); self-edges ignored.
  auto cycles = find_cycles(6, {ww(0, 1), ww(1, 2), ww(2, 0), wr(3, 4), ww(4, 3), wr(5, 5)});
  // The triangle's component has no wr edge, so it is G0 only; {3, 4} has no ww cycle.
  ASSERT_EQ(cycles.size(), 2u);
  EXPECT_EQ(cycles[0].anomaly, "G0");
  EXPECT_EQ(cycles[0].ops, (std::vector<int32_t>{0, 1, 2, 0}));
  EXPECT_EQ(cycles[1].anomaly, "G1c");
  EXPECT_EQ(cycles[1].ops, (std::vector<int32_t>{3, 4, 3}));
  EXPECT_EQ(cycles[1].steps[0].kind, DepEdge::kWR);
  EXPECT_EQ(cycles[1].steps[1].kind, DepEdge::kWW);
}

TEST(HistoryParseTest, ErrorsNameFileAndLine) {
  History h;
  std::string e;
  EXPECT_FALSE(parse_edn_history("{:type :ok, :f :send, :process 0}\n\n{:type :ok :f :send :value [[:send :x]]}",
                                 "h.edn", &h, &e));
  EXPECT_EQ(e.rfind("h.edn:3:", 0), 0u) << e;
  EXPECT_NE(e.find("[:send key value]"), std::string::npos) << e;
  h = {};
  EXPECT_FALSE(parse_edn_history("{:type :ok, :f :poll}\n{:type :ok, :f :poll, :value [[:poll {:x [[0 1]]}]]\n",
                                 "h.edn", &h, &e));
  EXPECT_EQ(e.rfind("h.edn:2:1: unclosed map", 0), 0u) << e;
  h = {};
  EXPECT_FALSE(parse_edn_history("{:type :ok, :f :poll}\n  {:type :done, :f :poll}", "h.edn", &h, &e));
  EXPECT_EQ(e.rfind("h.edn:2:10: unknown :type :done", 0), 0u) << e;
  h = {};
  EXPECT_FALSE(parse_edn_history("{:f :poll}", "h.edn", &h, &e));
  EXPECT_NE(e.find("h.edn:1:1: operation has no :type"), std::string::npos) << e;
  h = {};
  EXPECT_FALSE(parse_jsonl_history("{\"type\":\"ok\",\"f\":\"poll\"}\n{\"type\":\"ok\",\n", "h.jsonl", &h, &e));
  EXPECT_EQ(e.rfind("h.jsonl:2: invalid JSON", 0), 0u) << e;
  h = {};
  EXPECT_FALSE(parse_jsonl_history("\n{\"f\":\"poll\"}", "h.jsonl", &h, &e));
  EXPECT_EQ(e, "h.jsonl:2: operation has no \"type\" string");
}

TEST(HistoryParseTest, EdnForms) {
  // One vector of maps, comments, commas, discards, a tagged record, sets and bigints.
  History v = parse(R"(; a Jepsen history
[{:index 0, :time 1N, :process 0, :type :invoke, :f :assign, :value #{:x}}
 #_ {:this :is, :ignored true}
 #jepsen.history.Op{:index 1, :time 2, :process 0, :type :ok, :f :poll, :value [[:poll {:x [[0 "s"]]}]], :error nil}])");
  ASSERT_EQ(v.ops.size(), 2u);
  EXPECT_EQ(v.ops[0].f, OpF::kAssign);
  EXPECT_EQ(v.ops[0].time, 1);
  ASSERT_EQ(v.ops[1].mops.size(), 1u);
  EXPECT_EQ(edn_text(v, v.ops[1].mops[0].reads[0].value), "\"s\"");
  EXPECT_EQ(v.ops[1].line, 4);
  History h;
  std::string e;
  EXPECT_FALSE(parse_edn_history("[{:type :ok, :f :poll}] {:type :ok, :f :poll}", "h.edn", &h, &e));
  EXPECT_NE(e.find("single vector"), std::string::npos) << e;
}

TEST(HistoryParseTest, EdnAndJsonlAgree) {
  const char* edn = R"(
{:index 0, :time 0, :process 0, :type :ok, :f :send, :value [[:send 1 [0 10]] [:send 1 [1 11]] [:send :k [5 :v]]]}
{:index 1, :time 1, :process 1, :type :ok, :f :poll, :value [[:poll {1 [[0 10] [1 11] [2 12]], :k [[5 :v]]}]]}
{:index 2, :time 2, :process 1, :type :ok, :f :poll, :value [[:poll {1 [[2 13]], :k []}]]}
{:index 3, :time 3, :process 2, :type :fail, :f :send, :value [[:send 1 12]]}
{:index 4, :time 4, :process 3, :type :ok, :f :assign, :value [1]}
)";
  const char* jsonl = R"(
{"index":0,"time":0,"process":0,"type":"ok","f":"send","value":[["send",1,[0,10]],["send",1,[1,11]],["send","k",[5,"v"]]]}
{"index":1,"time":1,"process":1,"type":"ok","f":"poll","value":[["poll",{"1":[[0,10],[1,11],[2,12]],"k":[[5,"v"]]}]]}
{"index":2,"time":2,"process":1,"type":"ok","f":"poll","value":[["poll",{"1":[[2,13]],"k":[]}]]}
{"index":3,"time":3,"process":2,"type":"fail","f":"send","value":[["send",1,12]]}
{"index":4,"time":4,"process":3,"type":":ok","f":":assign","value":[1]}
)";
  History a = parse(edn), b;
  std::string e;
  ASSERT_TRUE(parse_jsonl_history(jsonl, "h.jsonl", &b, &e)) << e;
  HistoryReport ra = check_history(a), rb = check_history(b);
  EXPECT_FALSE(ra.anomalies.empty());  // G1a, inconsistent-offsets, ...
  EXPECT_EQ(json(ra.anomalies).dump(), json(rb.anomalies).dump());
  EXPECT_EQ(ra.valid, rb.valid);
  EXPECT_EQ(to_edn(a), to_edn(b));
}

TEST(HistoryParseTest, ExportRoundTrip) {
  History a = parse(kValid);
  std::string once = to_edn(a);
  History b = parse(once);
  EXPECT_EQ(to_edn(b), once);
  EXPECT_EQ(b.ops.size(), a.ops.size());
  EXPECT_EQ(json(check_history(b).anomalies).dump(), json(check_history(a).anomalies).dump());
  EXPECT_NE(once.find(":value [[:poll {:x [[1 2]], :y []}]]"), std::string::npos) << once;
}

Event ev(EventType t, int32_t msg = -1, int32_t offset = -1, Result result = Result::kNone,
         Result outcome = Result::kNone) {
  Event e;
  e.type = t;
  e.msg = msg;
  e.gen = msg >= 0 ? 0 : -1;
  e.offset = offset;
  e.result = result;
  e.outcome = outcome;
  return e;
}

TEST(HistoryTraceTest, ConvertsARun) {
  Trace t;
  t.events = {ev(EventType::kSend, 0), ev(EventType::kSend, 1),
              ev(EventType::kHandleProduce, 0, 0, Result::kAppended),
              ev(EventType::kProduceResponse, 0, -1, Result::kAppended, Result::kAcked),
              ev(EventType::kHandleProduce, 1, 1, Result::kAppended),
              ev(EventType::kProduceResponse, 1, -1, Result::kAppended, Result::kAcked),
              ev(EventType::kPoll, -1, 0), ev(EventType::kProcess, 0, 0), ev(EventType::kProcess, 1, 1)};
  History h = history_from_trace(t);
  EXPECT_TRUE(check_history(h).valid) << json(check_history(h).anomalies).dump();
  std::string edn = to_edn(h);
  EXPECT_NE(edn.find(":process 0, :type :ok, :f :send, :value [[:send 0 [1 1]]]"), std::string::npos) << edn;
  EXPECT_NE(edn.find(":process 1, :type :ok, :f :poll, :value [[:poll {0 [[0 0] [1 1]]}]]"), std::string::npos) << edn;
  // Round trip through EDN: the same verdict.
  EXPECT_EQ(json(check_history(parse(edn)).anomalies).dump(), json(check_history(h).anomalies).dump());

  // The consumer crashes after m0 and restarts past m1 (a new process): m1 is lost.
  t.events.pop_back();
  t.events.push_back(ev(EventType::kConsumerCrash, -1, 2));
  t.events.push_back(ev(EventType::kSend, 2));
  t.events.push_back(ev(EventType::kHandleProduce, 2, 2, Result::kAppended));
  t.events.push_back(ev(EventType::kProduceResponse, 2, -1, Result::kAppended, Result::kAcked));
  t.events.push_back(ev(EventType::kPoll, -1, 2));
  t.events.push_back(ev(EventType::kProcess, 2, 2));
  HistoryReport r = check_history(history_from_trace(t));
  ASSERT_EQ(r.anomalies["lost-write"].size(), 1u) << json(r.anomalies).dump();
  EXPECT_EQ(r.anomalies["lost-write"][0]["value"], 1);
  EXPECT_EQ(r.anomalies["lost-write"][0]["max-read"]["process"], 3);
}

TEST(HistoryTraceTest, CanonicalTraces) {
  auto load = [](const std::string& rel) {
    Trace t;
    std::string e;
    EXPECT_TRUE(read_trace(std::string(KDC_SOURCE_DIR) + "/traces/" + rel, &t, &e)) << e;
    return check_history(history_from_trace(t));
  };
  // m0 acknowledged, then truncated away: never polled.
  HistoryReport ack = load("at-most-once/L_ack.jsonl");
  EXPECT_EQ(names(ack), Names{"unseen"});
  // Stored twice at offset 0 after a power loss: the consumer polls offset 0 twice.
  HistoryReport dint = load("naive-defaults/D_int.jsonl");
  EXPECT_EQ(names(dint), Names{"nonmonotonic-poll"});
  // A record of an aborted transaction processed downstream: an aborted read.
  HistoryReport vunc = load("eos-read-uncommitted-downstream/V_unc.jsonl");
  EXPECT_TRUE(vunc.anomalies.count("G1a")) << json(vunc.anomalies).dump();
}

}  // namespace
}  // namespace kdc
