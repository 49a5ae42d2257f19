// The addresses a TCP server's host name stands for, asked of the system's
// resolver (getaddrinfo: /etc/hosts, DNS, ...). A fleet's control-plane
// exemptions need every address the coordinator may connect to, both
// families, since gRPC may pick any of them.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "client/fleet/fleet.h"
#include "common/result.h"
#include "daemon/model/fault_spec.h"

namespace chaosnet::client {

// Every address of `host`, IPv4 and IPv6, each once (/32 or /128), in the
// resolver's order. UNAVAILABLE with the resolver's words when it has none.
Result<std::vector<model::Cidr>> ResolveHostAddresses(std::string_view host);

// For each node whose `server` is HOST:PORT with a host name (not an address
// literal): the name's addresses, for fleet::PlanInput::resolved_hosts.
Result<std::map<std::string, std::vector<model::Cidr>>> ResolveServerHosts(
    const fleet::Fleet& fleet);

}  // namespace chaosnet::client
