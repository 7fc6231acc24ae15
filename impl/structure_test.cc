// impl/ must never call model code: conformance between two copies of one code would
// prove nothing. The build enforces it for linking (kdc_impl links only kdc_vocabulary);
// this test enforces it for includes, so that no header-only model code slips in.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

namespace {

TEST(ImplStructure, IncludesNoModelCodeButTheVocabulary) {
  const std::filesystem::path root = std::filesystem::path(KDC_SOURCE_DIR) / "impl";
  const std::regex include(R"(^\s*#\s*include\s*"([^"]+)\")");
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    const auto ext = entry.path().extension();
    if (ext != ".h" && ext != ".cc") continue;
    ++files;
    std::ifstream in(entry.path());
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      std::smatch m;
      if (!std::regex_search(line, m, include)) continue;
      const std::string path = m[1];
      if (path.rfind("model/", 0) == 0) {
        EXPECT_EQ(path.rfind("model/vocabulary/", 0), 0u)
            << entry.path().string() << ":" << n << " includes " << path;
      }
      EXPECT_NE(path.rfind("conformance/", 0), 0u) << entry.path().string() << ":" << n;
    }
  }
  EXPECT_GT(files, 20);
}

}  // namespace
