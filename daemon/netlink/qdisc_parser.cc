#include "daemon/netlink/qdisc_parser.h"

#include <linux/pkt_sched.h>

#include <algorithm>
#include <limits>
#include <optional>

#include "daemon/netlink/tc_attrs.h"
#include "daemon/netlink/tc_math.h"

namespace chaosnet::netlink {
namespace {

std::optional<model::LossModel> ParseLossModel(const nlattr* loss) {
  const nlattr* lb[__NETEM_LOSS_MAX] = {};
  IndexAttrs(nla_data(loss), nla_len(loss), lb);
  if (lb[NETEM_LOSS_GE]) {
    const auto g = ReadAttr<tc_netem_gemodel>(lb[NETEM_LOSS_GE]);
    return model::GilbertElliottLoss{
        tc::ProbabilityToPercent(g.p), tc::ProbabilityToPercent(g.r),
        tc::ProbabilityToPercent(std::numeric_limits<uint32_t>::max() - g.h),
        tc::ProbabilityToPercent(g.k1)};
  }
  if (lb[NETEM_LOSS_GI]) {
    const auto g = ReadAttr<tc_netem_gimodel>(lb[NETEM_LOSS_GI]);
    return model::FourStateLoss{tc::ProbabilityToPercent(g.p13), tc::ProbabilityToPercent(g.p31),
                                tc::ProbabilityToPercent(g.p32), tc::ProbabilityToPercent(g.p23),
                                tc::ProbabilityToPercent(g.p14)};
  }
  return std::nullopt;
}

// The kernel dumps TCA_NETEM_SLOT only while slots are on; it never dumps
// the slot table, so a distribution reads back as its delay and jitter alone.
model::SlotFault ParseSlot(const nlattr* attr) {
  const auto s = ReadAttr<tc_netem_slot>(attr);
  model::SlotFault slot;
  slot.min_delay = std::chrono::nanoseconds(s.min_delay);
  slot.max_delay = std::chrono::nanoseconds(s.max_delay);
  slot.dist_delay = std::chrono::nanoseconds(s.dist_delay);
  slot.dist_jitter = std::chrono::nanoseconds(s.dist_jitter);
  slot.max_packets = static_cast<uint32_t>(std::max(s.max_packets, 0));
  slot.max_bytes = static_cast<uint32_t>(std::max(s.max_bytes, 0));
  return slot;
}

// The kernel always dumps TCA_NETEM_RATE (zeros without a rate), and
// TCA_NETEM_RATE64 for rates from 2^32 bytes/s.
plan::NetemRate ParseRate(const nlattr* rate, const nlattr* rate64) {
  plan::NetemRate out;
  if (rate) {
    const auto r = ReadAttr<tc_netem_rate>(rate);
    out.bytes_per_second = r.rate;
    out.packet_overhead = r.packet_overhead;
    out.cell_size = r.cell_size;
    out.cell_overhead = r.cell_overhead;
  }
  if (rate64) out.bytes_per_second = ReadAttr<uint64_t>(rate64);
  if (out.bytes_per_second == 0) out = {};
  return out;
}

// `seed`: TCA_NETEM_PRNG_SEED when the kernel dumps it (from 6.6 it always
// does, a random one when none was asked for), so it is kept apart from the
// parameters a plan compares.
Result<plan::NetemQdisc> ParseNetem(const nlattr* options, std::optional<uint64_t>* seed) {
  if (nla_len(options) < static_cast<int>(sizeof(tc_netem_qopt))) {
    return Internal("netem options shorter than struct tc_netem_qopt");
  }
  const auto qopt = ReadAttr<tc_netem_qopt>(options);
  plan::NetemQdisc n;
  n.limit = qopt.limit;
  n.latency = tc::TicksToDuration(qopt.latency);
  n.jitter = tc::TicksToDuration(qopt.jitter);
  n.loss = tc::ProbabilityToPercent(qopt.loss);
  n.duplicate = tc::ProbabilityToPercent(qopt.duplicate);
  n.gap = qopt.gap;

  const int skip = NLA_ALIGN(sizeof(tc_netem_qopt));
  const nlattr* tb[std::max<int>(__TCA_NETEM_MAX, kTcaNetemPrngSeed + 1)] = {};
  IndexAttrs(static_cast<const char*>(nla_data(options)) + skip, nla_len(options) - skip, tb);
  if (tb[TCA_NETEM_LATENCY64])
    n.latency = std::chrono::nanoseconds(ReadAttr<int64_t>(tb[TCA_NETEM_LATENCY64]));
  if (tb[TCA_NETEM_JITTER64])
    n.jitter = std::chrono::nanoseconds(ReadAttr<int64_t>(tb[TCA_NETEM_JITTER64]));
  if (tb[TCA_NETEM_CORR]) {
    const auto corr = ReadAttr<tc_netem_corr>(tb[TCA_NETEM_CORR]);
    n.delay_correlation = tc::ProbabilityToPercent(corr.delay_corr);
    n.loss_correlation = tc::ProbabilityToPercent(corr.loss_corr);
    n.duplicate_correlation = tc::ProbabilityToPercent(corr.dup_corr);
  }
  if (tb[TCA_NETEM_REORDER]) {
    const auto r = ReadAttr<tc_netem_reorder>(tb[TCA_NETEM_REORDER]);
    n.reorder = tc::ProbabilityToPercent(r.probability);
    n.reorder_correlation = tc::ProbabilityToPercent(r.correlation);
  }
  if (tb[TCA_NETEM_CORRUPT]) {
    const auto c = ReadAttr<tc_netem_corrupt>(tb[TCA_NETEM_CORRUPT]);
    n.corrupt = tc::ProbabilityToPercent(c.probability);
    n.corrupt_correlation = tc::ProbabilityToPercent(c.correlation);
  }
  if (tb[TCA_NETEM_LOSS]) n.loss_model = ParseLossModel(tb[TCA_NETEM_LOSS]);
  if (tb[TCA_NETEM_ECN]) n.ecn = ReadAttr<uint32_t>(tb[TCA_NETEM_ECN]) != 0;
  if (tb[TCA_NETEM_SLOT]) n.slot = ParseSlot(tb[TCA_NETEM_SLOT]);
  n.rate = ParseRate(tb[TCA_NETEM_RATE], tb[TCA_NETEM_RATE64]);
  if (const nlattr* s = tb[kTcaNetemPrngSeed]; s && nla_len(s) >= 8) *seed = ReadAttr<uint64_t>(s);
  return n;
}

Result<plan::TbfQdisc> ParseTbf(const nlattr* options) {
  const nlattr* tb[__TCA_TBF_MAX] = {};
  IndexAttrs(nla_data(options), nla_len(options), tb);
  if (!tb[TCA_TBF_PARMS]) return Internal("tbf options without TCA_TBF_PARMS");
  const auto qopt = ReadAttr<tc_tbf_qopt>(tb[TCA_TBF_PARMS]);
  plan::TbfQdisc t;
  t.rate_bytes_per_second =
      tb[TCA_TBF_RATE64] ? ReadAttr<uint64_t>(tb[TCA_TBF_RATE64]) : qopt.rate.rate;
  t.limit_bytes = qopt.limit;
  t.burst_bytes =
      tb[TCA_TBF_BURST]
          ? ReadAttr<uint32_t>(tb[TCA_TBF_BURST])
          : static_cast<uint32_t>(tc::XmitSizeBytes(t.rate_bytes_per_second, qopt.buffer));
  return t;
}

}  // namespace

Result<QdiscInfo> ParseQdiscMessage(const nlmsghdr* h) {
  ASSIGN_OR_RETURN(const TcMessage m, ReadTcMessage(h, "qdisc"));
  QdiscInfo info;
  info.ifindex = m.header.tcm_ifindex;
  info.handle = m.header.tcm_handle;
  info.parent = m.header.tcm_parent;
  info.kind = m.kind;
  info.counters = m.counters;
  if (const nlattr* options = m.attrs[TCA_OPTIONS]) {
    if (info.kind == "netem") {
      ASSIGN_OR_RETURN(info.netem, ParseNetem(options, &info.netem_seed));
    } else if (info.kind == "tbf") {
      ASSIGN_OR_RETURN(info.tbf, ParseTbf(options));
    }
  }
  return info;
}

}  // namespace chaosnet::netlink
