// Two throwaway network namespaces joined by a veth pair, for tests that need
// an interface to fault and traffic to measure:
//   <name>-a: veth "cn0" 10.77.<k>.1/24     <name>-b: veth "cn1" 10.77.<k>.2/24
// Everything is deleted by the destructor, also when the test fails.
#pragma once

#include <string>

namespace chaosnet::testing {

class TestNetwork {
 public:
  TestNetwork();
  ~TestNetwork();
  TestNetwork(const TestNetwork&) = delete;
  TestNetwork& operator=(const TestNetwork&) = delete;

  bool ok() const { return ok_; }
  const std::string& ns_a() const { return ns_a_; }
  const std::string& ns_b() const { return ns_b_; }
  std::string iface_a() const { return "cn0"; }
  const std::string& addr_b() const { return addr_b_; }

  // Runs a shell command inside namespace a (or b); returns its exit code
  // and appends its stdout to *out when given.
  int InA(const std::string& command, std::string* out = nullptr) const;
  int InB(const std::string& command, std::string* out = nullptr) const;

 private:
  std::string ns_a_, ns_b_, addr_b_;
  bool ok_ = false;
};

// Runs a shell command; returns the exit code and appends stdout to *out.
int Shell(const std::string& command, std::string* out = nullptr);

// `tc -j qdisc show dev IFACE` inside namespace ns.
std::string TcQdiscJson(const std::string& ns, const std::string& iface);

// True when the euid is 0 (kernel tests need it).
bool IsRoot();

}  // namespace chaosnet::testing
