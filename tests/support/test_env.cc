#include "tests/support/test_env.h"

#include <cstdlib>

namespace chaosnet::testing {
namespace {

std::string FromEnvironment(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

}  // namespace

std::string BinDir() { return FromEnvironment("CHAOSNET_BIN_DIR", CHAOSNET_BIN_DIR_DEFAULT); }

std::string SourceDir() {
  return FromEnvironment("CHAOSNET_SOURCE_DIR", CHAOSNET_SOURCE_DIR_DEFAULT);
}

std::string BinaryPath(const std::string& name) { return BinDir() + "/" + name; }

int EnvInt(const char* name, int fallback) {
  const int n = std::atoi(FromEnvironment(name, "").c_str());
  return n > 0 ? n : fallback;
}

}  // namespace chaosnet::testing
