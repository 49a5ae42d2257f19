// The fleet: the nodes of a system under test, as the fleet file describes
// them (client/fleet/fleet_file.h reads and validates it). Plain data; the
// order of `nodes` is the file's order, which the shapes build on.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/fleet/server_endpoint.h"
#include "common/status.h"
#include "daemon/model/fault_spec.h"

namespace chaosnet::fleet {

// How to reach a TCP server; as the CLI's --tls-* and --insecure flags. Paths
// are resolved against the fleet file's folder. Unused for unix: servers.
struct TlsSettings {
  std::string ca_file;    // required for TCP unless insecure
  std::string cert_file;  // with key_file, or neither
  std::string key_file;
  std::string server_name;  // checked in the daemon's certificate instead of the host
  bool insecure = false;    // plaintext TCP, to a daemon started with --insecure-listen
  bool operator==(const TlsSettings&) const = default;
};

struct Node {
  std::string name;
  ServerEndpoint server;
  std::vector<model::Cidr> addresses;  // host routes (/32, /128), the file's order
  std::string interface;               // the node's own, else [defaults]
  std::string netns;                   // empty: the daemon's own namespace
  TlsSettings tls;                     // [tls] overridden key by key by [nodes.NAME.tls]
  int line = 0;                        // where the file names the node, for messages
  bool operator==(const Node&) const = default;
};

struct Fleet {
  std::string source;  // the file it was read from, as given
  std::vector<Node> nodes;

  std::vector<std::string> Names() const;
  std::optional<size_t> Find(std::string_view name) const;
};

// Node names: 1 to 63 characters, ASCII letters, digits, '-' and '_', starting
// with a letter or digit. They appear in shapes (where ",|>:" separate names),
// in labels, request ids and shell commands, so nothing else is allowed.
inline constexpr size_t kMaxNodeNameBytes = 63;
Status ValidateNodeName(std::string_view name);

}  // namespace chaosnet::fleet
