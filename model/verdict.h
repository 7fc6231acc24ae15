// From the effects a check found to the guarantee a user asked about.
//   at-least-once: no run loses a message (no L_*).
//   at-most-once:  no run delivers a message twice (no D_*, no V_unc).
//   exactly-once:  both.  none: neither.
// Ordering per partition is separate: violated iff R was found.
#ifndef KDC_MODEL_VERDICT_H_
#define KDC_MODEL_VERDICT_H_

#include <string>
#include <string_view>

#include "model/effects.h"

namespace kdc {

enum class Guarantee : uint8_t { kNone, kAtMostOnce, kAtLeastOnce, kExactlyOnce };

Guarantee guarantee_of(EffectSet effects);
std::string_view name(Guarantee g);  // "exactly-once"
bool parse_guarantee(std::string_view s, Guarantee* out);
// `actual` is at least as strong as `required` (exactly-once satisfies both others).
bool satisfies(Guarantee actual, Guarantee required);
bool ordering_preserved(EffectSet effects);

// One line on what an effect means, for reports: "acknowledged to the producer, then lost".
std::string_view meaning(Effect e);

}  // namespace kdc

#endif  // KDC_MODEL_VERDICT_H_
