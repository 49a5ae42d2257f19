#include "daemon/netlink/u32_encoder.h"

#include <arpa/inet.h>
#include <linux/pkt_cls.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "daemon/netlink/filter_requests.h"
#include "daemon/netlink/qdisc_requests.h"

namespace chaosnet::netlink {

int PutU32Selector(nl_msg* msg, const std::vector<plan::U32Key>& keys) {
  static const std::vector<plan::U32Key> kMatchAll{plan::U32Key{}};
  const auto& used = keys.empty() ? kMatchAll : keys;
  // tc_u32_sel ends in a flexible array of keys: lay it out by hand.
  std::vector<uint8_t> buf(sizeof(tc_u32_sel) + used.size() * sizeof(tc_u32_key), 0);
  tc_u32_sel sel{};
  sel.flags = TC_U32_TERMINAL;
  sel.nkeys = static_cast<unsigned char>(used.size());
  std::memcpy(buf.data(), &sel, sizeof(sel));
  for (size_t i = 0; i < used.size(); ++i) {
    tc_u32_key k{};
    k.mask = htonl(used[i].mask);
    k.val = htonl(used[i].value & used[i].mask);  // tc stores the value masked
    k.off = used[i].offset;
    std::memcpy(buf.data() + sizeof(sel) + i * sizeof(k), &k, sizeof(k));
  }
  return nla_put(msg, TCA_U32_SEL, static_cast<int>(buf.size()), buf.data());
}

Result<NlMessage> EncodeU32RuleAdd(int ifindex, const plan::U32Classifier& classifier,
                                   const plan::U32Rule& rule) {
  if (rule.keys.size() > kMaxU32Keys) {
    return InvalidArgument("a u32 rule has " + std::to_string(rule.keys.size()) +
                           " keys; at most " + std::to_string(kMaxU32Keys) + " fit in one node");
  }
  NlMessage m = StartFilterMessage(
      RTM_NEWTFILTER, QdiscAddFlags(),
      FilterTarget{ifindex, classifier.parent, classifier.priority, classifier.protocol});
  nl_msg* msg = m.get();
  int err = nla_put_string(msg, TCA_KIND, "u32");
  nlattr* options = OpenUnflaggedNest(msg, TCA_OPTIONS, 0, nullptr);
  if (options == nullptr) err = -1;
  err |= nla_put_u32(msg, TCA_U32_CLASSID, rule.flowid.value_or(classifier.flowid));
  err |= PutU32Selector(msg, rule.keys);
  // 128 keys (tc_u32_sel's nkeys limit) take 2 KiB; the buffer is 4 KiB.
  if (err != 0) std::abort();
  CloseUnflaggedNest(msg, options);
  return m;
}

}  // namespace chaosnet::netlink
