#include "model/vocabulary/trace.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include <gtest/gtest.h>

namespace kdc {
namespace {

Trace sample() {
  Trace t;
  t.header.source = "model";
  t.header.effect = "L_ack";
  t.header.config = {{"acks", "1"}, {"replication.factor", "3"}, {"kafka.version", "4.1"}};
  t.header.note = "acked, then lost";
  Event send;
  send.type = EventType::kSend;
  send.msg = 0;
  send.gen = 0;
  Event append;
  append.type = EventType::kHandleProduce;
  append.broker = 0;
  append.msg = 0;
  append.offset = 0;
  append.leader_epoch = 1;
  append.result = Result::kAppended;
  Event crash;
  crash.type = EventType::kBrokerCrash;
  crash.broker = 0;
  t.events = {send, append, crash};
  return t;
}

std::filesystem::path temp_dir() {
  auto dir = std::filesystem::path(::testing::TempDir()) /
             ("kdc_trace_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

std::string parse_error(const std::string& text) {
  Trace t;
  std::string error;
  EXPECT_FALSE(parse_trace(text, "t.jsonl", &t, &error)) << text;
  return error;
}

const char* kHeader =
    R"({"format":"kdc-trace","version":1,"source":"model","effect":null,"config":{}})";

TEST(Trace, ExactText) {
  EXPECT_EQ(trace_to_string(sample()),
            R"({"format":"kdc-trace","version":1,"source":"model","effect":"L_ack",)"
            R"("config":{"acks":"1","replication.factor":"3","kafka.version":"4.1"},)"
            R"("note":"acked, then lost"})"
            "\n"
            R"({"step":1,"event":"send","msg":0,"gen":0})"
            "\n"
            R"({"step":2,"event":"handle_produce","broker":0,"msg":0,"offset":0,)"
            R"("leader_epoch":1,"result":"appended"})"
            "\n"
            R"({"step":3,"event":"broker_crash","fault":true,"broker":0})"
            "\n");
  Trace empty;
  EXPECT_EQ(trace_to_string(empty), std::string(kHeader) + "\n");
}

TEST(Trace, WriteReadRoundTrip) {
  auto path = (temp_dir() / "roundtrip.jsonl").string();
  Trace t = sample();
  std::string error;
  ASSERT_TRUE(write_trace(path, t, &error)) << error;
  Trace back;
  ASSERT_TRUE(read_trace(path, &back, &error)) << error;
  EXPECT_EQ(back, t);

  // No effect, no note, impl source, every event type.
  t.header = TraceHeader{};
  t.header.source = "impl";
  t.events.clear();
  for (int i = 0; i < static_cast<int>(EventType::kCount); ++i) {
    Event e;
    e.type = static_cast<EventType>(i);
    e.broker = static_cast<int8_t>(i % 3);
    t.events.push_back(e);
  }
  ASSERT_TRUE(write_trace(path, t, &error)) << error;
  ASSERT_TRUE(read_trace(path, &back, &error)) << error;
  EXPECT_EQ(back, t);
  std::filesystem::remove(path);
}

TEST(Trace, BlankLinesAndCrlfAreAccepted) {
  std::string text = std::string(kHeader) + "\r\n\n   \n" + R"({"step":1,"event":"send","msg":0})" +
                     "\r\n\n" + R"({"step":2,"event":"send","msg":1})";
  Trace t;
  std::string error;
  ASSERT_TRUE(parse_trace(text, "t.jsonl", &t, &error)) << error;
  ASSERT_EQ(t.events.size(), 2u);
  EXPECT_EQ(t.events[1].msg, 1);
  EXPECT_EQ(t.header.source, "model");
  EXPECT_EQ(t.header.effect, "");
}

TEST(Trace, ReadErrorsNameTheFile) {
  Trace t;
  std::string error;
  auto path = (temp_dir() / "does_not_exist.jsonl").string();
  EXPECT_FALSE(read_trace(path, &t, &error));
  EXPECT_EQ(error.rfind(path + ": cannot open", 0), 0u) << error;
  EXPECT_FALSE(write_trace((temp_dir() / "no" / "such" / "dir.jsonl").string(), sample(), &error));
  EXPECT_NE(error.find("cannot open for writing"), std::string::npos) << error;
}

TEST(Trace, EventErrorsNameTheLine) {
  std::string h = std::string(kHeader) + "\n";
  EXPECT_EQ(parse_error(h + R"({"step":1,"event":"send"})" + "\n\n" + R"({"step":2,"event":"x"})"),
            "t.jsonl:4: unknown event 'x'");
  EXPECT_EQ(parse_error(h + R"({"step":1,"event":"send","offset":"0"})"),
            "t.jsonl:2: field 'offset' must be an integer");
  EXPECT_EQ(parse_error(h + R"({"step":1,"event":"send"})" + "\n" + R"({"step":3,"event":"send"})"),
            "t.jsonl:3: expected step 2, got 3");
  EXPECT_EQ(parse_error(h + R"({"step":0,"event":"send"})"), "t.jsonl:2: expected step 1, got 0");
  EXPECT_EQ(parse_error(h + R"({"event":"send"})"), "t.jsonl:2: missing field 'step'");
  EXPECT_EQ(parse_error(h + R"({"step":"1","event":"send"})"),
            "t.jsonl:2: field 'step' must be an integer");
  EXPECT_EQ(parse_error(h + "{").rfind("t.jsonl:2: invalid JSON: ", 0), 0u);
}

TEST(Trace, HeaderErrorsAreOnLineOne) {
  EXPECT_EQ(parse_error(""), "t.jsonl:1: missing header: the trace is empty");
  EXPECT_EQ(parse_error("\n\n"), "t.jsonl:1: missing header: the trace is empty");
  const std::string missing =
      R"(t.jsonl:1: missing header: expected {"format":"kdc-trace","version":1,...})";
  EXPECT_EQ(parse_error(R"({"step":1,"event":"send"})"), missing);
  EXPECT_EQ(parse_error("not json"), missing);
  EXPECT_EQ(parse_error(R"({"format":"kdc-trace","version":2,"source":"model"})"),
            "t.jsonl:1: unsupported trace version 2 (expected 1)");
  EXPECT_EQ(parse_error(R"({"format":"kdc-trace","source":"model"})"),
            "t.jsonl:1: header field 'version' is missing");
  EXPECT_EQ(parse_error(R"({"format":"kdc-trace","version":1})"),
            "t.jsonl:1: header field 'source' is missing");
  EXPECT_EQ(parse_error(R"({"format":"kdc-trace","version":1,"source":"sim"})"),
            "t.jsonl:1: header field 'source' must be \"model\" or \"impl\"");
  EXPECT_EQ(parse_error(R"({"format":"kdc-trace","version":1,"source":"impl","effect":3})"),
            "t.jsonl:1: header field 'effect' must be an effect name or null");
  EXPECT_EQ(
      parse_error(R"({"format":"kdc-trace","version":1,"source":"impl","config":{"acks":1}})"),
      "t.jsonl:1: config value for 'acks' must be a string");
  EXPECT_EQ(parse_error(R"({"format":"kdc-trace","version":1,"source":"impl","seed":1})"),
            "t.jsonl:1: unknown header key 'seed'");
}

}  // namespace
}  // namespace kdc
