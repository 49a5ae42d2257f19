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
  // Link models (issue 18): a jam's qdisc, and what the kernel's netem keeps
  // of the attributes it may not know (an older netem ignores them).
  bool plug = false;
  bool netem_loss_models = false;
  bool netem_ecn = false;
  bool netem_slot = false;
  bool netem_rate = false;
  bool netem_seed = false;         // TCA_NETEM_PRNG_SEED (Linux 6.6)
  std::vector<std::string> notes;  // human-readable probe findings
};

enum class FeatureId {
  kNetem,
  kTbf,
  kHtb,
  kU32,
  kMirred,
  kIfb,
  kIngress,
  kPlug,
  kNetemLossModels,
  kNetemEcn,
  kNetemSlot,
  kNetemRate,
  kNetemSeed,
};

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
  // How to get it when loading the module is not the answer (an attribute
  // of a qdisc the kernel has); nullptr: LoadHint's module and config.
  const char* hint = nullptr;
};

// In the order the probe tries them and `chaosnetctl info` lists them.
inline constexpr char kNewerNetem[] =
    "use a kernel whose netem knows it (sch_netem ignores attributes it does not know)";

inline constexpr Feature kFeatures[] = {
    {FeatureId::kNetem, "netem", "netem qdisc", "qdisc netem", "sch_netem", "CONFIG_NET_SCH_NETEM",
     &Capabilities::netem, nullptr},
    {FeatureId::kTbf, "tbf", "tbf qdisc", "qdisc tbf", "sch_tbf", "CONFIG_NET_SCH_TBF",
     &Capabilities::tbf, nullptr},
    {FeatureId::kHtb, "htb", "htb qdisc", "qdisc htb", "sch_htb", "CONFIG_NET_SCH_HTB",
     &Capabilities::htb, nullptr},
    {FeatureId::kU32, "u32", "u32 classifier", "filter u32", "cls_u32", "CONFIG_NET_CLS_U32",
     &Capabilities::u32, nullptr},
    {FeatureId::kMirred, "mirred", "mirred action", "action mirred", "act_mirred",
     "CONFIG_NET_ACT_MIRRED", &Capabilities::mirred, nullptr},
    {FeatureId::kIfb, "ifb", "IFB devices", "link ifb", "ifb", "CONFIG_IFB", &Capabilities::ifb,
     nullptr},
    {FeatureId::kIngress, "ingress", "ingress qdisc", "qdisc ingress", "sch_ingress",
     "CONFIG_NET_SCH_INGRESS", nullptr, nullptr},
    {FeatureId::kPlug, "plug", "plug qdisc (for jams)", "qdisc plug", "sch_plug",
     "CONFIG_NET_SCH_PLUG", &Capabilities::plug, nullptr},
    {FeatureId::kNetemLossModels, "netem-loss-models",
     "netem loss models (gemodel, state: TCA_NETEM_LOSS)", "netem loss models", "sch_netem",
     "CONFIG_NET_SCH_NETEM", &Capabilities::netem_loss_models, kNewerNetem},
    {FeatureId::kNetemEcn, "netem-ecn", "netem ECN marking (TCA_NETEM_ECN)", "netem ecn",
     "sch_netem", "CONFIG_NET_SCH_NETEM", &Capabilities::netem_ecn, kNewerNetem},
    {FeatureId::kNetemSlot, "netem-slot", "netem slots (TCA_NETEM_SLOT)", "netem slot", "sch_netem",
     "CONFIG_NET_SCH_NETEM", &Capabilities::netem_slot, kNewerNetem},
    {FeatureId::kNetemRate, "netem-rate",
     "netem rate with overhead (TCA_NETEM_RATE), which --link-rate and --in-order use",
     "netem rate", "sch_netem", "CONFIG_NET_SCH_NETEM", &Capabilities::netem_rate, kNewerNetem},
    {FeatureId::kNetemSeed, "netem-seed",
     "seed attribute in its netem (TCA_NETEM_PRNG_SEED), which --netem-seed sets", "netem seed",
     "sch_netem", "CONFIG_NET_SCH_NETEM", &Capabilities::netem_seed,
     "it was added in Linux 6.6; run a newer kernel, or drop --netem-seed"},
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

// "load sch_netem or enable CONFIG_NET_SCH_NETEM", or the feature's own hint.
inline std::string LoadHint(const Feature& f) {
  if (f.hint != nullptr) return f.hint;
  return std::string("load ") + f.module + " or enable " + f.config;
}

// "kernel has no netem qdisc: load sch_netem or enable CONFIG_NET_SCH_NETEM"
inline std::string MissingFeatureMessage(const Feature& f) {
  return std::string("kernel has no ") + f.noun + ": " + LoadHint(f);
}

}  // namespace chaosnet::kernel
