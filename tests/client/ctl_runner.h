// Runs the real chaosnetctl binary (tests/support BinaryPath) as a child process,
// with stdout and stderr captured separately.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace chaosnet::client::testing {

struct CtlResult {
  int exit_code = -1;  // -1: did not exit normally (signal or timeout)
  std::string out;
  std::string err;
};

class CtlProcess {
 public:
  // `env` adds or replaces "NAME=value" entries; CHAOSNET_SERVER, the
  // CHAOSNET_TLS_* variables and gRPC's logging switches are removed from the
  // inherited environment so the caller's shell cannot leak in.
  // Output files go into `dir`.
  CtlProcess(const std::vector<std::string>& args, const std::vector<std::string>& env,
             const std::string& dir);
  ~CtlProcess();

  // Polls the captured stdout until it contains `text`; false on timeout or exit.
  bool WaitForOutput(const std::string& text, std::chrono::milliseconds timeout);
  void Signal(int signal);
  CtlResult Wait(std::chrono::milliseconds timeout = std::chrono::seconds(20));

 private:
  pid_t pid_ = -1;
  std::string out_path_;
  std::string err_path_;
};

CtlResult RunCtl(const std::vector<std::string>& args, const std::string& dir,
                 const std::vector<std::string>& env = {});

}  // namespace chaosnet::client::testing
