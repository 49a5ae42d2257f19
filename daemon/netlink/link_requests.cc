#include "daemon/netlink/link_requests.h"

#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "daemon/kernel/capabilities.h"
#include "daemon/netlink/netlink_errors.h"
#include "daemon/netlink/qdisc_requests.h"

namespace chaosnet::netlink {
namespace {

ifinfomsg* PutLinkHeader(NlMessage& m, int type, int flags) {
  nlmsghdr* h = nlmsg_put(m.get(), 0, 0, type, sizeof(ifinfomsg), flags);
  auto* i = static_cast<ifinfomsg*>(nlmsg_data(h));
  std::memset(i, 0, sizeof(*i));
  i->ifi_family = AF_UNSPEC;
  return i;
}

}  // namespace

NlMessage EncodeIfbCreate(const std::string& name) {
  NlMessage m = NlMessage::Allocate();
  ifinfomsg* i =
      PutLinkHeader(m, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
  i->ifi_flags = IFF_UP;
  i->ifi_change = IFF_UP;
  nla_put_string(m.get(), IFLA_IFNAME, name.c_str());
  nlattr* info = nla_nest_start(m.get(), IFLA_LINKINFO);
  nla_put_string(m.get(), IFLA_INFO_KIND, "ifb");
  nla_nest_end(m.get(), info);
  return m;
}

NlMessage EncodeLinkDelete(int ifindex) {
  NlMessage m = NlMessage::Allocate();
  PutLinkHeader(m, RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK)->ifi_index = ifindex;
  return m;
}

Result<int> CreateIfbLink(NetlinkSocket& sock, const std::string& name) {
  NlMessage create = EncodeIfbCreate(name);
  KernelError e = sock.Transact(create);
  if (e.error == EEXIST) return AlreadyExists("a link named " + name + " already exists");
  if (e.error == EOPNOTSUPP || (e.error == ENOENT && !e.ext_ack.empty())) {
    return FailedPrecondition(
        kernel::MissingFeatureMessage(kernel::FeatureInfo(kernel::FeatureId::kIfb)) + " (" +
        std::strerror(e.error) + ")");
  }
  if (!e.ok()) return KernelErrorStatus(e, "create IFB device " + name, "");
  NlMessage get = EncodeLinkGetByName(name);
  int ifindex = 0;
  e = sock.Transact(get, [&](const nlmsghdr* h) {
    if (h->nlmsg_type == RTM_NEWLINK) {
      ifindex = static_cast<const ifinfomsg*>(nlmsg_data(h))->ifi_index;
    }
  });
  if (!e.ok() || ifindex == 0) {
    return Internal("IFB device " + name + " was created but cannot be found again");
  }
  return ifindex;
}

Status DeleteLinkByIndex(NetlinkSocket& sock, int ifindex) {
  NlMessage del = EncodeLinkDelete(ifindex);
  KernelError e = sock.Transact(del);
  if (e.error == ENODEV || e.error == ENOENT) {
    return NotFound("no link with index " + std::to_string(ifindex));
  }
  if (!e.ok()) return KernelErrorStatus(e, "delete link " + std::to_string(ifindex), "");
  return Status::Ok();
}

Result<std::vector<std::pair<std::string, int>>> ListLinks(NetlinkSocket& sock) {
  NlMessage dump = EncodeLinkDump();
  std::vector<std::pair<std::string, int>> links;
  KernelError e = sock.Transact(dump, [&](const nlmsghdr* h) {
    if (h->nlmsg_type != RTM_NEWLINK) return;
    const auto* info = static_cast<const ifinfomsg*>(nlmsg_data(h));
    nlattr* attrs[IFLA_MAX + 1] = {};
    if (nlmsg_parse(const_cast<nlmsghdr*>(h), sizeof(ifinfomsg), attrs, IFLA_MAX, nullptr) < 0) {
      return;
    }
    if (attrs[IFLA_IFNAME] == nullptr) return;
    links.emplace_back(nla_get_string(attrs[IFLA_IFNAME]), info->ifi_index);
  });
  if (!e.ok()) return KernelErrorStatus(e, "list links", "");
  return links;
}

}  // namespace chaosnet::netlink
