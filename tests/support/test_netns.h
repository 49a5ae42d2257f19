// Throwaway network namespaces for kernel tests. Everything a test configures
// lives inside one (named cn-test-<pid>-<n>), and the destructor deletes the
// namespace with every interface in it, also when an ASSERT ended the test.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace chaosnet::testing {

// Deletes the cn-test-<pid>-<n> namespaces whose maker process no longer
// exists (killed before its destructors ran). Returns their names. Create
// calls it once per process.
std::vector<std::string> RemoveOrphanedTestNamespaces();

class TestNetns {
 public:
  // Creates the namespace and brings its lo up. nullptr (and *error) when it
  // cannot, e.g. without root.
  static std::unique_ptr<TestNetns> Create(std::string* error = nullptr);
  ~TestNetns();
  TestNetns(const TestNetns&) = delete;
  TestNetns& operator=(const TestNetns&) = delete;

  const std::string& name() const { return name_; }
  std::string path() const { return "/run/netns/" + name_; }

  // Runs `command` inside the namespace (ip netns exec).
  std::string Exec(const std::string& command, int* exit_code = nullptr) const;

  // A veth pair: `local` in this namespace, `remote` in `peer` (or here too
  // when peer is null). Addresses are optional CIDRs ("10.9.0.1/24"). Both
  // ends come up. False, with *error, on failure.
  bool AddVeth(const std::string& local, const std::string& local_cidr, TestNetns* peer,
               const std::string& remote, const std::string& remote_cidr,
               std::string* error = nullptr);

 private:
  explicit TestNetns(std::string name) : name_(std::move(name)) {}
  std::string name_;
};

// The two ends of a veth pair between two namespaces, each with an optional
// address (a CIDR such as "10.9.0.1/24").
struct VethEnds {
  std::string local = "cnv0";
  std::string local_cidr;
  std::string remote = "cnv1";
  std::string remote_cidr;
};

// Two throwaway namespaces joined by a veth pair: ends.local in a,
// ends.remote in b, both up.
struct NetnsPair {
  std::unique_ptr<TestNetns> a, b;
};
// nullopt (and *error) when it cannot, e.g. without root.
std::optional<NetnsPair> CreateVethPair(const VethEnds& ends, std::string* error = nullptr);

// Moves the calling thread into a namespace for the object's lifetime, and
// back. Sockets opened meanwhile stay bound to that namespace.
class EnterNetns {
 public:
  explicit EnterNetns(const std::string& netns_path);
  ~EnterNetns();
  EnterNetns(const EnterNetns&) = delete;
  EnterNetns& operator=(const EnterNetns&) = delete;

  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }

 private:
  int original_fd_ = -1;
  bool ok_ = false;
  std::string error_;
};

}  // namespace chaosnet::testing
