#include "daemon/plan/exemptions.h"

#include <utility>

#include "daemon/plan/protected_traffic.h"
#include "daemon/plan/u32_keys.h"

namespace chaosnet::plan {

Result<std::vector<U32Classifier>> AddExemptions(std::vector<U32Classifier> classifiers,
                                                 const std::vector<model::TrafficRule>& exemptions,
                                                 uint32_t direct) {
  if (exemptions.empty()) return classifiers;
  for (U32Classifier& c : classifiers) {
    const IpFamily family = c.protocol == FilterProtocol::kIpv6 ? IpFamily::kIpv6 : IpFamily::kIpv4;
    ASSIGN_OR_RETURN(
        std::vector<U32Rule> rules,
        CompileTrafficRules(exemptions, family, kMaxExemptionRulesPerFamily, 0, "exemptions",
                            "give fewer exemptions or narrower port ranges"));
    for (U32Rule& r : rules) r.flowid = direct;
    rules.insert(rules.end(), std::make_move_iterator(c.rules.begin()),
                 std::make_move_iterator(c.rules.end()));
    c.rules = std::move(rules);
  }
  return classifiers;
}

}  // namespace chaosnet::plan
