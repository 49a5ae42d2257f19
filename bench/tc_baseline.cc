#include "bench/tc_baseline.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "bench/bench_client.h"
#include "bench/bench_stats.h"

extern char** environ;

namespace chaosnet::bench {

double TimedRun(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  auto start = Clock::now();
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot run " + argv[0] + ": " + std::strerror(rc));
  int status = 0;
  waitpid(pid, &status, 0);
  double us = MicrosSince(start);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string line;
    for (const auto& a : argv) line += a + " ";
    throw std::runtime_error("failed: " + line);
  }
  return us;
}

std::vector<std::vector<std::string>> TcApplyCommands(const std::string& iface) {
  return {{"qdisc", "add", "dev", iface, "root", "handle", "ca00:", "htb", "default", "0"},
          {"class", "add", "dev", iface, "parent", "ca00:", "classid", "ca00:1", "htb", "rate",
           "100mbit", "quantum", "1514"}};
}

std::vector<std::string> TcRevokeCommand(const std::string& iface) {
  return {"qdisc", "del", "dev", iface, "root"};
}

std::vector<std::string> TcIn(const std::string& netns, bool through_ip_netns_exec) {
  if (through_ip_netns_exec) return {"ip", "netns", "exec", netns, "tc"};
  return {"tc", "-n", netns};
}

namespace {

// A temporary file holding `lines` (one tc command each); its path.
std::string WriteBatchFile(const std::vector<std::string>& lines) {
  char path[] = "/tmp/chaosnet-bench-batch-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  close(fd);
  std::ofstream out(path);
  for (const auto& line : lines) out << line << "\n";
  return path;
}

}  // namespace

double TcBatchTargetedFaults(const std::string& netns, const std::vector<std::string>& ifaces,
                             int faults, int per_iface) {
  std::vector<std::string> create, remove;
  char hex[16];
  for (int i = 0; i < faults; ++i) {
    const std::string& dev = ifaces[i / per_iface];
    const int slot = i % per_iface + 1;
    std::snprintf(hex, sizeof(hex), "%x", slot);
    if (slot == 1) {
      create.push_back("qdisc add dev " + dev + " root handle ca00: htb");
      remove.push_back("qdisc del dev " + dev + " root");
    }
    create.push_back("class add dev " + dev + " parent ca00: classid ca00:" + hex +
                     " htb rate 100mbit");
    create.push_back("filter add dev " + dev + " parent ca00: prio " +
                     std::to_string(1000 + 2 * slot) + " protocol ip u32 match ip dst " +
                     TargetAddress(i) + "/32 flowid ca00:" + hex);
  }
  const std::string create_path = WriteBatchFile(create);
  const std::string remove_path = WriteBatchFile(remove);
  const double us = TimedRun({"tc", "-n", netns, "-batch", create_path});
  TimedRun({"tc", "-n", netns, "-batch", remove_path});
  unlink(create_path.c_str());
  unlink(remove_path.c_str());
  return us;
}

double TcBatchPerApplyRevoke(const std::string& netns, const std::string& iface, int count) {
  char path[] = "/tmp/chaosnet-bench-batch-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  close(fd);
  {
    std::ofstream out(path);
    auto line = [&](const std::vector<std::string>& words) {
      for (std::size_t i = 0; i < words.size(); ++i) out << (i ? " " : "") << words[i];
      out << "\n";
    };
    for (int i = 0; i < count; ++i) {
      for (const auto& c : TcApplyCommands(iface)) line(c);
      line(TcRevokeCommand(iface));
    }
  }
  double us = TimedRun({"tc", "-n", netns, "-batch", path});
  unlink(path);
  return us / count;
}

}  // namespace chaosnet::bench
