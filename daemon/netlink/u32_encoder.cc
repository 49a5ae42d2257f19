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

int PutU32Selector(nl_msg* msg, const std::vector<plan::U32Key>& keys, bool terminal,
                   uint32_t hash_mask, int32_t hash_offset) {
  static const std::vector<plan::U32Key> kMatchAll{plan::U32Key{}};
  const auto& used = keys.empty() ? kMatchAll : keys;
  // tc_u32_sel ends in a flexible array of keys: lay it out by hand.
  std::vector<uint8_t> buf(sizeof(tc_u32_sel) + used.size() * sizeof(tc_u32_key), 0);
  tc_u32_sel sel{};
  sel.flags = terminal ? TC_U32_TERMINAL : 0;
  sel.nkeys = static_cast<unsigned char>(used.size());
  sel.hmask = htonl(hash_mask);
  sel.hoff = static_cast<short>(hash_offset);
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

namespace {

// Ends a u32 request built by the functions below; their attributes take a
// few hundred bytes of the 4 KiB buffer at most.
void CheckPut(int err) {
  if (err != 0) std::abort();
}

}  // namespace

NlMessage EncodeU32HashTableAdd(int ifindex, const plan::U32HashTable& table) {
  NlMessage m = StartFilterMessage(
      RTM_NEWTFILTER, QdiscAddFlags(),
      FilterTarget{ifindex, table.parent, table.priority, table.protocol}, 4096, table.handle);
  nl_msg* msg = m.get();
  int err = nla_put_string(msg, TCA_KIND, "u32");
  nlattr* options = OpenUnflaggedNest(msg, TCA_OPTIONS, 0, nullptr);
  if (options == nullptr) err = -1;
  err |= nla_put_u32(msg, TCA_U32_DIVISOR, table.divisor);
  CheckPut(err);
  CloseUnflaggedNest(msg, options);
  return m;
}

NlMessage EncodeU32HashLinkAdd(int ifindex, const plan::U32HashLink& link) {
  NlMessage m = StartFilterMessage(RTM_NEWTFILTER, QdiscAddFlags(),
                                   FilterTarget{ifindex, link.parent, link.priority, link.protocol},
                                   4096, link.handle);
  nl_msg* msg = m.get();
  int err = nla_put_string(msg, TCA_KIND, "u32");
  nlattr* options = OpenUnflaggedNest(msg, TCA_OPTIONS, 0, nullptr);
  if (options == nullptr) err = -1;
  err |= nla_put_u32(msg, TCA_U32_LINK, link.table);
  // In a table of ours: its bucket, as tc's "ht 4:2a:" (after the link, as tc
  // orders them).
  if (link.handle != 0) err |= nla_put_u32(msg, TCA_U32_HASH, link.handle & ~0xFFFu);
  err |= PutU32Selector(msg, {}, /*terminal=*/false, link.hash_mask, link.hash_offset);
  CheckPut(err);
  CloseUnflaggedNest(msg, options);
  return m;
}

Result<NlMessage> EncodeU32NodeAdd(int ifindex, const plan::U32Node& node) {
  if (node.keys.size() > kMaxU32Keys) {
    return InvalidArgument("a u32 node has " + std::to_string(node.keys.size()) +
                           " keys; at most " + std::to_string(kMaxU32Keys) + " fit in one node");
  }
  NlMessage m = StartFilterMessage(RTM_NEWTFILTER, QdiscAddFlags(),
                                   FilterTarget{ifindex, node.parent, node.priority, node.protocol},
                                   4096, node.handle);
  nl_msg* msg = m.get();
  int err = nla_put_string(msg, TCA_KIND, "u32");
  nlattr* options = OpenUnflaggedNest(msg, TCA_OPTIONS, 0, nullptr);
  if (options == nullptr) err = -1;
  err |= nla_put_u32(msg, TCA_U32_CLASSID, node.flowid);
  err |= nla_put_u32(msg, TCA_U32_HASH, node.handle & ~0xFFFu);  // table:bucket:
  err |= PutU32Selector(msg, node.keys);
  CheckPut(err);
  CloseUnflaggedNest(msg, options);
  return m;
}

NlMessage EncodeU32HandleDelete(const FilterTarget& target, uint32_t handle) {
  NlMessage m = StartFilterMessage(RTM_DELTFILTER, NLM_F_REQUEST | NLM_F_ACK, target, 4096, handle);
  CheckPut(nla_put_string(m.get(), TCA_KIND, "u32"));
  return m;
}

}  // namespace chaosnet::netlink
