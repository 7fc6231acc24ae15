#include "impl/net/network.h"

#include <algorithm>
#include <vector>

namespace kdc::impl {

Network::Network(Runtime& runtime, NetworkOptions options)
    : runtime_(runtime), options_(options) {}

void Network::attach(NodeId node, ActorId reader, Handler handler,
                     DisconnectHandler on_disconnect) {
  std::lock_guard<std::mutex> g(mu_);
  Endpoint& e = endpoints_[node];
  e.reader = reader;
  e.handler = std::move(handler);
  e.on_disconnect = std::move(on_disconnect);
  ++e.incarnation;
  e.up = true;
}

void Network::detach(NodeId node) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = endpoints_.find(node);
  if (it == endpoints_.end() || !it->second.up) return;
  it->second.up = false;
  std::vector<NodeId> peers;
  for (auto& [key, link] : links_) {
    if (key.first == node) peers.push_back(key.second);
    if (key.second == node) peers.push_back(key.first);
  }
  std::sort(peers.begin(), peers.end());
  peers.erase(std::unique(peers.begin(), peers.end()), peers.end());
  for (NodeId peer : peers) break_connection_locked(node, peer, /*a_died=*/true);
}

bool Network::attached(NodeId node) const {
  std::lock_guard<std::mutex> g(mu_);
  auto it = endpoints_.find(node);
  return it != endpoints_.end() && it->second.up;
}

bool Network::cut_locked(NodeId a, NodeId b) const {
  return cuts_.count({std::min(a, b), std::max(a, b)}) > 0;
}

bool Network::reachable(NodeId a, NodeId b) const {
  std::lock_guard<std::mutex> g(mu_);
  return !cut_locked(a, b);
}

void Network::break_connection_locked(NodeId a, NodeId b, bool a_died) {
  Link& ab = links_[{a, b}];
  Link& ba = links_[{b, a}];
  bool was_open = ab.used || ba.used;
  if (a_died && ab.sent > ab.delivered_upto) {
    // Of a's messages still on the wire, b had already read a prefix.
    uint64_t pending = ab.sent - ab.delivered_upto;
    uint64_t keep = runtime_.random(pending + 1);
    ab.dead.push_back({ab.delivered_upto + keep + 1, ab.sent});
  }
  ab.used = false;
  ba.used = false;
  if (!was_open) return;
  auto notify = [this](NodeId who, NodeId peer) {
    auto it = endpoints_.find(who);
    if (it == endpoints_.end() || !it->second.up || !it->second.on_disconnect) return;
    DisconnectHandler h = it->second.on_disconnect;
    runtime_.post(it->second.reader, [h, peer] { h(peer); });
  };
  notify(b, a);
  if (!a_died) notify(a, b);
}

void Network::send(NodeId from, NodeId to, Payload payload) {
  std::lock_guard<std::mutex> g(mu_);
  ++messages_sent_;
  auto it = endpoints_.find(to);
  if (it == endpoints_.end() || !it->second.up) {
    // Nobody listens: the connection is refused, and the sender's client notices at once
    // (NetworkClient's failed connect), instead of waiting for its request timeout.
    auto self = endpoints_.find(from);
    if (self != endpoints_.end() && self->second.up && self->second.on_disconnect) {
      DisconnectHandler h = self->second.on_disconnect;
      runtime_.post(self->second.reader, [h, to] { h(to); });
    }
    return;
  }
  if (cut_locked(from, to)) return;  // a partition drops packets silently: timeouts tell
  Link& link = links_[{from, to}];
  link.used = true;
  uint64_t seq = ++link.sent;
  if (link.drop > 0) {
    --link.drop;
    link.dead.push_back({seq, seq});
  }
  Millis now = runtime_.now();
  Millis delay = options_.min_delay +
                 static_cast<Millis>(runtime_.random(
                     static_cast<uint64_t>(options_.max_delay - options_.min_delay + 1)));
  if (now < link.slow_until) delay += link.slow_extra;
  Millis at = std::max(now + delay, link.last_delivery);
  link.last_delivery = at;
  uint64_t incarnation = it->second.incarnation;
  bool may_duplicate = options_.duplicate_probability > 0 &&
                       runtime_.random(1000000) <
                           static_cast<uint64_t>(options_.duplicate_probability * 1000000);
  runtime_.after(it->second.reader, at - now,
                 [this, from, to, incarnation, seq, p = std::move(payload), may_duplicate]() mutable {
                   deliver(from, to, incarnation, seq, std::move(p), may_duplicate);
                 });
}

