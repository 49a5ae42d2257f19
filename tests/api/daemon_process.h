// A real chaosnetd process for API tests: started inside a network namespace
// the test owns, on a socket in a private temp directory, stopped (and reaped)
// by the destructor even when the test fails.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "chaosnet/v1/chaosnet.grpc.pb.h"
#include "tests/support/test_env.h"

namespace chaosnet::testing {

class DaemonProcess {
 public:
  // netns: name under /run/netns ("" = the test's own namespace).
  // state_dir: "" = a fresh one in the private temp directory; a daemon
  // restarted on the same state_dir finds its predecessor's leases (the
  // caller owns and removes such a directory).
  explicit DaemonProcess(std::string netns, std::vector<std::string> extra_args = {},
                         std::string state_dir = "");
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  // Waits until the health service answers SERVING; false on timeout or exit.
  bool WaitReady();
  // Sends a signal and waits for the exit; returns the exit status (or -1).
  int StopWith(int signo);
  bool running() const { return pid_ > 0; }

  const std::string& socket_path() const { return socket_path_; }
  const std::string& state_dir() const { return state_dir_; }
  std::string server_address() const { return "unix:" + socket_path_; }
  const std::string& log_path() const { return log_path_; }
  std::string ReadLog() const;

  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  // Valid after WaitReady() returned true.
  std::unique_ptr<v1::FaultService::Stub> NewStub() const;

 private:
  std::string dir_;
  std::string socket_path_;
  std::string log_path_;
  std::string state_dir_;
  pid_t pid_ = -1;
  std::shared_ptr<grpc::Channel> channel_;
};

// A stream connection to the Unix socket at `path`: its descriptor, or -1.
int ConnectUnixSocket(const std::string& path);

}  // namespace chaosnet::testing
