#include "daemon/lease/lease_table.h"

namespace chaosnet::lease {

bool LeaseTable::Add(const std::string& id, TimePoint deadline) {
  if (by_id_.contains(id)) return false;
  by_id_.emplace(id, by_deadline_.emplace(deadline, id));
  return true;
}

bool LeaseTable::Reschedule(const std::string& id, TimePoint deadline) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return false;
  by_deadline_.erase(it->second);
  it->second = by_deadline_.emplace(deadline, id);
  return true;
}

bool LeaseTable::Remove(const std::string& id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return false;
  by_deadline_.erase(it->second);
  by_id_.erase(it);
  return true;
}

std::optional<TimePoint> LeaseTable::Deadline(const std::string& id) const {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return std::nullopt;
  return it->second->first;
}

std::optional<TimePoint> LeaseTable::NextDeadline() const {
  if (by_deadline_.empty()) return std::nullopt;
  return by_deadline_.begin()->first;
}

std::vector<std::string> LeaseTable::TakeExpired(TimePoint now) {
  std::vector<std::string> expired;
  auto end = by_deadline_.upper_bound(now);
  for (auto it = by_deadline_.begin(); it != end; ++it) {
    expired.push_back(it->second);
    by_id_.erase(it->second);
  }
  by_deadline_.erase(by_deadline_.begin(), end);
  return expired;
}

}  // namespace chaosnet::lease
