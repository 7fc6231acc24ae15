// What the command-line tests share: scratch directories, files, the bundled examples.
#ifndef KDC_CLI_CLI_TEST_SUPPORT_H_
#define KDC_CLI_CLI_TEST_SUPPORT_H_

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace kdc::testing {

inline const std::string kSource = KDC_SOURCE_DIR;

// An empty scratch directory, fresh for each call.
inline std::string temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("kdc_cli_test_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

inline std::string write_file(const std::string& dir, const std::string& name,
                              const std::string& text) {
  std::string path = dir + "/" + name;
  std::ofstream(path) << text;
  return path;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The four .properties files of a bundled example.
inline std::vector<std::string> example_files(const std::string& name) {
  std::vector<std::string> files;
  for (const char* f : {"producer", "server", "consumer", "app"})
    files.push_back(kSource + "/examples/" + name + "/" + f + ".properties");
  return files;
}

}  // namespace kdc::testing

#endif  // KDC_CLI_CLI_TEST_SUPPORT_H_
