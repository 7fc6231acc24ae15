// Who takes each step of a run, and what crosses between actors: the event vocabulary
// (model/vocabulary/event.h) read as a sequence diagram. One lane per actor of the
// pipeline, in the order a record travels (producer application, record accumulator,
// sender thread, each broker, the controller, the coordinators, the consumer, the sink).
//
// Contract: shape_of() depends on the event alone (its type and fields), never on the
// trace around it, so model counterexamples and implementation traces draw alike. Every
// EventType maps to at least one actor; a new type that is not mapped fails to compile
// (-Wswitch) and fails show/show_test.cc.
#ifndef KDC_SHOW_LANES_H_
#define KDC_SHOW_LANES_H_

#include <string>
#include <vector>

#include "model/vocabulary/event.h"

namespace kdc::show {

enum class Actor : uint8_t {
  kProducerApp,      // the application thread calling send() and seeing callbacks
  kAccumulator,      // the record accumulator (the producer's buffer)
  kSender,           // the sender (I/O) thread: Produce requests and their responses
  kBroker,           // one lane per broker (ActorRef::broker)
  kController,       // the KRaft controller: elections, ISR changes, fencing
  kGroupCoordinator, // committed offsets of the consumer group
  kTxnCoordinator,   // transactional.id state and transaction markers
  kConsumer,         // the consumer application: poll, commit
  kSink,             // where the consumer application's processing takes effect
};

struct ActorRef {
  Actor actor = Actor::kProducerApp;
  int broker = -1;  // for kBroker
  bool operator==(const ActorRef&) const = default;
};

// Requests go out and wait; responses (and callbacks) come back; data is records moving
// (replication, poll, processing); control is the controller telling a broker.
enum class ArrowKind : uint8_t { kRequest, kResponse, kData, kControl };

struct Arrow {
  ActorRef from, to;
  ArrowKind kind = ArrowKind::kRequest;
  std::string label;   // short, in Kafka's words: "Produce m0", "NETWORK_EXCEPTION"
  bool error = false;  // an error response or a failed callback
};

// How one event is drawn: arrows between lanes (drawn in order, one row), a step inside
// one actor (a box on its lane), and for faults the actors it strikes.
struct EventShape {
  std::vector<Arrow> arrows;
  std::vector<ActorRef> local;  // a box on each of these lanes, labelled local_label
  std::string local_label;
  std::vector<ActorRef> struck;  // faults: the actors hit
};

EventShape shape_of(const Event& e);

// "m0", or "m0'1" for the first application re-send of m0 (as kdc replay --states writes it).
std::string message_label(int msg, int gen);

// Every actor the event involves (arrows, boxes, faults), without repeats.
std::vector<ActorRef> actors_of(const Event& e);

}  // namespace kdc::show

#endif  // KDC_SHOW_LANES_H_
