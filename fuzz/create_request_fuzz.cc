// Fuzzes CreateFault up to the kernel: wire bytes -> CreateFaultRequest -> FromProto ->
// ValidateFaultSpec -> the fault's plan on a device; each stage's output is checked.
#include <variant>
#include <vector>

#include "chaosnet/v1/chaosnet.pb.h"
#include "daemon/api/convert.h"
#include "daemon/model/validate.h"
#include "daemon/plan/compiler.h"
#include "daemon/plan/describe.h"
#include "daemon/plan/interface_tree.h"
#include "daemon/plan/match_compiler.h"
#include "fuzz/fuzz_check.h"

using namespace chaosnet;

namespace {

void CheckFilters(const model::FaultSpec& spec, const plan::FaultObjects& objects) {
  // A fault matching one host (and nothing more) goes into the shared host
  // classifier as hash-table nodes; any other match has filters of its own.
  if (!objects.nodes.empty()) {
    fuzz::Check(objects.filters.empty(), "a host fault has nodes, not filters", spec.interface);
    for (const plan::U32Node& n : objects.nodes) {
      fuzz::Check(n.flowid == objects.cls.classid && !n.keys.empty(),
                  "a host node steers its host to the fault's class", spec.interface);
    }
    return;
  }
  const uint16_t base =
      spec.match.empty() ? plan::kWholeInterfacePriority : plan::TargetedPriority(objects.slot);
  fuzz::Check(!objects.filters.empty() && objects.filters.size() <= 2,
              "a fault has one filter per family it applies to", spec.interface);
  for (const plan::U32Classifier& f : objects.filters) {
    fuzz::Check(f.parent == plan::kTreeRootHandle && f.flowid == objects.cls.classid,
                "a fault's filters steer from the root to its own class", spec.interface);
    fuzz::Check(f.priority == base || f.priority == base + 1,
                "IPv4 at the fault's priority, IPv6 at +1", spec.interface);
    fuzz::Check(!f.rules.empty() && f.rules.size() <= plan::kMaxRulesPerFamily,
                "a filter has 1..kMaxRulesPerFamily rules", spec.interface);
  }
}

void CheckObjects(const model::FaultSpec& spec, const plan::FaultObjects& objects) {
  fuzz::Check(objects.slot == 1, "the first fault of a device takes slot 1", spec.interface);
  fuzz::Check(objects.cls.classid == plan::FaultClassId(objects.slot) &&
                  objects.cls.parent == plan::kTreeRootHandle,
              "the fault's class hangs off the root", spec.interface);
  fuzz::Check(objects.cls.rate_bytes_per_second > 0 &&
                  objects.cls.rate_bytes_per_second == objects.cls.ceil_bytes_per_second,
              "the class has a rate, and never borrows", spec.interface);
  if (spec.rate) {
    fuzz::Check(objects.cls.rate_bytes_per_second == spec.rate->bits_per_second / 8,
                "the class rate is the fault's rate", spec.interface);
  }
  fuzz::Check(objects.leaf.has_value() == (spec.needs_netem() || spec.jam.has_value()),
              "a leaf exactly when the spec needs netem or is a jam", spec.interface);
  if (spec.jam) {
    fuzz::Check(std::holds_alternative<plan::PlugQdisc>(objects.leaf->params),
                "a jam's leaf is a plug", spec.interface);
  } else if (objects.leaf) {
    const auto* netem = std::get_if<plan::NetemQdisc>(&objects.leaf->params);
    fuzz::Check(netem != nullptr && objects.leaf->parent == objects.cls.classid,
                "the leaf is a netem under the fault's class", spec.interface);
    fuzz::Check(spec.queue_limit
                    ? netem->limit == *spec.queue_limit
                    : netem->limit >= plan::kNetemMinLimit && netem->limit <= plan::kNetemMaxLimit,
                "the netem limit is the user's, or derived within its clamp", spec.interface);
  }
  CheckFilters(spec, objects);
}

void CheckSteps(const std::vector<plan::TcObject>& steps) {
  for (const plan::TcObject& step : steps) {
    const plan::PlanStepText text = plan::DescribeTcObject(step);
    fuzz::Check(!text.object.empty() && !text.kind.empty(), "every step is described");
    for (unsigned char c : text.parameters) {
      fuzz::Check(c >= 0x20 && c != 0x7f, "a step's description is one line", text.parameters);
    }
  }
}

// Planned on a fresh device with the daemon's default protected traffic.
void CheckPlan(const model::FaultSpec& spec) {
  plan::InterfaceTree tree(plan::DefaultProtectedRules(), spec.interface);
  auto objects = tree.PlanFault("fuzz-1", spec);
  if (!objects.ok()) {
    // Nothing else on the device: only the match itself can be refused.
    fuzz::CheckOneLineError(objects.status(), "PlanFault refused");
    return;
  }
  CheckObjects(spec, *objects);
  CheckSteps(tree.AddSteps(*objects));
  fuzz::Check(plan::MatchesOverlap(spec.match, spec.match), "a match overlaps itself");

  // The overlap rule: the same fault again on the same device must be refused.
  tree.Insert("fuzz-1", spec, *objects);
  auto twice = tree.PlanFault("fuzz-2", spec);
  fuzz::Check(!twice.ok() && twice.status().code() == StatusCode::kFailedPrecondition,
              "the same match twice on a device is refused as an overlap", spec.interface);
  fuzz::Check(tree.RemoveSteps("fuzz-1") == std::vector<plan::TcObject>{plan::RootQdisc()},
              "removing the last fault removes the root");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  v1::CreateFaultRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;

  auto converted = api::FromProto(request);
  if (!converted.ok()) {
    fuzz::CheckOneLineError(converted.status(), "FromProto refused");
    return 0;
  }
  const model::FaultSpec& spec = converted->spec;

  // What the daemon reports back (Get, List, Watch) must mean the same fault.
  v1::FaultSpec wire;
  api::ToProto(spec, &wire);
  auto again = api::FromProto(wire);
  fuzz::Check(again.ok() && *again == spec, "ToProto -> FromProto gives the same spec",
              wire.ShortDebugString());

  const Status valid = model::ValidateFaultSpec(spec);
  if (!valid.ok()) {
    fuzz::CheckOneLineError(valid, "ValidateFaultSpec refused");
    return 0;
  }
  CheckPlan(spec);
  return 0;
}
