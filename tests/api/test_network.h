// Two throwaway network namespaces (tests/support TestNetns) joined by a veth
// pair, for tests that need an interface to fault and traffic to measure:
//   a: veth "cn0" 10.77.<k>.1/24 fd00:77:<k>::1/64   b: "cn1" 10.77.<k>.2/24 ...::2/64
// Everything is deleted by the destructor, also when the test fails.
#pragma once

#include <memory>
#include <string>

#include "tests/support/run_command.h"
#include "tests/support/test_netns.h"

namespace chaosnet::testing {

class TestNetwork {
 public:
  TestNetwork();

  bool ok() const { return ok_; }
  const std::string& ns_a() const { return a_->name(); }
  const std::string& ns_b() const { return b_->name(); }
  std::string iface_a() const { return "cn0"; }
  const std::string& addr_b() const { return addr_b_; }

  // Runs a shell command inside namespace a (or b); returns its exit code
  // and appends its output (stdout and stderr) to *out when given.
  int InA(const std::string& command, std::string* out = nullptr) const;
  int InB(const std::string& command, std::string* out = nullptr) const;

 private:
  std::unique_ptr<TestNetns> a_, b_;
  std::string addr_b_;
  bool ok_ = false;
};

// `tc -j qdisc show dev IFACE` inside namespace ns.
std::string TcQdiscJson(const std::string& ns, const std::string& iface);

}  // namespace chaosnet::testing
