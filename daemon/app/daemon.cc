#include "daemon/app/daemon.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include "daemon/api/audit_log.h"
#include "daemon/api/fault_service.h"
#include "daemon/api/metrics.h"
#include "daemon/app/api_server.h"
#include "daemon/app/drift_watch.h"
#include "daemon/app/expiry_timer.h"
#include "daemon/app/guard_runner.h"
#include "daemon/app/journal_compactor.h"
#include "daemon/app/journal_lease_store.h"
#include "daemon/app/memory_trimmer.h"
#include "daemon/app/metrics_server.h"
#include "daemon/app/namespace_kernels.h"
#include "daemon/app/namespace_watch.h"
#include "daemon/app/owned_objects.h"
#include "daemon/app/program_timer.h"
#include "daemon/app/startup_reconciler.h"
#include "daemon/app/systemd_watchdog.h"
#include "daemon/app/user_database.h"
#include "daemon/core/fault_manager.h"
#include "daemon/netlink/error_tally.h"
#include "daemon/netlink/netlink_kernel.h"
#include "daemon/plan/describe.h"
#include "daemon/state/lease_journal.h"

namespace chaosnet::app {
namespace {

namespace fs = std::filesystem;

std::string KernelRelease() {
  utsname u{};
  return uname(&u) == 0 ? u.release : "unknown";
}

// A socket file with nobody behind it is a leftover of a crash: remove it.
// One with a live listener means another daemon: refuse to steal it.
Status PrepareSocketPath(const std::string& path) {
  if (path.size() >= sizeof(sockaddr_un::sun_path)) {
    return InvalidArgument("socket path is too long (max " +
                           std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes): " + path);
  }
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) return FailedPrecondition("cannot create the directory of " + path + ": " + ec.message());
  if (!fs::exists(path, ec)) return Status::Ok();

  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  bool live = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  if (live) return FailedPrecondition("another process is already serving " + path);
  fs::remove(path, ec);
  return Status::Ok();
}

// The gid of --socket-group: a name from the group database, or a number.
Result<gid_t> ResolveGroup(const std::string& group) {
  if (!group.empty() && group.find_first_not_of("0123456789") == std::string::npos) {
    return static_cast<gid_t>(std::stoul(group));
  }
  auto gid = GroupIdByName(group);
  if (!gid) return InvalidArgument("--socket-group " + group + ": no such group");
  return static_cast<gid_t>(*gid);
}

// Every API connection is a descriptor: thousands of clients need more than
// the usual soft limit of 1024, and the hard limit is the operator's to set.
void RaiseFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    spdlog::debug("open files limit: {}", static_cast<unsigned long long>(limit.rlim_cur));
  }
}

void LogCapabilities(const kernel::Capabilities& caps) {
  std::string found;
  for (const kernel::Feature& feature : kernel::kFeatures) {
    if (feature.available == nullptr) continue;  // not probed
    found += std::string(" ") + feature.name + (caps.*feature.available ? "=true" : "=false");
  }
  spdlog::info("kernel {}:{}", KernelRelease(), found);
  for (const auto& note : caps.notes) spdlog::info("kernel probe: {}", note);
  if (!caps.netem) {
    const kernel::Feature& netem = kernel::FeatureInfo(kernel::FeatureId::kNetem);
    spdlog::warn(
        "kernel has no {} ({}): delay/loss/duplicate/corrupt/reorder/partition faults will be "
        "refused",
        netem.noun, kernel::LoadHint(netem));
  }
}

}  // namespace

