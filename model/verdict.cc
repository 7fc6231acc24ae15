#include "model/verdict.h"

namespace kdc {

Guarantee guarantee_of(EffectSet effects) {
  const bool at_least_once = (effects & kLossEffects) == 0;
  const bool at_most_once = (effects & kDuplicateEffects) == 0;
  if (at_least_once && at_most_once) return Guarantee::kExactlyOnce;
  if (at_least_once) return Guarantee::kAtLeastOnce;
  if (at_most_once) return Guarantee::kAtMostOnce;
  return Guarantee::kNone;
}

std::string_view name(Guarantee g) {
  switch (g) {
    case Guarantee::kNone: return "none";
    case Guarantee::kAtMostOnce: return "at-most-once";
    case Guarantee::kAtLeastOnce: return "at-least-once";
    case Guarantee::kExactlyOnce: return "exactly-once";
  }
  return "?";
}

bool parse_guarantee(std::string_view s, Guarantee* out) {
  for (Guarantee g : {Guarantee::kNone, Guarantee::kAtMostOnce, Guarantee::kAtLeastOnce,
                      Guarantee::kExactlyOnce}) {
    if (name(g) == s) {
      *out = g;
      return true;
    }
  }
  return false;
}

bool satisfies(Guarantee actual, Guarantee required) {
  switch (required) {
    case Guarantee::kNone: return true;
    case Guarantee::kAtMostOnce:
      return actual == Guarantee::kAtMostOnce || actual == Guarantee::kExactlyOnce;
    case Guarantee::kAtLeastOnce:
      return actual == Guarantee::kAtLeastOnce || actual == Guarantee::kExactlyOnce;
    case Guarantee::kExactlyOnce: return actual == Guarantee::kExactlyOnce;
  }
  return false;
}

bool ordering_preserved(EffectSet effects) { return (effects & bit(Effect::kReordered)) == 0; }

std::string_view meaning(Effect e) {
  switch (e) {
    case Effect::kLostAcked: return "acknowledged to the producer application, then lost";
    case Effect::kLostFailed: return "the write failed and the application dropped the message";
    case Effect::kLostUnsent: return "buffered in the producer when it crashed, never sent again";
    case Effect::kLostSkipped: return "in the log, but the consumer never processed it";
    case Effect::kDupInternal: return "stored twice because the producer client retried";
    case Effect::kDupApp: return "stored twice because the application sent it again";
    case Effect::kDupProcessed: return "one stored record processed twice";
    case Effect::kUncommitted: return "processed a record of an aborted transaction";
    case Effect::kReordered: return "delivered out of send order";
    case Effect::kCount: break;
  }
  return "?";
}

}  // namespace kdc
