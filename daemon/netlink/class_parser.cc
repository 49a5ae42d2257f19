#include "daemon/netlink/class_parser.h"

#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>

#include <cstring>

#include "daemon/netlink/tc_attrs.h"
#include "daemon/netlink/tc_math.h"

namespace chaosnet::netlink {
namespace {

plan::HtbClass ParseHtbOptions(const ClassInfo& info, const nlattr* options) {
  const nlattr* tb[__TCA_HTB_MAX] = {};
  IndexAttrs(nla_data(options), nla_len(options), tb);
  plan::HtbClass c;
  c.classid = info.classid;
  c.parent = info.parent;
  if (!tb[TCA_HTB_PARMS]) return c;
  const auto opt = ReadAttr<tc_htb_opt>(tb[TCA_HTB_PARMS]);
  c.rate_bytes_per_second =
      tb[TCA_HTB_RATE64] ? ReadAttr<uint64_t>(tb[TCA_HTB_RATE64]) : opt.rate.rate;
  c.ceil_bytes_per_second =
      tb[TCA_HTB_CEIL64] ? ReadAttr<uint64_t>(tb[TCA_HTB_CEIL64]) : opt.ceil.rate;
  c.burst_bytes = static_cast<uint32_t>(tc::XmitSizeBytes(c.rate_bytes_per_second, opt.buffer));
  c.cburst_bytes = static_cast<uint32_t>(tc::XmitSizeBytes(c.ceil_bytes_per_second, opt.cbuffer));
  c.quantum_bytes = opt.quantum;
  return c;
}

}  // namespace

Result<ClassInfo> ParseClassMessage(const nlmsghdr* h) {
  if (h->nlmsg_len < NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(tcmsg))) {
    return Internal("class message shorter than its tcmsg header");
  }
  const auto* t = static_cast<const tcmsg*>(nlmsg_data(h));
  ClassInfo info;
  info.ifindex = t->tcm_ifindex;
  info.classid = t->tcm_handle;
  info.parent = t->tcm_parent;
  info.leaf_handle = t->tcm_info;

  const nlattr* tb[__TCA_MAX] = {};
  IndexAttrs(nlmsg_attrdata(h, sizeof(tcmsg)), nlmsg_attrlen(h, sizeof(tcmsg)), tb);
  if (!tb[TCA_KIND]) return Internal("class message without TCA_KIND");
  const auto* kind = static_cast<const char*>(nla_data(tb[TCA_KIND]));
  info.kind = std::string(kind, strnlen(kind, static_cast<size_t>(nla_len(tb[TCA_KIND]))));
  if (tb[TCA_STATS2]) info.counters = ParseTcStats2(tb[TCA_STATS2]);
  if (info.kind == "htb" && tb[TCA_OPTIONS]) info.htb = ParseHtbOptions(info, tb[TCA_OPTIONS]);
  return info;
}

}  // namespace chaosnet::netlink
