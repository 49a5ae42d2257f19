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
#include <thread>

#include "daemon/netlink/filter_requests.h"
#include "daemon/netlink/htb_encoder.h"
#include "daemon/netlink/ingress_encoder.h"
#include "daemon/netlink/netem_encoder.h"
#include "daemon/netlink/netlink_errors.h"
#include "daemon/netlink/plug_encoder.h"
#include "daemon/netlink/probe.h"
#include "daemon/netlink/qdisc_requests.h"
#include "daemon/netlink/root_qdisc_rule.h"
#include "daemon/netlink/tc_object_text.h"
#include "daemon/netlink/u32_encoder.h"
#include "daemon/plan/describe.h"

namespace chaosnet::netlink {
namespace {

std::string OnIfindex(int ifindex) { return " (ifindex " + std::to_string(ifindex) + ")"; }

// A kind of tc object whose counters are read: how to ask the kernel for one
// or for all of an interface's, how to read an answer, what names one.
template <typename Info>
struct ObjectKind {
  const char* noun;
  const char* plural;
  int answer;  // the message type of an answer
  NlMessage (*get)(int ifindex, uint32_t id);
  NlMessage (*dump)(int ifindex);
  Result<Info> (*parse)(const nlmsghdr* message);
  uint32_t Info::*id;
};

const ObjectKind<QdiscInfo> kQdiscs{
    .noun = "qdisc",
    .plural = "qdiscs",
    .answer = RTM_NEWQDISC,
    .get = EncodeQdiscGet,
    .dump = EncodeQdiscDump,
    .parse = ParseQdiscMessage,
    .id = &QdiscInfo::handle,
};
const ObjectKind<ClassInfo> kClasses{
    .noun = "class",
    .plural = "classes",
    .answer = RTM_NEWTCLASS,
    .get = EncodeClassGet,
    .dump = EncodeClassDump,
    .parse = ParseClassMessage,
    .id = &ClassInfo::classid,
};

// The objects `request` brings back, those of other interfaces left out (the
// kernel dumps every device's qdiscs whatever ifindex is sent); 0: all.
template <typename Info>
Result<std::vector<Info>> Collect(NetlinkSocket& sock, const ObjectKind<Info>& kind,
                                  NlMessage& request, int only_ifindex, const std::string& what) {
  std::vector<Info> out;
  Status parse_error;
  KernelError e = sock.Transact(request, [&](const nlmsghdr* h) {
    if (h->nlmsg_type != kind.answer) return;
    auto info = kind.parse(h);
    if (!info.ok()) {
      parse_error = info.status();
      return;
    }
    if (only_ifindex == 0 || info->ifindex == only_ifindex) out.push_back(std::move(info).value());
  });
  if (!e.ok()) return KernelErrorStatus(e, what, "");
  RETURN_IF_ERROR(parse_error);
  return out;
}

template <typename Info>
Result<std::vector<Info>> DumpAll(NetlinkSocket& sock, const ObjectKind<Info>& kind,
                                  int only_ifindex) {
  NlMessage request = kind.dump(only_ifindex);
  return Collect(
      sock, kind, request, only_ifindex,
      std::string("dumping ") + kind.plural + (only_ifindex == 0 ? "" : OnIfindex(only_ifindex)));
}

// The counters of `ids` among one interface's objects, in that order;
// NOT_FOUND when any of them is gone. One id (a fault's class or leaf among a
// thousand on the interface) is asked for alone: a get is O(1) where a dump
// is O(objects on the interface).
template <typename Info>
Result<std::vector<kernel::Counters>> ReadCounters(NetlinkSocket& sock,
                                                   const ObjectKind<Info>& kind, int ifindex,
                                                   const std::vector<uint32_t>& ids) {
  auto name = [&](uint32_t id) {
    return std::string(kind.noun) + " " + plan::FormatHandle(id) + OnIfindex(ifindex);
  };
  std::vector<Info> found;
  if (ids.size() == 1) {
    NlMessage request = kind.get(ifindex, ids[0]);
    ASSIGN_OR_RETURN(found, Collect(sock, kind, request, ifindex, "reading " + name(ids[0])));
  } else {
    ASSIGN_OR_RETURN(found, DumpAll(sock, kind, ifindex));
  }
  std::vector<kernel::Counters> out;
  for (uint32_t id : ids) {
    auto it = std::find_if(found.begin(), found.end(),
                           [&](const Info& object) { return object.*kind.id == id; });
    if (it == found.end()) return NotFound("no " + name(id));
    out.push_back(it->counters);
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<NetlinkKernel>> NetlinkKernel::Create(DistributionTables tables) {
  ASSIGN_OR_RETURN(NetlinkSocket sock, NetlinkSocket::Open());
  return std::unique_ptr<NetlinkKernel>(new NetlinkKernel(std::move(sock), std::move(tables)));
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
  ASSIGN_OR_RETURN(auto all, DumpAll(sock_, kQdiscs, ifindex));
  if (all.empty()) return NotFound("no interface with index " + std::to_string(ifindex));
  return all;
}

Result<kernel::RootQdisc> NetlinkKernel::GetRootQdisc(int ifindex) {
  ASSIGN_OR_RETURN(const auto qdiscs, DumpQdiscs(ifindex));
  return RootOf(qdiscs);
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
  return ReadCounters(sock_, kQdiscs, ifindex, handles);
}

kernel::Capabilities NetlinkKernel::Probe() { return ProbeKernel(); }

// ---- fault trees -----------------------------------------------------------

namespace {

FilterTarget FilterOf(int ifindex, const plan::TcObject& object) {
  if (const auto* f = std::get_if<plan::U32Classifier>(&object)) {
    return FilterTarget{ifindex, f->parent, f->priority, f->protocol};
  }
  if (const auto* t = std::get_if<plan::U32HashTable>(&object)) {
    return FilterTarget{ifindex, t->parent, t->priority, t->protocol};
  }
  if (const auto* l = std::get_if<plan::U32HashLink>(&object)) {
    return FilterTarget{ifindex, l->parent, l->priority, l->protocol};
  }
  if (const auto* n = std::get_if<plan::U32Node>(&object)) {
    return FilterTarget{ifindex, n->parent, n->priority, n->protocol};
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
    } else if (const auto* plug = std::get_if<plan::PlugQdisc>(&q->params)) {
      req.emplace(EncodePlugAdd(target, *plug));
    } else {
      req.emplace(EncodeIngressQdiscAdd(target));
    }
  } else if (const auto* c = std::get_if<plan::HtbClass>(&object)) {
    req.emplace(EncodeHtbClassAdd(ifindex, *c));
  } else if (const auto* r = std::get_if<plan::RedirectFilter>(&object)) {
    if (r->to_ifindex <= 0) return InvalidArgument(what + ": the target device has no ifindex");
    req.emplace(EncodeRedirectFilterAdd(ifindex, *r));
  } else if (const auto* t = std::get_if<plan::U32HashTable>(&object)) {
    req.emplace(EncodeU32HashTableAdd(ifindex, *t));
  } else if (const auto* l = std::get_if<plan::U32HashLink>(&object)) {
    req.emplace(EncodeU32HashLinkAdd(ifindex, *l));
  } else if (const auto* n = std::get_if<plan::U32Node>(&object)) {
    auto m = EncodeU32NodeAdd(ifindex, *n);
    if (!m.ok()) return Status(m.status().code(), what + ": " + m.status().message());
    req.emplace(std::move(m).value());
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
  // Nodes, tables and level-2 links of the host classifier go by handle; the
  // root link cannot (its handle is the kernel's to pick, tc_objects.h) and
  // is only ever undone together with its root, so its priority goes, like a
  // classifier's.
  if (const auto* n = std::get_if<plan::U32Node>(&object)) {
    NlMessage del = EncodeU32HandleDelete(FilterOf(ifindex, object), n->handle);
    return sock_.Transact(del);
  }
  if (const auto* t = std::get_if<plan::U32HashTable>(&object)) {
    NlMessage del = EncodeU32HandleDelete(FilterOf(ifindex, object), t->handle);
    return sock_.Transact(del);
  }
  if (const auto* l = std::get_if<plan::U32HashLink>(&object); l != nullptr && l->handle != 0) {
    NlMessage del = EncodeU32HandleDelete(FilterOf(ifindex, object), l->handle);
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
  RETURN_IF_ERROR(first_error);
  if (!gone.empty()) return NotFound("already gone" + OnIfindex(ifindex) + ": " + gone);
  return Status::Ok();
}

Status NetlinkKernel::ChangeObjects(int ifindex, const std::vector<plan::TcObject>& objects) {
  for (const auto& object : objects) {
    const std::string what = "changing " + TcObjectName(object) + OnIfindex(ifindex);
    std::optional<NlMessage> req;
    if (const auto* c = std::get_if<plan::HtbClass>(&object)) {
      req.emplace(EncodeHtbClassChange(ifindex, *c));
    } else if (const auto* q = std::get_if<plan::TreeQdisc>(&object);
               q != nullptr && std::holds_alternative<plan::NetemQdisc>(q->params)) {
      auto m =
          EncodeNetemChange({ifindex, q->handle, q->parent}, std::get<plan::NetemQdisc>(q->params));
      if (!m.ok()) return Status(m.status().code(), what + ": " + m.status().message());
      req.emplace(std::move(m).value());
    } else {
      return InvalidArgument(what + ": only netem leaves and htb classes change in place");
    }
    RETURN_IF_ERROR(KernelErrorStatus(sock_.Transact(*req), what, TcObjectKind(object)));
  }
  return Status::Ok();
}

Result<std::vector<ClassInfo>> NetlinkKernel::DumpClasses(int ifindex) {
  return DumpAll(sock_, kClasses, ifindex);
}

Result<std::vector<kernel::Counters>> NetlinkKernel::ClassCounters(
    int ifindex, const std::vector<uint32_t>& classids) {
  return ReadCounters(sock_, kClasses, ifindex, classids);
}

Result<std::optional<kernel::RootQdisc>> NetlinkKernel::GetIngressQdisc(int ifindex) {
  ASSIGN_OR_RETURN(const auto qdiscs, DumpQdiscs(ifindex));
  // ingress and clsact both sit at ffff:fff1 (TC_H_CLSACT == TC_H_INGRESS).
  for (const auto& q : qdiscs) {
    if (q.parent == plan::kIngressParent) {
      return std::optional<kernel::RootQdisc>(kernel::RootQdisc{q.kind, q.handle, false});
    }
  }
  return std::optional<kernel::RootQdisc>();
}

Result<kernel::Counters> NetlinkKernel::ReleaseHeld(int ifindex, const plan::TreeQdisc& plug,
                                                    std::chrono::milliseconds max_wait) {
  const std::string what =
      "releasing plug qdisc " + plan::FormatHandle(plug.handle) + OnIfindex(ifindex);
  NlMessage release = EncodePlugRelease({ifindex, plug.handle, plug.parent});
  KernelError e = sock_.Transact(release);
  if (!e.ok() && IsAlreadyGone(e)) return NotFound(what + ": it is already gone");
  RETURN_IF_ERROR(KernelErrorStatus(e, what, "plug"));
  // The kernel sends the backlog as fast as the device takes it; a few
  // milliseconds on a veth, longer behind a slow link.
  const auto deadline = std::chrono::steady_clock::now() + max_wait;
  for (;;) {
    ASSIGN_OR_RETURN(const kernel::Counters counters, QdiscCounters(ifindex, plug.handle));
    if (counters.backlog_packets == 0 || std::chrono::steady_clock::now() >= deadline) {
      return counters;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

Result<std::vector<OwnedQdisc>> NetlinkKernel::FindOwnedRootQdiscs() {
  return netlink::FindOwnedRootQdiscs(sock_);
}

Result<std::vector<OwnedQdisc>> FindOwnedRootQdiscs() {
  ASSIGN_OR_RETURN(NetlinkSocket sock, NetlinkSocket::Open());
  return FindOwnedRootQdiscs(sock);
}

Result<std::vector<OwnedQdisc>> FindOwnedRootQdiscs(NetlinkSocket& sock) {
  ASSIGN_OR_RETURN(const auto links, ListLinks(sock));
  std::map<int, std::string> names;
  for (const auto& [name, index] : links) names[index] = name;
  ASSIGN_OR_RETURN(const auto qdiscs, DumpAll(sock, kQdiscs, 0));
  std::vector<OwnedQdisc> out;
  for (const auto& q : qdiscs) {
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
