#include "daemon/netlink/netlink_kernel.h"

#include <netlink/socket.h>

#include "daemon/netlink/link_requests.h"

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <map>
#include <optional>

#include "daemon/netlink/filter_requests.h"
#include "daemon/netlink/htb_encoder.h"
#include "daemon/netlink/ingress_encoder.h"
#include "daemon/netlink/netem_encoder.h"
#include "daemon/netlink/netlink_errors.h"
#include "daemon/netlink/probe.h"
#include "daemon/netlink/qdisc_requests.h"
#include "daemon/netlink/root_qdisc_rule.h"
#include "daemon/netlink/tc_object_text.h"
#include "daemon/netlink/u32_encoder.h"
#include "daemon/plan/describe.h"

namespace chaosnet::netlink {
namespace {

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
  if (!e.ok()) return KernelErrorStatus(e, "dump qdiscs", "");
  if (!parse_error.ok()) return parse_error;
  return out;
}

}  // namespace

Result<std::unique_ptr<NetlinkKernel>> NetlinkKernel::Create(DistributionTables tables) {
  auto sock = NetlinkSocket::Open();
  if (!sock.ok()) return sock.status();
  return std::unique_ptr<NetlinkKernel>(
      new NetlinkKernel(std::move(sock).value(), std::move(tables)));
}

Result<int> NetlinkKernel::InterfaceIndex(const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ || name.find('/') != std::string::npos) {
    return InvalidArgument("\"" + name + "\" is not a valid interface name (1 to " +
                           std::to_string(IFNAMSIZ - 1) + " characters, no '/')");
  }
  NlMessage req = EncodeLinkGetByName(name);
  int ifindex = 0;
  KernelError e = sock_.Transact(req, [&](const nlmsghdr* h) {
    if (h->nlmsg_type == RTM_NEWLINK)
      ifindex = static_cast<const ifinfomsg*>(nlmsg_data(h))->ifi_index;
  });
  if (e.error == ENODEV || (e.ok() && ifindex == 0)) return NotFound("no interface named " + name);
  if (!e.ok()) return KernelErrorStatus(e, "look up interface " + name, "");
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

Status NetlinkKernel::RemoveRoot(int ifindex, uint32_t root_handle) {
  if (!plan::IsOwnedHandle(root_handle)) {
    return FailedPrecondition("refusing to delete root qdisc " + plan::FormatHandle(root_handle) +
                              ": chaosnet did not create it (its handles are ca00: to caff:)");
  }
  NlMessage del = EncodeQdiscDelete({ifindex, root_handle, plan::kRootParent});
  KernelError e = sock_.Transact(del);
  const std::string what = "delete root qdisc " + plan::FormatHandle(root_handle) + " on ifindex " +
                           std::to_string(ifindex);
  // ENOENT: someone else deleted it. EINVAL ("Invalid handle"): the root is
  // now someone else's qdisc; the kernel matched nothing and theirs stays.
  if (e.error == ENOENT || e.error == ENODEV || e.error == EINVAL) {
    return NotFound(what + ": it is already gone" +
                    (e.ext_ack.empty() ? std::string() : " (kernel says: " + e.ext_ack + ")"));
  }
  return KernelErrorStatus(e, what, "");
}

