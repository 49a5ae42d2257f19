#include "tests/client/ctl_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/test_env.h"

extern char** environ;

namespace chaosnet::client::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> ChildEnvironment(const std::vector<std::string>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    std::string name = entry.substr(0, entry.find('='));
    bool replaced = name == "CHAOSNET_SERVER" || name.starts_with("CHAOSNET_TLS_") ||
                    name == "GRPC_VERBOSITY" || name == "GRPC_TRACE";
    for (const auto& o : overrides) replaced |= o.substr(0, o.find('=')) == name;
    if (!replaced) env.push_back(entry);
  }
  env.insert(env.end(), overrides.begin(), overrides.end());
  return env;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> p;
  for (auto& s : strings) p.push_back(s.data());
  p.push_back(nullptr);
  return p;
}

}  // namespace

CtlProcess::CtlProcess(const std::vector<std::string>& args, const std::vector<std::string>& env,
                       const std::string& dir) {
  static std::atomic<int> counter{0};
  int n = counter++;
  out_path_ = dir + "/out." + std::to_string(n);
  err_path_ = dir + "/err." + std::to_string(n);

  // Everything the child needs is prepared before fork(): the parent has gRPC
  // threads, so the child may only make async-signal-safe calls before exec.
  std::vector<std::string> argv_strings = args;
  argv_strings.insert(argv_strings.begin(), chaosnet::testing::BinaryPath("chaosnetctl"));
  std::vector<std::string> env_strings = ChildEnvironment(env);
  auto argv = Pointers(argv_strings);
  auto envp = Pointers(env_strings);
  std::string binary = argv_strings[0];

  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int out = open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out < 0 || err < 0) _exit(126);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    execve(binary.c_str(), argv.data(), envp.data());
    _exit(127);
  }
}

CtlProcess::~CtlProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

bool CtlProcess::WaitForOutput(const std::string& text, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ReadFile(out_path_).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

void CtlProcess::Signal(int signal) {
  if (pid_ > 0) kill(pid_, signal);
}

CtlResult CtlProcess::Wait(std::chrono::milliseconds timeout) {
  CtlResult result;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  pid_t done = 0;
  while ((done = waitpid(pid_, &status, WNOHANG)) == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (done == pid_) {
    pid_ = -1;
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  }  // else: the destructor kills it; exit_code stays -1
  result.out = ReadFile(out_path_);
  result.err = ReadFile(err_path_);
  return result;
}

CtlResult RunCtl(const std::vector<std::string>& args, const std::string& dir,
                 const std::vector<std::string>& env) {
  CtlProcess process(args, env, dir);
  return process.Wait();
}

}  // namespace chaosnet::client::testing
