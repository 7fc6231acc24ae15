#include "model/replication_safety.h"

#include <sstream>

#include "model/steps.h"

namespace kdc {
namespace {

std::string record_name(const Record& r) {
  std::ostringstream o;
  if (r.is_control()) {
    o << (r.kind == Record::kCommitMarker ? "COMMIT" : "ABORT") << " marker";
  } else {
    o << "m" << r.msg();
    if (r.gen() > 0) o << "'" << r.gen();
  }
  o << " (epoch " << r.epoch() << ")";
  return o.str();
}

std::optional<ReplicationFinding> divergence(const Config& c, const State& s) {
  for (int l = 0; l < replica_count(c); ++l) {
    if (!acts_as_leader(s, l)) continue;
    const Replica& leader = s.replica[l];
    for (int r = 0; r < replica_count(c); ++r) {
      if (r == l || !in_set(s.partition.isr, r) || !s.replica[r].has(Replica::kUp)) continue;
      const Replica& member = s.replica[r];
      for (int o = 0; o < leader.high_watermark; ++o) {
        const bool missing = o >= member.log_end_offset;
        if (!missing && member.log[o] == leader.log[o]) continue;
        std::ostringstream d;
        d << "broker " << l << " leads with HW " << int(leader.high_watermark) << " and has "
          << record_name(leader.log[o]) << " at offset " << o << "; ISR member " << r;
        if (missing)
          d << " has nothing there (LEO " << int(member.log_end_offset) << ")";
        else
          d << " has " << record_name(member.log[o]);
        return ReplicationFinding{ReplicationViolation::kDivergence, d.str()};
      }
    }
  }
  return std::nullopt;
}

std::optional<ReplicationFinding> committed_loss(const Config& c, const State& s) {
  uint8_t present[kMaxMessages] = {};
  for (int b = 0; b < replica_count(c); ++b) {
    const Replica& r = s.replica[b];
    for (int o = 0; o < r.log_end_offset; ++o)
      if (!r.log[o].is_control()) present[r.log[o].msg()] |= uint8_t(1u << r.log[o].gen());
  }
  for (int m = 0; m < kMaxMessages; ++m) {
    const uint8_t gone = s.partition.committed_gens[m] & ~present[m];
    if (gone == 0) continue;
    const int gen = std::countr_zero(unsigned(gone));
    std::ostringstream d;
    d << "m" << m << (gen > 0 ? "'" + std::to_string(gen) : std::string())
      << " was below a leader's high watermark and is now in no replica's log";
    return ReplicationFinding{ReplicationViolation::kCommittedLoss, d.str()};
  }
  return std::nullopt;
}

}  // namespace

const char* name(ReplicationViolation v) {
  return v == ReplicationViolation::kDivergence ? "log divergence" : "committed-record loss";
}

std::optional<ReplicationFinding> check_replication_safety(const Config& c, const State& s,
                                                           ReplicationViolation kind) {
  return kind == ReplicationViolation::kDivergence ? divergence(c, s) : committed_loss(c, s);
}

std::optional<ReplicationFinding> check_replication_safety(const Config& c, const State& s) {
  if (auto f = committed_loss(c, s)) return f;
  return divergence(c, s);
}

ReplicationBreak first_replication_break(const Config& c, const std::vector<State>& states) {
  for (size_t i = 0; i < states.size(); ++i)
    if (auto f = check_replication_safety(c, states[i])) return {int(i) + 1, std::move(f)};
  return {};
}

}  // namespace kdc
