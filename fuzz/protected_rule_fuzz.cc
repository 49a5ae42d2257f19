// Fuzzes plan::ParseProtectedRule (--protect): an accepted rule is in range, round-trips
// through FormatProtectedRule, and compiles to direct classifiers at the reserved priorities.
#include "daemon/plan/protected_traffic.h"
#include "fuzz/fuzz_check.h"

using namespace chaosnet;

namespace {

void CheckCompiles(const plan::ProtectedRule& rule, std::string_view text) {
  auto classifiers = plan::CompileProtectedTraffic({rule});
  fuzz::Check(classifiers.ok(), "an accepted rule compiles", text);
  for (const plan::U32Classifier& c : *classifiers) {
    fuzz::Check(
        c.priority == plan::kProtectedIpv4Priority || c.priority == plan::kProtectedIpv6Priority,
        "protected classifiers use the reserved priorities", text);
    fuzz::Check(c.flowid == plan::kTreeRootHandle && c.parent == plan::kTreeRootHandle,
                "protected packets go direct, to the root", text);
    fuzz::Check(!c.rules.empty() && c.rules.size() <= plan::kMaxProtectedRulesPerFamily,
                "a protected classifier has 1..kMaxProtectedRulesPerFamily rules", text);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::AsText(data, size);
  auto rule = plan::ParseProtectedRule(text);
  if (!rule.ok()) {
    fuzz::CheckOneLineError(rule.status(), "ParseProtectedRule refused");
    return 0;
  }
  fuzz::Check(rule->cidr || rule->ports, "an accepted rule protects something", text);
  if (rule->ports) {
    fuzz::Check(rule->ports->first >= 1 && rule->ports->first <= rule->ports->last,
                "protected ports have 1 <= first <= last", text);
  }
  fuzz::Check(rule->protocol == model::Protocol::kAny ||
                  (rule->ports && (rule->protocol == model::Protocol::kTcp ||
                                   rule->protocol == model::Protocol::kUdp)),
              "a protocol is tcp or udp, and only with ports", text);
  CheckCompiles(*rule, text);

  const std::string formatted = plan::FormatProtectedRule(*rule);
  auto again = plan::ParseProtectedRule(formatted);
  fuzz::Check(again.ok() && *again == *rule, "FormatProtectedRule parses back to the same rule",
              formatted);
  fuzz::Check(plan::FormatProtectedRule(*again) == formatted, "FormatProtectedRule is stable",
              formatted);
  return 0;
}
