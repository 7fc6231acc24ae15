// The SVG picture: lanes left to right in the order a record travels, time downwards,
// one row per event, the describe() sentence of each row on the right.
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "show/render.h"

namespace kdc::show {
namespace {

// Geometry (px). Text widths are estimated, so boxes are sized generously.
constexpr double kMargin = 20;
constexpr double kStepColumn = 46;
constexpr double kLaneWidth = 116;
constexpr double kRowHeight = 30;
constexpr double kFateLine = 18;
constexpr double kLevel = 12;         // a second arrow over the same span in one row
constexpr double kCharWidth = 6.9;    // 12 px DejaVu Sans, average
constexpr double kSmallChar = 6.2;    // 10.5-11 px
constexpr int kHeaderEvery = 25;      // rows between repeated lane names

const char* kFont = "DejaVu Sans, Verdana, Helvetica, Arial, sans-serif";

struct Colors {
  const char* request = "#1f4e9c";
  const char* response = "#1f4e9c";
  const char* data = "#4a4a4a";
  const char* control = "#7b1fa2";
  const char* error = "#c62828";
  const char* fault = "#d32f2f";
  const char* fault_band = "#fdecec";
  const char* focus_band = "#fff8dc";
};
const Colors kColor;

const char* fate_color(Fate f) {
  switch (f) {
    case Fate::kAcknowledged: return "#2e7d32";
    case Fate::kDelivered: return "#1565c0";
    case Fate::kStoredTwice: return "#ef6c00";
    case Fate::kDuplicated: return "#e65100";
    case Fate::kReordered: return "#6a1b9a";
    case Fate::kLost: return "#c62828";
  }
  return "#000";
}

const char* fate_word(Fate f) {
  switch (f) {
    case Fate::kAcknowledged: return "ACKED";
    case Fate::kDelivered: return "DELIVERED";
    case Fate::kStoredTwice: return "STORED TWICE";
    case Fate::kDuplicated: return "DUPLICATE";
    case Fate::kReordered: return "REORDERED";
    case Fate::kLost: return "LOST";
  }
  return "?";
}

const char* lane_color(Actor a) {
  switch (a) {
    case Actor::kProducerApp:
    case Actor::kAccumulator:
    case Actor::kSender: return "#2b5797";
    case Actor::kBroker: return "#455a64";
    case Actor::kController:
    case Actor::kGroupCoordinator:
    case Actor::kTxnCoordinator: return "#6d4c41";
    case Actor::kConsumer:
    case Actor::kSink: return "#00695c";
  }
  return "#333";
}

const char* arrow_color(const Arrow& a) {
  if (a.error) return kColor.error;
  switch (a.kind) {
    case ArrowKind::kRequest: return kColor.request;
    case ArrowKind::kResponse: return kColor.response;
    case ArrowKind::kData: return kColor.data;
    case ArrowKind::kControl: return kColor.control;
  }
  return "#000";
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  std::string s = buf;
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  return s;
}

// Characters, not bytes: widths of UTF-8 text.
size_t chars(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

class Svg {
 public:
  std::ostringstream o;
  void text(double x, double y, std::string_view s, const std::string& attrs) {
    o << "<text x=\"" << fmt(x) << "\" y=\"" << fmt(y) << "\" " << attrs << ">" << escape_xml(s) << "</text>\n";
  }
  void line(double x1, double y1, double x2, double y2, const std::string& attrs) {
    o << "<line x1=\"" << fmt(x1) << "\" y1=\"" << fmt(y1) << "\" x2=\"" << fmt(x2) << "\" y2=\"" << fmt(y2)
      << "\" " << attrs << "/>\n";
  }
  void rect(double x, double y, double w, double h, const std::string& attrs) {
    o << "<rect x=\"" << fmt(x) << "\" y=\"" << fmt(y) << "\" width=\"" << fmt(w) << "\" height=\"" << fmt(h)
      << "\" " << attrs << "/>\n";
  }
};

// A halo keeps labels readable where they cross lifelines.
const std::string kHalo = "paint-order=\"stroke\" stroke=\"#fff\" stroke-width=\"3.5\" stroke-linejoin=\"round\"";

std::string marker_id(const std::string& id, const char* color) { return id + "-head-" + std::string(color + 1); }

// A round badge with a symbol: a tick (acknowledged, delivered), a cross (lost), "2"
// (a second copy), "R" (reordered).
void badge(Svg& s, double x, double y, Fate f) {
  const char* c = fate_color(f);
  s.o << "<circle cx=\"" << fmt(x) << "\" cy=\"" << fmt(y) << "\" r=\"9\" fill=\"" << c
      << "\" stroke=\"#fff\" stroke-width=\"1.5\"/>\n";
  switch (f) {
    case Fate::kAcknowledged:
    case Fate::kDelivered:
      s.o << "<path d=\"M" << fmt(x - 4.5) << " " << fmt(y) << " l3 3.5 l6 -7\" fill=\"none\" stroke=\"#fff\" "
          << "stroke-width=\"2.2\" stroke-linecap=\"round\" stroke-linejoin=\"round\"/>\n";
      break;
    case Fate::kLost:
      s.line(x - 4, y - 4, x + 4, y + 4, "stroke=\"#fff\" stroke-width=\"2.4\" stroke-linecap=\"round\"");
      s.line(x - 4, y + 4, x + 4, y - 4, "stroke=\"#fff\" stroke-width=\"2.4\" stroke-linecap=\"round\"");
      break;
    case Fate::kStoredTwice:
    case Fate::kDuplicated:
    case Fate::kReordered:
      s.text(x, y + 4, f == Fate::kReordered ? "R" : "2",
             std::string("text-anchor=\"middle\" font-size=\"11.5\" font-weight=\"bold\" fill=\"#fff\" font-family=\"") +
                 kFont + "\"");
      break;
  }
}

void fault_mark(Svg& s, double x, double y) {
  s.o << "<circle cx=\"" << fmt(x) << "\" cy=\"" << fmt(y) << "\" r=\"8.5\" fill=\"" << kColor.fault << "\"/>\n";
  s.line(x - 4, y - 4, x + 4, y + 4, "stroke=\"#fff\" stroke-width=\"2.4\" stroke-linecap=\"round\"");
  s.line(x - 4, y + 4, x + 4, y - 4, "stroke=\"#fff\" stroke-width=\"2.4\" stroke-linecap=\"round\"");
}

std::string arrow_attrs(const Arrow& a, const std::string& id) {
  const char* c = arrow_color(a);
  std::string attrs = std::string("stroke=\"") + c + "\" stroke-width=\"" + (a.kind == ArrowKind::kData ? "1.8" : "1.5") +
                      "\" marker-end=\"url(#" + marker_id(id, c) + ")\"";
  if (a.kind == ArrowKind::kResponse) attrs += " stroke-dasharray=\"6 3\"";
  return attrs;
}

}  // namespace

std::string render_svg(const Diagram& d, const std::string& id) {
  const int lanes = int(d.lanes.size());
  const double x0 = kMargin + kStepColumn;
  auto lane_x = [&](int lane) { return x0 + kLaneWidth * (lane + 0.5); };
  const double text_x = x0 + kLaneWidth * lanes + 16;

  const double widest = std::max(chars(d.title) * 1.5, chars(d.subtitle) * 1.0);
  double text_width = 0;
  for (const Row& r : d.rows) {
    text_width = std::max(text_width, chars(r.text) * kCharWidth);
    for (const FateMark& m : r.fates) text_width = std::max(text_width, (chars(m.text) + 16) * kCharWidth);
  }
  for (const std::string& n : d.notes) text_width = std::max(text_width, chars(n) * kCharWidth * 0.95 - (text_x - x0));
  double width = std::max(text_x + text_width + kMargin, kMargin * 2 + widest * kCharWidth);
  width = std::max(width, 1180.0);  // room for the legend

  // Rows: their heights (fate lines, stacked arrows) and tops.
  std::vector<double> top(d.rows.size() + 1), mid(d.rows.size());
  std::vector<std::vector<int>> levels(d.rows.size());
  // The settings line, wrapped.
  std::vector<std::string> settings;
  {
    std::string line;
    size_t start = 0;
    while (start < d.settings.size()) {
      size_t end = d.settings.find("  ", start);
      if (end == std::string::npos) end = d.settings.size();
      const std::string item = d.settings.substr(start, end - start);
      if (!line.empty() && chars(line) + 2 + chars(item) > 150) settings.push_back(line), line.clear();
      line += (line.empty() ? "" : "  ") + item;
      start = end + 2;
    }
    if (!line.empty()) settings.push_back(line);
  }
  const double legend_y = kMargin + 50 + 16 * double(settings.size());
  const double group_y = legend_y + 56;
  const double header_y = group_y + 20;
  double y = header_y + 46;
  for (size_t r = 0; r < d.rows.size(); ++r) {
    if (r > 0 && r % kHeaderEvery == 0) y += 20;  // repeated lane names
    const Row& row = d.rows[r];
    int max_level = 0;
    for (size_t a = 0; a < row.shape.arrows.size(); ++a) {
      const Arrow& arrow = row.shape.arrows[a];
      auto span = [&](const Arrow& x) {
        const auto f = d.lanes_of(x.from), t = d.lanes_of(x.to);
        int lo = f.empty() ? 0 : f.front(), hi = t.empty() ? 0 : t.front();
        return std::pair{std::min(lo, hi), std::max(lo, hi)};
      };
      int level = 0;
      for (size_t b = 0; b < a; ++b) {
        auto [lo1, hi1] = span(row.shape.arrows[b]);
        auto [lo2, hi2] = span(arrow);
        if (lo1 < hi2 && lo2 < hi1) level = std::max(level, levels[r][b] + 1);
      }
      levels[r].push_back(level);
      max_level = std::max(max_level, level);
    }
    top[r] = y;
    mid[r] = y + kRowHeight / 2 + 2;
    y += std::max(kRowHeight + max_level * kLevel, kRowHeight + kFateLine * double(row.fates.size()));
  }
  top[d.rows.size()] = y;
  const double lanes_end = y + 4;
  double height = lanes_end + 44 + 18 * double(d.notes.size()) + kMargin;

  Svg s;
  s.o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  s.o << "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"" << escape_xml(id) << "\" viewBox=\"0 0 " << fmt(width)
      << " " << fmt(height) << "\" width=\"" << fmt(width) << "\" height=\"" << fmt(height)
      << "\" font-family=\"" << kFont << "\" font-size=\"12\" role=\"img\" aria-labelledby=\"" << id << "-title\">\n";
  s.o << "<title id=\"" << id << "-title\">" << escape_xml(d.title) << "</title>\n";
  s.o << "<defs>\n";
  for (const char* c : {kColor.request, kColor.data, kColor.control, kColor.error})
    s.o << "<marker id=\"" << marker_id(id, c) << "\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" "
        << "markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0 0 L10 5 L0 10 z\" fill=\"" << c
        << "\"/></marker>\n";
  s.o << "</defs>\n";
  s.rect(0, 0, width, height, "fill=\"#ffffff\"");

  // Title, where it comes from, the settings.
  s.text(kMargin, kMargin + 16, d.title, "font-size=\"18\" font-weight=\"bold\" fill=\"#111\"");
  s.text(kMargin, kMargin + 36, d.subtitle, "font-size=\"12\" fill=\"#555\"");
  for (size_t i = 0; i < settings.size(); ++i)
    s.text(kMargin, kMargin + 54 + 16 * double(i), settings[i],
           "font-size=\"11.5\" fill=\"#333\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\"");

  // Legend.
  {
    double lx = kMargin;
    double ly = legend_y + 8;
    s.text(lx, ly + 4, "Legend:", "font-weight=\"bold\" fill=\"#333\"");
    lx += 60;
    auto arrow_sample = [&](ArrowKind kind, bool error, const char* label) {
      Arrow a{{}, {}, kind, "", error};
      s.line(lx, ly, lx + 34, ly, arrow_attrs(a, id));
      s.text(lx + 40, ly + 4, label, "fill=\"#333\"");
      lx += 40 + chars(label) * kCharWidth + 14;
    };
    arrow_sample(ArrowKind::kRequest, false, "request");
    arrow_sample(ArrowKind::kResponse, false, "response / callback");
    arrow_sample(ArrowKind::kData, false, "records move");
    arrow_sample(ArrowKind::kControl, false, "controller / coordinator");
    arrow_sample(ArrowKind::kResponse, true, "error");
    fault_mark(s, lx + 8, ly);
    s.text(lx + 22, ly + 4, "fault", "fill=\"#333\"");
    lx += 22 + 5 * kCharWidth + 14;
    s.rect(lx, ly - 6, 8, 12, "fill=\"#e53935\" fill-opacity=\"0.35\"");
    s.text(lx + 14, ly + 4, "broker down", "fill=\"#333\"");
    lx += 14 + 11 * kCharWidth + 14;
    s.rect(lx, ly - 6, 8, 12, "fill=\"#fb8c00\" fill-opacity=\"0.35\"");
    s.text(lx + 14, ly + 4, "cut off", "fill=\"#333\"");
    lx += 14 + 7 * kCharWidth + 14;
    // The fates on a second line: the first is full.
    lx = kMargin + 60;
    ly += 22;
    for (Fate f : {Fate::kAcknowledged, Fate::kDelivered, Fate::kStoredTwice, Fate::kDuplicated, Fate::kReordered, Fate::kLost}) {
      badge(s, lx + 9, ly, f);
      std::string label(name(f));
      s.text(lx + 22, ly + 4, label, std::string("fill=\"") + fate_color(f) + "\" font-weight=\"bold\"");
      lx += 22 + chars(label) * 7.8 + 14;
    }
    s.text(lx, ly + 4, "* step about the message concerned", "fill=\"#333\"");
  }

  // Lane groups and headers.
  auto group = [&](Actor first, Actor last, const char* label) {
    int lo = -1, hi = -1;
    for (int i = 0; i < lanes; ++i) {
      const Actor a = d.lanes[i].actor.actor;
      if (a >= first && a <= last) {
        if (lo < 0) lo = i;
        hi = i;
      }
    }
    if (lo < 0) return;
    const double a = x0 + kLaneWidth * lo + 6, b = x0 + kLaneWidth * (hi + 1) - 6;
    s.line(a, group_y + 6, b, group_y + 6, std::string("stroke=\"") + lane_color(first) + "\" stroke-width=\"2\"");
    s.text((a + b) / 2, group_y + 1, label,
           std::string("text-anchor=\"middle\" font-size=\"11\" fill=\"") + lane_color(first) + "\" " + kHalo);
  };
  group(Actor::kProducerApp, Actor::kSender, "producer (application and client)");
  group(Actor::kBroker, Actor::kTxnCoordinator, "Kafka cluster");
  group(Actor::kConsumer, Actor::kSink, "consumer application");

  // Bands behind the rows: faults, and the steps about the message concerned.
  for (size_t r = 0; r < d.rows.size(); ++r) {
    const Row& row = d.rows[r];
    if (is_fault(row.event.type))
      s.rect(x0, top[r] + 1, width - x0 - kMargin / 2, top[r + 1] - top[r] - 2, std::string("fill=\"") + kColor.fault_band + "\"");
    else if (row.about_focus)
      s.rect(x0, top[r] + 1, width - x0 - kMargin / 2, top[r + 1] - top[r] - 2, std::string("fill=\"") + kColor.focus_band + "\"");
  }

  // Lifelines, outages on them.
  for (int i = 0; i < lanes; ++i)
    s.line(lane_x(i), header_y + 36, lane_x(i), lanes_end, "stroke=\"#b0bec5\" stroke-width=\"1.2\"");
  for (const Outage& o : d.outages) {
    const double a = mid[o.first_row];
    const double b = o.last_row < int(d.rows.size()) ? mid[o.last_row] : lanes_end;
    s.o << "<g class=\"outage\"><title>" << escape_xml(d.lanes[o.lane].title) << (o.partitioned ? " cut off" : " down")
        << "</title>\n";
    s.rect(lane_x(o.lane) - 4, a, 8, b - a,
           std::string("fill=\"") + (o.partitioned ? "#fb8c00" : "#e53935") + "\" fill-opacity=\"0.35\"");
    s.o << "</g>\n";
  }

  auto lane_names = [&](double yy, bool boxes) {
    for (int i = 0; i < lanes; ++i) {
      const Lane& l = d.lanes[i];
      if (boxes) {
        s.o << "<g class=\"lane\" data-lane=\"" << escape_xml(l.title) << "\">\n";
        s.rect(lane_x(i) - kLaneWidth / 2 + 5, yy, kLaneWidth - 10, 36,
               std::string("rx=\"5\" fill=\"") + lane_color(l.actor.actor) + "\"");
        // Long titles on two lines, split at the space nearest the middle.
        const std::string attrs = "text-anchor=\"middle\" font-size=\"12\" font-weight=\"bold\" fill=\"#fff\"";
        const size_t mid_space = l.title.size() > 13 ? l.title.rfind(' ', l.title.size() / 2 + 2) : std::string::npos;
        if (mid_space == std::string::npos) {
          s.text(lane_x(i), yy + 22, l.title, attrs);
        } else {
          s.o << "<text x=\"" << fmt(lane_x(i)) << "\" y=\"" << fmt(yy + 15) << "\" " << attrs << ">"
              << escape_xml(l.title.substr(0, mid_space)) << "<tspan x=\"" << fmt(lane_x(i)) << "\" dy=\"14\"> "
              << escape_xml(l.title.substr(mid_space + 1)) << "</tspan></text>\n";
        }
        s.o << "</g>\n";
      } else {
        s.text(lane_x(i), yy, l.title, std::string("text-anchor=\"middle\" font-size=\"10.5\" fill=\"") +
                                           lane_color(l.actor.actor) + "\" " + kHalo);
      }
    }
  };
  lane_names(header_y, true);

  // The rows.
  for (size_t r = 0; r < d.rows.size(); ++r) {
    const Row& row = d.rows[r];
    const double ym = mid[r];
    if (r > 0 && r % kHeaderEvery == 0) lane_names(top[r] - 6, false);
    s.o << "<g class=\"step\" id=\"" << id << "-step-" << row.step << "\" data-step=\"" << row.step
        << "\" data-event=\"" << name(row.event.type) << "\""
        // An empty fetch moves nothing: drawn faint so the steps that matter stand out.
        << (row.event.type == EventType::kFetch && row.event.count == 0 ? " opacity=\"0.45\"" : "") << ">\n";
    s.o << "<title>" << row.step << ". " << escape_xml(row.text) << "</title>\n";
    s.text(x0 - 8, ym + 4, (row.about_focus ? "* " : "") + std::to_string(row.step),
           std::string("text-anchor=\"end\" fill=\"") + (row.about_focus ? "#111\" font-weight=\"bold" : "#777") + "\"");

    // Lanes with a fate badge in this row: arrows stop short of the badge.
    std::vector<int> badged;
    for (const FateMark& m : row.fates)
      for (int lane : d.lanes_of(fate_actor(m, row))) badged.push_back(lane);
    auto has_badge = [&](int lane) { return std::find(badged.begin(), badged.end(), lane) != badged.end(); };

    for (size_t a = 0; a < row.shape.arrows.size(); ++a) {
      const Arrow& arrow = row.shape.arrows[a];
      const auto from = d.lanes_of(arrow.from), to = d.lanes_of(arrow.to);
      if (from.empty() || to.empty()) continue;
      const double level = levels[r][a] * kLevel;
      const double ay = ym + level;
      const double xa = lane_x(from.front()), xb = lane_x(to.front());
      const double dir = xb > xa ? 1 : -1;
      const double end = xb - dir * (has_badge(to.front()) ? 11 : 2);
      s.o << "<circle cx=\"" << fmt(xa) << "\" cy=\"" << fmt(ay) << "\" r=\"2.5\" fill=\"" << arrow_color(arrow) << "\"/>\n";
      s.line(xa, ay, end, ay, arrow_attrs(arrow, id));
      const double label_y = levels[r][a] == 0 ? ay - 5 : ay + 12;
      s.text((xa + xb) / 2, label_y, arrow.label,
             std::string("text-anchor=\"middle\" font-size=\"10.5\" fill=\"") + arrow_color(arrow) + "\" " + kHalo);
    }
    for (const ActorRef& who : row.shape.local)
      for (int lane : d.lanes_of(who)) {
        const double w = chars(row.shape.local_label) * kSmallChar + 14;
        s.rect(lane_x(lane) - w / 2, ym - 9, w, 18, "rx=\"4\" fill=\"#eef2f7\" stroke=\"#7d8fa9\"");
        s.text(lane_x(lane), ym + 4, row.shape.local_label, "text-anchor=\"middle\" font-size=\"11\" fill=\"#1b2a3a\"");
      }
    if (!row.shape.struck.empty()) {
      double last_x = 0;
      for (const ActorRef& who : row.shape.struck)
        for (int lane : d.lanes_of(who)) {
          fault_mark(s, lane_x(lane), ym);
          last_x = std::max(last_x, lane_x(lane));
        }
      s.text(last_x + 13, ym + 4, "FAULT: " + row.shape.local_label,
             std::string("font-size=\"11\" font-weight=\"bold\" fill=\"") + kColor.fault + "\" " + kHalo);
    }
    // A badge sits on its lane, or just right of a box already there.
    for (const FateMark& m : row.fates)
      for (int lane : d.lanes_of(fate_actor(m, row))) {
        double bx = lane_x(lane);
        for (const ActorRef& who : row.shape.local)
          for (int l : d.lanes_of(who))
            if (l == lane) bx += (chars(row.shape.local_label) * kSmallChar + 14) / 2 + 12;
        badge(s, bx, ym, m.fate);
      }

    // The sentence, then the fates decided here.
    s.text(text_x, ym + 4, row.text,
           std::string("fill=\"") + (is_fault(row.event.type) ? kColor.fault : "#222") + "\"" +
               (row.about_focus || is_fault(row.event.type) ? " font-weight=\"bold\"" : ""));
    double fy = ym + 4 + kFateLine;
    for (const FateMark& m : row.fates) {
      const char* c = fate_color(m.fate);
      const std::string word = fate_word(m.fate);
      const double w = chars(word) * 7.6 + 10;
      s.rect(text_x, fy - 11, w, 15, std::string("rx=\"3\" fill=\"") + c + "\"");
      s.text(text_x + 5, fy, word, "font-size=\"10.5\" font-weight=\"bold\" fill=\"#fff\"");
      s.text(text_x + w + 6, fy, m.text,
             std::string("fill=\"") + c + "\"" + (m.msg == d.focus_msg ? " font-weight=\"bold\"" : ""));
      fy += kFateLine;
    }
    s.o << "</g>\n";
  }

  double ny = lanes_end + 24;
  s.text(kMargin, ny, "Rows are steps in order (time runs downwards); each sentence is the step as kdc replay prints it.",
         "font-size=\"11\" fill=\"#555\"");
  for (const std::string& n : d.notes) {
    ny += 18;
    s.text(kMargin, ny, "NOTE: " + n, "font-size=\"11\" fill=\"#8a4b00\"");
  }
  s.o << "</svg>\n";
  return s.o.str();
}

std::string escape_xml(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        // XML 1.0 forbids most control characters; a trace has none, but be safe.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') out += ' ';
        else out += c;
    }
  }
  return out;
}

}  // namespace kdc::show
