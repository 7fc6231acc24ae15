// kdc client: a real librdkafka producer and consumer with the user's configuration
// (conformance/rdkafka/), judged by Jepsen's checks and by kdc's effects, and compared with
// what the model allows for the same configuration under the faults that struck.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/commands.h"
#include "conformance/history.h"
#include "conformance/rdkafka/client_config.h"
#include "conformance/rdkafka/client_workload.h"
#include "model/checker/explicit_checker.h"
#include "model/effects.h"
#include "model/verdict.h"

namespace kdc {
namespace {

using rdkafka::ClientReport;
using rdkafka::FaultKind;

// The model checks two messages: every effect kind shows with two (R needs two), and the
// check stays about a second.
constexpr int kModelMessages = 2;
constexpr uint64_t kModelMaxStates = 20'000'000;

EffectSet observed_effects(const ClientReport& r) {
  EffectSet set = 0;
  for (const auto& [name, count] : r.effects) {
    Effect e;
    if (count > 0 && parse_effect(name, &e)) set |= bit(e);
  }
  return set;
}

std::string effect_list(EffectSet s) {
  std::string out;
  for (int i = 0; i < int(Effect::kCount); ++i)
    if (s & bit(Effect(i))) out += (out.empty() ? "" : " ") + std::string(name(Effect(i)));
  return out.empty() ? "none" : out;
}

struct ModelAnswer {
  bool allowed = false;
  EffectSet effects = 0;
  double seconds = 0;
};

// The model's fault for each injected kind: a late or failed Produce is a request timeout
// (the model's timeout covers "appended or not"); a leader that moves is the model's broker
// crash, the only way its leadership moves.
void add_model_fault(FaultKind k, FaultBudget* f) {
  auto bump = [](uint8_t* n) { *n = uint8_t(std::min(2, *n + 1)); };
  switch (k) {
    case FaultKind::kRequestTimeout:
    case FaultKind::kProduceError:
    case FaultKind::kSlowLink: bump(&f->request_timeout); break;
    case FaultKind::kBrokerDown:
    case FaultKind::kLeaderChange: bump(&f->broker_crash); break;
    case FaultKind::kProducerCrash: bump(&f->producer_crash); break;
    case FaultKind::kConsumerCrash: bump(&f->consumer_crash); break;
  }
}

std::optional<ModelAnswer> ask_model(const Config& base, const ClientReport& r) {
  Config c = base;
  c.faults = FaultBudget{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};  // only what struck
  for (FaultKind k : r.injected) add_model_fault(k, &c.faults);
  c.faults.max_total = uint8_t(std::min<size_t>(2, r.injected.size()));
  c.messages = kModelMessages;
  CheckOptions options;
  options.max_states = kModelMaxStates;
  CheckResult res = check(c, options);
  if (!res.complete) return std::nullopt;
  ModelAnswer a;
  a.effects = res.effects;
  a.allowed = (observed_effects(r) & ~res.effects) == 0;
  a.seconds = res.seconds;
  return a;
}

bool write_history(const History& h, const std::string& path, std::string* error) {
  std::ofstream f(path, std::ios::binary);
  const bool jsonl = path.size() >= 5 && (path.ends_with(".jsonl") || path.ends_with(".json"));
  if (jsonl) write_jsonl(h, f);
  else write_edn(h, f);
  f.close();
  if (!f) {
    *error = "cannot write " + path;
    return false;
  }
  return true;
}

void print_text(const ClientArgs& args, const ClientReport& r, const std::optional<ModelAnswer>& model,
                std::ostream& out) {
  out << "kdc client: librdkafka " << r.librdkafka_version << " against "
      << (r.mock ? "its mock cluster (" : "the cluster at ") << r.bootstrap << (r.mock ? ")" : "") << ", topic "
      << r.topic << ", " << r.messages << " messages, seed " << args.seed << "\n";
  out << "faults injected: ";
  if (r.faults_injected.empty()) out << "none";
  for (size_t i = 0; i < r.faults_injected.size(); ++i) out << (i ? "; " : "") << r.faults_injected[i];
  out << "\n";
  out << "run: " << (r.settled ? "settled" : "did not settle") << " after " << r.run_ms << " ms";
  if (r.messages_per_second > 0)
    out << std::fixed << std::setprecision(0) << "; " << r.messages_per_second << " acknowledged messages/s";
  out << "\n";
  out << "messages: " << r.sent << " sent, " << r.acknowledged << " acknowledged, " << r.delivered << " delivered, "
      << r.lost << " lost, " << r.duplicated << " duplicated\n";
  out << "effects: ";
  if (r.effects.empty()) out << "none";
  bool first = true;
  for (const auto& [name, count] : r.effects) {
    out << (first ? "" : ", ") << name << " ×" << count;
    first = false;
  }
  out << "\n";
  constexpr size_t kShown = 12;
  size_t shown = 0;
  for (const rdkafka::MessageFate& f : r.fates) {
    if (f.effects.empty()) continue;
    if (shown++ == kShown) {
      out << "  ... more (--json lists them all)\n";
      break;
    }
    out << "  m" << f.msg << ": sent " << f.sends << "×, " << (f.acknowledged ? "acknowledged" : "not acknowledged")
        << ", " << f.copies_in_log << " in the log, processed " << f.processed << "×:";
    for (const std::string& e : f.effects) out << " " << e;
    out << "\n";
  }
  out << "Jepsen checks: " << r.history.ops.size() << " operations, "
      << (r.check.valid ? "valid" : "invalid");
  if (!r.check.anomalies.empty()) {
    out << " (";
    bool f1 = true;
    for (const auto& [name, cases] : r.check.anomalies) {
      out << (f1 ? "" : ", ") << name << " ×" << cases.size();
      f1 = false;
    }
    out << ")";
  }
  out << "\n";
  if (!args.history.empty()) out << "history: " << args.history << " (kdc history " << args.history << " re-checks it)\n";
  if (model) {
    out << "model: kdc check, with the faults injected, allows " << effect_list(model->effects) << ": the effects seen are "
        << (model->allowed ? "among them" : "NOT among them") << "\n";
  } else if (args.model) {
    out << "model: not asked (the check did not finish within its state bound)\n";
  }
  Guarantee shown_g = guarantee_of(observed_effects(r));
  out << "this run is consistent with: " << name(shown_g)
      << (shown_g == Guarantee::kExactlyOnce ? " (one run proves nothing about all runs: use kdc check)" : "") << "\n";
  if (!r.notes.empty()) {
    out << "notes:\n";
    for (const std::string& n : r.notes) out << "  - " << n << "\n";
  }
}

nlohmann::ordered_json to_json(const ClientArgs& args, const ClientReport& r, const std::optional<ModelAnswer>& model) {
  nlohmann::ordered_json j;
  j["client"] = "librdkafka";
  j["librdkafka_version"] = r.librdkafka_version;
  j["mock"] = r.mock;
  j["bootstrap"] = r.bootstrap;
  j["topic"] = r.topic;
  j["seed"] = args.seed;
  j["messages"] = r.messages;
  j["sent"] = r.sent;
  j["acknowledged"] = r.acknowledged;
  j["delivered"] = r.delivered;
  j["lost"] = r.lost;
  j["duplicated"] = r.duplicated;
  j["effects"] = nlohmann::ordered_json::object();
  for (const auto& [name, count] : r.effects) j["effects"][name] = count;
  j["history_valid"] = r.check.valid;
  j["anomalies"] = nlohmann::ordered_json::object();
  for (const auto& [name, cases] : r.check.anomalies) j["anomalies"][name] = cases;
  j["faults_injected"] = r.faults_injected;
  if (model) {
    j["allowed_by_model"] = model->allowed;
    j["model_effects"] = nlohmann::ordered_json::array();
    for (int i = 0; i < int(Effect::kCount); ++i)
      if (model->effects & bit(Effect(i))) j["model_effects"].push_back(std::string(name(Effect(i))));
  } else {
    j["allowed_by_model"] = nullptr;
  }
  j["guarantee_shown"] = std::string(name(guarantee_of(observed_effects(r))));
  j["settled"] = r.settled;
  j["run_ms"] = r.run_ms;
  j["messages_per_second"] = r.messages_per_second;
  auto fates = nlohmann::ordered_json::array();
  for (const rdkafka::MessageFate& f : r.fates)
    fates.push_back({{"msg", f.msg}, {"sends", f.sends}, {"acknowledged", f.acknowledged},
                     {"copies_in_log", f.copies_in_log}, {"processed", f.processed}, {"effects", f.effects}});
  j["fates"] = fates;
  j["history"] = args.history.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(args.history);
  j["notes"] = r.notes;
  return j;
}

}  // namespace

int run_client(const ClientArgs& args, std::ostream& out, std::ostream& err) {
  const char* kCmd = "kdc client: ";
  if (args.mock && !args.bootstrap.empty()) {
    err << kCmd << "give --mock or --bootstrap, not both\n";
    return 2;
  }
  Guarantee required = Guarantee::kNone;
  if (!args.require.empty() && !parse_guarantee(args.require, &required)) {
    err << kCmd << "--require: unknown guarantee '" << args.require
        << "'; expected exactly-once, at-least-once, at-most-once or none\n";
    return 2;
  }
  if (args.messages < 1) {
    err << kCmd << "--messages: must be at least 1\n";
    return 2;
  }
  rdkafka::ClientOptions options;
  options.mock = args.bootstrap.empty();
  options.bootstrap = args.bootstrap;
  options.topic = args.topic;
  options.messages = args.messages;
  options.seed = args.seed;
  options.faults = args.faults;
  options.connect_timeout_ms = args.connect_timeout_ms;
  if (!parse_duration(args.duration, &options.duration_ms)) {
    err << kCmd << "--duration: cannot read '" << args.duration
        << "'; write e.g. 10s, 500ms, 2m (a bare number is seconds)\n";
    return 2;
  }
  rdkafka::ClientConfig config;
  std::string error;
  if (!rdkafka::translate_config(args.files, args.overrides, options.mock, &config, &error)) {
    err << kCmd << error << "\n";
    return 2;
  }
  {
    // Bad --faults are bad input: found before anything starts.
    std::vector<rdkafka::FaultSpec> kinds;
    std::vector<std::string> notes;
    if (!rdkafka::fault_plan(config.config, options, &kinds, &notes, &error)) {
      err << kCmd << error << "\n";
      return 2;
    }
  }
  if (!args.history.empty() && !std::ofstream(args.history)) {
    err << kCmd << "--history: cannot write " << args.history << "\n";
    return 2;
  }
  const bool tty = isatty(fileno(stderr));
  if (!args.quiet)
    options.on_progress = [&err, tty](const std::string& line) {
      err << (tty ? "\r" : "") << "kdc client: " << line << (tty ? "   " : "\n") << std::flush;
    };
  ClientReport report;
  const bool ran = rdkafka::run_client_workload(config, options, &report, &error);
  if (!args.quiet && tty) err << "\r\033[K" << std::flush;
  if (!ran) {
    err << kCmd << error << "\n";
    return 2;
  }
  if (!args.history.empty() && !write_history(report.history, args.history, &error)) {
    err << kCmd << "--history: " << error << "\n";
    return 2;
  }
  std::optional<ModelAnswer> model;
  if (args.model) model = ask_model(config.config, report);
  if (args.json) out << to_json(args, report, model).dump(2) << "\n";
  else print_text(args, report, model, out);
  if (!report.check.valid) return 1;
  if (!args.require.empty() && !satisfies(guarantee_of(observed_effects(report)), required)) return 1;
  return 0;
}

}  // namespace kdc
