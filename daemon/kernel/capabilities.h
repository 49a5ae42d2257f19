// The kernel features chaosnet uses and how an operator gets each one: the one
// table behind the probe, `chaosnetctl info`, the start-up log and every
// "kernel has no ..." message. Pure data.
#pragma once

#include <cstddef>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace chaosnet::kernel {

// What the running kernel offers, probed once at start.
struct Capabilities {
  bool netem = false;
  bool tbf = false;
  bool htb = false;
  bool u32 = false;
  bool ifb = false;
  bool mirred = false;
  std::vector<std::string> notes;  // human-readable probe findings
};

enum class FeatureId { kNetem, kTbf, kHtb, kU32, kMirred, kIfb, kIngress };

struct Feature {
  FeatureId id;
  const char* name;         // the tc kind, and the name `chaosnetctl info` shows
  const char* noun;         // in messages: "kernel has no <noun>"
  const char* probe_label;  // in the probe's notes
  const char* module;       // what to load
  const char* config;       // what to build the kernel with
  // Where the probe records it; nullptr for a feature that is not probed
  // (the ingress qdisc: every kernel with tc has it).
  bool Capabilities::*available;
};

// In the order the probe tries them and `chaosnetctl info` lists them.
inline constexpr Feature kFeatures[] = {
    {FeatureId::kNetem, "netem", "netem qdisc", "qdisc netem", "sch_netem", "CONFIG_NET_SCH_NETEM",
     &Capabilities::netem},
    {FeatureId::kTbf, "tbf", "tbf qdisc", "qdisc tbf", "sch_tbf", "CONFIG_NET_SCH_TBF",
     &Capabilities::tbf},
    {FeatureId::kHtb, "htb", "htb qdisc", "qdisc htb", "sch_htb", "CONFIG_NET_SCH_HTB",
     &Capabilities::htb},
    {FeatureId::kU32, "u32", "u32 classifier", "filter u32", "cls_u32", "CONFIG_NET_CLS_U32",
     &Capabilities::u32},
    {FeatureId::kMirred, "mirred", "mirred action", "action mirred", "act_mirred",
     "CONFIG_NET_ACT_MIRRED", &Capabilities::mirred},
    {FeatureId::kIfb, "ifb", "IFB devices", "link ifb", "ifb", "CONFIG_IFB", &Capabilities::ifb},
    {FeatureId::kIngress, "ingress", "ingress qdisc", "qdisc ingress", "sch_ingress",
     "CONFIG_NET_SCH_INGRESS", nullptr},
};

constexpr const Feature& FeatureInfo(FeatureId id) { return kFeatures[static_cast<size_t>(id)]; }

constexpr bool RowsFollowTheirIds() {
  for (size_t i = 0; i < std::size(kFeatures); ++i) {
    if (static_cast<size_t>(kFeatures[i].id) != i) return false;
  }
  return true;
}
static_assert(RowsFollowTheirIds(), "kFeatures must be in FeatureId order");

// The row of a tc kind ("netem", "u32", ...); nullptr for one chaosnet does not use.
constexpr const Feature* FindFeature(std::string_view name) {
  for (const Feature& f : kFeatures) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

// "load sch_netem or enable CONFIG_NET_SCH_NETEM"
inline std::string LoadHint(const Feature& f) {
  return std::string("load ") + f.module + " or enable " + f.config;
}

// "kernel has no netem qdisc: load sch_netem or enable CONFIG_NET_SCH_NETEM"
inline std::string MissingFeatureMessage(const Feature& f) {
  return std::string("kernel has no ") + f.noun + ": " + LoadHint(f);
}

}  // namespace chaosnet::kernel
