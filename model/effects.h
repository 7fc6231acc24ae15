// Delivery effects: the names a counterexample carries (docs/model.md, "Effects").
#ifndef KDC_MODEL_EFFECTS_H_
#define KDC_MODEL_EFFECTS_H_

#include <cstdint>
#include <string_view>

namespace kdc {

enum class Effect : uint8_t {
  kLostAcked,     // L_ack: acknowledged to the application, then lost
  kLostFailed,    // L_fail: the write failed and the application dropped it
  kLostUnsent,    // L_unsent: buffered in the producer when it crashed, never re-sent
  kLostSkipped,   // L_skip: in the log, but the consumer never processed it
  kDupInternal,   // D_int: stored twice because the producer client retried
  kDupApp,        // D_app: stored twice because the application re-sent it
  kDupProcessed,  // D_proc: one stored record processed twice
  kUncommitted,   // V_unc: processed a record of an aborted transaction (issue 3)
  kReordered,     // R: delivered out of send order
  kCount,
};

using EffectSet = uint16_t;  // bit i = Effect i
inline constexpr EffectSet bit(Effect e) { return EffectSet(1u << static_cast<int>(e)); }
inline constexpr EffectSet kLossEffects = bit(Effect::kLostAcked) | bit(Effect::kLostFailed) |
                                          bit(Effect::kLostUnsent) | bit(Effect::kLostSkipped);
inline constexpr EffectSet kDuplicateEffects =
    bit(Effect::kDupInternal) | bit(Effect::kDupApp) | bit(Effect::kDupProcessed) |
    bit(Effect::kUncommitted);

std::string_view name(Effect e);          // "L_ack"
bool parse_effect(std::string_view s, Effect* out);

}  // namespace kdc

#endif  // KDC_MODEL_EFFECTS_H_
