#include "impl/cluster/run_report.h"

#include <set>

namespace kdc::impl {
namespace {

// Whether the data record at `offset` belongs to a transaction that was aborted: the first
// marker of its producer after it says so.
bool aborted(const std::vector<Record>& log, int64_t offset, int64_t producer_id) {
  if (producer_id < 0) return false;
  for (const Record& r : log) {
    if (r.offset <= offset || r.producer_id != producer_id) continue;
    if (r.control == Control::kAbort) return true;
    if (r.control == Control::kCommit) return false;
  }
  return false;
}

}  // namespace

RunReport judge_run(const Ledger::Snapshot& ledger, const std::vector<Record>& leader_log,
                    int messages, const std::set<std::pair<int32_t, int8_t>>& aborted_sends) {
  auto of_aborted = [&](int64_t offset, int64_t producer_id, int32_t msg, int8_t gen) {
    return aborted(leader_log, offset, producer_id) || aborted_sends.count({msg, gen}) > 0;
  };
  RunReport report;
  report.messages = messages;
  std::map<int32_t, MessageFate> fates;
  for (const auto& [msg, m] : ledger.messages) {
    MessageFate& f = fates[msg];
    f.msg = msg;
    f.sends = m.sends;
    f.acknowledged = m.acked;
  }
  // Duplicates, reordering and aborted reads, in the order things took effect.
  std::map<int32_t, Ledger::Applied> first;
  int32_t highest_applied = -1;
  for (const Ledger::Applied& a : ledger.applied) {
    MessageFate& f = fates[a.msg];
    f.msg = a.msg;
    ++f.deliveries;
    const bool unc = of_aborted(a.offset, a.producer_id, a.msg, a.gen);
    if (unc) f.effects.push_back("V_unc");
    auto it = first.find(a.msg);
    if (it == first.end()) {
      first.emplace(a.msg, a);
      if (a.msg < highest_applied) f.effects.push_back("R");
      highest_applied = std::max(highest_applied, a.msg);
      continue;
    }
    const Ledger::Applied& one = it->second;
    if (unc || of_aborted(one.offset, one.producer_id, one.msg, one.gen)) continue;
    if (a.gen != one.gen) {
      f.effects.push_back("D_app");
    } else if (a.offset != one.offset || a.leader_epoch != one.leader_epoch) {
      f.effects.push_back("D_int");
    } else {
      f.effects.push_back("D_proc");
    }
  }
  // Losses, in the model's order of explanations.
  std::set<int32_t> in_log;
  for (const Record& r : leader_log) {
    if (r.control == Control::kNone && r.msg >= 0 && !of_aborted(r.offset, r.producer_id, r.msg, r.gen))
      in_log.insert(r.msg);
  }
  for (const auto& [msg, m] : ledger.messages) {
    if (m.sends == 0 || first.count(msg)) continue;
    MessageFate& f = fates[msg];
    if (in_log.count(msg)) {
      f.effects.push_back("L_skip");
    } else if (m.acked) {
      f.effects.push_back("L_ack");
    } else if (m.dropped) {
      f.effects.push_back("L_fail");
    } else if (m.abandoned) {
      f.effects.push_back("L_unsent");
    } else {
      f.effects.push_back("unexplained");
      ++report.unexplained_losses;
    }
  }
  for (auto& [msg, f] : fates) {
    if (f.sends > 0) ++report.sent;
    if (f.acknowledged) ++report.acknowledged;
    if (f.deliveries > 0) ++report.delivered;
    if (f.deliveries == 0 && f.sends > 0) ++report.lost;
    if (f.deliveries > 1) ++report.duplicated;
    std::set<std::string> distinct(f.effects.begin(), f.effects.end());
    for (const std::string& e : distinct) {
      if (e != "unexplained") ++report.effects[e];
    }
    if (!f.effects.empty()) report.fates.push_back(f);
  }
  return report;
}

}  // namespace kdc::impl
