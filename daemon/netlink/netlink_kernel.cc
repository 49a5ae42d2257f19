#include "daemon/netlink/netlink_kernel.h"

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <map>

#include "daemon/netlink/netem_encoder.h"
#include "daemon/netlink/probe.h"
#include "daemon/netlink/qdisc_requests.h"
#include "daemon/netlink/root_qdisc_rule.h"
#include "daemon/netlink/tbf_encoder.h"

namespace chaosnet::netlink {
namespace {

std::string KindOf(const plan::QdiscNode& node) {
  return std::holds_alternative<plan::NetemQdisc>(node.params) ? "netem" : "tbf";
}

Result<std::vector<QdiscInfo>> DumpAll(NetlinkSocket& sock, int only_ifindex) {
  std::vector<QdiscInfo> out;
  Status parse_error;
  NlMessage req = EncodeQdiscDump(only_ifindex);
  KernelError e = sock.Transact(req, [&](const nlmsghdr* h) {
    if (h->nlmsg_type != RTM_NEWQDISC) return;
    auto info = ParseQdiscMessage(h);
    if (!info.ok()) {
      parse_error = info.status();
      return;
    }
    // The kernel dumps every device's qdiscs whatever ifindex we send.
    if (only_ifindex == 0 || info->ifindex == only_ifindex) out.push_back(std::move(info).value());
  });
  if (!e.ok()) return QdiscErrorStatus(e, "dump qdiscs", "");
  if (!parse_error.ok()) return parse_error;
  return out;
}

}  // namespace

std::string FormatHandle(uint32_t handle) {
  char buf[24];
  if ((handle & 0xFFFF) == 0) {
    std::snprintf(buf, sizeof(buf), "%x:", handle >> 16);
  } else {
    std::snprintf(buf, sizeof(buf), "%x:%x", handle >> 16, handle & 0xFFFF);
  }
  return buf;
}

Result<std::unique_ptr<NetlinkKernel>> NetlinkKernel::Create(DistributionTables tables) {
  auto sock = NetlinkSocket::Open();
  if (!sock.ok()) return sock.status();
  return std::unique_ptr<NetlinkKernel>(new NetlinkKernel(std::move(sock).value(), std::move(tables)));
}

Result<int> NetlinkKernel::InterfaceIndex(const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ || name.find('/') != std::string::npos) {
    return InvalidArgument("\"" + name + "\" is not a valid interface name (1 to " +
                           std::to_string(IFNAMSIZ - 1) + " characters, no '/')");
  }
  NlMessage req = EncodeLinkGetByName(name);
  int ifindex = 0;
  KernelError e = sock_.Transact(req, [&](const nlmsghdr* h) {
    if (h->nlmsg_type == RTM_NEWLINK) ifindex = static_cast<const ifinfomsg*>(nlmsg_data(h))->ifi_index;
  });
  if (e.error == ENODEV || (e.ok() && ifindex == 0)) return NotFound("no interface named " + name);
  if (!e.ok()) return QdiscErrorStatus(e, "look up interface " + name, "");
  return ifindex;
}

Result<std::vector<QdiscInfo>> NetlinkKernel::DumpQdiscs(int ifindex) {
  auto all = DumpAll(sock_, ifindex);
  if (!all.ok()) return all.status();
  if (all->empty()) return NotFound("no interface with index " + std::to_string(ifindex));
  return all;
}

Result<kernel::RootQdisc> NetlinkKernel::GetRootQdisc(int ifindex) {
  auto qdiscs = DumpQdiscs(ifindex);
  if (!qdiscs.ok()) return qdiscs.status();
  return RootOf(*qdiscs);
}

Status NetlinkKernel::AddQdisc(int ifindex, const plan::QdiscNode& node) {
  const QdiscTarget target{ifindex, node.handle, node.parent};
  const std::string kind = KindOf(node);
  const std::string what = "add " + kind + " qdisc " + FormatHandle(node.handle) + " on ifindex " +
                           std::to_string(ifindex);
  std::optional<NlMessage> req;
  if (const auto* netem = std::get_if<plan::NetemQdisc>(&node.params)) {
    auto m = EncodeNetemAdd(target, *netem, tables_);
    if (!m.ok()) return m.status();
    req.emplace(std::move(m).value());
  } else {
    req.emplace(EncodeTbfAdd(target, std::get<plan::TbfQdisc>(node.params)));
  }
  KernelError e = sock_.Transact(*req);
  // A kernel that autoloads the module answers EAGAIN once: "replay".
  if (e.error == EAGAIN) e = sock_.Transact(*req);
  return QdiscErrorStatus(e, what, kind);
}

