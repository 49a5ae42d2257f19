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
#include <span>
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
#include "daemon/netlink/tree_requests.h"
#include "daemon/netlink/u32_encoder.h"
#include "daemon/plan/describe.h"

namespace chaosnet::netlink {
namespace {

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
//
// Every change is one batch (NetlinkSocket::TransactBatch): the requests of all
// its objects in one sendmsg (or a few, for a large one), one ack each.

namespace {

KernelError ErrorOf(const NetlinkSocket::BatchReply& reply) {
  return reply.state == NetlinkSocket::BatchReply::State::kAnswered || !reply.error.ok()
             ? reply.error
             : KernelError{EIO, "no answer"};
}

bool Done(const NetlinkSocket::BatchReply& reply) {
  return reply.state == NetlinkSocket::BatchReply::State::kAnswered && reply.error.ok();
}

}  // namespace

std::string NetlinkKernel::UndoAdds(int ifindex, const std::vector<plan::TcObject>& objects,
                                    std::vector<bool>& applied) {
  // In reverse: filters go before the classes they point at (the kernel
  // refuses to delete a class in use), children before parents. A u32
  // classifier goes by its priority, which takes every rule of it.
  std::vector<std::size_t> order;
  std::vector<NlMessage> deletes;
  for (std::size_t j = objects.size(); j-- > 0;) {
    if (!applied[j]) continue;
    order.push_back(j);
    deletes.push_back(EncodeTreeDelete(ifindex, objects[j]));
  }
  const auto replies = sock_.TransactBatch(deletes);
  std::string errors;
  for (std::size_t k = 0; k < order.size(); ++k) {
    const KernelError undo = ErrorOf(replies[k]);
    // Gone already is fine: deleting a parent earlier took it along.
    if (undo.ok() || IsAlreadyGone(undo)) {
      applied[order[k]] = false;
      continue;
    }
    const plan::TcObject& object = objects[order[k]];
    errors +=
        (errors.empty() ? "" : "; ") +
        KernelErrorStatus(undo, "deleting " + TcObjectName(object), TcObjectKind(object)).message();
  }
  return errors;
}

Status NetlinkKernel::AddObjects(int ifindex, const std::vector<plan::TcObject>& objects,
                                 std::size_t acked_first) {
  ASSIGN_OR_RETURN(TreeRequests requests, EncodeTreeAdds(ifindex, objects, tables_));
  std::span<NlMessage> all(requests.messages);
  // The requests of the first `acked_first` objects, then the rest.
  std::size_t split = 0;
  while (split < requests.origins.size() && requests.origins[split].object < acked_first) ++split;
  std::vector<bool> applied(objects.size(), false);  // may have been applied
  for (auto [first, count] :
       {std::pair{std::size_t{0}, split}, std::pair{split, requests.messages.size() - split}}) {
    if (count == 0) continue;
    auto stage = all.subspan(first, count);
    auto replies = sock_.TransactBatch(stage);
    // A kernel that autoloads a module (sch_htb, cls_u32, act_mirred) may
    // answer EAGAIN and expect the request again; what came after it in the
    // batch may have failed for want of it. So the stage is undone and sent
    // again, once.
    if (std::any_of(replies.begin(), replies.end(),
                    [](const auto& r) { return r.error.error == EAGAIN; })) {
      std::vector<bool> stage_applied(objects.size(), false);
      for (std::size_t i = 0; i < count; ++i) {
        if (replies[i].MayHaveApplied()) stage_applied[requests.origins[first + i].object] = true;
      }
      UndoAdds(ifindex, objects, stage_applied);
      replies = sock_.TransactBatch(stage);
    }
    std::optional<Status> failure;
    for (std::size_t i = 0; i < count; ++i) {
      const TreeRequests::Origin& origin = requests.origins[first + i];
      if (replies[i].MayHaveApplied()) applied[origin.object] = true;
      if (!failure && !Done(replies[i])) {
        failure = KernelErrorStatus(ErrorOf(replies[i]), AddRequestName(ifindex, objects, origin),
                                    TcObjectKind(objects[origin.object]));
      }
    }
    if (!failure) continue;
    // All or nothing: what succeeded goes again, and the first failure (in
    // order, which is what a request-by-request add stopped at) is the answer.
    const std::string undo_errors = UndoAdds(ifindex, objects, applied);
    if (!undo_errors.empty()) {
      return Status(
          failure->code(),
          failure->message() + "; and undoing the partial add failed too: " + undo_errors);
    }
    return *failure;
  }
  return Status::Ok();
}

Status NetlinkKernel::RemoveObjects(int ifindex, const std::vector<plan::TcObject>& objects) {
  return RemoveEach(ifindex, {objects}).front();
}

std::vector<Status> NetlinkKernel::RemoveEach(
    int ifindex, const std::vector<std::vector<plan::TcObject>>& groups) {
  std::vector<NlMessage> deletes;
  for (const auto& group : groups) {
    for (const auto& object : group) deletes.push_back(EncodeTreeDelete(ifindex, object));
  }
  const auto replies = sock_.TransactBatch(deletes);
  std::vector<Status> out;
  out.reserve(groups.size());
  std::size_t next = 0;
  for (const auto& group : groups) {
    Status first_error;
    std::string gone;
    for (const auto& object : group) {
      const KernelError e = ErrorOf(replies[next++]);
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
    if (!first_error.ok()) {
      out.push_back(first_error);
    } else if (!gone.empty()) {
      out.push_back(NotFound("already gone" + OnIfindex(ifindex) + ": " + gone));
    } else {
      out.push_back(Status::Ok());
    }
  }
  return out;
}

Status NetlinkKernel::ChangeObjects(int ifindex, const std::vector<plan::TcObject>& objects) {
  ASSIGN_OR_RETURN(std::vector<NlMessage> changes, EncodeTreeChanges(ifindex, objects));
  const auto replies = sock_.TransactBatch(changes);
  for (std::size_t i = 0; i < objects.size(); ++i) {
    if (Done(replies[i])) continue;
    return KernelErrorStatus(ErrorOf(replies[i]),
                             "changing " + TcObjectName(objects[i]) + OnIfindex(ifindex),
                             TcObjectKind(objects[i]));
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
