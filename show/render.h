// Drawing a Diagram (show/diagram.h).
//
// SVG: one self-contained document (no external fonts, scripts, stylesheets or links),
// sized by its viewBox so it zooms as vectors. Every lane title and every event's
// describe() sentence appears as text; each row is a <g class="step"> carrying the
// event's name and step number, so a test (or a reader's browser search) finds them.
//
// Text: fixed-width lanes for a terminal, Unicode box drawing or plain ASCII, ANSI colour
// only when asked for (the caller decides: a terminal, and no NO_COLOR).
//
// HTML: a self-contained page (inline CSS, the SVGs inline, a few lines of optional
// script for zoom buttons; it reads the same without script).
#ifndef KDC_SHOW_RENDER_H_
#define KDC_SHOW_RENDER_H_

#include <string>
#include <string_view>

#include "show/diagram.h"

namespace kdc::show {

// `id` prefixes the element ids, so several diagrams can share one HTML page.
std::string render_svg(const Diagram& d, const std::string& id = "kdc");

struct TextStyle {
  bool unicode = true;
  bool color = false;
};
std::string render_text(const Diagram& d, const TextStyle& style);

// XML/HTML escaping of text and attribute values.
std::string escape_xml(std::string_view s);

// A whole page: `title` in <title> and <h1>, `body` (HTML) below it, the page's CSS and
// the zoom script for every <div class="diagram"> in it.
std::string html_page(const std::string& title, const std::string& body);
// One diagram as a page section: its SVG inline inside <div class="diagram"> with zoom
// buttons.
std::string html_diagram(const Diagram& d, const std::string& id);

}  // namespace kdc::show

#endif  // KDC_SHOW_RENDER_H_
