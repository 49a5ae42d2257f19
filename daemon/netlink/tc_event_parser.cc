#include "daemon/netlink/tc_event_parser.h"

#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstring>

namespace chaosnet::netlink {
namespace {

using Parsed = Result<std::optional<TcEvent>>;

Parsed Event(TcEvent e) { return std::optional<TcEvent>(std::move(e)); }
Parsed Ignored() { return std::optional<TcEvent>(); }

// The string attribute `type` among the attributes after a fixed header of
// `fixed` bytes; empty when absent. Walked by hand rather than with libnl's
// nlmsg_parse, which rejects a whole message for one attribute it finds odd.
std::string StringAttr(const nlmsghdr* h, size_t fixed, int type) {
  const auto* base = reinterpret_cast<const char*>(h);
  size_t offset = NLMSG_HDRLEN + NLMSG_ALIGN(fixed);
  while (offset + NLA_HDRLEN <= h->nlmsg_len) {
    nlattr a;
    std::memcpy(&a, base + offset, sizeof(a));
    if (a.nla_len < NLA_HDRLEN || offset + a.nla_len > h->nlmsg_len) break;
    if ((a.nla_type & NLA_TYPE_MASK) == type) {
      std::string s(base + offset + NLA_HDRLEN, a.nla_len - NLA_HDRLEN);
      if (const auto nul = s.find('\0'); nul != std::string::npos) s.resize(nul);
      return s;
    }
    offset += NLA_ALIGN(a.nla_len);
  }
  return {};
}

TcEvent Common(const nlmsghdr* h, TcEventKind kind) {
  TcEvent e;
  e.kind = kind;
  e.sender_port = h->nlmsg_pid;
  e.sender_seq = h->nlmsg_seq;
  // 0x100 is NLM_F_REPLACE only on NEW messages (on a GET it is NLM_F_ROOT).
  const bool is_new = h->nlmsg_type == RTM_NEWQDISC || h->nlmsg_type == RTM_NEWTCLASS ||
                      h->nlmsg_type == RTM_NEWTFILTER;
  e.replaced = is_new && (h->nlmsg_flags & NLM_F_REPLACE) != 0;
  return e;
}

Parsed ParseTc(const nlmsghdr* h, TcEventKind kind) {
  if (h->nlmsg_len < NLMSG_LENGTH(sizeof(tcmsg))) {
    return Internal("tc notification shorter than struct tcmsg");
  }
  tcmsg tcm;
  std::memcpy(&tcm, NLMSG_DATA(h), sizeof(tcm));
  TcEvent e = Common(h, kind);
  e.ifindex = tcm.tcm_ifindex;
  e.handle = tcm.tcm_handle;
  e.parent = tcm.tcm_parent;
  e.tc_kind = StringAttr(h, sizeof(tcmsg), TCA_KIND);
  if (kind == TcEventKind::kFilterDeleted || kind == TcEventKind::kFilterChanged) {
    e.priority = static_cast<uint16_t>(tcm.tcm_info >> 16);
    e.protocol = ntohs(static_cast<uint16_t>(tcm.tcm_info & 0xFFFF));
  }
  return Event(std::move(e));
}

Parsed ParseLink(const nlmsghdr* h, TcEventKind kind) {
  if (h->nlmsg_len < NLMSG_LENGTH(sizeof(ifinfomsg))) {
    return Internal("link notification shorter than struct ifinfomsg");
  }
  ifinfomsg ifi;
  std::memcpy(&ifi, NLMSG_DATA(h), sizeof(ifi));
  // Bridge port notifications share the message types (a port leaving its
  // bridge is an AF_BRIDGE RTM_DELLINK); only AF_UNSPEC speaks of the link.
  if (ifi.ifi_family != AF_UNSPEC) return Ignored();
  TcEvent e = Common(h, kind);
  e.ifindex = ifi.ifi_index;
  e.ifname = StringAttr(h, sizeof(ifinfomsg), IFLA_IFNAME);
  return Event(std::move(e));
}

}  // namespace

const char* TcEventKindName(TcEventKind kind) {
  switch (kind) {
    case TcEventKind::kQdiscDeleted: return "qdisc-deleted";
    case TcEventKind::kQdiscChanged: return "qdisc-changed";
    case TcEventKind::kClassDeleted: return "class-deleted";
    case TcEventKind::kClassChanged: return "class-changed";
    case TcEventKind::kFilterDeleted: return "filter-deleted";
    case TcEventKind::kFilterChanged: return "filter-changed";
    case TcEventKind::kLinkDeleted: return "link-deleted";
    case TcEventKind::kLinkChanged: return "link-changed";
    case TcEventKind::kResync: return "resync";
  }
  return "unknown";
}

Result<std::optional<TcEvent>> ParseTcEvent(const nlmsghdr* h) {
  if (h == nullptr || h->nlmsg_len < NLMSG_HDRLEN)
    return Internal("netlink message shorter than its header");
  switch (h->nlmsg_type) {
    case RTM_DELQDISC: return ParseTc(h, TcEventKind::kQdiscDeleted);
    case RTM_NEWQDISC: return ParseTc(h, TcEventKind::kQdiscChanged);
    case RTM_DELTCLASS: return ParseTc(h, TcEventKind::kClassDeleted);
    case RTM_NEWTCLASS: return ParseTc(h, TcEventKind::kClassChanged);
    case RTM_DELTFILTER: return ParseTc(h, TcEventKind::kFilterDeleted);
    case RTM_NEWTFILTER: return ParseTc(h, TcEventKind::kFilterChanged);
    case RTM_DELLINK: return ParseLink(h, TcEventKind::kLinkDeleted);
    case RTM_NEWLINK: return ParseLink(h, TcEventKind::kLinkChanged);
    default: return Ignored();
  }
}

}  // namespace chaosnet::netlink
