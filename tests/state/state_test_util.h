// Shared by the state tests: a lease with every field set, and a temporary
// directory that removes itself.
#pragma once

#include <arpa/inet.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "daemon/plan/qdisc_plan.h"
#include "daemon/state/stored_lease.h"

namespace chaosnet::state::testing {

using namespace std::chrono_literals;

// 2024-05-01T12:00:00Z, with nanoseconds so truncation to coarser units shows.
inline const WallTime kT0 = WallTime(std::chrono::seconds(1714564800)) + 123456789ns;

inline model::Cidr V4(const char* addr, uint8_t prefix) {
  model::Cidr c;
  c.family = AF_INET;
  inet_pton(AF_INET, addr, c.address.data());
  c.prefix_length = prefix;
  return c;
}

inline model::Cidr V6(const char* addr, uint8_t prefix) {
  model::Cidr c;
  c.family = AF_INET6;
  inet_pton(AF_INET6, addr, c.address.data());
  c.prefix_length = prefix;
  return c;
}

// Every field set, none to its default value.
inline StoredLease FullLease(const std::string& id = "a1b2c3d4e5f6") {
  StoredLease l;
  l.id = id;
  l.spec.interface = "veth-test0";
  l.spec.netns = "pid:4242";
  l.spec.direction = model::Direction::kBoth;
  l.spec.match.dst = V4("10.20.0.0", 16);
  l.spec.match.src = V6("2001:db8::", 32);
  l.spec.match.dport = model::PortRange{8000, 8100};
  l.spec.match.sport = model::PortRange{443, 443};
  l.spec.match.protocol = model::Protocol::kUdp;
  l.spec.delay = model::DelayFault{3000ms, 50ms, 25.5, model::DelayDistribution::kParetoNormal};
  l.spec.loss = model::ProbabilityFault{0.1, 12.5};
  l.spec.duplicate = model::ProbabilityFault{1.0 / 3.0, 2};
  l.spec.corrupt = model::ProbabilityFault{0.001, 0};
  l.spec.reorder = model::ReorderFault{25, 50, 5};
  l.spec.rate = model::RateFault{10'000'000'000ull};
  l.spec.partition = true;
  l.spec.queue_limit = 123456;
  l.labels = {{"team", "payments"}, {"run", "ci-77"}};
  l.owner = "uid:1000 (alice)";
  l.owner_identity = model::UidIdentity(1000);
  l.request_id = "req-9";
  l.interface = "veth-test0";
  l.ifindex = 17;
  l.qdiscs = {{plan::MakeHandle(0xCA01, 0), plan::kRootParent, "tbf"},
              {plan::MakeHandle(0xCA02, 0), plan::MakeHandle(0xCA01, 1), "netem"}};
  l.created_at = kT0;
  l.deadline = kT0 + 30s;
  l.state = LeaseState::kActive;
  return l;
}

// A minimal lease: just what the journal needs to tell leases apart.
inline StoredLease SmallLease(const std::string& id, int ifindex = 3) {
  StoredLease l;
  l.id = id;
  l.spec.interface = "eth" + std::to_string(ifindex);
  l.interface = l.spec.interface;
  l.ifindex = ifindex;
  l.qdiscs = {{plan::MakeHandle(0xCA00, 0), plan::kRootParent, "netem"}};
  l.created_at = kT0;
  l.deadline = kT0 + 60s;
  l.state = LeaseState::kActive;
  return l;
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "chaosnet-state-XXXXXX").string();
    const char* made = mkdtemp(tmpl.data());
    if (made == nullptr) std::abort();  // no temp space: nothing here can run
    path_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace chaosnet::state::testing
