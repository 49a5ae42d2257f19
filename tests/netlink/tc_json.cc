#include "tests/netlink/tc_json.h"

#include <cstdlib>

namespace chaosnet::netlink::testing {

std::string QdiscObject(const std::string& json, const std::string& handle) {
  const size_t at = json.find("\"handle\":\"" + handle + "\"");
  if (at == std::string::npos) return {};
  const size_t start = json.rfind('{', at);
  int depth = 0;
  for (size_t i = start; i < json.size(); ++i) {
    if (json[i] == '{') ++depth;
    if (json[i] == '}' && --depth == 0) return json.substr(start, i - start + 1);
  }
  return {};
}

std::optional<double> NumberAfterKey(const std::string& object, const std::string& key,
                                     const std::string& after) {
  size_t from = 0;
  if (!after.empty()) {
    from = object.find("\"" + after + "\":");
    if (from == std::string::npos) return std::nullopt;
  }
  const std::string needle = "\"" + key + "\":";
  const size_t at = object.find(needle, from + (after.empty() ? 0 : 1));
  if (at == std::string::npos) return std::nullopt;
  const char* p = object.c_str() + at + needle.size();
  char* end = nullptr;
  const double v = std::strtod(p, &end);
  if (end == p) return std::nullopt;
  return v;
}

}  // namespace chaosnet::netlink::testing
