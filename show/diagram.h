// A run as a sequence diagram, independent of how it is drawn: the lanes (actors) in
// order, one row per event with its shape (show/lanes.h) and the message fates pinned to
// it (show/fate.h). render_svg / render_text / the HTML report draw this one structure,
// so the picture, the terminal and the report cannot tell different stories.
#ifndef KDC_SHOW_DIAGRAM_H_
#define KDC_SHOW_DIAGRAM_H_

#include <string>
#include <vector>

#include "model/vocabulary/config.h"
#include "model/vocabulary/trace.h"
#include "show/fate.h"
#include "show/lanes.h"

namespace kdc::show {

struct Lane {
  ActorRef actor;
  std::string title;   // "broker 1", "sender thread"
  std::string abbrev;  // for the terminal: "b1", "snd"
};

struct Row {
  int step = 0;        // 1-based
  Event event;
  std::string text;    // describe(event)
  EventShape shape;
  std::vector<FateMark> fates;  // fates decided at this step
  bool about_focus = false;     // the event concerns the message the effect is about
};

// A stretch of rows during which a lane's actor is down (crashed, powered off) or cut off.
struct Outage {
  int lane = 0;
  int first_row = 0, last_row = 0;  // 0-based, inclusive; last_row = rows.size() if it never ends
  bool partitioned = false;         // cut off (network) rather than down
};

struct Diagram {
  std::string title;     // "L_ack — m0: acknowledged to the producer application, then lost"
  std::string subtitle;  // where the trace comes from and the settings that decide it
  std::string settings;  // the key settings, one line
  std::vector<Lane> lanes;
  std::vector<Row> rows;
  std::vector<Outage> outages;
  std::vector<std::string> notes;  // e.g. where the model replay diverged
  int focus_msg = -1;              // the message the trace's effect concerns

  // The lanes an actor occupies: one, or every broker for ActorRef{kBroker, -1}; empty if
  // the diagram has no such lane.
  std::vector<int> lanes_of(const ActorRef& a) const;
};

// `name` is how the trace is called in the picture (its path).
Diagram build_diagram(const Trace& trace, const Config& config, const TraceFates& fates,
                      const std::string& name);

// The lane a fate is drawn on: the app for an acknowledgement, the sink for what it
// applied, the broker that stored a copy, the step's own actor for a loss.
ActorRef fate_actor(const FateMark& mark, const Row& row);

}  // namespace kdc::show

#endif  // KDC_SHOW_DIAGRAM_H_
