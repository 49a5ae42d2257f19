#include "client/run_command.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <set>

#include "client/format.h"
#include "client/rpc.h"

extern char** environ;

namespace chaosnet::client {
namespace {

// The child, for the signal forwarder. A signal handler may only touch this.
volatile sig_atomic_t g_child = 0;

// A signal sent to chaosnetctl alone (kill, a supervisor stopping it) goes on
// to the command, so that the command ends and the fault with it. One typed
// at the terminal (Ctrl-C) already reached the whole foreground group, the
// command included; forwarding it would deliver it twice.
void ForwardToChild(int signo, siginfo_t* info, void*) {
  if (info != nullptr && info->si_code == SI_KERNEL) return;
  if (g_child > 0) ::kill(static_cast<pid_t>(g_child), signo);
}

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

class SignalForwarding {
 public:
  SignalForwarding() {
    struct sigaction action {};
    action.sa_sigaction = ForwardToChild;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&action.sa_mask);
    for (std::size_t i = 0; i < std::size(kForwarded); ++i) {
      ::sigaction(kForwarded[i], &action, &saved_[i]);
    }
  }
  ~SignalForwarding() {
    for (std::size_t i = 0; i < std::size(kForwarded); ++i) {
      ::sigaction(kForwarded[i], &saved_[i], nullptr);
    }
    g_child = 0;
  }

 private:
  struct sigaction saved_[std::size(kForwarded)]{};
};

struct Spawned {
  pid_t pid = -1;
  int error = 0;  // errno of a failed spawn (ENOENT: no such command)
};

// posix_spawn, not fork: gRPC's threads are running, and the child gets
// default signal dispositions and an empty mask whatever chaosnetctl set.
Spawned Spawn(const std::vector<std::string>& command) {
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults, empty;
  sigemptyset(&defaults);
  for (int signo : kForwarded) sigaddset(&defaults, signo);
  sigaddset(&defaults, SIGPIPE);
  sigemptyset(&empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  std::vector<char*> argv;
  for (const auto& a : command) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  Spawned spawned;
  spawned.error = ::posix_spawnp(&spawned.pid, argv[0], nullptr, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  if (spawned.error != 0) spawned.pid = -1;
  return spawned;
}

int WaitFor(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return status;
}

std::string Quoted(const std::vector<std::string>& command) {
  std::string text;
  for (const auto& a : command) {
    if (!text.empty()) text += ' ';
    text += a.find_first_of(" \t'\"") == std::string::npos ? a : "'" + a + "'";
  }
  return text;
}

std::string Seconds(std::chrono::steady_clock::duration d) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2fs", std::chrono::duration<double>(d).count());
  return buf;
}

}  // namespace

int ShellExitStatus(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return kExitServerError;
}

Outcome RunForwardingSignals(const std::vector<std::string>& command) {
  SignalForwarding forwarding;
  Spawned child = Spawn(command);
  if (child.pid < 0) {
    return {child.error == ENOENT ? 127 : 126,
            "cannot run " + command.front() + ": " + std::strerror(child.error)};
  }
  g_child = child.pid;
  int wait_status = WaitFor(child.pid);
  if (wait_status < 0) return {kExitServerError, "lost track of the command"};
  return {ShellExitStatus(wait_status), ""};
}

Outcome RunHoldingFault(const Settings& settings, const TlsPem& pem,
                        const v1::CreateFaultRequest& request,
                        const std::vector<std::string>& command, bool halt_kills,
                        std::ostream& err) {
  FaultClient client(settings, pem);
  v1::CreateFaultResponse created;
  if (Outcome o = client.CreateFault(request, &created); !o.ok()) return o;
  const v1::Fault& fault = created.fault();
  const std::string id = fault.id();
  std::mutex err_mu;
  auto say = [&](const std::string& line) {
    std::lock_guard lock(err_mu);
    err << "chaosnetctl: " << line << std::endl;
  };

  std::set<std::string> reported;
  auto on_update = [&](const v1::KeepAliveResponse& update) {
    for (const auto& f : update.faults()) {
      if (f.state() == v1::FAULT_STATE_ACTIVE || !reported.insert(f.id()).second) continue;
      const bool halted = f.state() == v1::FAULT_STATE_HALTED;
      say((halted ? "fault " + f.id() + " halted by a guard before the command ended"
                  : "warning: fault " + f.id() +
                        " ended before the command did: " + StateName(f.state())) +
          (f.state_reason().empty() ? "" : " (" + f.state_reason() + ")") +
          (halted && halt_kills ? "; sending the command SIGTERM (--halt-kills)" : ""));
      if (halted && halt_kills && g_child > 0) ::kill(static_cast<pid_t>(g_child), SIGTERM);
    }
  };

  Outcome command_outcome;
  auto started = std::chrono::steady_clock::now();
  std::string stream_end;
  Outcome held = client.HoldWhile(
      id, on_update,
      [&] {
        say("fault " + id + " applied: " + FaultSummary(fault.spec()) + " on " +
            TargetSummary(fault.spec()) + "; held while " + Quoted(command) + " runs");
        started = std::chrono::steady_clock::now();
        command_outcome = RunForwardingSignals(command);
      },
      &stream_end);
  const auto held_for = std::chrono::steady_clock::now() - started;

  if (!held.ok()) {
    // Never bound (an old daemon, the stream refused): take the fault back.
    v1::RevokeFaultRequest revoke;
    revoke.set_id(id);
    v1::Fault revoked;
    client.RevokeFault(revoke, &revoked);
    held.message = "cannot hold fault " + id + " (rolled back): " + held.message;
    return held;
  }
  if (!stream_end.empty()) say("warning: the fault was not held to the end: " + stream_end);

  v1::GetFaultRequest get;
  get.set_id(id);
  v1::Fault final_state;
  if (client.GetFault(get, &final_state).ok()) {
    say("fault " + id + " rolled back after " + Seconds(held_for) + ": " +
        StateName(final_state.state()));
  }
  return command_outcome;
}

}  // namespace chaosnet::client