int RunDaemon(const DaemonConfig& config) {
  // The journal holds <state-dir>/lock for the daemon's lifetime: one daemon
  // per state directory.
  state::JournalOptions journal_options;
  // JournalCompactor compacts at quiet moments; appends only when far over.
  journal_options.forced_compaction_factor = 4;
  auto journal = state::LeaseJournal::Open(config.state_dir, journal_options);
  if (!journal.ok()) {
    spdlog::critical("cannot open the lease journal in {}: {}", config.state_dir,
                     journal.status().message());
    return 1;
  }
  LogJournalReport(*journal);
  std::optional<gid_t> socket_gid;
  if (!config.socket_group.empty()) {
    auto gid = ResolveGroup(config.socket_group);
    if (!gid.ok()) {
      spdlog::critical("{}", gid.status().message());
      return 1;
    }
    socket_gid = *gid;
  }
  // Before reconciling: a second daemon must be turned away before it could
  // mistake the first one's qdiscs for orphans.
  if (Status s = PrepareSocketPath(config.socket_path); !s.ok()) {
    spdlog::critical("{}", s.message());
    return 1;
  }
  RaiseFileLimit();
  boost::asio::io_context loop(1);
  ApiServerOptions api_options;
  api_options.socket_path = config.socket_path;
  api_options.socket_mode = config.socket_mode;
  api_options.socket_gid = socket_gid;
  api_options.tls_listen = config.listen;
  api_options.tls_cert = config.tls_cert;
  api_options.tls_key = config.tls_key;
  api_options.tls_client_ca = config.tls_client_ca;
  api_options.tls_reload_seconds = static_cast<unsigned>(
      std::chrono::duration_cast<std::chrono::seconds>(config.tls_reload).count());
  api_options.insecure_listen = config.insecure_listen;
  auto api_server = ApiServer::Bind(loop, api_options);
  if (!api_server.ok()) {
    spdlog::critical("{}", api_server.status().message());
    std::error_code ec;
    fs::remove(config.socket_path, ec);
    return 1;
  }
  auto kernel = netlink::NetlinkKernel::Open();
  if (!kernel.ok()) {
    spdlog::critical("cannot open netlink: {}", kernel.status().message());
    return 1;
  }
  kernel::Capabilities caps = (*kernel)->Probe();
  LogCapabilities(caps);

  core::SystemClock clock;
  core::ManagerConfig manager_config;
  manager_config.default_ttl = config.default_ttl;
  manager_config.max_ttl = config.max_ttl;
  manager_config.protected_rules = config.protected_rules;
  // No fault may cut the experiment's own control plane, nor the scrapes
  // that watch it.
  std::vector<uint16_t> own_ports = (*api_server)->tcp_ports();
  if (auto listen = ParseListenAddress(config.metrics_listen); listen.ok() && listen->second != 0) {
    own_ports.push_back(listen->second);
  }
  for (uint16_t port : own_ports) {
    auto rule = plan::ParseProtectedRule("tcp:" + std::to_string(port));
    if (rule.ok()) manager_config.protected_rules.push_back(*rule);
  }
  manager_config.policy = config.policy;
  manager_config.guards = config.guards;
  for (const auto& rule : manager_config.protected_rules) {
    spdlog::info("protected from every fault: {}", plan::FormatProtectedRule(rule));
  }
  JournalLeaseStore store(*journal);
  NamespaceKernels kernels(**kernel);
  core::FaultManager manager(kernels, clock, caps, manager_config, core::RandomFaultId, &store);
  if (Status s = ReconcileAtStart(*journal, **kernel, kernels, manager, clock); !s.ok()) {
    spdlog::critical("cannot reconcile with the kernel: {}", s.message());
    return 1;
  }
  ExpiryTimer expiry(loop, manager);
  MemoryTrimmer trimmer(loop, manager);
  JournalCompactor compactor(loop, *journal, manager);
  NamespaceWatch namespace_watch(loop, manager);
  auto drift = DriftWatch::Start(loop, manager, (*kernel)->port_id());
  if (!drift.ok()) {
    spdlog::warn("drift watch unavailable, hand-made changes will be noticed only at rollback: {}",
                 drift.status().message());
  }
  api::FaultService service(loop, manager, {CHAOSNET_VERSION, KernelRelease(), clock.WallNow()},
                            (*api_server)->peers());
  api::Metrics metrics(manager);
  service.set_metrics(&metrics);
  metrics.set_open_streams([&service] { return service.open_streams(); });
  metrics.set_kernel_errors(netlink::KernelErrorCounts);
  ProgramTimer programs(loop, manager, [&metrics](std::chrono::nanoseconds lag) {
    metrics.CountProgramStep(std::chrono::duration<double>(lag).count());
  });
  GuardRunner guards(loop, manager, clock,
                     [&metrics](const char* result) { metrics.CountGuardCheck(result); });
  // Thousands of watchers gone leave their buffers in the heap: give them back.
  service.set_on_stream_done([&trimmer] { trimmer.Soon(); });
  std::unique_ptr<MetricsServer> metrics_server;
  if (!config.metrics_listen.empty()) {
    auto started = MetricsServer::Start(loop, config.metrics_listen, metrics);
    if (!started.ok()) {
      spdlog::critical("{}", started.status().message());
      return 1;
    }
    metrics_server = std::move(started).value();
    spdlog::info("metrics: http://{}/metrics", config.metrics_listen);
  }
  std::unique_ptr<api::AuditLog> audit;
  if (!config.audit_log_path.empty()) {
    auto opened = api::AuditLog::Open(config.audit_log_path, manager);
    if (!opened.ok()) {
      spdlog::critical("{}", opened.status().message());
      return 1;
    }
    audit = std::move(opened).value();
    service.set_audit_log(audit.get());
    spdlog::info("audit log: {}", config.audit_log_path);
  }

  grpc::EnableDefaultHealthCheckService(true);
  if (Status s = (*api_server)->Start({&service}); !s.ok()) {
    spdlog::critical("{}", s.message());
    return 1;
  }
  grpc::Server* server = &(*api_server)->server();
  spdlog::info("chaosnetd {} serving unix:{} (state {}, default ttl {}s, max ttl {}s)",
               CHAOSNET_VERSION, config.socket_path, config.state_dir,
               std::chrono::duration_cast<std::chrono::seconds>(config.default_ttl).count(),
               std::chrono::duration_cast<std::chrono::seconds>(config.max_ttl).count());

  std::thread server_stopper;
  boost::asio::signal_set signals(loop, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    spdlog::info("signal {}: rolling back {} fault(s) and stopping", signo, manager.active_count());
    sd_notify(0, "STOPPING=1");
    (*api_server)->StopAccepting();
    service.BeginShutdown();
    for (const auto& record : manager.RollbackAll("daemon shutdown")) {
      spdlog::info("fault {} on {} rolled back: {}", record.id, record.spec.interface,
                   core::FaultStateName(record.state));
    }
    // Every fault is rolled back and every stream finished: calls still in
    // flight are cancelled at once. The loop keeps running meanwhile, so a
    // handler already queued on it completes (with UNAVAILABLE).
    server_stopper = std::thread([&] {
      server->Shutdown(std::chrono::system_clock::now());
      boost::asio::post(loop, [&] { loop.stop(); });
    });
  });
  ::signal(SIGPIPE, SIG_IGN);
  sd_notify(0, "READY=1");
  SystemdWatchdog watchdog(loop);
  loop.run();
  if (server_stopper.joinable()) server_stopper.join();
  server->Wait();
  std::error_code ec;
  fs::remove(config.socket_path, ec);
  spdlog::info("chaosnetd stopped");
  return 0;
}

