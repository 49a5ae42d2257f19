// An in-memory kernel for core tests: interfaces by name, and per interface
// the tc objects of a fault tree (root, classes, leaves, filter priorities,
// ingress qdisc), with failures that tests inject. It enforces what the real
// kernel does that the core relies on: no duplicate objects, deleting a root
// takes its tree, deleting something absent is NOT_FOUND.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "daemon/kernel/kernel.h"

namespace chaosnet::testing {

class FakeKernel : public kernel::Kernel {
 public:
  struct Iface {
    kernel::RootQdisc root{"noqueue", 0, true};
    std::set<uint32_t> classes;
    std::map<uint32_t, uint32_t> leaves;                         // handle -> parent class
    std::set<std::tuple<uint32_t, uint16_t, uint16_t>> filters;  // parent, prio, protocol
    // The shared host classifier (plan/host_hash.h): tables, the tables
    // linked to, and nodes, by handle.
    std::set<uint32_t> hash_tables, links, nodes;
    bool ingress = false;
    std::string name;
    kernel::Counters counters;  // every class reports these, a leaf its drops
    // What the objects hold now, as added and then changed.
    std::map<uint32_t, plan::NetemQdisc> netem;  // leaf handle -> parameters
    std::map<uint32_t, uint64_t> class_rates;    // classid -> bytes/s
  };

  int AddInterface(const std::string& name) {
    int index = next_index_++;
    names_[name] = index;
    ifaces_[index] = Iface{};
    ifaces_[index].name = name;
    return index;
  }
  void RemoveInterface(const std::string& name) {
    ifaces_.erase(names_.at(name));
    names_.erase(name);
  }
  bool HasInterface(const std::string& name) const { return names_.contains(name); }
  Iface& iface(int index) { return ifaces_.at(index); }
  bool HasOwnedQdisc(int index) const {
    return ifaces_.contains(index) && plan::IsOwnedHandle(ifaces_.at(index).root.handle) &&
           !ifaces_.at(index).root.is_default;
  }
  // Simulates `tc qdisc del dev X root` done by hand.
  void DeleteByHand(int index) { ClearTree(ifaces_.at(index)); }

  Status next_apply_error;
  std::function<void()> before_apply;  // runs first in every AddObjects (may set the error)
  Status next_remove_error;
  Status next_change_error;
  int apply_calls = 0;                          // AddObjects calls
  std::vector<std::size_t> acked_first_counts;  // each AddObjects call's acked_first
  int change_calls = 0;                         // ChangeObjects calls
  int remove_calls = 0;                         // RemoveObjects calls
  int counter_reads = 0;                        // QdiscCounters and ClassCounters calls
  int interface_lookups = 0;                    // InterfaceIndex calls

  Result<int> InterfaceIndex(const std::string& name) override {
    ++interface_lookups;
    auto it = names_.find(name);
    if (it == names_.end()) return NotFound("no interface named " + name);
    return it->second;
  }
  Result<kernel::RootQdisc> GetRootQdisc(int ifindex) override {
    if (!ifaces_.contains(ifindex)) return NotFound("no such device");
    return ifaces_.at(ifindex).root;
  }
  Status RemoveRoot(int ifindex, uint32_t root_handle) override {
    if (!ifaces_.contains(ifindex)) return NotFound("no such device");
    auto& i = ifaces_.at(ifindex);
    if (i.root.is_default || i.root.handle != root_handle) return NotFound("no such qdisc");
    ClearTree(i);
    return Status::Ok();
  }
  using kernel::Kernel::QdiscCounters;
  Result<std::vector<kernel::Counters>> QdiscCounters(
      int ifindex, const std::vector<uint32_t>& handles) override {
    ++counter_reads;
    if (!ifaces_.contains(ifindex)) return NotFound("no such device");
    auto& i = ifaces_.at(ifindex);
    for (uint32_t h : handles) {
      if (!i.leaves.contains(h) && !(h == i.root.handle && !i.root.is_default)) {
        return NotFound("no such qdisc");
      }
    }
    return std::vector<kernel::Counters>(handles.size(), kernel::Counters{0, 0, i.counters.drops});
  }
  Result<std::vector<kernel::Counters>> ClassCounters(
      int ifindex, const std::vector<uint32_t>& classids) override {
    ++counter_reads;
    if (!ifaces_.contains(ifindex)) return NotFound("no such device");
    auto& i = ifaces_.at(ifindex);
    for (uint32_t c : classids) {
      if (!i.classes.contains(c)) return NotFound("no such class");
    }
    // As htb does: the class counts what its leaf dropped too.
    kernel::Counters c = i.counters;
    return std::vector<kernel::Counters>(classids.size(), c);
  }
  Result<std::optional<kernel::RootQdisc>> GetIngressQdisc(int ifindex) override {
    if (!ifaces_.contains(ifindex)) return NotFound("no such device");
    if (!ifaces_.at(ifindex).ingress) return std::optional<kernel::RootQdisc>();
    return std::optional<kernel::RootQdisc>(
        kernel::RootQdisc{"ingress", plan::kIngressHandle, false});
  }
  Result<int> CreateIfb(const std::string& name) override {
    if (names_.contains(name)) return AlreadyExists("link " + name + " exists");
    return AddInterface(name);
  }
  Status DeleteLink(int ifindex) override {
    if (!ifaces_.contains(ifindex)) return NotFound("no such device");
    names_.erase(ifaces_.at(ifindex).name);
    ifaces_.erase(ifindex);
    return Status::Ok();
  }

