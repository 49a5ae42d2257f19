#include "daemon/netlink/ingress_encoder.h"

#include <linux/pkt_cls.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_mirred.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <cstdlib>
#include <cstring>

#include "daemon/netlink/filter_requests.h"
#include "daemon/netlink/u32_encoder.h"

namespace chaosnet::netlink {

NlMessage EncodeIngressQdiscAdd(const QdiscTarget& target) {
  NlMessage m = StartTcMessage(RTM_NEWQDISC, QdiscAddFlags(), target);
  if (nla_put_string(m.get(), TCA_KIND, "ingress") != 0) std::abort();
  return m;
}

NlMessage EncodeRedirectFilterAdd(int ifindex, const plan::RedirectFilter& redirect) {
  NlMessage m = StartFilterMessage(
      RTM_NEWTFILTER, QdiscAddFlags(),
      FilterTarget{ifindex, redirect.parent, redirect.priority, plan::FilterProtocol::kAll});
  nl_msg* msg = m.get();

  tc_mirred parms{};
  parms.action = TC_ACT_STOLEN;
  parms.eaction = TCA_EGRESS_REDIR;
  parms.ifindex = static_cast<uint32_t>(redirect.to_ifindex);

  int err = nla_put_string(msg, TCA_KIND, "u32");
  nlattr* options = OpenUnflaggedNest(msg, TCA_OPTIONS, 0, nullptr);
  nlattr* actions = OpenUnflaggedNest(msg, TCA_U32_ACT, 0, nullptr);
  nlattr* first = OpenUnflaggedNest(msg, 1, 0, nullptr);
  if (options == nullptr || actions == nullptr || first == nullptr) std::abort();
  err |= nla_put_string(msg, TCA_ACT_KIND, "mirred");
  nlattr* act_options = nla_nest_start(msg, TCA_ACT_OPTIONS);  // sets NLA_F_NESTED, as tc here
  if (act_options == nullptr) std::abort();
  err |= nla_put(msg, TCA_MIRRED_PARMS, sizeof(parms), &parms);
  nla_nest_end(msg, act_options);
  // The cookie is raw bytes to the kernel: no terminating NUL.
  err |= nla_put(msg, TCA_ACT_COOKIE, static_cast<int>(std::strlen(plan::kRedirectCookie)),
                 plan::kRedirectCookie);
  CloseUnflaggedNest(msg, first);
  CloseUnflaggedNest(msg, actions);
  err |= PutU32Selector(msg, {});
  // About 150 bytes in a 4 KiB buffer: running out is a bug here.
  if (err != 0) std::abort();
  CloseUnflaggedNest(msg, options);
  return m;
}

}  // namespace chaosnet::netlink
