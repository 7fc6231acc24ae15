// Each message's fate in a run, pinned to the step where it happens: acknowledged to the
// application, applied by the sink, applied again (a duplicate), stored a second time, or
// lost. The verdicts are the model's, not re-derived here: the trace is replayed on the
// model (conformance/model_replay.h) and
//   - duplicates and reordering are the State::effects bits the model sets at the step
//     that causes them (model/sink.cc);
//   - losses are losses_at_quiescence() of the final state (model/delivery_ledger.cc);
//     the step shown is where the loss became final for that effect: the callback that
//     dropped it (L_fail), the crash that abandoned it (L_unsent), the last step that
//     removed its last copy from every log (L_ack), the step after which no log the
//     consumer will still read holds it (L_skip).
// Acknowledgements and first deliveries are facts of the events themselves (an `acked`
// outcome, the first `process`), so they show even where the replay diverges.
#ifndef KDC_SHOW_FATE_H_
#define KDC_SHOW_FATE_H_

#include <optional>
#include <string>
#include <vector>

#include "model/effects.h"
#include "model/vocabulary/config.h"
#include "model/vocabulary/trace.h"

namespace kdc::show {

enum class Fate : uint8_t {
  kAcknowledged,  // the producer callback succeeded
  kDelivered,     // the sink applied it for the first time
  kStoredTwice,   // a second copy entered the leader's log
  kDuplicated,    // the sink applied it again (D_*), or a record of an aborted txn (V_unc)
  kReordered,     // applied after a later message (R)
  kLost,          // L_*: the run ends without it in the sink
};

struct FateMark {
  int step = 0;  // 1-based index into the trace's events
  int msg = -1;
  Fate fate = Fate::kAcknowledged;
  std::optional<Effect> effect;  // the model's name for it, when it has one
  std::string text;              // "m0 lost (L_ack: acknowledged, then lost)"
};

struct TraceFates {
  std::vector<FateMark> marks;  // in step order
  EffectSet effects = 0;        // what the replay judged the run to show
  int focus_msg = -1;           // the message the header's effect concerns (-1: none)
  bool replayed = true;         // the replay explained every event
  int diverged_at = 0;          // otherwise: the first event it could not explain
  std::string divergence;       // ... and why
  bool quiesced = false;        // losses were judged (the run ends with nothing left to do)
  // The first replayed step whose state breaks replication safety (model/
  // replication_safety.h), 0 if none, and what broke.
  int replication_broken_at = 0;
  std::string replication;
};

TraceFates message_fates(const Config& config, const Trace& trace);

// "acknowledged", "lost", ...
std::string_view name(Fate f);

}  // namespace kdc::show

#endif  // KDC_SHOW_FATE_H_
