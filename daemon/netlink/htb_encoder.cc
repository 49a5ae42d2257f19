#include "daemon/netlink/htb_encoder.h"

#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <algorithm>
#include <cstdlib>
#include <limits>

#include "daemon/netlink/tc_math.h"

namespace chaosnet::netlink {
namespace {

constexpr uint64_t kMax32 = std::numeric_limits<uint32_t>::max();

uint32_t Clamp32(uint64_t rate) { return static_cast<uint32_t>(std::min(rate, kMax32)); }

tc_ratespec RateSpec(uint64_t rate_bytes_per_second) {
  tc_ratespec r{};
  r.cell_log = tc::kRateTableCellLog;
  r.linklayer = TC_LINKLAYER_ETHERNET;
  r.cell_align = -1;
  r.rate = Clamp32(rate_bytes_per_second);
  return r;
}

// Encoders size their messages up front (libnl never grows one); a class
// request is ~2.2 KiB, so running out of room is a bug, not a condition.
void CheckPut(int err) {
  if (err != 0) std::abort();
}

}  // namespace

NlMessage EncodeHtbQdiscAdd(const QdiscTarget& target, const plan::HtbQdisc& htb) {
  NlMessage m = StartTcMessage(RTM_NEWQDISC, QdiscAddFlags(), target);
  nl_msg* msg = m.get();
  tc_htb_glob glob{};
  glob.version = 3;  // TC_HTB_PROTOVER
  glob.rate2quantum = htb.rate_to_quantum;
  glob.defcls = htb.default_minor;

  CheckPut(nla_put_string(msg, TCA_KIND, "htb"));
  nlattr* options = OpenUnflaggedNest(msg, TCA_OPTIONS, 0, nullptr);
  if (options == nullptr) std::abort();
  CheckPut(nla_put(msg, TCA_HTB_INIT, sizeof(glob), &glob));
  if (htb.direct_qlen != 0) CheckPut(nla_put_u32(msg, TCA_HTB_DIRECT_QLEN, htb.direct_qlen));
  CloseUnflaggedNest(msg, options);
  return m;
}

namespace {

NlMessage EncodeHtbClass(int ifindex, const plan::HtbClass& cls, int flags) {
  NlMessage m = StartTcMessage(RTM_NEWTCLASS, flags, QdiscTarget{ifindex, cls.classid, cls.parent});
  nl_msg* msg = m.get();

  tc_htb_opt opt{};
  opt.rate = RateSpec(cls.rate_bytes_per_second);
  opt.ceil = RateSpec(cls.ceil_bytes_per_second);
  opt.buffer = tc::XmitTimeTicks(cls.rate_bytes_per_second, cls.burst_bytes);
  opt.cbuffer = tc::XmitTimeTicks(cls.ceil_bytes_per_second, cls.cburst_bytes);
  opt.quantum = cls.quantum_bytes;
  const auto rtab = tc::RateTable(opt.rate.rate);
  const auto ctab = tc::RateTable(opt.ceil.rate);

  CheckPut(nla_put_string(msg, TCA_KIND, "htb"));
  nlattr* options = OpenUnflaggedNest(msg, TCA_OPTIONS, 0, nullptr);
  if (options == nullptr) std::abort();
  if (cls.rate_bytes_per_second > kMax32) {
    CheckPut(nla_put_u64(msg, TCA_HTB_RATE64, cls.rate_bytes_per_second));
  }
  if (cls.ceil_bytes_per_second > kMax32) {
    CheckPut(nla_put_u64(msg, TCA_HTB_CEIL64, cls.ceil_bytes_per_second));
  }
  CheckPut(nla_put(msg, TCA_HTB_PARMS, sizeof(opt), &opt));
  CheckPut(nla_put(msg, TCA_HTB_RTAB, sizeof(rtab), rtab.data()));
  CheckPut(nla_put(msg, TCA_HTB_CTAB, sizeof(ctab), ctab.data()));
  CloseUnflaggedNest(msg, options);
  return m;
}

}  // namespace

NlMessage EncodeHtbClassAdd(int ifindex, const plan::HtbClass& cls) {
  return EncodeHtbClass(ifindex, cls, QdiscAddFlags());
}

NlMessage EncodeHtbClassChange(int ifindex, const plan::HtbClass& cls) {
  return EncodeHtbClass(ifindex, cls, NLM_F_REQUEST | NLM_F_ACK);
}

NlMessage EncodeClassDelete(int ifindex, uint32_t classid) {
  return StartTcMessage(RTM_DELTCLASS, NLM_F_REQUEST | NLM_F_ACK, QdiscTarget{ifindex, classid, 0});
}

NlMessage EncodeClassDump(int ifindex) {
  return StartTcMessage(RTM_GETTCLASS, NLM_F_REQUEST | NLM_F_DUMP, QdiscTarget{ifindex, 0, 0});
}

NlMessage EncodeClassGet(int ifindex, uint32_t classid) {
  // The kernel answers a get by announcing the class to RTNLGRP_TC; only
  // NLM_F_ECHO sends that announcement to the asker as well.
  return StartTcMessage(RTM_GETTCLASS, NLM_F_REQUEST | NLM_F_ECHO,
                        QdiscTarget{ifindex, classid, 0});
}

}  // namespace chaosnet::netlink
