#include "model/checker/progress_check.h"

#include <gtest/gtest.h>

namespace kdc {
namespace {

Config load(const std::vector<std::string>& settings) {
  auto c = load_config_text({}, settings);
  if (auto* e = std::get_if<ConfigError>(&c)) ADD_FAILURE() << e->str();
  return std::get<Config>(c);
}

std::string story(const std::vector<Event>& events) {
  std::string s;
  for (const Event& e : events) s += "  " + describe(e) + "\n";
  return s;
}

// Every reachable state can still reach quiescence, for a spread of small configurations:
// losses are judged at quiesced states, so a livelock would hide them.
TEST(ProgressCheckTest, EveryRunCanQuiesce) {
  const std::vector<std::vector<std::string>> configs = {
      {"replication.factor=1", "model.messages=2"},
      {"replication.factor=2", "min.insync.replicas=2", "model.messages=1"},
      {"replication.factor=2", "acks=1", "enable.idempotence=false", "retries=3",
       "max.in.flight.requests.per.connection=1", "model.messages=2"},
      {"replication.factor=1", "max.in.flight.requests.per.connection=1", "model.messages=2",
       "fault.max.total=2", "fault.request.timeout=2"},
      {"replication.factor=2", "unclean.leader.election.enable=true", "model.messages=1",
       "app.commit=process-then-commit-async", "enable.auto.commit=false"},
      {"replication.factor=2", "kafka.version=0.10.2", "model.messages=1", "app.commit=commit-then-process"},
      {"replication.factor=1", "app.processing=async", "model.messages=2", "fault.offset.loss=1",
       "auto.offset.reset=none"},
      {"replication.factor=2", "model.messages=1", "app.on.send.error=resend",
       "app.on.producer.restart=replay-unacked", "retries=0"},
  };
  for (const auto& settings : configs) {
    std::string name;
    for (const auto& s : settings) name += s + " ";
    SCOPED_TRACE(name);
    ProgressReport r = check_progress(load(settings), 3'000'000);
    ASSERT_TRUE(r.complete) << r.states;
    EXPECT_GT(r.states, 10u);
    EXPECT_EQ(r.stuck_states, 0u) << "a run that can never quiesce:\n"
                                  << story(r.path_to_stuck) << "cycling through:\n"
                                  << story(r.cycle);
    EXPECT_EQ(r.bottom_components, 0u);
  }
}

}  // namespace
}  // namespace kdc
