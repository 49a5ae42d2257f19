// Just enough of `tc -j qdisc show` to compare with our own reading: the
// object of one qdisc, and numbers by key inside it.
#pragma once

#include <optional>
#include <string>

namespace chaosnet::netlink::testing {

// The {...} of the qdisc whose "handle" is `handle` ("ca00:"); empty if none.
std::string QdiscObject(const std::string& json, const std::string& handle);

// The first number after "key": in `object` (searching from `after`, a key
// that must come first, if given).
std::optional<double> NumberAfterKey(const std::string& object, const std::string& key,
                                     const std::string& after = "");

}  // namespace chaosnet::netlink::testing
