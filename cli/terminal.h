// What the commands may print to a terminal. Colour is for people at a terminal only:
// never in a pipe or a file, never when NO_COLOR is set to a non-empty value
// (https://no-color.org), never on TERM=dumb. Progress lines go to stderr, so stdout
// stays the result.
#ifndef KDC_CLI_TERMINAL_H_
#define KDC_CLI_TERMINAL_H_

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>

namespace kdc {

inline bool colour_allowed_by_environment() {
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  return !(no_color && *no_color) && !(term && std::strcmp(term, "dumb") == 0);
}

// ANSI colour on `out`: only the process's own stdout or stderr, when that is a terminal.
inline bool use_colour(const std::ostream& out) {
  if (!colour_allowed_by_environment()) return false;
  if (&out == &std::cout) return isatty(STDOUT_FILENO);
  if (&out == &std::cerr) return isatty(STDERR_FILENO);
  return false;
}

}  // namespace kdc

#endif  // KDC_CLI_TERMINAL_H_
