#include "client/fleet/fleet_file.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "common/net_parse.h"
#include "common/units.h"
#include "daemon/model/validate.h"

namespace chaosnet::fleet {
namespace {

constexpr size_t kMaxFleetFileBytes = 1 << 20;

// Where an error is, as "FILE:LINE: KEY: message". Line 0 = the file as a
// whole (a key that is missing altogether has no line).
class Errors {
 public:
  explicit Errors(std::string_view source) : source_(source) {}

  Status At(int line, std::string_view key, std::string_view message) const {
    std::string text = source_;
    if (line > 0) text += ":" + std::to_string(line);
    text += ": ";
    if (!key.empty()) text += std::string(key) + ": ";
    text += message;
    return InvalidArgument(std::move(text));
  }

 private:
  std::string source_;
};

int LineOf(const toml::node& node) { return static_cast<int>(node.source().begin.line); }
int LineOf(const toml::key& key) { return static_cast<int>(key.source().begin.line); }

std::string Join(std::initializer_list<std::string_view> words) {
  std::string out;
  for (std::string_view w : words) out += (out.empty() ? "" : ", ") + std::string(w);
  return out;
}

std::string TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a floating-point number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

// A key as TOML would print it: bare when it can be, else quoted.
std::string KeyText(std::string_view key) {
  const bool bare = !key.empty() && key.find_first_not_of(
                                        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789-_") == std::string_view::npos;
  return bare ? std::string(key) : units::QuoteInput(key);
}

std::string Dotted(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
}

// The keys a table may have. A key this version does not know is refused,
// never skipped: a misspelt "adresses" must not become a node nothing cuts.
Status CheckKeys(const Errors& errors, const toml::table& table, std::string_view path,
                 std::initializer_list<std::string_view> allowed) {
  for (auto&& [key, value] : table) {
    if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
    const std::string where = path.empty() ? "the top level" : std::string(path);
    return errors.At(LineOf(key), Dotted(path, KeyText(key.str())),
                     "unknown key (" + where + " takes " + Join(allowed) + ")");
  }
  return Status::Ok();
}

struct Text {
  std::string value;
  int line = 0;
};

// The value at `key` as a T (std::string, bool, toml::table, ...): nullptr
// when absent, an error saying what was expected when it is something else.
template <typename T>
using TomlNode = std::remove_cvref_t<
    std::remove_pointer_t<decltype(std::declval<const toml::node&>().template as<T>())>>;

template <typename T>
Result<const TomlNode<T>*> Typed(const Errors& errors, const toml::table& table,
                                 std::string_view path, std::string_view key,
                                 std::string_view expected) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return static_cast<const TomlNode<T>*>(nullptr);
  const TomlNode<T>* typed = node->as<T>();
  if (typed == nullptr) {
    return errors.At(LineOf(*node), Dotted(path, key),
                     "expected " + std::string(expected) + ", found " + TypeName(*node));
  }
  return typed;
}

// A string key: absent is nullopt; an empty string or one with a NUL, an error.
Result<std::optional<Text>> OptionalString(const Errors& errors, const toml::table& table,
                                           std::string_view path, std::string_view key) {
  ASSIGN_OR_RETURN(const auto* text, Typed<std::string>(errors, table, path, key, "a string"));
  if (text == nullptr) return std::optional<Text>();
  const int line = LineOf(*text);
  if (text->get().empty()) return errors.At(line, Dotted(path, key), "is empty");
  if (text->get().find('\0') != std::string::npos) {
    return errors.At(line, Dotted(path, key), "contains a NUL character");
  }
  return std::optional<Text>(Text{text->get(), line});
}

Result<std::optional<bool>> OptionalBool(const Errors& errors, const toml::table& table,
                                         std::string_view path, std::string_view key) {
  ASSIGN_OR_RETURN(const auto* flag, Typed<bool>(errors, table, path, key, "true or false"));
  if (flag == nullptr) return std::optional<bool>();
  return std::optional<bool>(flag->get());
}

// A table key: absent is nullptr.
Result<const toml::table*> OptionalTable(const Errors& errors, const toml::table& table,
                                         std::string_view path, std::string_view key) {
  return Typed<toml::table>(errors, table, path, key, "a table ([" + Dotted(path, key) + "])");
}

// Relative paths in the file mean "next to the file", so a fleet directory
// with its certificates works from any working directory.
std::string Resolve(const std::filesystem::path& base, const std::string& path) {
  if (base.empty() || path.empty() || path.front() == '/') return path;
  return (base / path).string();
}

// One [tls] table: the fleet's, or a node's override.
struct TlsLayer {
  std::optional<Text> ca, cert, key, server_name;
  std::optional<bool> insecure;

