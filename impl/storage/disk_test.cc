#include "impl/storage/disk.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace kdc::impl {
namespace {

std::filesystem::path temp_root(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("kdc-disk-test-" + name);
}

std::string on_disk(const Disk& d, const std::string& path) {
  std::ifstream in(d.root() / path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Disk, WritesAreDirtyUntilFsync) {
  Disk d(temp_root("dirty"));
  d.append("t/a.log", "hello");
  EXPECT_EQ(d.read("t/a.log"), "hello");
  EXPECT_EQ(d.durable_size("t/a.log"), 0u);
  EXPECT_EQ(d.dirty_files(), std::vector<std::string>{"t/a.log"});
  d.fsync("t/a.log");
  EXPECT_EQ(on_disk(d, "t/a.log"), "hello");
  EXPECT_TRUE(d.dirty_files().empty());
}

TEST(Disk, PowerLossKeepsOnlyTheDurablePrefix) {
  Disk d(temp_root("power"));
  d.append("a", "12345");
  d.fsync("a");
  d.append("a", "678");
  d.append("b", "never synced");
  d.power_loss();
  EXPECT_EQ(d.read("a"), "12345");
  EXPECT_FALSE(d.exists("b"));
}

TEST(Disk, WritebackWritesAPrefixAndTellsTheListener) {
  Disk d(temp_root("writeback"));
  std::vector<uint64_t> heard;
  d.set_writeback_listener([&](const std::string&, uint64_t n) { heard.push_back(n); });
  d.append("a", "abcdef");
  EXPECT_EQ(d.writeback("a", 2), 2u);
  EXPECT_EQ(on_disk(d, "a"), "ab");
  d.power_loss();
  EXPECT_EQ(d.read("a"), "ab");
  EXPECT_EQ(heard, std::vector<uint64_t>{2});
}

TEST(Disk, TruncateIsDurableAndReplaceRevertsOnPowerLoss) {
  Disk d(temp_root("truncate"));
  d.append("a", "abcdef");
  d.fsync("a");
  d.truncate("a", 3);
  d.power_loss();
  EXPECT_EQ(d.read("a"), "abc");
  d.replace("a", "new");
  EXPECT_EQ(d.read("a"), "new");
  d.power_loss();
  EXPECT_EQ(d.read("a"), "abc");
  d.replace("a", "newer");
  d.fsync("a");
  d.power_loss();
  EXPECT_EQ(d.read("a"), "newer");
}

TEST(Disk, ListAndRangeRead) {
  Disk d(temp_root("list"));
  d.append("t/2.log", "x");
  d.append("t/1.log", "0123456789");
  d.append("u/3.log", "y");
  EXPECT_EQ(d.list("t"), (std::vector<std::string>{"1.log", "2.log"}));
  EXPECT_EQ(d.read("t/1.log", 3, 4), "3456");
  EXPECT_EQ(d.read("t/1.log", 20, 4), "");
}

}  // namespace
}  // namespace kdc::impl
