#include "daemon/netlink/class_parser.h"

#include <linux/pkt_sched.h>

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
  ASSIGN_OR_RETURN(const TcMessage m, ReadTcMessage(h, "class"));
  ClassInfo info;
  info.ifindex = m.header.tcm_ifindex;
  info.classid = m.header.tcm_handle;
  info.parent = m.header.tcm_parent;
  info.leaf_handle = m.header.tcm_info;
  info.kind = m.kind;
  info.counters = m.counters;
  if (info.kind == "htb" && m.attrs[TCA_OPTIONS]) {
    info.htb = ParseHtbOptions(info, m.attrs[TCA_OPTIONS]);
  }
  return info;
}

}  // namespace chaosnet::netlink