Status NetlinkKernel::Apply(int ifindex, const plan::InterfacePlan& plan) {
  if (plan.qdiscs.empty()) return InvalidArgument("empty plan: nothing to apply");
  for (const auto& node : plan.qdiscs) {
    if (!plan::IsOwnedHandle(node.handle)) {
      return InvalidArgument("plan qdisc " + FormatHandle(node.handle) +
                             " is outside chaosnet's handle range; refusing to create it");
    }
  }
  for (size_t i = 0; i < plan.qdiscs.size(); ++i) {
    Status s = AddQdisc(ifindex, plan.qdiscs[i]);
    if (s.ok()) continue;
    if (i > 0) {
      // Deleting the root we just created takes every child with it.
      NlMessage del = EncodeQdiscDelete({ifindex, plan.qdiscs[0].handle, plan.qdiscs[0].parent});
      KernelError undo = sock_.Transact(del);
      if (!undo.ok()) {
        return Status(s.code(), s.message() + "; and undoing the partial apply failed too: " +
                                    QdiscErrorStatus(undo, "delete root", "").message());
      }
    }
    return s;
  }
  return Status::Ok();
}

Status NetlinkKernel::RemoveRoot(int ifindex, uint32_t root_handle) {
  if (!plan::IsOwnedHandle(root_handle)) {
    return FailedPrecondition("refusing to delete root qdisc " + FormatHandle(root_handle) +
                              ": chaosnet did not create it (its handles are ca00: to caff:)");
  }
  NlMessage del = EncodeQdiscDelete({ifindex, root_handle, plan::kRootParent});
  KernelError e = sock_.Transact(del);
  const std::string what = "delete root qdisc " + FormatHandle(root_handle) + " on ifindex " +
                           std::to_string(ifindex);
  // ENOENT: someone else deleted it. EINVAL ("Invalid handle"): the root is
  // now someone else's qdisc; the kernel matched nothing and theirs stays.
  if (e.error == ENOENT || e.error == ENODEV || e.error == EINVAL) {
    return NotFound(what + ": it is already gone" +
                    (e.ext_ack.empty() ? std::string() : " (kernel says: " + e.ext_ack + ")"));
  }
  return QdiscErrorStatus(e, what, "");
}

Result<std::vector<kernel::Counters>> NetlinkKernel::QdiscCounters(
    int ifindex, const std::vector<uint32_t>& handles) {
  auto qdiscs = DumpQdiscs(ifindex);
  if (!qdiscs.ok()) return qdiscs.status();
  std::vector<kernel::Counters> out;
  for (uint32_t handle : handles) {
    auto it = std::find_if(qdiscs->begin(), qdiscs->end(),
                           [&](const QdiscInfo& q) { return q.handle == handle; });
    if (it == qdiscs->end()) {
      return NotFound("no qdisc " + FormatHandle(handle) + " on ifindex " +
                      std::to_string(ifindex));
    }
    out.push_back(it->counters);
  }
  return out;
}

kernel::Capabilities NetlinkKernel::Probe() { return ProbeKernel(); }

Result<std::vector<OwnedQdisc>> NetlinkKernel::FindOwnedRootQdiscs() {
  return netlink::FindOwnedRootQdiscs(sock_);
}

Result<std::vector<OwnedQdisc>> FindOwnedRootQdiscs() {
  auto sock = NetlinkSocket::Open();
  if (!sock.ok()) return sock.status();
  return FindOwnedRootQdiscs(*sock);
}

Result<std::vector<OwnedQdisc>> FindOwnedRootQdiscs(NetlinkSocket& sock) {
  std::map<int, std::string> names;
  NlMessage links = EncodeLinkDump();
  KernelError e = sock.Transact(links, [&](const nlmsghdr* h) {
    if (h->nlmsg_type != RTM_NEWLINK) return;
    const auto* ifi = static_cast<const ifinfomsg*>(nlmsg_data(h));
    nlattr* name = nlmsg_find_attr(const_cast<nlmsghdr*>(h), sizeof(ifinfomsg), IFLA_IFNAME);
    if (name != nullptr) names[ifi->ifi_index] = nla_get_string(name);
  });
  if (!e.ok()) return QdiscErrorStatus(e, "dump interfaces", "");
  auto qdiscs = DumpAll(sock, 0);
  if (!qdiscs.ok()) return qdiscs.status();
  std::vector<OwnedQdisc> out;
  for (const auto& q : *qdiscs) {
    if (q.parent != plan::kRootParent || !plan::IsOwnedHandle(q.handle)) continue;
    out.push_back(OwnedQdisc{names[q.ifindex], q.ifindex, q.handle, q.kind});
  }
  return out;
}

}  // namespace chaosnet::netlink
