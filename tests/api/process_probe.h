// What the load and hostile-client tests read about a running chaosnetd from
// outside: its pid (from the kernel's credentials of its listening socket),
// its memory and descriptors (/proc), and helpers for clients that each need a
// connection of their own, and for latency percentiles.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

namespace chaosnet::testing {

// The pid of the process listening on a Unix socket: SO_PEERCRED on a
// connected stream socket gives the credentials the listener had when it
// called listen(). The daemon accepts this connection and sees it close at
// once, like any client that goes away. -1 when it cannot connect.
inline pid_t ListenerPid(const std::string& socket_path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", socket_path.c_str());
  pid_t pid = -1;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    ucred cred{};
    socklen_t len = sizeof(cred);
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) pid = cred.pid;
  }
  ::close(fd);
  return pid;
}

// One field of /proc/PID/status in kB (VmRSS, VmHWM, Threads...); -1 if absent.
inline long ProcStatusField(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  }
  return -1;
}

inline double RssMiB(pid_t pid) { return ProcStatusField(pid, "VmRSS") / 1024.0; }
inline double PeakRssMiB(pid_t pid) { return ProcStatusField(pid, "VmHWM") / 1024.0; }

// Alive and not a zombie waiting for its parent (the test) to reap it.
inline bool ProcessAlive(pid_t pid) {
  if (pid <= 0 || ::kill(pid, 0) != 0) return false;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("State:", 0) == 0)
      return line.find('Z') == std::string::npos && line.find("X (dead)") == std::string::npos;
  }
  return false;
}

inline std::string ProcessName(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  std::getline(in, name);
  return name;
}

// Open descriptors of a process; -1 when it cannot be read.
inline int OpenFdCount(pid_t pid) {
  std::error_code ec;
  std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec);
  if (ec) return -1;
  int n = 0;
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    ++n;
  }
  return n;
}

// Raises this process's soft RLIMIT_NOFILE to the hard limit (thousands of
// client connections need more than the usual 1024); returns the new soft limit.
inline rlim_t RaiseOwnFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    ::getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur;
}

// A channel with a connection of its own: gRPC shares a subchannel (and so a
// connection) between channels with equal arguments; a local subchannel pool
// and a distinct argument make sure it does not. Reconnect backoff is short
// so that a connect refused by a full listen backlog is retried quickly.
inline std::shared_ptr<grpc::Channel> DistinctChannel(const std::string& address, int id,
                                                      grpc::ChannelArguments args = {}) {
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("chaosnet.test.connection_id", id);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

// Waits (generously) until a channel is connected; false on timeout.
inline bool WaitConnected(grpc::Channel& channel, std::chrono::seconds timeout) {
  return channel.WaitForConnected(std::chrono::system_clock::now() + timeout);
}

// The q-quantile (0..1) of samples in milliseconds, nearest rank; 0 if empty.
inline double Percentile(std::vector<double> samples, double q) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  std::size_t rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(samples.size())));
  if (rank > 0) --rank;
  return samples[std::min(rank, samples.size() - 1)];
}

inline double MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace chaosnet::testing
