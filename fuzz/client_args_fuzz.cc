// Fuzzes chaosnetctl's argument parsing (client/request_builder.h and
// client/connection_settings.h, no gRPC): the first byte picks the parser, the
// rest is what the user typed (labels: one pair a line).
#include <algorithm>
#include <string>
#include <vector>

#include "client/connection_settings.h"
#include "client/request_builder.h"
#include "fuzz/fuzz_check.h"

using namespace chaosnet;

namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

void CheckError(const Status& status, std::string_view flag, std::string_view text) {
  fuzz::Check(status.code() == StatusCode::kInvalidArgument, "error is INVALID_ARGUMENT", text);
  // "Errors are INVALID_ARGUMENT whose message names the flag."
  fuzz::Check(StartsWith(status.message(), std::string(flag) + ": "),
              "an error names its flag first", status.message());
}

void ServerAddress(std::string_view text) {
  auto server = client::ParseServerAddress(text);
  if (!server.ok()) return CheckError(server.status(), "server", text);
  fuzz::Check(*server == text, "an accepted server address is passed on unchanged", text);
  if (StartsWith(text, "unix:")) {
    fuzz::Check(text.size() > 5, "a unix: address has a path", text);
    return;
  }
  const size_t colon = text.rfind(':');
  fuzz::Check(colon != std::string_view::npos && colon > 0, "HOST:PORT has a host", text);
  const std::string_view port = text.substr(colon + 1);
  fuzz::Check(!port.empty() && port.find_first_not_of("0123456789") == std::string_view::npos,
              "the port is digits", text);
  const std::string_view host = text.substr(0, colon);
  fuzz::Check(host.find(':') == std::string_view::npos || host.front() == '[',
              "an IPv6 host is bracketed", text);
}

void Labels(std::string_view text) {
  std::vector<std::string> pairs;
  for (size_t start = 0; start <= text.size();) {
    const size_t end = std::min(text.find('\n', start), text.size());
    pairs.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  auto labels = client::ParseLabels(pairs);
  if (!labels.ok()) return CheckError(labels.status(), "label", text);
  fuzz::Check(labels->size() == pairs.size(), "every pair becomes one label", text);
  for (const std::string& pair : pairs) {
    const size_t eq = pair.find('=');
    fuzz::Check(eq != std::string::npos && eq > 0, "an accepted label has key=value", pair);
    const auto it = labels->find(pair.substr(0, eq));
    fuzz::Check(it != labels->end() && it->second == pair.substr(eq + 1),
                "a label's value is everything after the first '='", pair);
  }
}

void Cidr(std::string_view text) {
  auto cidr = client::ParseCidr("dst", text);
  if (!cidr.ok()) return CheckError(cidr.status(), "dst", text);
  fuzz::Check(*cidr == text, "an accepted CIDR is passed on unchanged", text);
}

void PortRange(std::string_view text) {
  auto range = client::ParsePortRange("dport", text);
  if (!range.ok()) return CheckError(range.status(), "dport", text);
  fuzz::Check(range->first() >= 1 && range->first() <= 65535, "the first port is 1..65535", text);
  // last 0 is the wire's "a single port".
  fuzz::Check(range->last() == 0 || (range->first() <= range->last() && range->last() <= 65535),
              "the range is ordered and ends at 65535 at most", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text = fuzz::AsText(data + 1, size - 1);
  switch (data[0] % 4) {
    case 0: ServerAddress(text); break;
    case 1: Labels(text); break;
    case 2: Cidr(text); break;
    case 3: PortRange(text); break;
  }
  return 0;
}
