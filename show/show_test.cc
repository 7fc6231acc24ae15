// The pictures (issue 7): every trace in traces/ draws as well-formed SVG that names every
// actor lane and every event, the event vocabulary maps completely onto lanes, and the
// fates sit at the steps where the model decides them.
#include <gtest/gtest.h>

#include <filesystem>
#include <pugixml.hpp>
#include <set>

#include "conformance/model_replay.h"
#include "show/diagram.h"
#include "show/fate.h"
#include "show/render.h"

namespace kdc::show {
namespace {

const std::string kSource = KDC_SOURCE_DIR;

std::vector<std::string> all_traces() {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kSource + "/traces"))
    if (entry.path().extension() == ".jsonl") out.push_back(entry.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

struct Drawn {
  Trace trace;
  Config config;
  Diagram diagram;
};

Drawn draw(const std::string& path) {
  Drawn d;
  std::string error;
  EXPECT_TRUE(read_trace(path, &d.trace, &error)) << error;
  auto loaded = config_of(d.trace.header);
  EXPECT_TRUE(std::holds_alternative<Config>(loaded)) << path;
  d.config = std::get<Config>(loaded);
  d.diagram = build_diagram(d.trace, d.config, message_fates(d.config, d.trace), path);
  return d;
}

// The text of every <text> element under `node` (a two-line lane title's tspan starts
// with the space between its words, so the joined text is the title).
void texts(const pugi::xml_node& node, std::multiset<std::string>* out) {
  for (const pugi::xml_node& child : node.children()) {
    if (std::string(child.name()) == "text") {
      std::string s;
      for (pugi::xpath_node t : child.select_nodes(".//text()")) s += t.node().value();
      out->insert(s);
    } else {
      texts(child, out);
    }
  }
}

TEST(ShowTest, EveryEventTypeHasALane) {
  for (int t = 0; t < int(EventType::kCount); ++t) {
    Event e;
    e.type = EventType(t);
    e.broker = 1;
    e.peer = 0;
    e.msg = 0;
    const EventShape s = shape_of(e);
    EXPECT_FALSE(s.arrows.empty() && s.local.empty() && s.struck.empty()) << name(e.type);
    EXPECT_EQ(is_fault(e.type), !s.struck.empty()) << name(e.type) << ": faults and only faults strike lanes";
  }
}

TEST(ShowTest, EveryTraceDrawsAsWellFormedSvgNamingEveryLaneAndEvent) {
  const auto traces = all_traces();
  ASSERT_GE(traces.size(), 20u);
  for (const std::string& path : traces) {
    SCOPED_TRACE(path);
    const Drawn d = draw(path);
    const std::string svg = render_svg(d.diagram);
    pugi::xml_document doc;
    const pugi::xml_parse_result parsed = doc.load_string(svg.c_str());
    ASSERT_TRUE(parsed) << parsed.description() << " at byte " << parsed.offset;
    const pugi::xml_node root = doc.child("svg");
    ASSERT_TRUE(root);
    EXPECT_STREQ(root.attribute("xmlns").value(), "http://www.w3.org/2000/svg");
    EXPECT_TRUE(root.attribute("viewBox")) << "zoomable: sized by its viewBox";
    // Self-contained: nothing fetched from elsewhere.
    for (const char* outside : {"<script", "<image", "href=", "@import", "url(http", "<foreignObject"})
      EXPECT_EQ(svg.find(outside), std::string::npos) << outside;

    std::multiset<std::string> text;
    texts(root, &text);
    // Every lane the events reach is drawn and named.
    std::set<std::string> lane_titles;
    for (const pugi::xpath_node& lane : root.select_nodes("//*[@class='lane']"))
      lane_titles.insert(lane.node().attribute("data-lane").value());
    for (const Event& e : d.trace.events)
      for (const ActorRef& actor : actors_of(e)) {
        const auto lanes = d.diagram.lanes_of(actor);
        ASSERT_FALSE(lanes.empty()) << describe(e) << ": no lane for it";
        for (int lane : lanes) {
          const std::string& title = d.diagram.lanes[lane].title;
          EXPECT_TRUE(lane_titles.count(title)) << title;
          EXPECT_TRUE(text.count(title)) << "lane title not drawn: " << title;
        }
      }
    // Every event: its row (type and step) and its sentence.
    const auto rows = root.select_nodes("//*[@class='step']");
    ASSERT_EQ(rows.size(), d.trace.events.size());
    for (size_t i = 0; i < d.trace.events.size(); ++i) {
      const Event& e = d.trace.events[i];
      const pugi::xml_node row = rows[i].node();
      EXPECT_EQ(row.attribute("data-step").as_int(), int(i) + 1);
      EXPECT_EQ(std::string(row.attribute("data-event").value()), name(e.type));
      EXPECT_TRUE(text.count(describe(e))) << "step " << i + 1 << " not drawn: " << describe(e);
    }
  }
}

TEST(ShowTest, AtMostOnceLAckShowsTheAckAndTheLossWhereTheyHappen) {
  const Drawn d = draw(kSource + "/traces/at-most-once/L_ack.jsonl");
  const TraceFates f = message_fates(d.config, d.trace);
  ASSERT_TRUE(f.replayed);
  ASSERT_TRUE(f.quiesced);
  EXPECT_EQ(f.focus_msg, 0);
  auto find = [&](int msg, Fate fate) {
    for (const FateMark& m : f.marks)
      if (m.msg == msg && m.fate == fate) return m.step;
    return 0;
  };
  EXPECT_EQ(find(0, Fate::kAcknowledged), 6);  // the callback succeeds
  EXPECT_EQ(find(0, Fate::kLost), 15);         // broker 0 truncates the last copy away
  EXPECT_EQ(find(1, Fate::kLost), 8);          // NETWORK_EXCEPTION, the app drops m1
  EXPECT_EQ(d.diagram.title, "L_ack — m0: acknowledged to the producer application, then lost");
  // Broker 0 is down from its crash (step 7) until it restarts (step 14).
  ASSERT_EQ(d.diagram.outages.size(), 1u);
  EXPECT_EQ(d.diagram.outages[0].first_row, 6);
  EXPECT_EQ(d.diagram.outages[0].last_row, 13);
}

TEST(ShowTest, DuplicatesAreTheModelsEffectsAtTheSecondProcessing) {
  for (const char* effect : {"D_int", "D_proc"}) {
    const Drawn d = draw(kSource + "/traces/naive-defaults/" + effect + ".jsonl");
    const TraceFates f = message_fates(d.config, d.trace);
    Effect expected;
    ASSERT_TRUE(parse_effect(effect, &expected));
    int step = 0;
    for (const FateMark& m : f.marks)
      if (m.fate == Fate::kDuplicated && m.effect == expected) step = m.step;
    ASSERT_GT(step, 0) << effect;
    EXPECT_EQ(d.trace.events[step - 1].type, EventType::kProcess) << effect;
  }
}

// A run from traces/replication/ shows no delivery effect; the picture names the step
// where replication safety breaks instead (the last one, as the trace is a shortest run).
TEST(ShowTest, AReplicationTraceNotesTheStepThatBreaksReplicationSafety) {
  const Drawn d = draw(std::string(KDC_SOURCE_DIR) +
                       "/traces/replication/kip-966-last-replica-standing-committed-record-loss.jsonl");
  const std::string expected = "Replication safety breaks at step " + std::to_string(d.trace.events.size()) +
                               " (committed-record loss";
  bool found = false;
  for (const std::string& n : d.diagram.notes) found |= n.rfind(expected, 0) == 0;
  EXPECT_TRUE(found) << (d.diagram.notes.empty() ? "no notes" : d.diagram.notes.front());
}

TEST(ShowTest, TextHasNoEscapesWithoutColourAndAsciiIsAscii) {
  const Drawn d = draw(kSource + "/traces/at-most-once/L_ack.jsonl");
  const std::string plain = render_text(d.diagram, {.unicode = true, .color = false});
  EXPECT_EQ(plain.find('\033'), std::string::npos);
  EXPECT_NE(render_text(d.diagram, {.unicode = true, .color = true}).find('\033'), std::string::npos);
  const std::string ascii = render_text(d.diagram, {.unicode = false, .color = false});
  for (const Event& e : d.trace.events) EXPECT_NE(plain.find(describe(e)), std::string::npos) << describe(e);
  EXPECT_NE(ascii.find("o--->"), std::string::npos) << "ASCII lanes";
  EXPECT_NE(plain.find("[LOST] m0 lost: no log holds it any more (L_ack"), std::string::npos);
}

TEST(ShowTest, HtmlPageEmbedsTheSvgAndNeedsNothingOutside) {
  const Drawn d = draw(kSource + "/traces/at-most-once/L_ack.jsonl");
  const std::string page = html_page(d.diagram.title, html_diagram(d.diagram, "x"));
  EXPECT_NE(page.find("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"x\""), std::string::npos);
  EXPECT_EQ(page.find("<?xml"), std::string::npos) << "no XML declaration inside HTML";
  for (const char* outside : {"<link", "src=", "href=", "@import", "url(http"})
    EXPECT_EQ(page.find(outside), std::string::npos) << outside;
}

}  // namespace
}  // namespace kdc::show