int RunCleanup() {
  auto kernel = netlink::NetlinkKernel::Open();
  if (!kernel.ok()) {
    spdlog::critical("cannot open netlink: {}", kernel.status().message());
    return 1;
  }
  auto scan = ScanOwnedObjects(**kernel, "");
  if (!scan.ok()) {
    spdlog::critical("cannot list chaosnet's objects: {}", scan.status().message());
    return 1;
  }
  int failures = 0;
  for (const auto& object : scan->objects) {
    Status s = RemoveOwnedObject(**kernel, object);
    if (s.ok() || s.code() == StatusCode::kNotFound) {
      spdlog::info("removed {}", DescribeOwnedObject(object));
    } else {
      ++failures;
      spdlog::error("cannot remove {}: {}", DescribeOwnedObject(object), s.message());
    }
  }
  for (const auto& [name, index] : scan->stray_ifbs) {
    Status s = (*kernel)->DeleteLink(index);
    if (s.ok() || s.code() == StatusCode::kNotFound) {
      spdlog::info("removed IFB device {}", name);
    } else {
      ++failures;
      spdlog::error("cannot remove IFB device {}: {}", name, s.message());
    }
  }
  spdlog::info("cleanup: {} chaosnet object(s) found, {} failure(s)",
               scan->objects.size() + scan->stray_ifbs.size(), failures);
  return failures == 0 ? 0 : 1;
}

}  // namespace chaosnet::app
