// Shapes: which links of a fleet an experiment acts on, named the way Jepsen,
// Blockade and Antithesis users know them. Parsing checks a shape against the
// fleet's node names; computing it is a pure function of the parsed shape,
// the node count and, for the random shapes, a seed (client/fleet/
// random_source.h). Nodes are indices in the fleet file's order.
//
//   halves            the first floor(n/2) nodes of the file | the rest (the
//                     second half gets the odd node; Jepsen's bisect). Min 2.
//   random-halves     halves of Shuffle(n). Min 2.
//   isolate:NODE      NODE | everyone else. Min 2.
//   isolate           isolate:<the first node of Shuffle(n)>. Min 2.
//   bridge:NODE       the other nodes in file order split as halves of the
//                     whole fleet: the first floor(n/2) | the rest; NODE is
//                     cut from nobody (Jepsen's bridge). Min 3.
//   bridge            Jepsen's bridge over Shuffle(n): its first floor(n/2) |
//                     the node after them is the bridge | the rest. Min 3.
//   majorities-ring   every node reaches a strict majority (itself included)
//                     and no two nodes reach the same one; symmetric. The
//                     nodes sit on a ring in Shuffle(n) order and each reaches
//                     the nodes within ring distance r, where, with
//                     d = floor(n/2) (the peers a majority needs):
//                       d even:         r = d/2            (exactly a majority)
//                       d odd, n even:  r = (d-1)/2 plus the node opposite
//                                                          (exactly a majority)
//                       d odd, n odd:   r = (d+1)/2        (a majority plus one:
//                                       no graph gives all n nodes exactly d
//                                       peers when n*d is odd)
//                     For 4 and 5 nodes this is exactly Jepsen's
//                     majorities-ring-perfect; above 5 nodes Jepsen builds a
//                     random graph, this ring stays deterministic from the
//                     seed. Min 4: with 3 nodes only a path works, and that
//                     is `bridge`.
//   groups:A,B|C|...  complete cut between the groups; nodes not named form
//                     one more group (Blockade). At least two groups. Min 2.
//   one-way:A,B>C,D   A and B's packets never reach C or D; the reverse
//                     direction works and nothing else is touched. Min 2.
//   between:A,B|C|... every link between two different groups, both ways;
//                     nodes not named are untouched (what `--between` of the
//                     degraded-link commands means). Min 2.
//
// Names in a list may have spaces around them; a node may appear only once in
// a shape.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/fleet/link_set.h"
#include "common/result.h"

namespace chaosnet::fleet {

enum class ShapeKind {
  kHalves,
  kRandomHalves,
  kIsolate,
  kBridge,
  kMajoritiesRing,
  kGroups,
  kOneWay,
  kBetween,
};

// "halves", "random-halves", "isolate", ... as typed in --shape.
std::string_view ShapeKindName(ShapeKind kind);

// The fewest nodes a shape is defined for (see the table above).
size_t MinimumNodes(ShapeKind kind);

struct ShapeSpec {
  ShapeKind kind = ShapeKind::kHalves;
  std::string text;            // as given, for messages
  std::optional<size_t> node;  // isolate:NODE, bridge:NODE
  // groups: and between: the groups as named; one-way: {senders, receivers}.
  std::vector<std::vector<size_t>> groups;
  size_t node_count = 0;  // of the fleet it was parsed against

  // Whether ComputeShape uses its seed: random-halves, isolate and bridge
  // without a node, majorities-ring.
  bool random() const;
};

// INVALID_ARGUMENT, one line starting `shape "TEXT": ` for an unknown shape,
// an unknown node, a node named twice, an empty group, a shape that would act
// on no link, or a fleet below the shape's minimum.
Result<ShapeSpec> ParseShape(std::string_view text, const std::vector<std::string>& node_names);

// --shape-seed: a decimal number from 0 to 2^64-1.
Result<uint64_t> ParseShapeSeed(std::string_view text);

struct Shape {
  ShapeKind kind = ShapeKind::kHalves;
  std::optional<uint64_t> seed;  // the seed, for random shapes
  // The sides, for printing, members ascending: halves {first, second};
  // isolate {{node}, rest}; bridge {one side, {bridge}, other side}; groups
  // the named groups then the rest, if any; one-way {senders, receivers};
  // between the named groups. Empty for majorities-ring.
  std::vector<std::vector<size_t>> groups;
  std::optional<size_t> bridge;  // bridge: the node that reaches both sides
  std::vector<size_t> ring;      // majorities-ring: the ring, in order
  LinkSet links;                 // what the experiment acts on
};

// `seed` is ignored unless spec.random().
Shape ComputeShape(const ShapeSpec& spec, uint64_t seed);

// One line for people: "random-halves (seed 42): n2,n4 | n1,n3,n5".
std::string DescribeShape(const Shape& shape, const std::vector<std::string>& node_names);

}  // namespace chaosnet::fleet
