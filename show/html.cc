// Self-contained HTML: inline CSS, the SVGs inline. The zoom buttons are the only script,
// and the page reads the same without it (each diagram scrolls at its natural size).
#include <sstream>

#include "show/render.h"

namespace kdc::show {
namespace {

constexpr const char* kCss = R"(
body { font-family: "DejaVu Sans", Verdana, Helvetica, Arial, sans-serif; margin: 24px; color: #1d1d1d; max-width: 1800px; }
h1 { font-size: 22px; margin-bottom: 4px; }
h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
p.meta { color: #555; margin-top: 0; }
pre, code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
pre { background: #f6f8fa; padding: 10px; overflow-x: auto; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { border: 1px solid #ccc; padding: 5px 10px; text-align: left; vertical-align: top; }
th { background: #eef2f7; }
td.g-exactly-once { background: #d7f0d8; }
td.g-at-least-once { background: #e6f3c8; }
td.g-at-most-once { background: #fde9c8; }
td.g-none { background: #f8d3d0; }
tr.all td { font-weight: bold; }
.diagram { border: 1px solid #ddd; overflow: auto; max-height: 90vh; margin: 6px 0 18px; }
.diagram svg { display: block; max-width: 100%; height: auto; }
.zoom { margin: 4px 0; }
.zoom button { font-size: 13px; margin-right: 4px; }
.settings td:first-child { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; }
)";

// Without script a diagram fits the page width (CSS) and the browser's zoom enlarges it;
// the buttons change its drawn size, and its viewBox keeps it sharp at any size.
constexpr const char* kScript = R"(
document.querySelectorAll('.zoom').forEach(function (bar) {
  var svg = document.getElementById(bar.dataset.for);
  var w = parseFloat(svg.getAttribute('width')), h = parseFloat(svg.getAttribute('height'));
  var k = Math.min(1, svg.parentNode.clientWidth / w);
  function set(f) {
    k = f; svg.style.maxWidth = 'none';
    svg.setAttribute('width', w * k); svg.setAttribute('height', h * k);
  }
  bar.querySelectorAll('button').forEach(function (b) {
    b.addEventListener('click', function () {
      var a = b.dataset.zoom;
      if (a === 'in') set(k * 1.25); else if (a === 'out') set(k / 1.25);
      else if (a === 'fit') set(svg.parentNode.clientWidth / w); else set(1);
    });
  });
  bar.hidden = false;
});
)";

}  // namespace

std::string html_page(const std::string& title, const std::string& body) {
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" << escape_xml(title)
    << "</title>\n<style>" << kCss << "</style>\n</head>\n<body>\n<h1>" << escape_xml(title) << "</h1>\n"
    << body << "\n<script>" << kScript << "</script>\n</body>\n</html>\n";
  return o.str();
}

std::string html_diagram(const Diagram& d, const std::string& id) {
  std::string svg = render_svg(d, id);
  // Inline SVG in HTML takes no XML declaration.
  if (svg.rfind("<?xml", 0) == 0) svg.erase(0, svg.find('\n') + 1);
  std::ostringstream o;
  o << "<div class=\"zoom\" data-for=\"" << escape_xml(id) << "\" hidden>"
    << "<button data-zoom=\"out\">−</button><button data-zoom=\"in\">+</button>"
    << "<button data-zoom=\"fit\">fit width</button><button data-zoom=\"reset\">100%</button></div>\n"
    << "<div class=\"diagram\">\n" << svg << "</div>\n";
  return o.str();
}

}  // namespace kdc::show