void Network::deliver(NodeId from, NodeId to, uint64_t incarnation, uint64_t seq,
                      Payload payload, bool may_duplicate) {
  Handler handler;
  {
    std::lock_guard<std::mutex> g(mu_);
    Link& link = links_[{from, to}];
    for (const auto& [range, until] : link.held) {
      if (seq < range.first || seq > range.second || runtime_.now() >= until) continue;
      auto it = endpoints_.find(to);
      if (it == endpoints_.end()) return;
      runtime_.after(it->second.reader, until - runtime_.now(),
                     [this, from, to, incarnation, seq, p = std::move(payload), may_duplicate]() mutable {
                       deliver(from, to, incarnation, seq, std::move(p), may_duplicate);
                     });
      return;
    }
    link.delivered_upto = std::max(link.delivered_upto, seq);
    auto it = endpoints_.find(to);
    if (it == endpoints_.end() || !it->second.up || it->second.incarnation != incarnation) return;
    if (cut_locked(from, to)) return;
    for (const auto& [lo, hi] : link.dead) {
      if (seq >= lo && seq <= hi) return;
    }
    handler = it->second.handler;
    if (may_duplicate) {
      Millis late = options_.max_delay * 10 + 1 +
                    static_cast<Millis>(runtime_.random(static_cast<uint64_t>(options_.max_delay * 10 + 1)));
      runtime_.after(it->second.reader, late,
                     [this, from, to, incarnation, seq, p = payload]() mutable {
                       deliver(from, to, incarnation, seq, std::move(p), false);
                     });
    }
  }
  handler(Message{from, to, std::move(payload)});
}

void Network::close_connection(NodeId from, NodeId to) {
  std::lock_guard<std::mutex> g(mu_);
  Link& back = links_[{to, from}];
  if (back.sent > back.delivered_upto) back.dead.push_back({back.delivered_upto + 1, back.sent});
  break_connection_locked(from, to, /*a_died=*/true);
}

void Network::isolate(NodeId node, const std::set<NodeId>& others) {
  std::lock_guard<std::mutex> g(mu_);
  for (NodeId o : others) {
    if (o == node) continue;
    cuts_.insert({std::min(node, o), std::max(node, o)});
    break_connection_locked(node, o, /*a_died=*/false);
  }
}

void Network::heal(NodeId node) {
  std::lock_guard<std::mutex> g(mu_);
  for (auto it = cuts_.begin(); it != cuts_.end();) {
    if (it->first == node || it->second == node) {
      it = cuts_.erase(it);
    } else {
      ++it;
    }
  }
}

void Network::slow_link(NodeId from, NodeId to, Millis extra, Millis until) {
  std::lock_guard<std::mutex> g(mu_);
  Link& link = links_[{from, to}];
  link.slow_extra = extra;
  link.slow_until = until;
}

void Network::drop_next(NodeId from, NodeId to, int count) {
  std::lock_guard<std::mutex> g(mu_);
  links_[{from, to}].drop += count;
}

void Network::delay_in_flight(NodeId from, NodeId to, Millis extra) {
  std::lock_guard<std::mutex> g(mu_);
  Link& link = links_[{from, to}];
  if (link.sent <= link.delivered_upto) return;
  // FIFO: each held message keeps its place, so they are released in order (the runtime
  // runs timers of the same time in the order they were set), and later ones follow them.
  Millis until = std::max(runtime_.now(), link.last_delivery) + extra;
  link.held.push_back({{link.delivered_upto + 1, link.sent}, until});
  link.last_delivery = until + 1;  // after the held ones, which are re-timed at `until`
}

void Network::drop_in_flight(NodeId from, NodeId to) {
  std::lock_guard<std::mutex> g(mu_);
  Link& link = links_[{from, to}];
  if (link.sent > link.delivered_upto) link.dead.push_back({link.delivered_upto + 1, link.sent});
}

uint64_t Network::messages_sent() const {
  std::lock_guard<std::mutex> g(mu_);
  return messages_sent_;
}

}  // namespace kdc::impl
