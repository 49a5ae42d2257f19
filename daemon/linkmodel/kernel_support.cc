#include "daemon/linkmodel/kernel_support.h"

namespace chaosnet::linkmodel {

Status CheckKernelSupportsLinkModels(const kernel::Capabilities& caps,
                                     const model::FaultSpec& spec) {
  using kernel::FeatureId;
  struct Need {
    bool wanted;
    FeatureId feature;
  };
  const Need needs[] = {
      {spec.jam.has_value(), FeatureId::kPlug},
      {spec.loss_model.has_value(), FeatureId::kNetemLossModels},
      {spec.ecn, FeatureId::kNetemEcn},
      {spec.slot.has_value(), FeatureId::kNetemSlot},
      {spec.link_rate.has_value() || spec.in_order, FeatureId::kNetemRate},
      {spec.netem_seed.has_value(), FeatureId::kNetemSeed},
  };
  for (const Need& need : needs) {
    const kernel::Feature& f = kernel::FeatureInfo(need.feature);
    if (need.wanted && !(caps.*f.available)) {
      return FailedPrecondition(kernel::MissingFeatureMessage(f));
    }
  }
  return Status::Ok();
}

}  // namespace chaosnet::linkmodel
