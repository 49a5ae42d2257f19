#include "daemon/netlink/tbf_encoder.h"

#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <algorithm>
#include <cstdlib>
#include <limits>

#include "daemon/netlink/tc_math.h"

namespace chaosnet::netlink {

NlMessage EncodeTbfAdd(const QdiscTarget& target, const plan::TbfQdisc& tbf) {
  NlMessage m = StartTcMessage(RTM_NEWQDISC, QdiscAddFlags(), target);
  nl_msg* msg = m.get();

  const auto rate32 = static_cast<uint32_t>(
      std::min<uint64_t>(tbf.rate_bytes_per_second, std::numeric_limits<uint32_t>::max()));
  tc_tbf_qopt qopt{};
  qopt.rate.cell_log = tc::kRateTableCellLog;
  qopt.rate.linklayer = TC_LINKLAYER_ETHERNET;
  qopt.rate.cell_align = -1;
  qopt.rate.rate = rate32;
  qopt.limit = tbf.limit_bytes;
  qopt.buffer = tc::XmitTimeTicks(rate32, tbf.burst_bytes);
  const auto rtab = tc::RateTable(rate32);

  int err = nla_put_string(msg, TCA_KIND, "tbf");
  nlattr* options = OpenUnflaggedNest(msg, TCA_OPTIONS, 0, nullptr);
  if (options == nullptr) err = -1;
  err |= nla_put(msg, TCA_TBF_PARMS, sizeof(qopt), &qopt);
  err |= nla_put_u32(msg, TCA_TBF_BURST, tbf.burst_bytes);
  if (tbf.rate_bytes_per_second > std::numeric_limits<uint32_t>::max()) {
    err |= nla_put_u64(msg, TCA_TBF_RATE64, tbf.rate_bytes_per_second);
  }
  err |= nla_put(msg, TCA_TBF_RTAB, sizeof(rtab), rtab.data());
  // A tbf request is ~1.1 KiB in a 4 KiB buffer: running out is a bug here.
  if (err != 0) std::abort();
  CloseUnflaggedNest(msg, options);
  return m;
}

}  // namespace chaosnet::netlink
