#include "daemon/app/drift_watch.h"

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "daemon/plan/describe.h"

namespace chaosnet::app {

Result<std::unique_ptr<DriftWatch>> DriftWatch::Start(boost::asio::io_context& loop,
                                                      core::FaultManager& manager,
                                                      uint32_t own_port) {
  // The daemon's own changes are filtered out in the kernel: a create or
  // revoke then costs the loop no wake-up, and a batch of thousands of
  // objects cannot overrun the monitor's buffer.
  netlink::TcMonitorOptions options;
  options.ignored_port = own_port;
  ASSIGN_OR_RETURN(auto monitor, netlink::TcMonitor::Open(options));
  std::unique_ptr<DriftWatch> watch(new DriftWatch(loop, manager, own_port, std::move(monitor)));
  watch->Wait();
  return watch;
}

DriftWatch::DriftWatch(boost::asio::io_context& loop, core::FaultManager& manager,
                       uint32_t own_port, netlink::TcMonitor monitor)
    : manager_(manager),
      own_port_(own_port),
      monitor_(std::move(monitor)),
      // Asio gets its own descriptor so that it never closes the monitor's.
      readable_(loop, ::dup(monitor_.fd())) {}

DriftWatch::~DriftWatch() {
  boost::system::error_code ignored;
  readable_.cancel(ignored);
}

void DriftWatch::Wait() {
  readable_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                       [this](const boost::system::error_code& ec) {
                         if (ec) return;
                         auto events = monitor_.ReadAvailable();
                         if (!events.ok()) {
                           spdlog::error("drift watch: {}", events.status().message());
                         } else {
                           for (const auto& e : *events) Handle(e);
                         }
                         Wait();
                       });
}

void DriftWatch::Handle(const netlink::TcEvent& e) {
  using Kind = netlink::TcEventKind;
  if (e.kind != Kind::kResync && e.sender_port == own_port_ && own_port_ != 0) return;
  std::vector<core::FaultRecord> lost;
  const std::string handle = plan::FormatHandle(e.handle);
  switch (e.kind) {
    case Kind::kResync:
      spdlog::warn("drift watch: the kernel dropped notifications; re-checking every fault");
      lost = manager_.EndFaultsWithMissingObjects();
      break;
    case Kind::kLinkDeleted:
      lost = manager_.EndFaultsOnDevice(
          "", e.ifindex,
          "interface " + (e.ifname.empty() ? std::to_string(e.ifindex) : e.ifname) +
              " was deleted (or moved to another namespace)");
      break;
    case Kind::kQdiscDeleted:
      lost = manager_.EndFaultsOwning(
          "", e.ifindex, e.handle,
          "its " + e.tc_kind + " qdisc " + handle + " was deleted by someone else");
      break;
    case Kind::kQdiscChanged:
      lost = manager_.EndFaultsOwning(
          "", e.ifindex, e.handle,
          "its " + e.tc_kind + " qdisc " + handle + " was changed or replaced by someone else");
      break;
    case Kind::kClassDeleted:
      lost = manager_.EndFaultsOwning("", e.ifindex, e.handle,
                                      "its class " + handle + " was deleted by someone else");
      break;
    case Kind::kClassChanged:
      lost = manager_.EndFaultsOwning("", e.ifindex, e.handle,
                                      "its class " + handle + " was changed by someone else");
      break;
    case Kind::kFilterDeleted:
    case Kind::kFilterChanged:
      lost = manager_.EndFaultsFilteredBy(
          "", e.ifindex, e.priority, e.handle,
          "its filter (prio " + std::to_string(e.priority) +
              (e.handle != 0 ? ", handle " + plan::FormatU32Handle(e.handle) : std::string()) +
              ") was deleted or changed by someone else");
      break;
    case Kind::kLinkChanged:
      break;  // renames, carrier: leases hold the ifindex, the fault still works
  }
  for (const auto& record : lost) {
    spdlog::warn("fault {} on {} lost: {}", record.id, record.spec.interface, record.state_reason);
  }
}

}  // namespace chaosnet::app
