// An in-memory kernel for core tests: interfaces by name, root qdiscs by
// ifindex, counters that tests set, and failures that tests inject.
#pragma once

#include <map>
#include <utility>
#include <string>
#include <vector>

#include "daemon/kernel/kernel.h"

namespace chaosnet::testing {

class FakeKernel : public kernel::Kernel {
 public:
  struct Iface {
    kernel::RootQdisc root{"noqueue", 0, true};
    plan::InterfacePlan applied;  // empty when nothing of ours is there
    kernel::Counters counters;
  };

  int AddInterface(const std::string& name) {
    int index = next_index_++;
    names_[name] = index;
    ifaces_[index] = Iface{};
    return index;
  }
  Iface& iface(int index) { return ifaces_.at(index); }
  bool HasOwnedQdisc(int index) const { return !ifaces_.at(index).applied.qdiscs.empty(); }
  // Simulates `tc qdisc del dev X root` done by hand.
  void DeleteByHand(int index) {
    ifaces_.at(index).applied = {};
    ifaces_.at(index).root = {"noqueue", 0, true};
  }

  Status next_apply_error;
  Status next_remove_error;
  int apply_calls = 0;
  int remove_calls = 0;

  Result<int> InterfaceIndex(const std::string& name) override {
    auto it = names_.find(name);
    if (it == names_.end()) return NotFound("no interface named " + name);
    return it->second;
  }
  Result<kernel::RootQdisc> GetRootQdisc(int ifindex) override { return ifaces_.at(ifindex).root; }
  Status Apply(int ifindex, const plan::InterfacePlan& plan) override {
    ++apply_calls;
    if (!next_apply_error.ok()) return std::exchange(next_apply_error, Status::Ok());
    auto& i = ifaces_.at(ifindex);
    i.applied = plan;
    i.root = {"netem", plan.root_handle(), false};
    return Status::Ok();
  }
  Status RemoveRoot(int ifindex, uint32_t root_handle) override {
    ++remove_calls;
    if (!next_remove_error.ok()) return std::exchange(next_remove_error, Status::Ok());
    auto& i = ifaces_.at(ifindex);
    if (i.applied.qdiscs.empty() || i.applied.root_handle() != root_handle) {
      return NotFound("no such qdisc");
    }
    DeleteByHand(ifindex);
    return Status::Ok();
  }
  using kernel::Kernel::QdiscCounters;
  // Tests set one set of counters per interface; every qdisc reports them.
  Result<std::vector<kernel::Counters>> QdiscCounters(
      int ifindex, const std::vector<uint32_t>& handles) override {
    auto& i = ifaces_.at(ifindex);
    if (i.applied.qdiscs.empty()) return NotFound("no such qdisc");
    return std::vector<kernel::Counters>(handles.size(), i.counters);
  }
  kernel::Capabilities Probe() override { return {}; }

 private:
  std::map<std::string, int> names_;
  std::map<int, Iface> ifaces_;
  int next_index_ = 2;
};

}  // namespace chaosnet::testing
