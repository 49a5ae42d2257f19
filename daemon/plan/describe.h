// A plan as tc-like text, for dry runs, `chaosnetctl get` and logs. The words
// follow tc's own output so that users can compare with `tc qdisc show`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/plan/qdisc_plan.h"

namespace chaosnet::plan {

struct PlanStepText {
  std::string object;      // "qdisc"
  std::string kind;        // "netem", "tbf"
  std::string handle;      // "ca00:"
  std::string parent;      // "root" or "ca00:1"
  std::string parameters;  // "limit 1000 delay 100ms 10ms 25% loss 1%"
};

// One entry per qdisc, in creation order.
std::vector<PlanStepText> DescribePlan(const InterfacePlan& plan);

// tc's notation: hex major, colon, hex minor omitted when 0: "ca00:", "ca00:1".
std::string FormatHandle(uint32_t handle);

// "root" for TC_H_ROOT, otherwise FormatHandle.
std::string FormatParent(uint32_t parent);

std::string DescribeNetem(const NetemQdisc& netem);
std::string DescribeTbf(const TbfQdisc& tbf);

}  // namespace chaosnet::plan
