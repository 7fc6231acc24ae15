// At quiescence, every message the application sent either took effect in the sink or is
// lost; the ledger names how, from what the application was told and what the log holds.
#include "model/model.h"
#include "model/partition_log.h"
#include "model/sink.h"
#include "model/steps.h"

namespace kdc {

LossReport losses_at_quiescence(const Config& c, const State& s) {
  LossReport report;
  const int leader = s.partition.leader;
  const ProducerState& p = s.producer;
  for (int m = 0; m < c.messages; ++m) {
    if (delivered(s, m)) continue;
    // A copy that counts is in the log: not a marker, not of an aborted transaction.
    bool in_log = false;
    if (leader != kNoBroker) {
      const Replica& r = s.replica[leader];
      for (int o = 0; o < r.log_end_offset; ++o) {
        const Record& rec = r.log[o];
        in_log |= !rec.is_control() && rec.msg() == m &&
                  !((s.coordinator.aborted_gens[m] >> rec.gen()) & 1) && !aborted_in_log(r, o);
      }
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
