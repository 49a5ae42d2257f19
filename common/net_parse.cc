#include "common/net_parse.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>

#include "common/units.h"

namespace chaosnet {
namespace {

std::string Quote(std::string_view text) { return units::QuoteInput(text); }

Status CidrError(std::string_view text, std::string_view why) {
  return InvalidArgument("invalid CIDR " + Quote(text) + ": " + std::string(why) +
                         " (e.g. 10.0.0.0/8, 192.168.1.10 or 2001:db8::/32)");
}

Status PortError(std::string_view text, std::string_view why) {
  return InvalidArgument("invalid port " + Quote(text) + ": " + std::string(why) +
                         " (use a port 1..65535 or a range, e.g. 80 or 8000-8100)");
}

// Strict decimal: digits only, no sign, no spaces, at most `max`.
std::optional<unsigned> ParseSmallNumber(std::string_view text, unsigned max) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > max) return std::nullopt;
  return value;
}

int AddressBytes(int family) { return family == AF_INET ? 4 : 16; }

bool HostBitsSet(const model::Cidr& cidr) {
  const int bytes = AddressBytes(cidr.family);
  for (int i = 0; i < bytes; ++i) {
    const int bits_before = i * 8;
    uint8_t host_mask = 0xFF;
    if (cidr.prefix_length >= bits_before + 8) {
      host_mask = 0;
    } else if (cidr.prefix_length > bits_before) {
      host_mask = static_cast<uint8_t>(0xFF >> (cidr.prefix_length - bits_before));
    }
    if (cidr.address[i] & host_mask) return true;
  }
  return false;
}

model::Cidr Masked(model::Cidr cidr) {
  const int bytes = AddressBytes(cidr.family);
  for (int i = 0; i < bytes; ++i) {
    const int bits_before = i * 8;
    if (cidr.prefix_length >= bits_before + 8) continue;
    if (cidr.prefix_length <= bits_before) {
      cidr.address[i] = 0;
    } else {
      cidr.address[i] &= static_cast<uint8_t>(0xFF << (8 - (cidr.prefix_length - bits_before)));
    }
  }
  return cidr;
}

std::string FormatAddress(const model::Cidr& cidr) {
  char buf[INET6_ADDRSTRLEN] = {};
  const int family = cidr.family == AF_INET ? AF_INET : AF_INET6;
  if (inet_ntop(family, cidr.address.data(), buf, sizeof(buf)) == nullptr) return "?";
  return buf;
}

}  // namespace

Result<model::Cidr> ParseCidr(std::string_view text) {
  if (text.empty()) return CidrError(text, "empty value");
  // inet_pton reads a C string: whatever follows a NUL would be ignored, so
  // "10.0.0.1\0junk" (possible over gRPC) would pass as 10.0.0.1.
  if (text.find('\0') != std::string_view::npos) return CidrError(text, "contains a NUL byte");
  const size_t slash = text.find('/');
  const std::string address(text.substr(0, slash));
  if (address.empty()) return CidrError(text, "missing address");
  if (address.find('%') != std::string::npos) {
    return CidrError(text, "zone indexes (%eth0) are not supported");
  }

  model::Cidr cidr;
  if (inet_pton(AF_INET, address.c_str(), cidr.address.data()) == 1) {
    cidr.family = AF_INET;
  } else if (inet_pton(AF_INET6, address.c_str(), cidr.address.data()) == 1) {
    cidr.family = AF_INET6;
  } else {
    return CidrError(text, Quote(address) + " is not an IPv4 or IPv6 address");
  }

  const unsigned max_prefix = cidr.family == AF_INET ? 32 : 128;
  if (slash == std::string_view::npos) {
    cidr.prefix_length = static_cast<uint8_t>(max_prefix);
    return cidr;
  }
  auto prefix = ParseSmallNumber(text.substr(slash + 1), max_prefix);
  if (!prefix) {
    return CidrError(text,
                     "prefix length must be a number from 0 to " + std::to_string(max_prefix));
  }
  cidr.prefix_length = static_cast<uint8_t>(*prefix);
  if (HostBitsSet(cidr)) {
    const model::Cidr network = Masked(cidr);
    return InvalidArgument("invalid CIDR " + Quote(text) + ": host bits are set after /" +
                           std::to_string(*prefix) + " (did you mean " + FormatCidr(network) +
                           ", or " + address + " alone for one host?)");
  }
  return cidr;
}

Result<model::PortRange> ParsePortRange(std::string_view text) {
  if (text.empty()) return PortError(text, "empty value");
  const size_t dash = text.find('-');
  const std::string_view first_text = text.substr(0, dash);
  const std::string_view last_text =
      dash == std::string_view::npos ? first_text : text.substr(dash + 1);
  auto first = ParseSmallNumber(first_text, 65535);
  auto last = ParseSmallNumber(last_text, 65535);
  if (!first || !last) return PortError(text, "not a number from 1 to 65535");
  if (*first == 0 || *last == 0) return PortError(text, "port 0 cannot be matched");
  if (*last < *first) return PortError(text, "the range ends before it starts");
  return model::PortRange{static_cast<uint16_t>(*first), static_cast<uint16_t>(*last)};
}

std::string FormatCidr(const model::Cidr& cidr) {
  return FormatAddress(cidr) + "/" + std::to_string(cidr.prefix_length);
}

std::string FormatPortRange(const model::PortRange& range) {
  if (range.first == range.last) return std::to_string(range.first);
  return std::to_string(range.first) + "-" + std::to_string(range.last);
}

}  // namespace chaosnet
