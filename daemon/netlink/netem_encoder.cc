#include "daemon/netlink/netem_encoder.h"

#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <cstring>

#include "daemon/netlink/tc_math.h"

namespace chaosnet::netlink {

uint32_t EffectiveNetemGap(const plan::NetemQdisc& n) {
  return (n.reorder > 0 && n.gap == 0) ? 1 : n.gap;
}

namespace {

// One encoder for both: a change is an add without CREATE|EXCL, with every
// attribute present (see the header).
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

  const size_t table_bytes = table ? table->size() * sizeof(int16_t) : 0;
  const int flags = change ? NLM_F_REQUEST | NLM_F_ACK : QdiscAddFlags();
  NlMessage m = StartTcMessage(RTM_NEWQDISC, flags, target, 4096 + table_bytes);
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
  if (change || n.corrupt > 0) {
    tc_netem_corrupt corrupt{};
    corrupt.probability = tc::PercentToProbability(n.corrupt);
    corrupt.correlation = tc::PercentToProbability(n.corrupt_correlation);
    err |= nla_put(msg, TCA_NETEM_CORRUPT, sizeof(corrupt), &corrupt);
  }
  if (table != nullptr) {
    err |= nla_put(msg, TCA_NETEM_DELAY_DIST, static_cast<int>(table_bytes), table->data());
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
