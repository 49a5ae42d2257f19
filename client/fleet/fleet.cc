#include "client/fleet/fleet.h"

#include "common/units.h"

namespace chaosnet::fleet {
namespace {

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

std::vector<std::string> Fleet::Names() const {
  std::vector<std::string> names;
  names.reserve(nodes.size());
  for (const Node& node : nodes) names.push_back(node.name);
  return names;
}

std::optional<size_t> Fleet::Find(std::string_view name) const {
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].name == name) return i;
  }
  return std::nullopt;
}

Status ValidateNodeName(std::string_view name) {
  const std::string quoted = units::QuoteInput(name);
  if (name.empty()) return InvalidArgument("a node name cannot be empty");
  if (name.size() > kMaxNodeNameBytes) {
    return InvalidArgument("node name " + quoted + " is longer than " +
                           std::to_string(kMaxNodeNameBytes) + " characters");
  }
  if (!IsAlnum(name.front())) {
    return InvalidArgument("node name " + quoted + " must start with a letter or digit");
  }
  for (char c : name) {
    if (!IsAlnum(c) && c != '-' && c != '_') {
      return InvalidArgument("node name " + quoted +
                             " may only use letters, digits, '-' and '_' (e.g. db-1)");
    }
  }
  return Status::Ok();
}

}  // namespace chaosnet::fleet
