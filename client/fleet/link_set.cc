#include "client/fleet/link_set.h"

#include <algorithm>
#include <cassert>

namespace chaosnet::fleet {

LinkSet::LinkSet(size_t node_count)
    : node_count_(node_count), links_(node_count * node_count, false) {}

void LinkSet::Add(size_t from, size_t to) {
  assert(from < node_count_ && to < node_count_ && from != to);
  links_[from * node_count_ + to] = true;
}

void LinkSet::AddBothWays(size_t a, size_t b) {
  Add(a, b);
  Add(b, a);
}

bool LinkSet::Contains(size_t from, size_t to) const {
  return from < node_count_ && to < node_count_ && links_[from * node_count_ + to];
}

std::vector<size_t> LinkSet::TargetsOf(size_t from) const {
  std::vector<size_t> targets;
  for (size_t to = 0; to < node_count_; ++to) {
    if (Contains(from, to)) targets.push_back(to);
  }
  return targets;
}

std::vector<size_t> LinkSet::ReachableFrom(size_t from) const {
  std::vector<size_t> reached;
  for (size_t to = 0; to < node_count_; ++to) {
    if (!Contains(from, to)) reached.push_back(to);
  }
  return reached;
}

bool LinkSet::Symmetric() const {
  for (size_t a = 0; a < node_count_; ++a) {
    for (size_t b = a + 1; b < node_count_; ++b) {
      if (Contains(a, b) != Contains(b, a)) return false;
    }
  }
  return true;
}

size_t LinkSet::size() const {
  return static_cast<size_t>(std::count(links_.begin(), links_.end(), true));
}

}  // namespace chaosnet::fleet