Result<std::vector<kernel::Counters>> NetlinkKernel::QdiscCounters(
    int ifindex, const std::vector<uint32_t>& handles) {
  // One fault's leaf among a thousand on the interface: ask for it alone.
  if (handles.size() == 1) {
    NlMessage req = EncodeQdiscGet(ifindex, handles[0]);
    std::optional<kernel::Counters> found;
    Status parse_error;
    KernelError e = sock_.Transact(req, [&](const nlmsghdr* h) {
      if (h->nlmsg_type != RTM_NEWQDISC) return;
      auto info = ParseQdiscMessage(h);
      if (!info.ok()) {
        parse_error = info.status();
      } else if (info->handle == handles[0] && info->ifindex == ifindex) {
        found = info->counters;
      }
    });
    const std::string what = "reading qdisc " + plan::FormatHandle(handles[0]) + " on ifindex " +
                             std::to_string(ifindex);
    if (!e.ok()) return KernelErrorStatus(e, what, "");
    if (!parse_error.ok()) return parse_error;
    if (!found) return NotFound(what + ": no such qdisc");
    return std::vector<kernel::Counters>{*found};
  }
  auto qdiscs = DumpQdiscs(ifindex);
  if (!qdiscs.ok()) return qdiscs.status();
  std::vector<kernel::Counters> out;
  for (uint32_t handle : handles) {
    auto it = std::find_if(qdiscs->begin(), qdiscs->end(),
                           [&](const QdiscInfo& q) { return q.handle == handle; });
    if (it == qdiscs->end()) {
      return NotFound("no qdisc " + plan::FormatHandle(handle) + " on ifindex " +
                      std::to_string(ifindex));
    }
    out.push_back(it->counters);
  }
  return out;
}

kernel::Capabilities NetlinkKernel::Probe() { return ProbeKernel(); }

// ---- fault trees -----------------------------------------------------------

namespace {

std::string OnIfindex(int ifindex) { return " (ifindex " + std::to_string(ifindex) + ")"; }

FilterTarget FilterOf(int ifindex, const plan::TcObject& object) {
  if (const auto* f = std::get_if<plan::U32Classifier>(&object)) {
    return FilterTarget{ifindex, f->parent, f->priority, f->protocol};
  }
  const auto& r = std::get<plan::RedirectFilter>(object);
  return FilterTarget{ifindex, r.parent, r.priority, plan::FilterProtocol::kAll};
}

}  // namespace

KernelError NetlinkKernel::TransactReplayingOnce(NlMessage& request) {
  KernelError e = sock_.Transact(request);
  // A kernel that autoloads a module (sch_htb, cls_u32, act_mirred) answers
  // EAGAIN once and expects the request again.
  if (e.error == EAGAIN) e = sock_.Transact(request);
  return e;
}

Status NetlinkKernel::AddU32Classifier(int ifindex, const plan::U32Classifier& f,
                                       const std::string& what) {
  if (f.rules.empty()) return InvalidArgument(what + ": the classifier has no rules");
  for (size_t i = 0; i < f.rules.size(); ++i) {
    auto m = EncodeU32RuleAdd(ifindex, f, f.rules[i]);
    Status s = m.ok() ? KernelErrorStatus(TransactReplayingOnce(*m),
                                          what + ", rule " + std::to_string(i + 1) + " of " +
                                              std::to_string(f.rules.size()),
                                          "u32")
                      : Status(m.status().code(), what + ": " + m.status().message());
    if (s.ok()) continue;
    // The rules before this one share the priority: take them away too, so
    // the caller sees the classifier as not created at all.
    if (i > 0) {
      NlMessage del = EncodeFilterDeletePriority(FilterOf(ifindex, f));
      KernelError undo = sock_.Transact(del);
      if (!undo.ok() && !IsAlreadyGone(undo)) {
        return Status(s.code(),
                      s.message() + "; and removing its first " + std::to_string(i) +
                          " rule(s) failed too: " +
                          KernelErrorStatus(undo, "deleting the priority", "u32").message());
      }
    }
    return s;
  }
  return Status::Ok();
}

