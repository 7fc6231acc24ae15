// kdc explain: a trace as a sequence diagram (show/), on the terminal, as SVG or as HTML.
#include <fstream>
#include <ostream>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "conformance/model_replay.h"
#include "show/render.h"

namespace kdc {
namespace {

bool write_file(const std::string& path, const std::string& text, std::string* error) {
  std::ofstream f(path, std::ios::binary);
  if (!f) {
    *error = "cannot write " + path;
    return false;
  }
  f << text;
  f.close();
  if (!f) {
    *error = "cannot write " + path;
    return false;
  }
  return true;
}

}  // namespace

int run_explain(const ExplainArgs& args, std::ostream& out, std::ostream& err) {
  Trace trace;
  std::string error;
  if (!read_trace(args.trace, &trace, &error)) {
    err << "kdc explain: " << error << "\n";
    return 2;
  }
  auto loaded = config_of(trace.header);
  if (auto* e = std::get_if<ConfigError>(&loaded)) {
    err << "kdc explain: " << args.trace << ":1: header config: " << e->key << ": " << e->message << "\n";
    return 2;
  }
  const Config& config = std::get<Config>(loaded);
  const show::TraceFates fates = show::message_fates(config, trace);
  const show::Diagram diagram = show::build_diagram(trace, config, fates, args.trace);

  if (args.svg.empty() && args.html.empty()) {
    out << show::render_text(diagram, {.unicode = !args.ascii, .color = use_colour(out)});
    return 0;
  }
  if (!args.svg.empty()) {
    if (!write_file(args.svg, show::render_svg(diagram), &error)) {
      err << "kdc explain: --svg: " << error << "\n";
      return 2;
    }
    out << "kdc explain: wrote " << args.svg << " (" << diagram.title << ")\n";
  }
  if (!args.html.empty()) {
    std::string body = "<p class=\"meta\">" + show::escape_xml(diagram.subtitle) + "<br><code>" +
                       show::escape_xml(diagram.settings) + "</code></p>\n" + show::html_diagram(diagram, "trace");
    if (!write_file(args.html, show::html_page(diagram.title, body), &error)) {
      err << "kdc explain: --html: " << error << "\n";
      return 2;
    }
    out << "kdc explain: wrote " << args.html << " (" << diagram.title << ")\n";
  }
  return 0;
}

}  // namespace kdc
