#include "tests/api/daemon_process.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "health.grpc.pb.h"

namespace chaosnet::testing {
namespace {

// Polls waitpid for up to `timeout`; returns the status or -1.
int WaitForExit(pid_t pid, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

}  // namespace

int ConnectUnixSocket(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path.c_str());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

DaemonProcess::DaemonProcess(std::string netns, std::vector<std::string> extra_args,
                             std::string state_dir) {
  char tmpl[] = "/tmp/chaosnetd-test-XXXXXX";
  dir_ = ::mkdtemp(tmpl);
  socket_path_ = dir_ + "/chaosnetd.sock";
  log_path_ = dir_ + "/chaosnetd.log";
  if (state_dir.empty()) state_dir = dir_ + "/state";
  state_dir_ = state_dir;

  std::vector<std::string> args;
  if (!netns.empty()) args = {"/usr/bin/env", "ip", "netns", "exec", netns};
  args.push_back(BinaryPath("chaosnetd"));
  args.insert(args.end(),
              {"--socket", socket_path_, "--state-dir", state_dir, "--log-level", "debug"});
  args.insert(args.end(), extra_args.begin(), extra_args.end());

  pid_ = ::fork();
  if (pid_ == 0) {
    FILE* log = std::fopen(log_path_.c_str(), "w");
    if (log != nullptr) {
      ::dup2(::fileno(log), STDOUT_FILENO);
      ::dup2(::fileno(log), STDERR_FILENO);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    _exit(127);
  }
}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    if (WaitForExit(pid_, std::chrono::seconds(10)) == -1) {
      ::kill(pid_, SIGKILL);
      WaitForExit(pid_, std::chrono::seconds(5));
    }
  }
  std::string cmd = "rm -rf '" + dir_ + "'";
  [[maybe_unused]] int rc = std::system(cmd.c_str());
}

bool DaemonProcess::WaitReady() {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < until) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    // Connect only once the daemon listens: a channel whose first connect
    // failed backs off for seconds before it tries again.
    if (::access(socket_path_.c_str(), F_OK) == 0) {
      if (!channel_) {
        channel_ = grpc::CreateChannel(server_address(), grpc::InsecureChannelCredentials());
      }
      auto stub = grpc::health::v1::Health::NewStub(channel_);
      grpc::ClientContext ctx;
      ctx.set_wait_for_ready(true);
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
      grpc::health::v1::HealthCheckRequest req;
      grpc::health::v1::HealthCheckResponse resp;
      if (stub->Check(&ctx, req, &resp).ok() &&
          resp.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
        return true;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

int DaemonProcess::StopWith(int signo) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signo);
  int status = WaitForExit(pid_, std::chrono::seconds(15));
  if (status != -1) pid_ = -1;
  return status;
}

std::string DaemonProcess::ReadLog() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::unique_ptr<v1::FaultService::Stub> DaemonProcess::NewStub() const {
  return v1::FaultService::NewStub(channel_);
}

}  // namespace chaosnet::testing
