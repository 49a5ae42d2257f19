#include "daemon/plan/link_model_compiler.h"

namespace chaosnet::plan {

void AddLinkModels(const model::FaultSpec& spec, NetemQdisc* n) {
  n->loss_model = spec.loss_model;
  n->ecn = spec.ecn;
  n->slot = spec.slot;
  n->seed = spec.netem_seed;
  if (spec.link_rate) {
    n->rate.bytes_per_second = spec.link_rate->bits_per_second / 8;
    n->rate.packet_overhead = spec.link_rate->packet_overhead;
    n->rate.cell_size = spec.link_rate->cell_size;
    n->rate.cell_overhead = spec.link_rate->cell_overhead;
  } else if (spec.in_order) {
    n->rate.bytes_per_second = kInOrderRateBytesPerSecond;
  }
}

PlugQdisc PlugForJam(const model::JamFault& jam) {
  return PlugQdisc{jam.limit_bytes != 0 ? jam.limit_bytes : kJamDefaultLimitBytes};
}

}  // namespace chaosnet::plan
