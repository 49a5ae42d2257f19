// The directed links an experiment acts on. (from, to) in the set means: the
// packets node `from` sends to node `to` are cut (a partition) or degraded (a
// delay, a loss, ...), on `from`'s egress; `to` -> `from` is a link of its own.
// Nodes are indices into the fleet's order (Fleet::nodes).
#pragma once

#include <cstddef>
#include <vector>

namespace chaosnet::fleet {

class LinkSet {
 public:
  LinkSet() : LinkSet(0) {}
  explicit LinkSet(size_t node_count);

  size_t node_count() const { return node_count_; }
  // Both nodes < node_count(); a node's link to itself is never in the set.
  void Add(size_t from, size_t to);
  void AddBothWays(size_t a, size_t b);
  bool Contains(size_t from, size_t to) const;

  // The nodes `from` has a link in the set to, ascending.
  std::vector<size_t> TargetsOf(size_t from) const;
  // The nodes `from` still reaches, itself included, ascending.
  std::vector<size_t> ReachableFrom(size_t from) const;
  bool Symmetric() const;
  size_t size() const;  // number of directed links
  bool empty() const { return size() == 0; }

  bool operator==(const LinkSet&) const = default;

 private:
  size_t node_count_;
  std::vector<bool> links_;  // row-major, from * node_count_ + to
};

}  // namespace chaosnet::fleet
