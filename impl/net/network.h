// The network between all nodes: one TCP-like connection per ordered pair of nodes.
//
// Contract:
//  - send(from, to, p) delivers p to `to`'s reader actor after a delay drawn from
//    [min_delay, max_delay] (plus any slow-link delay), in order per (from, to): a message
//    never overtakes an earlier one on the same connection.
//  - A message is lost, silently, if at delivery time `to` is not attached (its process is
//    down, or restarted since the message was sent), or `from` and `to` are cut off from
//    each other, or a drop was injected on that connection. A message sent to a node that
//    is not attached at all is refused: the sender is told at once (on_disconnect(to)).
//  - Connections break. When a node detaches (its process dies) or a partition cuts two
//    nodes apart, each attached peer that had used the connection is told once, on its
//    reader actor: on_disconnect(peer). A client fails the requests it awaited on that
//    connection (NETWORK_EXCEPTION), as Kafka's NetworkClient does.
//  - Of the messages a dying process had sent that are still in flight, a seeded prefix per
//    connection arrives (the peer had already read them from its socket) and the rest are
//    lost with the connection.
//  - With duplicate_probability > 0, a delivered message may be delivered a second time,
//    later (a fault Kafka's TCP connections do not have; off by default).
//  - The network does not record trace events: the faults it is used for are recorded by
//    whoever injects them, and the steps by the components.
#ifndef KDC_IMPL_NET_NETWORK_H_
#define KDC_IMPL_NET_NETWORK_H_

#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <utility>
#include <vector>

#include "impl/protocol/message.h"
#include "impl/runtime/runtime.h"

namespace kdc::impl {

struct NetworkOptions {
  Millis min_delay = 0;
  Millis max_delay = 2;
  double duplicate_probability = 0.0;
};

class Network {
 public:
  using Handler = std::function<void(Message)>;
  using DisconnectHandler = std::function<void(NodeId peer)>;

  Network(Runtime& runtime, NetworkOptions options);

  // A process binds its address: messages to `node` run `handler` on `reader`.
  void attach(NodeId node, ActorId reader, Handler handler, DisconnectHandler on_disconnect);
  // The process behind `node` died: its connections break.
  void detach(NodeId node);
  bool attached(NodeId node) const;

  void send(NodeId from, NodeId to, Payload payload);
  // `from` closes its connection to `to` (a client giving up after request.timeout.ms): of
  // what it sent that is still on the wire, `to` had already read a seeded prefix; the rest
  // is lost. Responses in flight back to `from` on it are lost too. `to` is told.
  void close_connection(NodeId from, NodeId to);

  // Faults. A partition cuts `node` off from each node in `others` (both directions) until
  // heal(node); the connections across the cut break.
  void isolate(NodeId node, const std::set<NodeId>& others);
  void heal(NodeId node);
  bool reachable(NodeId a, NodeId b) const;
  // Messages sent from `from` to `to` until `until` (runtime time) take `extra` ms longer.
  void slow_link(NodeId from, NodeId to, Millis extra, Millis until);
  // The next `count` messages sent from `from` to `to` are lost.
  void drop_next(NodeId from, NodeId to, int count);
  // Every message from `from` to `to` still on the wire is lost.
  void drop_in_flight(NodeId from, NodeId to);
  // Every message from `from` to `to` still on the wire arrives `extra` ms later than it
  // would have (a slow path; the connection stays FIFO, so what is sent after waits too).
  void delay_in_flight(NodeId from, NodeId to, Millis extra);

  uint64_t messages_sent() const;

 private:
  struct Endpoint {
    ActorId reader = -1;
    Handler handler;
    DisconnectHandler on_disconnect;
    uint64_t incarnation = 0;
    bool up = false;
  };
  struct Link {
    Millis last_delivery = 0;  // keeps the connection FIFO
    uint64_t sent = 0;            // sequence numbers of messages sent on the link
    uint64_t delivered_upto = 0;  // the highest sequence number that reached delivery
    // Ranges of sequence numbers lost: with a broken connection, or dropped on purpose.
    std::vector<std::pair<uint64_t, uint64_t>> dead;
    // Sequence numbers held back on the wire until a time (delay_in_flight).
    std::vector<std::pair<std::pair<uint64_t, uint64_t>, Millis>> held;
    Millis slow_extra = 0;
    Millis slow_until = 0;
    int drop = 0;
    bool used = false;  // a connection is open (someone sent on it since it last broke)
  };
  using LinkKey = std::pair<NodeId, NodeId>;

  void deliver(NodeId from, NodeId to, uint64_t incarnation, uint64_t seq, Payload payload,
               bool may_duplicate);
  // Breaks the connections between a and b (both directions); caller holds mu_.
  void break_connection_locked(NodeId a, NodeId b, bool a_died);
  bool cut_locked(NodeId a, NodeId b) const;

  Runtime& runtime_;
  NetworkOptions options_;
  mutable std::mutex mu_;
  std::map<NodeId, Endpoint> endpoints_;
  std::map<LinkKey, Link> links_;
  std::set<LinkKey> cuts_;  // unordered pairs stored as (min, max)
  uint64_t messages_sent_ = 0;
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_NET_NETWORK_H_
