// Tests build configurations the way users do: from key=value settings, through the same
// loader and validation. A setting the loader rejects fails the test that used it.
#ifndef KDC_MODEL_TESTING_CONFIG_FOR_TEST_H_
#define KDC_MODEL_TESTING_CONFIG_FOR_TEST_H_

#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "model/vocabulary/config.h"

namespace kdc {

inline Config Cfg(const std::vector<std::string>& overrides) {
  auto loaded = load_config_text({}, overrides);
  if (auto* err = std::get_if<ConfigError>(&loaded)) {
    ADD_FAILURE() << err->str();
    return Config();
  }
  return std::get<Config>(loaded);
}

// A bundled example (its four .properties files), with overrides on top.
inline Config ExampleConfig(const std::string& example, const std::vector<std::string>& overrides) {
  std::vector<std::string> files;
  for (const char* f : {"producer", "server", "consumer", "app"})
    files.push_back(std::string(KDC_SOURCE_DIR) + "/examples/" + example + "/" + f + ".properties");
  auto loaded = load_config(files, overrides);
  if (auto* err = std::get_if<ConfigError>(&loaded)) {
    ADD_FAILURE() << err->str();
    return Config();
  }
  return std::get<Config>(loaded);
}

}  // namespace kdc

#endif  // KDC_MODEL_TESTING_CONFIG_FOR_TEST_H_
