#include "model/effects.h"

#include <array>
#include <cstddef>

namespace kdc {
namespace {

constexpr std::array<std::string_view, static_cast<size_t>(Effect::kCount)> kEffectNames = {
    "L_ack", "L_fail", "L_unsent", "L_skip", "D_int", "D_app", "D_proc", "V_unc", "R",
};

}  // namespace

std::string_view name(Effect e) {
  auto i = static_cast<size_t>(e);
  return i < kEffectNames.size() ? kEffectNames[i] : std::string_view("?");
}

bool parse_effect(std::string_view s, Effect* out) {
  for (size_t i = 0; i < kEffectNames.size(); ++i) {
    if (kEffectNames[i] == s) {
      *out = static_cast<Effect>(i);
      return true;
    }
  }
  return false;
}

}  // namespace kdc
