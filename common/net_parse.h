// Parsing and printing of the network targets users type: CIDR prefixes and
// port ranges. Pure functions (inet_pton/ntop only); errors are one line that
// say what was wrong and show a correct value.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "daemon/model/fault_spec.h"

namespace chaosnet {

// "10.0.0.0/8", "2001:db8::/32"; a bare address is a host route (/32 or /128).
// An address with host bits set ("10.0.0.1/8") is refused rather than masked:
// silently widening or narrowing a user's target is how faults hit the wrong
// traffic. The message suggests the network address instead.
Result<model::Cidr> ParseCidr(std::string_view text);

// "80" or "8000-8100"; ports 1..65535, first <= last.
Result<model::PortRange> ParsePortRange(std::string_view text);

// "10.0.0.0/8", "10.0.0.1/32", "2001:db8::/32": always with the prefix length.
std::string FormatCidr(const model::Cidr& cidr);

// "80" or "8000-8100".
std::string FormatPortRange(const model::PortRange& range);

}  // namespace chaosnet
