// The daemon core's only view of the kernel. netlink/ implements it against the
// real kernel; tests/ has a fake. Everything here is synchronous and is called
// from the event loop thread only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "daemon/kernel/capabilities.h"
#include "daemon/plan/tc_objects.h"

namespace chaosnet::kernel {

struct RootQdisc {
  std::string kind;  // "noqueue", "pfifo_fast", "mq", "netem", ...
  uint32_t handle = 0;
  // True when the kernel put it there itself (no qdisc configured, or the
  // default one a device gets): chaosnet may replace such a root.
  bool is_default = false;
};

struct Counters {
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t drops = 0;
  uint64_t overlimits = 0;
  uint32_t backlog_packets = 0;  // qlen: packets held (e.g. being delayed) now
  uint32_t backlog_bytes = 0;

  // A fault's total over its placements (egress and ingress side).
  Counters& operator+=(const Counters& o) {
    packets += o.packets;
    bytes += o.bytes;
    drops += o.drops;
    overlimits += o.overlimits;
    backlog_packets += o.backlog_packets;
    backlog_bytes += o.backlog_bytes;
    return *this;
  }
};

class Kernel {
 public:
  virtual ~Kernel() = default;

  // ifindex of the interface; NOT_FOUND when it does not exist.
  virtual Result<int> InterfaceIndex(const std::string& name) = 0;

  virtual Result<RootQdisc> GetRootQdisc(int ifindex) = 0;

  // Deletes the root qdisc with this (owned) handle, and with it its children.
  // NOT_FOUND when it is already gone.
  virtual Status RemoveRoot(int ifindex, uint32_t root_handle) = 0;

  // Counters of several qdiscs of one interface, in the order of `handles`,
  // read in one round trip; NOT_FOUND when any of them is gone.
  virtual Result<std::vector<Counters>> QdiscCounters(int ifindex,
                                                      const std::vector<uint32_t>& handles) = 0;

  // Counters of one qdisc on the interface; NOT_FOUND when it is gone.
  Result<Counters> QdiscCounters(int ifindex, uint32_t handle) {
    ASSIGN_OR_RETURN(auto all, QdiscCounters(ifindex, std::vector<uint32_t>{handle}));
    return all.front();
  }

  // ---- fault trees (plan/tc_objects.h) ------------------------------------
  // Creates the objects in order. All or nothing: when one fails, what this
  // call created is deleted again (in reverse) before the error is returned,
  // which is the first failure in order. The first `acked_first` objects (a
  // new tree's root and protected-traffic filters) are confirmed by the kernel
  // before any of the rest is sent: a fault must never be live without the
  // protection in front of it. The rest may go to the kernel together.
  virtual Status AddObjects(int ifindex, const std::vector<plan::TcObject>& objects,
                            std::size_t acked_first) = 0;
  Status AddObjects(int ifindex, const std::vector<plan::TcObject>& objects) {
    return AddObjects(ifindex, objects, 0);
  }

  // Deletes the objects in order and keeps going past failures. OK when every
  // one was deleted; NOT_FOUND when some were already gone (and the rest were
  // deleted); otherwise the first other error.
  virtual Status RemoveObjects(int ifindex, const std::vector<plan::TcObject>& objects) = 0;

  // RemoveObjects for several groups of objects on one interface (each
  // fault's of a batch), in order: one status per group, as RemoveObjects
  // would give it. Here, a call per group; netlink/ sends them all at once.
  virtual std::vector<Status> RemoveEach(int ifindex,
                                         const std::vector<std::vector<plan::TcObject>>& groups) {
    std::vector<Status> out;
    out.reserve(groups.size());
    for (const auto& group : groups) out.push_back(RemoveObjects(ifindex, group));
    return out;
  }

  // Changes existing objects in place, in order: a netem leaf's parameters
  // (a TreeQdisc holding NetemQdisc) or an htb class's rate (an HtbClass),
  // named by handle and parent as they were added. Nothing is deleted or
  // created, so the packets they hold stay (a program's step). NOT_FOUND when
  // one is gone (the first failure in order); INVALID_ARGUMENT for any other
  // kind of object, before anything is sent. Not all or nothing: the kernel
  // goes on past a failure, so the other objects keep their new parameters.
  virtual Status ChangeObjects(int ifindex, const std::vector<plan::TcObject>& objects) = 0;

  // Counters of htb classes of one interface, in the order of `classids`,
  // read in one round trip; NOT_FOUND when any of them is gone.
  virtual Result<std::vector<Counters>> ClassCounters(int ifindex,
                                                      const std::vector<uint32_t>& classids) = 0;

  // The interface's ingress-side qdisc (kind "ingress" or "clsact"), if any.
  virtual Result<std::optional<RootQdisc>> GetIngressQdisc(int ifindex) = 0;

  // An IFB device with this name, created and set up; returns its ifindex.
  // ALREADY_EXISTS when a link of that name exists.
  virtual Result<int> CreateIfb(const std::string& name) = 0;
  // Deletes a link; NOT_FOUND when it is already gone.
  virtual Status DeleteLink(int ifindex) = 0;

  virtual Capabilities Probe() = 0;

  // The end of a jam: tells the plug qdisc `plug` (a leaf of the fault's
  // tree, plan::PlugQdisc) to release everything it holds and to pass what
  // comes after, then waits at most `max_wait` for its backlog to leave.
  // Returns its counters at the end (a backlog left means the wait ran out).
  // NOT_FOUND when the qdisc is gone.
  virtual Result<Counters> ReleaseHeld(int ifindex, const plan::TreeQdisc& plug,
                                       std::chrono::milliseconds max_wait) = 0;
};

}  // namespace chaosnet::kernel
