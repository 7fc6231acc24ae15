#include <iomanip>
#include <ostream>

#include "cli/commands.h"
#include "model/vocabulary/config_keys.h"

namespace kdc {

int run_keys(bool markdown, std::ostream& out) {
  if (markdown) {
    out << config_reference_markdown();
    return 0;
  }
  for (const KeyInfo& k : known_keys()) {
    if (!k.modelled) continue;
    out << std::left << std::setw(42) << k.name << k.meaning << "\n";
  }
  out << "(and " << known_keys().size() << " keys in all, not-modelled ones included: kdc keys --md)\n";
  return 0;
}

}  // namespace kdc