  bool sets_tls() const { return ca || cert || key || server_name; }
};

Result<TlsLayer> ReadTls(const Errors& errors, const toml::table* table, std::string_view path,
                         const std::filesystem::path& base) {
  TlsLayer layer;
  if (table == nullptr) return layer;
  RETURN_IF_ERROR(
      CheckKeys(errors, *table, path, {"ca", "cert", "key", "server-name", "insecure"}));
  for (auto [key, slot] :
       {std::pair{"ca", &layer.ca}, std::pair{"cert", &layer.cert}, std::pair{"key", &layer.key}}) {
    ASSIGN_OR_RETURN(*slot, OptionalString(errors, *table, path, key));
    if (*slot) (*slot)->value = Resolve(base, (*slot)->value);
  }
  ASSIGN_OR_RETURN(layer.server_name, OptionalString(errors, *table, path, "server-name"));
  ASSIGN_OR_RETURN(layer.insecure, OptionalBool(errors, *table, path, "insecure"));
  if (layer.insecure.value_or(false) && layer.sets_tls()) {
    const Text& first = layer.ca     ? *layer.ca
                        : layer.cert ? *layer.cert
                        : layer.key  ? *layer.key
                                     : *layer.server_name;
    return errors.At(first.line, path,
                     "insecure = true (plaintext) cannot be combined with ca, cert, key or "
                     "server-name in one table");
  }
  return layer;
}

// The nearest table that says anything decides: a node's own insecure, else
// a node's own TLS keys (TLS, over the fleet's keys one by one), else the
// fleet's. Then the CLI's rules for a TCP server: a CA unless plaintext, a
// certificate only with its key.
Result<TlsSettings> EffectiveTls(const Errors& errors, const TlsLayer& fleet, const TlsLayer& node,
                                 const std::string& node_path, int node_line) {
  TlsSettings tls;
  tls.insecure =
      node.insecure ? *node.insecure : !node.sets_tls() && fleet.insecure.value_or(false);
  if (tls.insecure) return tls;

  auto pick = [](const std::optional<Text>& over, const std::optional<Text>& base) {
    return over ? over : base;
  };
  const auto ca = pick(node.ca, fleet.ca);
  const auto cert = pick(node.cert, fleet.cert);
  const auto key = pick(node.key, fleet.key);
  const auto server_name = pick(node.server_name, fleet.server_name);
  if (!ca) {
    return errors.At(node_line, node_path,
                     "the server is TCP: set tls.ca ([tls] or [" + node_path +
                         ".tls]), or tls.insecure = true for a plaintext listener");
  }
  if (cert.has_value() != key.has_value()) {
    const auto& given = cert ? cert : key;
    return errors.At(given->line, node_path + ".tls",
                     "cert and key go together: give both, or neither (no client certificate)");
  }
  tls.ca_file = ca->value;
  if (cert) tls.cert_file = cert->value;
  if (key) tls.key_file = key->value;
  if (server_name) tls.server_name = server_name->value;
  return tls;
}

// The daemon's own interface name rules, so that a name it would refuse is
// refused here, with the file's line.
std::optional<std::string> InterfaceProblem(const std::string& name) {
  model::FaultSpec probe;
  probe.interface = name;
  probe.partition = true;
  const Status status = model::ValidateFaultSpec(probe);
  if (status.ok()) return std::nullopt;
  std::string message = status.message();
  static constexpr std::string_view kField = "interface: ";
  if (std::string_view(message).starts_with(kField)) message.erase(0, kField.size());
  return message;
}

struct Defaults {
  std::optional<Text> interface;
  std::optional<Text> netns;
};

Result<std::vector<model::Cidr>> ReadAddresses(const Errors& errors, const toml::table& table,
                                               const std::string& node_path, int node_line) {
  const std::string path = node_path + ".addresses";
  const toml::node* node = table.get("addresses");
  if (node == nullptr) {
    return errors.At(node_line, node_path,
                     "no addresses: list the addresses other nodes reach it by, e.g. "
                     "addresses = [\"10.0.0.1\", \"fd00::1\"]");
  }
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    return errors.At(LineOf(*node), path,
                     "expected an array of strings, e.g. [\"10.0.0.1\"], found " + TypeName(*node));
  }
  if (array->empty()) return errors.At(LineOf(*node), path, "is empty; give at least one address");
  std::vector<model::Cidr> addresses;
  for (const toml::node& element : *array) {
    const auto* text = element.as_string();
    if (text == nullptr) {
      return errors.At(LineOf(element), path,
                       "expected an address string, found " + TypeName(element));
    }
    const std::string& value = text->get();
    auto cidr = ParseCidr(value);
    if (value.find('/') != std::string::npos) {
      return errors.At(
          LineOf(element), path,
          units::QuoteInput(value) + " is a prefix; list the node's own addresses, one per entry");
    }
    if (!cidr.ok()) return errors.At(LineOf(element), path, cidr.status().message());
    if (std::find(addresses.begin(), addresses.end(), *cidr) != addresses.end()) {
      return errors.At(LineOf(element), path, units::QuoteInput(value) + " is listed twice");
    }
    addresses.push_back(*cidr);
  }
  return addresses;
}

Result<ServerEndpoint> ReadServer(const Errors& errors, const toml::table& table,
                                  const std::string& node_path, int node_line,
                                  const std::filesystem::path& base) {
  ASSIGN_OR_RETURN(auto server, OptionalString(errors, table, node_path, "server"));
  if (!server) {
    return errors.At(node_line, node_path,
                     "no server: give its chaosnetd, e.g. server = \"10.0.0.1:7443\" or "
                     "\"unix:/run/chaosnetd/chaosnetd.sock\"");
  }
  auto endpoint = ParseServerEndpoint(server->value);
  if (endpoint.ok() && endpoint->kind == ServerEndpoint::Kind::kUnixSocket) {
    // Parsed again once resolved: the resolved path must still fit sun_path.
    endpoint = ParseServerEndpoint("unix:" + Resolve(base, endpoint->socket_path));
  }
  if (!endpoint.ok()) {
    return errors.At(server->line, node_path + ".server", endpoint.status().message());
  }
  return *endpoint;
}

Result<Node> ReadNode(const Errors& errors, const toml::key& name, const toml::node& value,
                      const Defaults& defaults, const TlsLayer& fleet_tls,
                      const std::filesystem::path& base) {
  const int line = LineOf(name);
  if (Status s = ValidateNodeName(name.str()); !s.ok()) {
    return errors.At(line, "nodes." + KeyText(name.str()), s.message());
  }
  const std::string node_path = "nodes." + std::string(name.str());
  const toml::table* table = value.as_table();
  if (table == nullptr) {
    return errors.At(LineOf(value), node_path,
                     "expected a table ([" + node_path + "]), found " + TypeName(value));
  }
  RETURN_IF_ERROR(
      CheckKeys(errors, *table, node_path, {"server", "addresses", "interface", "netns", "tls"}));

  Node node;
  node.name = std::string(name.str());
  node.line = line;
  ASSIGN_OR_RETURN(node.server, ReadServer(errors, *table, node_path, line, base));
  ASSIGN_OR_RETURN(node.addresses, ReadAddresses(errors, *table, node_path, line));

  ASSIGN_OR_RETURN(auto interface, OptionalString(errors, *table, node_path, "interface"));
  if (!interface) interface = defaults.interface;
  if (!interface) {
    return errors.At(line, node_path,
                     "no interface: set interface here or in [defaults], e.g. interface = "
                     "\"eth0\"");
  }
  if (auto problem = InterfaceProblem(interface->value)) {
    const bool own = table->contains("interface");
    return errors.At(interface->line, own ? node_path + ".interface" : "defaults.interface",
                     *problem);
  }
  node.interface = interface->value;

  ASSIGN_OR_RETURN(auto netns, OptionalString(errors, *table, node_path, "netns"));
  if (!netns) netns = defaults.netns;
  if (netns) node.netns = netns->value;

  ASSIGN_OR_RETURN(const toml::table* tls_table, OptionalTable(errors, *table, node_path, "tls"));
  ASSIGN_OR_RETURN(TlsLayer node_tls, ReadTls(errors, tls_table, node_path + ".tls", base));
  if (node.server.kind == ServerEndpoint::Kind::kTcp) {
    ASSIGN_OR_RETURN(node.tls, EffectiveTls(errors, fleet_tls, node_tls, node_path, line));
  }
  return node;
}

// Nodes that cannot be told apart on the wire: an address in two nodes, or
// two nodes that are one network stack (the same daemon, namespace and
// interface), where one node's egress cut would cut the other's traffic too.
Status CheckDistinct(const Errors& errors, const std::vector<Node>& nodes) {
  std::map<std::string, const Node*> by_address;
  std::map<std::tuple<std::string, std::string, std::string>, const Node*> by_place;
  for (const Node& node : nodes) {
    for (const model::Cidr& address : node.addresses) {
      auto [it, added] = by_address.emplace(FormatCidr(address), &node);
      if (!added) {
        return errors.At(node.line, "nodes." + node.name + ".addresses",
                         FormatCidr(address) + " is also an address of " + it->second->name +
                             "; every address belongs to one node");
      }
    }
    auto [it, added] =
        by_place.emplace(std::tuple{node.server.Target(), node.netns, node.interface}, &node);
    if (!added) {
      return errors.At(node.line, "nodes." + node.name,
                       "same server, netns and interface as " + it->second->name +
                           ": a cut on one would cut the other; give each node its own "
                           "interface or netns");
    }
  }
  return Status::Ok();
}

Result<Fleet> ParseDocument(const toml::table& root, const Errors& errors,
                            std::string_view source) {
  const std::filesystem::path base = std::filesystem::path(source).parent_path();
  RETURN_IF_ERROR(CheckKeys(errors, root, "", {"defaults", "tls", "nodes"}));

  Defaults defaults;
  ASSIGN_OR_RETURN(const toml::table* defaults_table, OptionalTable(errors, root, "", "defaults"));
  if (defaults_table != nullptr) {
    RETURN_IF_ERROR(CheckKeys(errors, *defaults_table, "defaults", {"interface", "netns"}));
    ASSIGN_OR_RETURN(defaults.interface,
                     OptionalString(errors, *defaults_table, "defaults", "interface"));
    ASSIGN_OR_RETURN(defaults.netns, OptionalString(errors, *defaults_table, "defaults", "netns"));
  }
  ASSIGN_OR_RETURN(const toml::table* tls_table, OptionalTable(errors, root, "", "tls"));
  ASSIGN_OR_RETURN(const TlsLayer fleet_tls, ReadTls(errors, tls_table, "tls", base));

  ASSIGN_OR_RETURN(const toml::table* nodes_table, OptionalTable(errors, root, "", "nodes"));
  if (nodes_table == nullptr || nodes_table->empty()) {
    return errors.At(nodes_table ? LineOf(*nodes_table) : 0, "nodes",
                     "no nodes: describe each one in a [nodes.NAME] table");
  }
  // toml++ keeps a table's keys sorted by name; the fleet's order is the
  // file's, which every shape builds on, so sort by where each name appears.
  std::vector<std::pair<const toml::key*, const toml::node*>> entries;
  for (auto&& [key, value] : *nodes_table) entries.emplace_back(&key, &value);
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    const auto& pa = a.first->source().begin;
    const auto& pb = b.first->source().begin;
    return std::pair(pa.line, pa.column) < std::pair(pb.line, pb.column);
  });

  Fleet fleet;
  fleet.source = std::string(source);
  for (const auto& [key, value] : entries) {
    ASSIGN_OR_RETURN(Node node, ReadNode(errors, *key, *value, defaults, fleet_tls, base));
    fleet.nodes.push_back(std::move(node));
  }
  RETURN_IF_ERROR(CheckDistinct(errors, fleet.nodes));
  return fleet;
}

}  // namespace

Result<Fleet> ParseFleetFile(std::string_view text, std::string_view source) {
  const Errors errors(source);
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    // toml++'s description is one sentence; keep the message one line.
    std::string description(e.description());
    std::replace(description.begin(), description.end(), '\n', ' ');
    return errors.At(
        static_cast<int>(e.source().begin.line), "",
        "invalid TOML at column " + std::to_string(e.source().begin.column) + ": " + description);
  }
  return ParseDocument(root, errors, source);
}

Result<Fleet> LoadFleetFile(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec) return InvalidArgument("cannot read fleet file " + path + ": " + ec.message());
  if (!std::filesystem::is_regular_file(status)) {
    return InvalidArgument("cannot read fleet file " + path + ": not a regular file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return InvalidArgument("cannot read fleet file " + path + ": " + std::strerror(errno));
  }
  std::string text(kMaxFleetFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return InvalidArgument("cannot read fleet file " + path + ": read error");
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxFleetFileBytes) {
    return InvalidArgument("fleet file " + path + " is larger than 1 MiB");
  }
  return ParseFleetFile(text, path);
}

}  // namespace chaosnet::fleet
