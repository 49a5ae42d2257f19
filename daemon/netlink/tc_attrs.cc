#include "daemon/netlink/tc_attrs.h"

#include <linux/gen_stats.h>
#include <netlink/msg.h>

#include <cstdint>

namespace chaosnet::netlink {

kernel::Counters ParseTcStats2(const nlattr* stats2) {
  kernel::Counters c;
  const nlattr* tb[__TCA_STATS_MAX] = {};
  IndexAttrs(nla_data(stats2), nla_len(stats2), tb);
  if (tb[TCA_STATS_BASIC]) {
    const auto basic = ReadAttr<gnet_stats_basic>(tb[TCA_STATS_BASIC]);
    c.bytes = basic.bytes;
    c.packets = basic.packets;
  }
  // Since 5.x the kernel adds the 64-bit packet count next to the 32-bit one.
  if (tb[TCA_STATS_PKT64]) c.packets = ReadAttr<uint64_t>(tb[TCA_STATS_PKT64]);
  if (tb[TCA_STATS_QUEUE]) {
    const auto q = ReadAttr<gnet_stats_queue>(tb[TCA_STATS_QUEUE]);
    c.drops = q.drops;
    c.overlimits = q.overlimits;
    c.backlog_packets = q.qlen;
    c.backlog_bytes = q.backlog;
  }
  return c;
}

Result<TcMessage> ReadTcMessage(const nlmsghdr* h, const char* what) {
  if (h->nlmsg_len < NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(tcmsg))) {
    return Internal(std::string(what) + " message shorter than its tcmsg header");
  }
  TcMessage m;
  m.header = *static_cast<const tcmsg*>(nlmsg_data(h));
  IndexAttrs(nlmsg_attrdata(h, sizeof(tcmsg)), nlmsg_attrlen(h, sizeof(tcmsg)), m.attrs);
  const nlattr* kind = m.attrs[TCA_KIND];
  if (kind == nullptr) return Internal(std::string(what) + " message without TCA_KIND");
  const auto* text = static_cast<const char*>(nla_data(kind));
  m.kind = std::string(text, strnlen(text, static_cast<size_t>(nla_len(kind))));
  if (m.attrs[TCA_STATS2]) m.counters = ParseTcStats2(m.attrs[TCA_STATS2]);
  return m;
}

}  // namespace chaosnet::netlink
