#include "daemon/netlink/netem_encoder.h"

#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <cstring>
#include <limits>
#include <variant>

#include "daemon/netlink/tc_attrs.h"
#include "daemon/netlink/tc_math.h"

namespace chaosnet::netlink {

uint32_t EffectiveNetemGap(const plan::NetemQdisc& n) {
  return (n.reorder > 0 && n.gap == 0) ? 1 : n.gap;
}

namespace {

// tc's gemodel keeps the kernel's h as UINT32_MAX - rint((1-h) * UINT32_MAX),
// not rint(h * UINT32_MAX): the two differ by one where the product ends in .5.
uint32_t OneMinusToKernel(double one_minus_percent) {
  return std::numeric_limits<uint32_t>::max() - tc::PercentToProbability(one_minus_percent);
}

// TCA_NETEM_LOSS { NETEM_LOSS_GE tc_netem_gemodel | NETEM_LOSS_GI tc_netem_gimodel },
// flagged nested as tc flags it (libnl's nla_nest_start does).
int PutLossModel(nl_msg* msg, const model::LossModel& model) {
  nlattr* nest = nla_nest_start(msg, TCA_NETEM_LOSS);
  if (nest == nullptr) return -1;
  int err = 0;
  if (const auto* ge = std::get_if<model::GilbertElliottLoss>(&model)) {
    tc_netem_gemodel g{};
    g.p = tc::PercentToProbability(ge->p);
    g.r = tc::PercentToProbability(ge->r);
    g.h = OneMinusToKernel(ge->one_minus_h);
    g.k1 = tc::PercentToProbability(ge->one_minus_k);
    err = nla_put(msg, NETEM_LOSS_GE, sizeof(g), &g);
  } else {
    const auto& s = std::get<model::FourStateLoss>(model);
    tc_netem_gimodel g{};
    g.p13 = tc::PercentToProbability(s.p13);
    g.p31 = tc::PercentToProbability(s.p31);
    g.p32 = tc::PercentToProbability(s.p32);
    g.p14 = tc::PercentToProbability(s.p14);
    g.p23 = tc::PercentToProbability(s.p23);
    err = nla_put(msg, NETEM_LOSS_GI, sizeof(g), &g);
  }
  nla_nest_end(msg, nest);
  return err;
}

int PutSlot(nl_msg* msg, const model::SlotFault& s) {
  tc_netem_slot slot{};
  slot.min_delay = s.min_delay.count();
  slot.max_delay = s.max_delay.count();
  slot.max_packets = static_cast<int32_t>(s.max_packets);
  slot.max_bytes = static_cast<int32_t>(s.max_bytes);
  slot.dist_delay = s.dist_delay.count();
  slot.dist_jitter = s.dist_jitter.count();
  return nla_put(msg, TCA_NETEM_SLOT, sizeof(slot), &slot);
}

// From 2^32 bytes/s the rate travels in TCA_NETEM_RATE64, and the 32-bit one
// says ~0.
int PutRate(nl_msg* msg, const plan::NetemRate& r) {
  int err = 0;
  tc_netem_rate rate{};
  if (r.bytes_per_second >= (uint64_t{1} << 32)) {
    err |= nla_put_u64(msg, TCA_NETEM_RATE64, r.bytes_per_second);
    rate.rate = ~0U;
  } else {
    rate.rate = static_cast<uint32_t>(r.bytes_per_second);
  }
  rate.packet_overhead = r.packet_overhead;
  rate.cell_size = r.cell_size;
  rate.cell_overhead = r.cell_overhead;
  return err | nla_put(msg, TCA_NETEM_RATE, sizeof(rate), &rate);
}

// One encoder for both: a change is an add without CREATE|EXCL that carries
// every attribute netem would otherwise keep (see the header).
Result<NlMessage> EncodeNetem(const QdiscTarget& target, const plan::NetemQdisc& n,
                              const DistributionTables& tables, bool change) {
  if (n.reorder > 0 && n.latency.count() == 0) {
    return InvalidArgument(
        "netem reorder needs a delay: reordered packets are the ones sent without it");
  }
  if (n.gap > 0 && n.reorder <= 0) return InvalidArgument("netem gap needs a reorder probability");
  const std::vector<int16_t>* table = nullptr;
  if (!change && n.distribution != model::DelayDistribution::kUniform) {
    if (n.latency.count() == 0 || n.jitter.count() == 0) {
      return InvalidArgument("a netem delay distribution needs both a delay and a jitter");
    }
    ASSIGN_OR_RETURN(table, tables.Get(n.distribution));
  }
  if (n.loss_model && n.loss > 0) {
    return InvalidArgument("netem takes one loss: a percentage or a loss model, not both");
  }
  if (n.ecn && n.loss <= 0 && !n.loss_model) {
    return InvalidArgument("netem ecn marks what a loss would drop, so it needs a loss");
  }
  const std::vector<int16_t>* slot_table = nullptr;
  if (!change && n.slot && n.slot->uses_distribution()) {
    if (n.slot->dist_jitter.count() <= 0) {
      return InvalidArgument("a netem slot distribution needs a jitter above 0");
    }
    ASSIGN_OR_RETURN(slot_table, tables.Get(n.slot->distribution));
  }

  const size_t table_bytes = table ? table->size() * sizeof(int16_t) : 0;
  const size_t slot_table_bytes = slot_table ? slot_table->size() * sizeof(int16_t) : 0;
  const int flags = change ? NLM_F_REQUEST | NLM_F_ACK : QdiscAddFlags();
  NlMessage m = StartTcMessage(RTM_NEWQDISC, flags, target, 4096 + table_bytes + slot_table_bytes);
  nl_msg* msg = m.get();
  if (nla_put_string(msg, TCA_KIND, "netem") < 0)
    return Internal("netem request: no room for TCA_KIND");

  void* payload = nullptr;
  nlattr* options = OpenUnflaggedNest(msg, TCA_OPTIONS, sizeof(tc_netem_qopt), &payload);
  if (options == nullptr) return Internal("netem request: no room for TCA_OPTIONS");
  tc_netem_qopt qopt{};
  qopt.latency = tc::DurationToTicks(n.latency);
  qopt.limit = n.limit;
  qopt.loss = tc::PercentToProbability(n.loss);
  qopt.gap = EffectiveNetemGap(n);
  qopt.duplicate = tc::PercentToProbability(n.duplicate);
  qopt.jitter = tc::DurationToTicks(n.jitter);
  std::memcpy(payload, &qopt, sizeof(qopt));

  int err = 0;
  // Ticks saturate at ~274 s; beyond that only the 64-bit ns attributes carry
  // the value (the kernel prefers them over the qopt fields when present).
  if (!tc::DurationFitsTicks(n.latency)) {
    err |= nla_put_s64(msg, TCA_NETEM_LATENCY64, n.latency.count());
  }
  if (!tc::DurationFitsTicks(n.jitter)) {
    err |= nla_put_s64(msg, TCA_NETEM_JITTER64, n.jitter.count());
  }
  // tc marks TCA_NETEM_CORR present whenever any correlation is given, also
  // the reorder and corrupt ones that travel in their own attributes; the
  // kernel reads zeros from it then. Kept for byte equality.
  if (change || n.delay_correlation > 0 || n.loss_correlation > 0 || n.duplicate_correlation > 0 ||
      (n.reorder > 0 && n.reorder_correlation > 0) ||
      (n.corrupt > 0 && n.corrupt_correlation > 0)) {
    tc_netem_corr corr{};
    corr.delay_corr = tc::PercentToProbability(n.delay_correlation);
    corr.loss_corr = tc::PercentToProbability(n.loss_correlation);
    corr.dup_corr = tc::PercentToProbability(n.duplicate_correlation);
    err |= nla_put(msg, TCA_NETEM_CORR, sizeof(corr), &corr);
  }
  if (change || n.reorder > 0) {
    tc_netem_reorder reorder{};
    reorder.probability = tc::PercentToProbability(n.reorder);
    reorder.correlation = tc::PercentToProbability(n.reorder_correlation);
    err |= nla_put(msg, TCA_NETEM_REORDER, sizeof(reorder), &reorder);
  }
  if (change || n.ecn) err |= nla_put_u32(msg, TCA_NETEM_ECN, n.ecn ? 1 : 0);
  if (change || n.corrupt > 0) {
    tc_netem_corrupt corrupt{};
    corrupt.probability = tc::PercentToProbability(n.corrupt);
    corrupt.correlation = tc::PercentToProbability(n.corrupt_correlation);
    err |= nla_put(msg, TCA_NETEM_CORRUPT, sizeof(corrupt), &corrupt);
  }
  if (n.slot) {
    err |= PutSlot(msg, *n.slot);
  } else if (change) {
    err |= PutSlot(msg, model::SlotFault{});  // all zeros: no slots
  }
  if (n.loss_model) err |= PutLossModel(msg, *n.loss_model);
  if (change || n.rate.bytes_per_second != 0) err |= PutRate(msg, n.rate);
  // A change without the seed makes the kernel draw a new one, so every
  // request of a seeded leaf carries it (which restarts its sequence).
  if (n.seed) err |= nla_put_u64(msg, kTcaNetemPrngSeed, *n.seed);
  if (table != nullptr) {
    err |= nla_put(msg, TCA_NETEM_DELAY_DIST, static_cast<int>(table_bytes), table->data());
  }
  if (slot_table != nullptr) {
    err |=
        nla_put(msg, TCA_NETEM_SLOT_DIST, static_cast<int>(slot_table_bytes), slot_table->data());
  }
  if (err != 0) return Internal("netem request: message buffer too small");
  CloseUnflaggedNest(msg, options);
  return m;
}

}  // namespace

Result<NlMessage> EncodeNetemAdd(const QdiscTarget& target, const plan::NetemQdisc& netem,
                                 const DistributionTables& tables) {
  return EncodeNetem(target, netem, tables, /*change=*/false);
}

Result<NlMessage> EncodeNetemChange(const QdiscTarget& target, const plan::NetemQdisc& netem) {
  return EncodeNetem(target, netem, DistributionTables(), /*change=*/true);
}

}  // namespace chaosnet::netlink
