#include "client/host_addresses.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace chaosnet::client {
namespace {

struct AddrInfoFree {
  void operator()(addrinfo* list) const { freeaddrinfo(list); }
};

model::Cidr HostCidr(const sockaddr* address) {
  model::Cidr cidr;
  cidr.family = address->sa_family;
  if (address->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(address);
    std::memcpy(cidr.address.data(), &in->sin_addr, sizeof(in->sin_addr));
    cidr.prefix_length = 32;
  } else {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    std::memcpy(cidr.address.data(), &in6->sin6_addr, sizeof(in6->sin6_addr));
    cidr.prefix_length = 128;
  }
  return cidr;
}

}  // namespace

Result<std::vector<model::Cidr>> ResolveHostAddresses(std::string_view host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;  // no AI_ADDRCONFIG: an address gRPC might use is never left out
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string name(host);
  if (int rc = getaddrinfo(name.c_str(), nullptr, &hints, &found); rc != 0) {
    return Unavailable("cannot resolve " + name + ": " + std::string(gai_strerror(rc)));
  }
  std::unique_ptr<addrinfo, AddrInfoFree> owned(found);
  std::vector<model::Cidr> addresses;
  for (const addrinfo* entry = found; entry != nullptr; entry = entry->ai_next) {
    if (entry->ai_family != AF_INET && entry->ai_family != AF_INET6) continue;
    model::Cidr cidr = HostCidr(entry->ai_addr);
    if (std::find(addresses.begin(), addresses.end(), cidr) == addresses.end()) {
      addresses.push_back(cidr);
    }
  }
  if (addresses.empty()) {
    return Unavailable("cannot resolve " + name + ": no IPv4 or IPv6 address");
  }
  return addresses;
}

Result<std::map<std::string, std::vector<model::Cidr>>> ResolveServerHosts(
    const fleet::Fleet& fleet) {
  std::map<std::string, std::vector<model::Cidr>> resolved;
  for (const fleet::Node& node : fleet.nodes) {
    const fleet::ServerEndpoint& server = node.server;
    if (server.kind != fleet::ServerEndpoint::Kind::kTcp || server.address ||
        resolved.contains(server.host)) {
      continue;
    }
    auto addresses = ResolveHostAddresses(server.host);
    if (!addresses.ok()) {
      return Unavailable("node " + node.name + ": " + addresses.status().message());
    }
    resolved[server.host] = *std::move(addresses);
  }
  return resolved;
}

}  // namespace chaosnet::client
