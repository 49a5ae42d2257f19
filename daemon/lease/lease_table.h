// Deadlines of live leases, ordered so that the next one to expire is found in
// O(1) and any lease is extended or removed in O(log n). Pure bookkeeping: the
// caller supplies "now"; the Asio timer in core/ is only an adapter over it.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace chaosnet::lease {

using TimePoint = std::chrono::steady_clock::time_point;

class LeaseTable {
 public:
  // Returns false (and changes nothing) when the id is already present.
  bool Add(const std::string& id, TimePoint deadline);
  // Returns false when the id is unknown.
  bool Reschedule(const std::string& id, TimePoint deadline);
  bool Remove(const std::string& id);

  std::optional<TimePoint> Deadline(const std::string& id) const;
  std::optional<TimePoint> NextDeadline() const;

  // Removes and returns every lease whose deadline is <= now, earliest first.
  std::vector<std::string> TakeExpired(TimePoint now);

  std::size_t size() const { return by_id_.size(); }
  bool empty() const { return by_id_.empty(); }

 private:
  using ByDeadline = std::multimap<TimePoint, std::string>;
  ByDeadline by_deadline_;
  std::unordered_map<std::string, ByDeadline::iterator> by_id_;
};

}  // namespace chaosnet::lease
