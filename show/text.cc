// The terminal picture: one column per lane, the step's sentence on the right, the fates
// decided at a step on the lines below it.
#include <sstream>

#include "show/render.h"

namespace kdc::show {
namespace {

constexpr int kColumn = 5;  // characters per lane

struct Glyphs {
  const char* lifeline;
  const char* down;      // a broker that is down or cut off
  const char* line;
  const char* right;
  const char* left;
  const char* origin;
  const char* box;
  const char* fault;
};
const Glyphs kUnicode = {"│", "┊", "─", "▶", "◀", "●", "■", "✖"};
const Glyphs kAscii = {"|", ":", "-", ">", "<", "o", "#", "X"};

const char* ansi(Fate f) {
  switch (f) {
    case Fate::kAcknowledged: return "\033[32m";
    case Fate::kDelivered: return "\033[34m";
    case Fate::kStoredTwice:
    case Fate::kDuplicated: return "\033[33m";
    case Fate::kReordered: return "\033[35m";
    case Fate::kLost: return "\033[1;31m";
  }
  return "";
}

const char* word(Fate f) {
  switch (f) {
    case Fate::kAcknowledged: return "[ACKED]";
    case Fate::kDelivered: return "[DELIVERED]";
    case Fate::kStoredTwice: return "[STORED TWICE]";
    case Fate::kDuplicated: return "[DUPLICATE]";
    case Fate::kReordered: return "[REORDERED]";
    case Fate::kLost: return "[LOST]";
  }
  return "[?]";
}

}  // namespace

std::string render_text(const Diagram& d, const TextStyle& style) {
  const Glyphs& g = style.unicode ? kUnicode : kAscii;
  const int lanes = int(d.lanes.size());
  const std::string bold = style.color ? "\033[1m" : "", reset = style.color ? "\033[0m" : "",
                    red = style.color ? "\033[31m" : "";
  std::ostringstream o;
  o << bold << d.title << reset << "\n" << d.subtitle << "\n";
  if (!d.settings.empty()) o << d.settings << "\n";
  o << "\nlanes:";
  for (int i = 0; i < lanes; ++i) o << (i ? "," : "") << " " << d.lanes[i].abbrev << " = " << d.lanes[i].title;
  o << "\n" << g.origin << g.line << g.right << " request/response/records, " << g.box << " a step inside one actor, "
    << g.fault << " fault, " << g.down << " broker down or cut off, * step about the message concerned\n\n";

  std::string names = "      ";
  for (int i = 0; i < lanes; ++i) {
    std::string a = d.lanes[i].abbrev;
    int pad = kColumn - int(a.size());
    names += std::string(pad / 2, ' ') + a + std::string(pad - pad / 2, ' ');
  }
  o << names.substr(0, names.find_last_not_of(' ') + 1) << "\n";

  for (size_t r = 0; r < d.rows.size(); ++r) {
    const Row& row = d.rows[r];
    // One cell per character position; each holds one (possibly multi-byte) glyph.
    std::vector<std::string> cell(size_t(lanes * kColumn), " ");
    auto centre = [](int lane) { return lane * kColumn + kColumn / 2; };
    for (int i = 0; i < lanes; ++i) {
      bool out = false;
      for (const Outage& x : d.outages) out |= x.lane == i && int(r) >= x.first_row && int(r) <= x.last_row;
      cell[centre(i)] = out ? g.down : g.lifeline;
    }
    for (const Arrow& a : row.shape.arrows) {
      const auto from = d.lanes_of(a.from), to = d.lanes_of(a.to);
      if (from.empty() || to.empty()) continue;
      const int x1 = centre(from.front()), x2 = centre(to.front());
      const int step = x2 > x1 ? 1 : -1;
      for (int x = x1; x != x2; x += step) cell[x] = g.line;
      cell[x1] = g.origin;
      cell[x2 - step] = step > 0 ? g.right : g.left;
    }
    for (const ActorRef& who : row.shape.local)
      for (int lane : d.lanes_of(who)) cell[centre(lane)] = g.box;
    for (const ActorRef& who : row.shape.struck)
      for (int lane : d.lanes_of(who)) cell[centre(lane)] = red + g.fault + reset;

    char num[16];
    std::snprintf(num, sizeof num, "%4d", row.step);
    o << (row.about_focus ? "* " : "  ") << num;
    for (const std::string& c : cell) o << c;
    const bool fault = is_fault(row.event.type);
    o << "  " << (fault ? red : "") << (row.about_focus || fault ? bold : "") << row.text << reset << "\n";
    for (const FateMark& m : row.fates) {
      o << std::string(6 + lanes * kColumn + 2, ' ');
      o << (style.color ? ansi(m.fate) : "") << word(m.fate) << " " << m.text << reset << "\n";
    }
  }
  for (const std::string& n : d.notes) o << "\nNOTE: " << n << "\n";
  return o.str();
}

}  // namespace kdc::show