Status NetlinkKernel::AddObject(int ifindex, const plan::TcObject& object) {
  const std::string what = "adding " + TcObjectName(object) + OnIfindex(ifindex);
  const std::string kind = TcObjectKind(object);
  std::optional<NlMessage> req;
  if (const auto* q = std::get_if<plan::TreeQdisc>(&object)) {
    const QdiscTarget target{ifindex, q->handle, q->parent};
    if (const auto* htb = std::get_if<plan::HtbQdisc>(&q->params)) {
      req.emplace(EncodeHtbQdiscAdd(target, *htb));
    } else if (const auto* netem = std::get_if<plan::NetemQdisc>(&q->params)) {
      auto m = EncodeNetemAdd(target, *netem, tables_);
      if (!m.ok()) return Status(m.status().code(), what + ": " + m.status().message());
      req.emplace(std::move(m).value());
    } else {
      req.emplace(EncodeIngressQdiscAdd(target));
    }
  } else if (const auto* c = std::get_if<plan::HtbClass>(&object)) {
    req.emplace(EncodeHtbClassAdd(ifindex, *c));
  } else if (const auto* r = std::get_if<plan::RedirectFilter>(&object)) {
    if (r->to_ifindex <= 0) return InvalidArgument(what + ": the target device has no ifindex");
    req.emplace(EncodeRedirectFilterAdd(ifindex, *r));
  } else {
    return AddU32Classifier(ifindex, std::get<plan::U32Classifier>(object), what);
  }
  return KernelErrorStatus(TransactReplayingOnce(*req), what, kind);
}

KernelError NetlinkKernel::DeleteObject(int ifindex, const plan::TcObject& object) {
  if (const auto* q = std::get_if<plan::TreeQdisc>(&object)) {
    NlMessage del = EncodeQdiscDelete({ifindex, q->handle, q->parent});
    return sock_.Transact(del);
  }
  if (const auto* c = std::get_if<plan::HtbClass>(&object)) {
    NlMessage del = EncodeClassDelete(ifindex, c->classid);
    return sock_.Transact(del);
  }
  NlMessage del = EncodeFilterDeletePriority(FilterOf(ifindex, object));
  return sock_.Transact(del);
}

Status NetlinkKernel::AddObjects(int ifindex, const std::vector<plan::TcObject>& objects) {
  for (size_t i = 0; i < objects.size(); ++i) {
    Status s = AddObject(ifindex, objects[i]);
    if (s.ok()) continue;
    // Undo in reverse: filters go before the classes they point at (the
    // kernel refuses to delete a class in use), children before parents.
    std::string undo_errors;
    for (size_t j = i; j-- > 0;) {
      KernelError undo = DeleteObject(ifindex, objects[j]);
      // Gone already is fine: deleting a parent earlier took it along.
      if (undo.ok() || IsAlreadyGone(undo)) continue;
      undo_errors +=
          (undo_errors.empty() ? "" : "; ") +
          KernelErrorStatus(undo, "deleting " + TcObjectName(objects[j]), TcObjectKind(objects[j]))
              .message();
    }
    if (!undo_errors.empty()) {
      return Status(s.code(),
                    s.message() + "; and undoing the partial add failed too: " + undo_errors);
    }
    return s;
  }
  return Status::Ok();
}

Status NetlinkKernel::RemoveObjects(int ifindex, const std::vector<plan::TcObject>& objects) {
  Status first_error;
  std::string gone;
  for (const auto& object : objects) {
    KernelError e = DeleteObject(ifindex, object);
    if (e.ok()) continue;
    if (IsAlreadyGone(e)) {
      gone += (gone.empty() ? "" : ", ") + TcObjectName(object);
      continue;
    }
    if (first_error.ok()) {
      first_error = KernelErrorStatus(e, "deleting " + TcObjectName(object) + OnIfindex(ifindex),
                                      TcObjectKind(object));
    }
  }
  if (!first_error.ok()) return first_error;
  if (!gone.empty()) return NotFound("already gone" + OnIfindex(ifindex) + ": " + gone);
  return Status::Ok();
}

Result<std::vector<ClassInfo>> NetlinkKernel::DumpClasses(int ifindex) {
  std::vector<ClassInfo> out;
  Status parse_error;
  NlMessage req = EncodeClassDump(ifindex);
  KernelError e = sock_.Transact(req, [&](const nlmsghdr* h) {
    if (h->nlmsg_type != RTM_NEWTCLASS) return;
    auto info = ParseClassMessage(h);
    if (!info.ok()) {
      parse_error = info.status();
      return;
    }
    // The kernel already filters class dumps by ifindex; be sure anyway.
    if (info->ifindex == ifindex) out.push_back(std::move(info).value());
  });
  if (!e.ok()) return KernelErrorStatus(e, "dumping classes" + OnIfindex(ifindex), "");
  if (!parse_error.ok()) return parse_error;
  return out;
}