  using kernel::Kernel::AddObjects;
  Status AddObjects(int ifindex, const std::vector<plan::TcObject>& objects,
                    std::size_t acked_first) override {
    ++apply_calls;
    acked_first_counts.push_back(acked_first);
    if (before_apply) before_apply();
    if (!next_apply_error.ok()) return std::exchange(next_apply_error, Status::Ok());
    if (!ifaces_.contains(ifindex)) return NotFound("no such device");
    Iface before = ifaces_.at(ifindex);
    for (const auto& o : objects) {
      if (Status s = Add(ifaces_.at(ifindex), o); !s.ok()) {
        ifaces_.at(ifindex) = before;
        return s;
      }
    }
    return Status::Ok();
  }
  Status RemoveObjects(int ifindex, const std::vector<plan::TcObject>& objects) override {
    ++remove_calls;
    if (!next_remove_error.ok()) return std::exchange(next_remove_error, Status::Ok());
    if (!ifaces_.contains(ifindex)) return NotFound("no such device");
    Status result = Status::Ok();
    for (const auto& o : objects) {
      Status s = Remove(ifaces_.at(ifindex), o);
      if (!s.ok() && result.ok()) result = s;
    }
    return result;
  }
  int remove_each_calls = 0;  // RemoveEach calls (each a call of RemoveObjects per group)
  std::vector<Status> RemoveEach(int ifindex,
                                 const std::vector<std::vector<plan::TcObject>>& groups) override {
    ++remove_each_calls;
    return kernel::Kernel::RemoveEach(ifindex, groups);
  }
  // Records what changed: the netem parameters and class rates by handle.
  Status ChangeObjects(int ifindex, const std::vector<plan::TcObject>& objects) override {
    ++change_calls;
    if (!next_change_error.ok()) return std::exchange(next_change_error, Status::Ok());
    if (!ifaces_.contains(ifindex)) return NotFound("no such device");
    Iface& i = ifaces_.at(ifindex);
    for (const auto& o : objects) {
      if (const auto* c = std::get_if<plan::HtbClass>(&o)) {
        if (!i.classes.contains(c->classid)) return NotFound("no such class");
        i.class_rates[c->classid] = c->rate_bytes_per_second;
      } else if (const auto* q = std::get_if<plan::TreeQdisc>(&o);
                 q != nullptr && std::holds_alternative<plan::NetemQdisc>(q->params)) {
        if (!i.leaves.contains(q->handle)) return NotFound("no such qdisc");
        i.netem[q->handle] = std::get<plan::NetemQdisc>(q->params);
      } else {
        return InvalidArgument("only netem leaves and htb classes change in place");
      }
    }
    return Status::Ok();
  }
  kernel::Capabilities Probe() override { return {}; }
  // Jams: every release asked for, in order (ifindex, plug handle).
  std::vector<std::pair<int, uint32_t>> releases;
  Result<kernel::Counters> ReleaseHeld(int ifindex, const plan::TreeQdisc& plug,
                                       std::chrono::milliseconds) override {
    if (!ifaces_.contains(ifindex) || !ifaces_.at(ifindex).leaves.contains(plug.handle)) {
      return NotFound("no such qdisc");
    }
    releases.emplace_back(ifindex, plug.handle);
    return kernel::Counters{};
  }

