// At quiescence, every message the application sent either took effect in the sink or is
// lost; the ledger names how, from what the application was told and what the log holds.
#include "model/model.h"
#include "model/steps.h"

namespace kdc {

LossReport losses_at_quiescence(const Config& c, const State& s) {
  LossReport report;
  const int leader = s.partition.leader;
  const ProducerState& p = s.producer;
  for (int m = 0; m < c.messages; ++m) {
    if (s.sink.count[m] > 0) continue;
    bool in_log = false;
    if (leader != kNoBroker) {
      const Replica& r = s.replica[leader];
      for (int o = 0; o < r.log_end_offset; ++o) in_log |= r.log[o].msg() == m;
    }
    Effect e;
    if (in_log)
      e = Effect::kLostSkipped;  // the log has it; the consumer went past it
    else if ((p.acked >> m) & 1)
      e = Effect::kLostAcked;
    else if ((p.dropped >> m) & 1)
      e = Effect::kLostFailed;
    else if ((p.abandoned >> m) & 1)
      e = Effect::kLostUnsent;
    else {
      report.unexplained.push_back(m);
      continue;
    }
    report.lost[m] = true;
    report.per_message[m] = e;
    report.effects |= bit(e);
  }
  return report;
}

}  // namespace kdc
