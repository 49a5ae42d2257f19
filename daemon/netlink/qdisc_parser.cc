#include "daemon/netlink/qdisc_parser.h"

#include <linux/gen_stats.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <cstring>

#include "daemon/netlink/tc_math.h"

namespace chaosnet::netlink {
namespace {

// Copies min(attribute, struct) bytes: older kernels send shorter structs,
// newer ones longer; missing fields stay zero.
template <typename T>
T Read(const nlattr* a) {
  T v{};
  std::memcpy(&v, nla_data(a), std::min<size_t>(sizeof(T), static_cast<size_t>(nla_len(a))));
  return v;
}

// Walks attributes in [data, data + len) into tb[type] (last one wins).
template <size_t N>
void ParseAttrs(const void* data, int len, const nlattr* (&tb)[N]) {
  for (auto& t : tb) t = nullptr;
  const auto* a = static_cast<const nlattr*>(data);
  int rem = len;
  while (nla_ok(a, rem)) {
    const int type = nla_type(a);
    if (type >= 0 && static_cast<size_t>(type) < N) tb[type] = a;
    a = nla_next(a, &rem);
  }
}

kernel::Counters ParseStats2(const nlattr* stats2) {
  kernel::Counters c;
  const nlattr* tb[__TCA_STATS_MAX] = {};
  ParseAttrs(nla_data(stats2), nla_len(stats2), tb);
  if (tb[TCA_STATS_BASIC]) {
    const auto basic = Read<gnet_stats_basic>(tb[TCA_STATS_BASIC]);
    c.bytes = basic.bytes;
    c.packets = basic.packets;
  }
  // Since 5.x the kernel adds the 64-bit packet count next to the 32-bit one.
  if (tb[TCA_STATS_PKT64]) c.packets = Read<uint64_t>(tb[TCA_STATS_PKT64]);
  if (tb[TCA_STATS_QUEUE]) {
    const auto q = Read<gnet_stats_queue>(tb[TCA_STATS_QUEUE]);
    c.drops = q.drops;
    c.overlimits = q.overlimits;
    c.backlog_packets = q.qlen;
    c.backlog_bytes = q.backlog;
  }
  return c;
}

Result<plan::NetemQdisc> ParseNetem(const nlattr* options) {
  if (nla_len(options) < static_cast<int>(sizeof(tc_netem_qopt))) {
    return Internal("netem options shorter than struct tc_netem_qopt");
  }
  const auto qopt = Read<tc_netem_qopt>(options);
  plan::NetemQdisc n;
  n.limit = qopt.limit;
  n.latency = tc::TicksToDuration(qopt.latency);
  n.jitter = tc::TicksToDuration(qopt.jitter);
  n.loss = tc::ProbabilityToPercent(qopt.loss);
  n.duplicate = tc::ProbabilityToPercent(qopt.duplicate);
  n.gap = qopt.gap;

  const int skip = NLA_ALIGN(sizeof(tc_netem_qopt));
  const nlattr* tb[__TCA_NETEM_MAX] = {};
  ParseAttrs(static_cast<const char*>(nla_data(options)) + skip, nla_len(options) - skip, tb);
  if (tb[TCA_NETEM_LATENCY64])
    n.latency = std::chrono::nanoseconds(Read<int64_t>(tb[TCA_NETEM_LATENCY64]));
  if (tb[TCA_NETEM_JITTER64])
    n.jitter = std::chrono::nanoseconds(Read<int64_t>(tb[TCA_NETEM_JITTER64]));
  if (tb[TCA_NETEM_CORR]) {
    const auto corr = Read<tc_netem_corr>(tb[TCA_NETEM_CORR]);
    n.delay_correlation = tc::ProbabilityToPercent(corr.delay_corr);
    n.loss_correlation = tc::ProbabilityToPercent(corr.loss_corr);
    n.duplicate_correlation = tc::ProbabilityToPercent(corr.dup_corr);
  }
  if (tb[TCA_NETEM_REORDER]) {
    const auto r = Read<tc_netem_reorder>(tb[TCA_NETEM_REORDER]);
    n.reorder = tc::ProbabilityToPercent(r.probability);
    n.reorder_correlation = tc::ProbabilityToPercent(r.correlation);
  }
  if (tb[TCA_NETEM_CORRUPT]) {
    const auto c = Read<tc_netem_corrupt>(tb[TCA_NETEM_CORRUPT]);
    n.corrupt = tc::ProbabilityToPercent(c.probability);
    n.corrupt_correlation = tc::ProbabilityToPercent(c.correlation);
  }
  return n;
}

Result<plan::TbfQdisc> ParseTbf(const nlattr* options) {
  const nlattr* tb[__TCA_TBF_MAX] = {};
  ParseAttrs(nla_data(options), nla_len(options), tb);
  if (!tb[TCA_TBF_PARMS]) return Internal("tbf options without TCA_TBF_PARMS");
  const auto qopt = Read<tc_tbf_qopt>(tb[TCA_TBF_PARMS]);
  plan::TbfQdisc t;
  t.rate_bytes_per_second =
      tb[TCA_TBF_RATE64] ? Read<uint64_t>(tb[TCA_TBF_RATE64]) : qopt.rate.rate;
  t.limit_bytes = qopt.limit;
  t.burst_bytes =
      tb[TCA_TBF_BURST]
          ? Read<uint32_t>(tb[TCA_TBF_BURST])
          : static_cast<uint32_t>(tc::XmitSizeBytes(t.rate_bytes_per_second, qopt.buffer));
  return t;
}

}  // namespace

Result<QdiscInfo> ParseQdiscMessage(const nlmsghdr* h) {
  if (h->nlmsg_len < NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(tcmsg))) {
    return Internal("qdisc message shorter than its tcmsg header");
  }
  const auto* t = static_cast<const tcmsg*>(nlmsg_data(h));
  QdiscInfo info;
  info.ifindex = t->tcm_ifindex;
  info.handle = t->tcm_handle;
  info.parent = t->tcm_parent;

  const nlattr* tb[__TCA_MAX] = {};
  ParseAttrs(nlmsg_attrdata(h, sizeof(tcmsg)), nlmsg_attrlen(h, sizeof(tcmsg)), tb);
  if (!tb[TCA_KIND]) return Internal("qdisc message without TCA_KIND");
  info.kind = std::string(static_cast<const char*>(nla_data(tb[TCA_KIND])),
                          strnlen(static_cast<const char*>(nla_data(tb[TCA_KIND])),
                                  static_cast<size_t>(nla_len(tb[TCA_KIND]))));
  if (tb[TCA_STATS2]) info.counters = ParseStats2(tb[TCA_STATS2]);
  if (tb[TCA_OPTIONS]) {
    if (info.kind == "netem") {
      auto n = ParseNetem(tb[TCA_OPTIONS]);
      if (!n.ok()) return n.status();
      info.netem = std::move(n).value();
    } else if (info.kind == "tbf") {
      auto t2 = ParseTbf(tb[TCA_OPTIONS]);
      if (!t2.ok()) return t2.status();
      info.tbf = std::move(t2).value();
    }
  }
  return info;
}

}  // namespace chaosnet::netlink