 private:
  static void ClearTree(Iface& i) {
    i.root = {"noqueue", 0, true};
    i.classes.clear();
    i.leaves.clear();
    i.netem.clear();
    i.class_rates.clear();
    i.hash_tables.clear();
    i.links.clear();
    i.nodes.clear();
    std::erase_if(i.filters, [](const auto& f) { return std::get<0>(f) != plan::kIngressHandle; });
  }
  static Status Add(Iface& i, const plan::TcObject& o) {
    if (const auto* q = std::get_if<plan::TreeQdisc>(&o)) {
      if (std::holds_alternative<plan::IngressQdisc>(q->params)) {
        if (i.ingress) return AlreadyExists("ingress qdisc exists");
        i.ingress = true;
      } else if (q->parent == plan::kRootParent) {
        if (!i.root.is_default) return AlreadyExists("root qdisc exists");
        i.root = {"htb", q->handle, false};
      } else {
        if (!i.classes.contains(q->parent) || !i.leaves.emplace(q->handle, q->parent).second) {
          return Internal("bad leaf");
        }
        if (const auto* n = std::get_if<plan::NetemQdisc>(&q->params)) i.netem[q->handle] = *n;
      }
    } else if (const auto* c = std::get_if<plan::HtbClass>(&o)) {
      if (i.root.is_default || !i.classes.insert(c->classid).second) return Internal("bad class");
      i.class_rates[c->classid] = c->rate_bytes_per_second;
    } else if (const auto* f = std::get_if<plan::U32Classifier>(&o)) {
      if (i.root.is_default) return Internal("no root for filter");
      if (!i.filters.insert({f->parent, f->priority, static_cast<uint16_t>(f->protocol)}).second) {
        return AlreadyExists("filter prio exists");
      }
    } else if (const auto* r = std::get_if<plan::RedirectFilter>(&o)) {
      if (!i.ingress) return Internal("no ingress qdisc");
      i.filters.insert({r->parent, r->priority, 3});
    } else if (const auto* t = std::get_if<plan::U32HashTable>(&o)) {
      if (i.root.is_default) return Internal("no root for hash table");
      if (!i.hash_tables.insert(t->handle).second) return AlreadyExists("hash table exists");
    } else if (const auto* l = std::get_if<plan::U32HashLink>(&o)) {
      if (!i.hash_tables.contains(l->table)) return InvalidArgument("link to no table");
      if (!i.links.insert(l->table).second) return AlreadyExists("link exists");
    } else if (const auto* n = std::get_if<plan::U32Node>(&o)) {
      if (!i.hash_tables.contains(plan::U32HandleTable(n->handle))) {
        return InvalidArgument("node in no table");
      }
      if (!i.nodes.insert(n->handle).second) return AlreadyExists("node exists");
    }
    return Status::Ok();
  }
  static Status Remove(Iface& i, const plan::TcObject& o) {
    if (const auto* q = std::get_if<plan::TreeQdisc>(&o)) {
      if (std::holds_alternative<plan::IngressQdisc>(q->params)) {
        if (!i.ingress) return NotFound("no ingress qdisc");
        i.ingress = false;
        std::erase_if(i.filters,
                      [](const auto& f) { return std::get<0>(f) == plan::kIngressHandle; });
      } else if (q->parent == plan::kRootParent) {
        if (i.root.is_default || i.root.handle != q->handle) return NotFound("no root");
        ClearTree(i);
      } else if (i.leaves.erase(q->handle) == 0) {
        return NotFound("no leaf");
      } else {
        i.netem.erase(q->handle);
      }
    } else if (const auto* c = std::get_if<plan::HtbClass>(&o)) {
      if (i.classes.erase(c->classid) == 0) return NotFound("no class");
      i.class_rates.erase(c->classid);
      std::erase_if(i.leaves, [&](const auto& leaf) {
        if (leaf.second != c->classid) return false;
        i.netem.erase(leaf.first);
        return true;
      });
    } else if (const auto* f = std::get_if<plan::U32Classifier>(&o)) {
      if (i.filters.erase({f->parent, f->priority, static_cast<uint16_t>(f->protocol)}) == 0) {
        return NotFound("no filter");
      }
    } else if (const auto* n = std::get_if<plan::U32Node>(&o)) {
      if (i.nodes.erase(n->handle) == 0) return NotFound("no node");
    } else if (const auto* l = std::get_if<plan::U32HashLink>(&o)) {
      if (l->handle == 0) return Internal("a root link has no handle to delete it by");
      if (i.links.erase(l->table) == 0) return NotFound("no link");
    } else if (const auto* t = std::get_if<plan::U32HashTable>(&o)) {
      if (i.links.contains(t->handle)) return Internal("hash table in use");
      if (i.hash_tables.erase(t->handle) == 0) return NotFound("no hash table");
    }
    return Status::Ok();
  }

  std::map<std::string, int> names_;
  std::map<int, Iface> ifaces_;
  int next_index_ = 2;
};

}  // namespace chaosnet::testing
