// One machine's disk and its operating system's page cache. It outlives the broker
// process: a process crash keeps what the process wrote (it is in the page cache), a power
// loss keeps only what reached the disk.
//
// Contract:
//  - Files are real files under `root`. Writes go to the page cache: read() sees them at
//    once, the file on disk only after fsync() or the OS's own writeback.
//  - fsync(path) makes the whole file durable (Kafka's flush: FileChannel.force).
//  - writeback(path, bytes) is the OS writing back a prefix of a file's dirty bytes on its
//    own schedule (the harness calls it at seeded times); listeners hear of it.
//  - power_loss() drops every dirty byte: each file becomes what is on disk. (A file whose
//    creation was never made durable disappears.)
//  - Thread-safe; the lock is held while listeners run, so listeners must only record.
#ifndef KDC_IMPL_STORAGE_DISK_H_
#define KDC_IMPL_STORAGE_DISK_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace kdc::impl {

class Disk {
 public:
  // Creates `root` (it must not hold files of an earlier run: they are removed).
  explicit Disk(std::filesystem::path root);

  // All paths are relative to the root ("topic-0/00000000000000000000.log").
  bool exists(const std::string& path) const;
  std::vector<std::string> list(const std::string& dir) const;  // file names, sorted
  std::string read(const std::string& path) const;              // "" if missing
  // Up to `length` bytes from `position` ("" past the end).
  std::string read(const std::string& path, uint64_t position, uint64_t length) const;
  uint64_t size(const std::string& path) const;
  void append(const std::string& path, const std::string& bytes);
  void truncate(const std::string& path, uint64_t size);
  // Replaces the whole file (checkpoint files are written this way: write temp + rename).
  void replace(const std::string& path, const std::string& bytes);
  void remove(const std::string& path);
  void fsync(const std::string& path);

  // The OS writes back up to `bytes` more of the file's dirty suffix (everything if
  // bytes < 0). Returns the file's durable size afterwards.
  uint64_t writeback(const std::string& path, int64_t bytes);
  // Every file with dirty bytes, sorted.
  std::vector<std::string> dirty_files() const;
  uint64_t durable_size(const std::string& path) const;

  // Called (under the disk's lock) whenever a file's durable size grows: (path, size).
  using Listener = std::function<void(const std::string& path, uint64_t durable_size)>;
  void set_writeback_listener(Listener listener);

  void power_loss();

  const std::filesystem::path& root() const { return root_; }

 private:
  struct File {
    std::string content;       // what processes read: disk + page cache
    uint64_t durable = 0;      // bytes [0, durable) are on disk as in `content`
    bool durable_exists = false;
  };
  void write_through_locked(const std::string& path, File& f, uint64_t upto);

  std::filesystem::path root_;
  mutable std::mutex mu_;
  std::map<std::string, File> files_;
  Listener listener_;
};

}  // namespace kdc::impl

#endif  // KDC_IMPL_STORAGE_DISK_H_
