#include "impl/storage/disk.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace kdc::impl {
namespace fs = std::filesystem;

Disk::Disk(fs::path root) : root_(std::move(root)) {
  std::error_code ec;
  fs::remove_all(root_, ec);
  fs::create_directories(root_);
}

bool Disk::exists(const std::string& path) const {
  std::lock_guard<std::mutex> g(mu_);
  return files_.count(path) > 0;
}

std::vector<std::string> Disk::list(const std::string& dir) const {
  std::lock_guard<std::mutex> g(mu_);
  std::string prefix = dir.empty() || dir.back() == '/' ? dir : dir + "/";
  std::vector<std::string> out;
  for (const auto& [path, f] : files_) {
    if (path.compare(0, prefix.size(), prefix) != 0) continue;
    std::string rest = path.substr(prefix.size());
    if (rest.find('/') == std::string::npos) out.push_back(rest);
  }
  return out;  // std::map keeps them sorted
}

std::string Disk::read(const std::string& path) const {
  std::lock_guard<std::mutex> g(mu_);
  auto it = files_.find(path);
  return it == files_.end() ? std::string() : it->second.content;
}

std::string Disk::read(const std::string& path, uint64_t position, uint64_t length) const {
  std::lock_guard<std::mutex> g(mu_);
  auto it = files_.find(path);
  if (it == files_.end() || position >= it->second.content.size()) return std::string();
  return it->second.content.substr(position, length);
}

uint64_t Disk::size(const std::string& path) const {
  std::lock_guard<std::mutex> g(mu_);
  auto it = files_.find(path);
  return it == files_.end() ? 0 : it->second.content.size();
}

void Disk::append(const std::string& path, const std::string& bytes) {
  std::lock_guard<std::mutex> g(mu_);
  files_[path].content += bytes;
}

void Disk::truncate(const std::string& path, uint64_t size) {
  std::lock_guard<std::mutex> g(mu_);
  File& f = files_[path];
  if (size >= f.content.size()) return;
  f.content.resize(size);
  // A truncation is a metadata change the file system journals: it is durable at once.
  if (f.durable > size) {
    f.durable = size;
    if (f.durable_exists) {
      fs::resize_file(root_ / path, size);
    }
  }
}

void Disk::replace(const std::string& path, const std::string& bytes) {
  std::lock_guard<std::mutex> g(mu_);
  File& f = files_[path];
  f.content = bytes;
  f.durable = 0;  // the new contents are dirty; the old ones stay on disk until written back
}

void Disk::remove(const std::string& path) {
  std::lock_guard<std::mutex> g(mu_);
  files_.erase(path);
  std::error_code ec;
  fs::remove(root_ / path, ec);
}

void Disk::write_through_locked(const std::string& path, File& f, uint64_t upto) {
  upto = std::min<uint64_t>(upto, f.content.size());
  if (upto <= f.durable && f.durable_exists) return;
  fs::path p = root_ / path;
  fs::create_directories(p.parent_path());
  int fd = ::open(p.c_str(), O_WRONLY | O_CREAT, 0644);
  if (fd < 0) throw std::runtime_error("cannot open " + p.string());
  uint64_t from = f.durable_exists ? f.durable : 0;
  const char* data = f.content.data() + from;
  uint64_t left = upto - from;
  off_t at = static_cast<off_t>(from);
  while (left > 0) {
    ssize_t n = ::pwrite(fd, data, left, at);
    if (n <= 0) {
      ::close(fd);
      throw std::runtime_error("cannot write " + p.string());
    }
    data += n;
    at += n;
    left -= static_cast<uint64_t>(n);
  }
  if (::ftruncate(fd, static_cast<off_t>(upto)) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot truncate " + p.string());
  }
  ::close(fd);
  f.durable = upto;
  f.durable_exists = true;
  if (listener_) listener_(path, upto);
}

void Disk::fsync(const std::string& path) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return;
  write_through_locked(path, it->second, it->second.content.size());
}

uint64_t Disk::writeback(const std::string& path, int64_t bytes) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return 0;
  File& f = it->second;
  uint64_t upto = bytes < 0 ? f.content.size()
                            : std::min<uint64_t>(f.content.size(), f.durable + static_cast<uint64_t>(bytes));
  write_through_locked(path, f, upto);
  return f.durable;
}

std::vector<std::string> Disk::dirty_files() const {
  std::lock_guard<std::mutex> g(mu_);
  std::vector<std::string> out;
  for (const auto& [path, f] : files_) {
    if (!f.durable_exists || f.durable < f.content.size()) out.push_back(path);
  }
  return out;
}

uint64_t Disk::durable_size(const std::string& path) const {
  std::lock_guard<std::mutex> g(mu_);
  auto it = files_.find(path);
  return it == files_.end() ? 0 : it->second.durable;
}

void Disk::set_writeback_listener(Listener listener) {
  std::lock_guard<std::mutex> g(mu_);
  listener_ = std::move(listener);
}

void Disk::power_loss() {
  std::lock_guard<std::mutex> g(mu_);
  for (auto it = files_.begin(); it != files_.end();) {
    File& f = it->second;
    if (!f.durable_exists) {
      it = files_.erase(it);
      continue;
    }
    std::ifstream in(root_ / it->first, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    f.content = buf.str();
    f.durable = f.content.size();
    ++it;
  }
}

}  // namespace kdc::impl
