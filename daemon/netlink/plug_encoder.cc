#include "daemon/netlink/plug_encoder.h"

#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <cstdlib>

namespace chaosnet::netlink {
namespace {

NlMessage PlugMessage(int flags, const QdiscTarget& target, int action, uint32_t limit) {
  NlMessage m = StartTcMessage(RTM_NEWQDISC, flags, target);
  tc_plug_qopt opt{};
  opt.action = action;
  opt.limit = limit;
  // Room for both is fixed and far below the message's 4 KiB.
  if (nla_put_string(m.get(), TCA_KIND, "plug") != 0 ||
      nla_put(m.get(), TCA_OPTIONS, sizeof(opt), &opt) != 0) {
    std::abort();
  }
  return m;
}

}  // namespace

NlMessage EncodePlugAdd(const QdiscTarget& target, const plan::PlugQdisc& plug) {
  return PlugMessage(QdiscAddFlags(), target, TCQ_PLUG_LIMIT, plug.limit_bytes);
}

NlMessage EncodePlugRelease(const QdiscTarget& target) {
  return PlugMessage(NLM_F_REQUEST | NLM_F_ACK, target, TCQ_PLUG_RELEASE_INDEFINITE, 0);
}

}  // namespace chaosnet::netlink
