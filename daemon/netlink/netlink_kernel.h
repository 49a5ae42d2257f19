// kernel::Kernel against the running kernel, over one long-lived
// NETLINK_ROUTE socket opened in the namespace of the thread that creates it.
// Like the interface it implements: one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "daemon/kernel/kernel.h"
#include "daemon/netlink/class_parser.h"
#include "daemon/netlink/distribution_tables.h"
#include "daemon/netlink/netlink_socket.h"
#include "daemon/netlink/qdisc_parser.h"

namespace chaosnet::netlink {

struct OwnedQdisc;

class NetlinkKernel : public kernel::Kernel {
 public:
  // Opens the socket in the caller's current network namespace.
  static Result<std::unique_ptr<NetlinkKernel>> Create(
      DistributionTables tables = DistributionTables::Load());
  // Create() with the installed distribution tables (what daemon/app calls).
  static Result<std::unique_ptr<NetlinkKernel>> Open() { return Create(); }
  // Over a socket opened elsewhere, e.g. inside another network namespace.
  static Result<std::unique_ptr<NetlinkKernel>> Adopt(
      NetlinkSocket sock, DistributionTables tables = DistributionTables::Load());

  // The netlink port id of the request socket: notifications caused by this
  // object's own requests carry it (see tc_event_parser.h, sender_port).
  uint32_t port_id() const;

  Result<int> CreateIfb(const std::string& name) override;
  Status DeleteLink(int ifindex) override;
  // Every link of the namespace as (name, ifindex).
  Result<std::vector<std::pair<std::string, int>>> Links();

  Result<int> InterfaceIndex(const std::string& name) override;
  Result<kernel::RootQdisc> GetRootQdisc(int ifindex) override;
  Status RemoveRoot(int ifindex, uint32_t root_handle) override;
  using kernel::Kernel::QdiscCounters;
  Result<std::vector<kernel::Counters>> QdiscCounters(
      int ifindex, const std::vector<uint32_t>& handles) override;
  kernel::Capabilities Probe() override;

  // Fault trees (kernel.h). Each call is one batch of requests
  // (NetlinkSocket::TransactBatch); AddObjects sends its first `acked_first`
  // objects as a batch of their own and waits for their acks first. A
  // U32Classifier is one request per rule at the same priority. When a
  // request fails, AddObjects deletes what succeeded (in reverse, one more
  // batch); a classifier is deleted by its priority, so it must own its
  // priority (tc_objects.h gives each fault its own): rolling one back would
  // take along nodes someone else put at that prio. RemoveObjects counts as
  // "already gone" what IsAlreadyGone (netlink_errors.h) says, e.g. a filter
  // whose parent qdisc is gone.
  using kernel::Kernel::AddObjects;
  Status AddObjects(int ifindex, const std::vector<plan::TcObject>& objects,
                    std::size_t acked_first) override;
  Status RemoveObjects(int ifindex, const std::vector<plan::TcObject>& objects) override;
  // Every group's deletes in one batch.
  std::vector<Status> RemoveEach(int ifindex,
                                 const std::vector<std::vector<plan::TcObject>>& groups) override;
  // One `tc qdisc change` / `tc class change` request per object
  // (EncodeNetemChange, EncodeHtbClassChange), all in one batch.
  Status ChangeObjects(int ifindex, const std::vector<plan::TcObject>& objects) override;
  Result<std::vector<kernel::Counters>> ClassCounters(
      int ifindex, const std::vector<uint32_t>& classids) override;
  Result<std::optional<kernel::RootQdisc>> GetIngressQdisc(int ifindex) override;
  // Polls the plug's counters every millisecond until its backlog is gone.
  Result<kernel::Counters> ReleaseHeld(int ifindex, const plan::TreeQdisc& plug,
                                       std::chrono::milliseconds max_wait) override;

  // Every class of one interface as the kernel reports it (one dump; empty
  // when the interface has none or does not exist).
  Result<std::vector<ClassInfo>> DumpClasses(int ifindex);

  // Every qdisc of one interface as the kernel reports it (for verification
  // and tests). NOT_FOUND when the interface has none, i.e. does not exist:
  // every existing device has at least a noop or noqueue root.
  Result<std::vector<QdiscInfo>> DumpQdiscs(int ifindex);

  // FindOwnedRootQdiscs() below, over this object's socket and namespace.
  Result<std::vector<OwnedQdisc>> FindOwnedRootQdiscs();

 private:
  NetlinkKernel(NetlinkSocket sock, DistributionTables tables)
      : sock_(std::move(sock)), tables_(std::move(tables)) {}

  // Deletes, in one batch and in reverse order, the objects marked in
  // `applied`, and unmarks those that are gone; the errors of the others
  // ("" when none).
  std::string UndoAdds(int ifindex, const std::vector<plan::TcObject>& objects,
                       std::vector<bool>& applied);

  NetlinkSocket sock_;
  DistributionTables tables_;
};

// A root qdisc carrying chaosnet's handle marker, found for `chaosnetd --cleanup`.
struct OwnedQdisc {
  std::string interface;
  int ifindex = 0;
  uint32_t handle = 0;
  std::string kind;
};

// Every interface of the caller's network namespace whose root qdisc handle is
// in the owned range (plan::IsOwnedHandle). Uses its own short-lived socket.
Result<std::vector<OwnedQdisc>> FindOwnedRootQdiscs();
Result<std::vector<OwnedQdisc>> FindOwnedRootQdiscs(NetlinkSocket& sock);

}  // namespace chaosnet::netlink
