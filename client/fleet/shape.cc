#include "client/fleet/shape.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <utility>

#include "client/fleet/random_source.h"
#include "common/units.h"

namespace chaosnet::fleet {
namespace {

using Group = std::vector<size_t>;

constexpr char kShapeForms[] =
    "halves, random-halves, isolate[:NODE], bridge[:NODE], majorities-ring, "
    "groups:A,B|C, one-way:A,B>C or between:A,B|C";

struct Named {
  ShapeKind kind;
  std::string_view name;
  bool takes_node;    // isolate:NODE, bridge:NODE (optional)
  bool takes_groups;  // groups:, one-way:, between: (required)
};

constexpr Named kShapes[] = {
    {ShapeKind::kHalves, "halves", false, false},
    {ShapeKind::kRandomHalves, "random-halves", false, false},
    {ShapeKind::kIsolate, "isolate", true, false},
    {ShapeKind::kBridge, "bridge", true, false},
    {ShapeKind::kMajoritiesRing, "majorities-ring", false, false},
    {ShapeKind::kGroups, "groups", false, true},
    {ShapeKind::kOneWay, "one-way", false, true},
    {ShapeKind::kBetween, "between", false, true},
};

const Named& Lookup(ShapeKind kind) {
  for (const Named& n : kShapes) {
    if (n.kind == kind) return n;
  }
  assert(false && "every ShapeKind is in kShapes");
  return kShapes[0];
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Split(std::string_view s, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t at = s.find(separator, start);
    parts.push_back(
        s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

std::string JoinNames(const Group& nodes, const std::vector<std::string>& names,
                      std::string_view separator = ",") {
  std::string out;
  for (size_t i : nodes) {
    if (!out.empty()) out += separator;
    out += names[i];
  }
  return out;
}

// Resolves node names, refusing unknown ones and any node named twice in the
// whole shape (`seen` spans every list of it).
class NameResolver {
 public:
  NameResolver(std::string_view text, const std::vector<std::string>& names)
      : text_(text), names_(names), seen_(names.size(), false) {}

  Status Error(const std::string& why) const {
    return InvalidArgument("shape " + units::QuoteInput(text_) + ": " + why);
  }

  Result<size_t> Node(std::string_view raw) {
    const std::string_view name = Trim(raw);
    if (name.empty()) return Error("a node name is missing (lists look like n1,n2)");
    const auto it = std::find(names_.begin(), names_.end(), name);
    if (it == names_.end()) {
      std::string known = JoinNames(AllNodes(), names_, ", ");
      return Error("no node " + units::QuoteInput(name) + " in the fleet (it has " + known + ")");
    }
    const size_t index = static_cast<size_t>(it - names_.begin());
    if (seen_[index]) return Error(std::string(name) + " is named twice");
    seen_[index] = true;
    return index;
  }

  Result<Group> List(std::string_view raw) {
    if (Trim(raw).empty()) return Error("a group is empty");
    Group group;
    for (std::string_view part : Split(raw, ',')) {
      ASSIGN_OR_RETURN(size_t index, Node(part));
      group.push_back(index);
    }
    std::sort(group.begin(), group.end());
    return group;
  }

  Group Unnamed() const {
    Group rest;
    for (size_t i = 0; i < names_.size(); ++i) {
      if (!seen_[i]) rest.push_back(i);
    }
    return rest;
  }

 private:
  Group AllNodes() const {
    Group all(names_.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    return all;
  }

  std::string text_;
  const std::vector<std::string>& names_;
  std::vector<bool> seen_;
};

Result<std::vector<Group>> ParseGroups(ShapeKind kind, std::string_view body,
                                       NameResolver& resolver) {
  std::vector<Group> groups;
  if (kind == ShapeKind::kOneWay) {
    const auto sides = Split(body, '>');
    if (sides.size() != 2) {
      return resolver.Error("one-way takes SENDERS>RECEIVERS, e.g. one-way:n1,n2>n3");
    }
    for (std::string_view side : sides) {
      ASSIGN_OR_RETURN(Group group, resolver.List(side));
      groups.push_back(std::move(group));
    }
    return groups;
  }
  for (std::string_view part : Split(body, '|')) {
    ASSIGN_OR_RETURN(Group group, resolver.List(part));
    groups.push_back(std::move(group));
  }
  const bool rest_is_a_group = kind == ShapeKind::kGroups && !resolver.Unnamed().empty();
  if (groups.size() + (rest_is_a_group ? 1 : 0) < 2) {
    return resolver.Error(
        kind == ShapeKind::kGroups
            ? "names every node in one group, which cuts nothing; separate groups with |"
            : "needs at least two groups separated by |, e.g. between:n1,n2|n3");
  }
  return groups;
}

Group Sorted(Group g) {
  std::sort(g.begin(), g.end());
  return g;
}

void CutBetween(const std::vector<Group>& groups, LinkSet& links) {
  for (size_t g = 0; g < groups.size(); ++g) {
    for (size_t h = g + 1; h < groups.size(); ++h) {
      for (size_t a : groups[g]) {
        for (size_t b : groups[h]) links.AddBothWays(a, b);
      }
    }
  }
}

// Jepsen's bisect: the smaller half first.
std::pair<Group, Group> Halves(const Group& order) {
  const size_t first = order.size() / 2;
  return {Group(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(first)),
          Group(order.begin() + static_cast<std::ptrdiff_t>(first), order.end())};
}

Group FileOrder(size_t n) {
  Group order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  return order;
}

void ComputeHalves(const Group& order, Shape& shape) {
  auto [first, second] = Halves(order);
  shape.groups = {Sorted(first), Sorted(second)};
  CutBetween(shape.groups, shape.links);
}

void ComputeIsolate(size_t loner, size_t n, Shape& shape) {
  Group rest;
  for (size_t i = 0; i < n; ++i) {
    if (i != loner) rest.push_back(i);
  }
  shape.groups = {{loner}, rest};
  CutBetween(shape.groups, shape.links);
}

// `order` includes the bridge; the others keep their order and split so that
// the first side has floor(n/2) nodes, as in Jepsen's bridge over bisect.
void ComputeBridge(const Group& order, size_t bridge, Shape& shape) {
  Group others;
  for (size_t i : order) {
    if (i != bridge) others.push_back(i);
  }
  const auto split = others.begin() + static_cast<std::ptrdiff_t>(order.size() / 2);
  const Group a = Sorted(Group(others.begin(), split));
  const Group b = Sorted(Group(split, others.end()));
  shape.groups = {a, {bridge}, b};
  shape.bridge = bridge;
  CutBetween({a, b}, shape.links);
}

void ComputeMajoritiesRing(const Group& ring, Shape& shape) {
  const size_t n = ring.size();
  const size_t d = n / 2;
  size_t r = d / 2;
  bool opposite = false;
  if (d % 2 == 1) {
    if (n % 2 == 0) {
      r = (d - 1) / 2;
      opposite = true;
    } else {
      r = (d + 1) / 2;
    }
  }
  shape.ring = ring;
  for (size_t p = 0; p < n; ++p) {
    for (size_t q = p + 1; q < n; ++q) {
      const size_t distance = std::min(q - p, n - (q - p));
      const bool sees = distance <= r || (opposite && distance == n / 2);
      if (!sees) shape.links.AddBothWays(ring[p], ring[q]);
    }
  }
}

}  // namespace

std::string_view ShapeKindName(ShapeKind kind) { return Lookup(kind).name; }

size_t MinimumNodes(ShapeKind kind) {
  switch (kind) {
    case ShapeKind::kBridge: return 3;
    case ShapeKind::kMajoritiesRing: return 4;
    default: return 2;
  }
}

bool ShapeSpec::random() const {
  switch (kind) {
    case ShapeKind::kRandomHalves:
    case ShapeKind::kMajoritiesRing: return true;
    case ShapeKind::kIsolate:
    case ShapeKind::kBridge: return !node.has_value();
    default: return false;
  }
}

Result<ShapeSpec> ParseShape(std::string_view text, const std::vector<std::string>& node_names) {
  const size_t colon = text.find(':');
  const std::string_view name = text.substr(0, colon);
  const auto named = std::find_if(std::begin(kShapes), std::end(kShapes),
                                  [&](const Named& n) { return n.name == name; });
  if (named == std::end(kShapes)) {
    return InvalidArgument("unknown shape " + units::QuoteInput(text) + " (use " + kShapeForms +
                           ")");
  }
  ShapeSpec spec;
  spec.kind = named->kind;
  spec.text = std::string(text);
  spec.node_count = node_names.size();
  NameResolver resolver(text, node_names);

  const size_t minimum = MinimumNodes(spec.kind);
  if (node_names.size() < minimum) {
    return resolver.Error(std::string(named->name) + " needs at least " + std::to_string(minimum) +
                          " nodes; the fleet has " + std::to_string(node_names.size()) +
                          (spec.kind == ShapeKind::kMajoritiesRing && node_names.size() == 3
                               ? " (with 3 nodes, use bridge)"
                               : ""));
  }
  if (colon == std::string_view::npos) {
    if (named->takes_groups) {
      return resolver.Error(std::string(named->name) + " needs its nodes, e.g. " +
                            (spec.kind == ShapeKind::kOneWay
                                 ? "one-way:n1,n2>n3"
                                 : std::string(named->name) + ":n1,n2|n3"));
    }
    return spec;
  }
  const std::string_view body = text.substr(colon + 1);
  if (named->takes_node) {
    ASSIGN_OR_RETURN(spec.node, resolver.Node(body));
    return spec;
  }
  if (!named->takes_groups) {
    return resolver.Error(std::string(named->name) + " takes nothing after a colon");
  }
  ASSIGN_OR_RETURN(spec.groups, ParseGroups(spec.kind, body, resolver));
  if (spec.kind == ShapeKind::kGroups) {
    if (Group rest = resolver.Unnamed(); !rest.empty()) spec.groups.push_back(std::move(rest));
  }
  return spec;
}

Result<uint64_t> ParseShapeSeed(std::string_view text) {
  uint64_t seed = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, seed);
  if (text.empty() || ec != std::errc() || ptr != end) {
    return InvalidArgument("shape seed " + units::QuoteInput(text) +
                           ": use a whole number from 0 to 18446744073709551615");
  }
  return seed;
}

Shape ComputeShape(const ShapeSpec& spec, uint64_t seed) {
  const size_t node_count = spec.node_count;
  Shape shape;
  shape.kind = spec.kind;
  shape.links = LinkSet(node_count);
  Group shuffled;
  if (spec.random()) {
    shape.seed = seed;
    SplitMix64 random(seed);
    shuffled = Shuffle(node_count, random);
  }
  switch (spec.kind) {
    case ShapeKind::kHalves: ComputeHalves(FileOrder(node_count), shape); break;
    case ShapeKind::kRandomHalves: ComputeHalves(shuffled, shape); break;
    case ShapeKind::kIsolate:
      ComputeIsolate(spec.node ? *spec.node : shuffled.front(), node_count, shape);
      break;
    case ShapeKind::kBridge:
      if (spec.node) {
        ComputeBridge(FileOrder(node_count), *spec.node, shape);
      } else {
        ComputeBridge(shuffled, shuffled[node_count / 2], shape);
      }
      break;
    case ShapeKind::kMajoritiesRing: ComputeMajoritiesRing(shuffled, shape); break;
    case ShapeKind::kGroups:
      shape.groups = spec.groups;
      CutBetween(shape.groups, shape.links);
      break;
    case ShapeKind::kOneWay:
      shape.groups = spec.groups;
      for (size_t from : spec.groups[0]) {
        for (size_t to : spec.groups[1]) shape.links.Add(from, to);
      }
      break;
    case ShapeKind::kBetween:
      shape.groups = spec.groups;
      CutBetween(shape.groups, shape.links);
      break;
  }
  return shape;
}

std::string DescribeShape(const Shape& shape, const std::vector<std::string>& node_names) {
  std::string out(ShapeKindName(shape.kind));
  if (shape.seed) out += " (seed " + std::to_string(*shape.seed) + ")";
  out += ": ";
  switch (shape.kind) {
    case ShapeKind::kMajoritiesRing: {
      out += "ring " + JoinNames(shape.ring, node_names, " ");
      const size_t n = shape.ring.size();
      // Every node reaches the same number of peers; print node 0's view.
      const size_t peers = n == 0 ? 0 : shape.links.ReachableFrom(shape.ring[0]).size() - 1;
      out += "; each node reaches " + std::to_string(peers) + " of its " + std::to_string(n - 1) +
             " peers";
      break;
    }
    case ShapeKind::kOneWay:
      out +=
          JoinNames(shape.groups[0], node_names) + " > " + JoinNames(shape.groups[1], node_names);
      break;
    case ShapeKind::kBridge:
      out += JoinNames(shape.groups[0], node_names) + " | " +
             JoinNames(shape.groups[2], node_names) + ", bridged by " + node_names[*shape.bridge];
      break;
    default:
      for (size_t g = 0; g < shape.groups.size(); ++g) {
        if (g > 0) out += " | ";
        out += JoinNames(shape.groups[g], node_names);
      }
      break;
  }
  return out;
}

}  // namespace chaosnet::fleet
