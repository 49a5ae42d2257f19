#include "daemon/state/stored_lease.h"

#include <type_traits>
#include <variant>

namespace chaosnet::state {

std::vector<OwnedQdisc> OwnedQdiscsOf(const plan::InterfacePlan& plan) {
  std::vector<OwnedQdisc> out;
  out.reserve(plan.qdiscs.size());
  for (const plan::QdiscNode& node : plan.qdiscs) {
    OwnedQdisc q{node.handle, node.parent, {}};
    q.kind = std::visit(
        [](const auto& p) -> std::string {
          using T = std::decay_t<decltype(p)>;
          if constexpr (std::is_same_v<T, plan::NetemQdisc>)
            return "netem";
          else {
            // A new qdisc kind in the plan must get its name here.
            static_assert(std::is_same_v<T, plan::TbfQdisc>);
            return "tbf";
          }
        },
        node.params);
    out.push_back(std::move(q));
  }
  return out;
}

const char* LeaseStateName(LeaseState s) { return NameOf(kLeaseStateNames, s); }

}  // namespace chaosnet::state
