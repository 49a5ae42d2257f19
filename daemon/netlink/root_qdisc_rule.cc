#include "daemon/netlink/root_qdisc_rule.h"

#include <array>
#include <string_view>

#include "daemon/plan/qdisc_plan.h"

namespace chaosnet::netlink {

bool IsKernelDefaultRoot(const std::string& kind, uint32_t handle) {
  static constexpr std::array<std::string_view, 10> kKernelDefaults = {
      "noqueue", "noop", "pfifo_fast", "pfifo", "mq", "fq_codel", "fq", "sfq", "cake", "fq_pie"};
  if (plan::HandleMajor(handle) != 0) return false;
  for (auto k : kKernelDefaults) {
    if (kind == k) return true;
  }
  return false;
}

kernel::RootQdisc RootOf(const std::vector<QdiscInfo>& qdiscs) {
  for (const auto& q : qdiscs) {
    if (q.parent == plan::kRootParent) {
      return kernel::RootQdisc{q.kind, q.handle, IsKernelDefaultRoot(q.kind, q.handle)};
    }
  }
  return kernel::RootQdisc{"none", 0, true};
}

}  // namespace chaosnet::netlink