Result<std::vector<kernel::Counters>> NetlinkKernel::ClassCounters(
    int ifindex, const std::vector<uint32_t>& classids) {
  // One fault's class: a get is O(1) where a dump is O(classes on the device).
  if (classids.size() == 1) {
    NlMessage req = EncodeClassGet(ifindex, classids[0]);
    std::optional<kernel::Counters> found;
    Status parse_error;
    KernelError e = sock_.Transact(req, [&](const nlmsghdr* h) {
      if (h->nlmsg_type != RTM_NEWTCLASS) return;
      auto info = ParseClassMessage(h);
      if (!info.ok()) {
        parse_error = info.status();
      } else if (info->classid == classids[0] && info->ifindex == ifindex) {
        found = info->counters;
      }
    });
    const std::string what =
        "reading class " + plan::FormatHandle(classids[0]) + OnIfindex(ifindex);
    if (!e.ok()) return KernelErrorStatus(e, what, "");
    if (!parse_error.ok()) return parse_error;
    if (!found) return NotFound(what + ": no such class");
    return std::vector<kernel::Counters>{*found};
  }
  auto classes = DumpClasses(ifindex);
  if (!classes.ok()) return classes.status();
  std::vector<kernel::Counters> out;
  for (uint32_t classid : classids) {
    auto it = std::find_if(classes->begin(), classes->end(),
                           [&](const ClassInfo& c) { return c.classid == classid; });
    if (it == classes->end())
      return NotFound("no class " + plan::FormatHandle(classid) + OnIfindex(ifindex));
    out.push_back(it->counters);
  }
  return out;
}

Result<std::optional<kernel::RootQdisc>> NetlinkKernel::GetIngressQdisc(int ifindex) {
  auto qdiscs = DumpQdiscs(ifindex);
  if (!qdiscs.ok()) return qdiscs.status();
  // ingress and clsact both sit at ffff:fff1 (TC_H_CLSACT == TC_H_INGRESS).
  for (const auto& q : *qdiscs) {
    if (q.parent == plan::kIngressParent) {
      return std::optional<kernel::RootQdisc>(kernel::RootQdisc{q.kind, q.handle, false});
    }
  }
  return std::optional<kernel::RootQdisc>();
}

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
  if (!e.ok()) return KernelErrorStatus(e, "dump interfaces", "");
  auto qdiscs = DumpAll(sock, 0);
  if (!qdiscs.ok()) return qdiscs.status();
  std::vector<OwnedQdisc> out;
  for (const auto& q : *qdiscs) {
    if (q.parent != plan::kRootParent || !plan::IsOwnedHandle(q.handle)) continue;
    out.push_back(OwnedQdisc{names[q.ifindex], q.ifindex, q.handle, q.kind});
  }
  return out;
}

Result<std::unique_ptr<NetlinkKernel>> NetlinkKernel::Adopt(NetlinkSocket sock,
                                                            DistributionTables tables) {
  return std::unique_ptr<NetlinkKernel>(new NetlinkKernel(std::move(sock), std::move(tables)));
}

uint32_t NetlinkKernel::port_id() const { return nl_socket_get_local_port(sock_.get()); }

Result<int> NetlinkKernel::CreateIfb(const std::string& name) { return CreateIfbLink(sock_, name); }

Status NetlinkKernel::DeleteLink(int ifindex) { return DeleteLinkByIndex(sock_, ifindex); }

Result<std::vector<std::pair<std::string, int>>> NetlinkKernel::Links() { return ListLinks(sock_); }

}  // namespace chaosnet::netlink
