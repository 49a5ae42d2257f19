// The live set of faults on ONE device (an interface, or the IFB device of
// its ingress) and the tc objects each add or remove needs (layout:
// tc_objects.h). Pure bookkeeping: it plans, the caller applies the steps to
// the kernel and then records the outcome with Insert/Erase, so a failed
// apply leaves the tree as it was.
//
// The overlap rule: a packet is affected by at most one fault.
// - Targeted faults (with a match) on one device must not overlap each other
//   (MatchesOverlap): u32 would silently give the shared packets to the one
//   with the lower priority, and "delay 100ms to 10/8" plus "loss 5% to
//   10.1/16" would not compose the way a user expects. Refused with
//   FAILED_PRECONDITION naming the fault in the way.
// - At most one whole-interface fault per device.
// - A whole-interface fault and targeted faults coexist: targeted filters
//   have lower priorities (1000+ linear, 0xFF00 the shared host classifier),
//   so they win for their packets; the whole-interface fault's catch-all
//   (0xFFF0) gets the rest.
// - Since targeted faults never overlap, their order does not matter, which
//   is what lets host faults share one hash table in any order.
// The check is indexed: a host fault is compared with the host faults at its
// address and the linear targeted ones, a destination CIDR with the host
// faults inside it (a range of the ordered index), so 10,000 creates on one
// device stay cheap.
// - Protected traffic (priorities 1..99) is never affected.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"
#include "daemon/model/fault_spec.h"
#include "daemon/plan/host_hash.h"
#include "daemon/plan/protected_traffic.h"
#include "daemon/plan/tc_objects.h"

namespace chaosnet::plan {

// Slots number a device's faults: class ca00:<slot>, leaf <0x1000+slot>:,
// linear filter priorities 1000+2*slot / 1001+2*slot. At 10,000 slots every
// id space still fits: class minors (16 bits), leaf majors 0x1001..0x3710
// (below the owned range ca00:..caff:), linear priorities up to 21001
// (below the host classifier's 0xFF00).
//
// Faults whose destination is one host (host_hash.h) share one u32
// classifier per family: their rules are nodes of a hash table, so the
// per-packet cost does not grow with their number. The others (CIDRs,
// address sets, ports only, exemptions) each get a classifier of their own
// at their slot's priority ("linear"), walked one after another.
//
// The kernel's ceiling, per qdisc: every u32 classifier (one tc "tp" = one
// priority+protocol) gets a root hash table whose id comes from a per-qdisc
// allocator limited to 0x7FF (net/sched/cls_u32.c, gen_new_htid:
// idr_alloc_cyclic(..., 1, 0x7FF)). Measured on the 6.18 host: the 2048th
// classifier on one htb is refused, misleadingly, with "Filter already
// exists" (EEXIST). A linear fault without a CIDR uses two classifiers (IPv4
// and IPv6), the host classifier one per family in use; both the slots and
// this budget are checked, both answer RESOURCE_EXHAUSTED. The host tables'
// ids (4:, 6:) are below 0x800 and do not take from that allocator.
// Address sets (dst_cidrs, src_cidrs) and exemptions change nothing here:
// they are more rules (u32 nodes) in the same one or two classifiers, bounded
// per classifier by kMaxRulesPerFamily + kMaxExemptionRulesPerFamily (384),
// far below the kernel's 4095 nodes per u32 hash table bucket (node ids
// 0x800..0xfff first, then 0x001..0x7ff). A host fault whose bucket has no
// room for its nodes (4095 nodes share an address's last two bytes) is placed
// linearly instead.
inline constexpr uint16_t kMaxFaultsPerDevice = 10000;
inline constexpr size_t kMaxU32ClassifiersPerQdisc = 2047;

inline constexpr uint16_t kLeafMajorBase = 0x1000;
inline constexpr uint16_t kTargetedPriorityBase = 1000;
inline constexpr uint16_t kWholeInterfacePriority = 0xFFF0;  // IPv6: +1

constexpr uint32_t FaultClassId(uint16_t slot) { return MakeHandle(kOwnedMajorFirst, slot); }
constexpr uint32_t FaultLeafHandle(uint16_t slot) {
  return MakeHandle(static_cast<uint16_t>(kLeafMajorBase + slot), 0);
}
// The IPv4 priority of a targeted fault; its IPv6 classifier is at +1.
constexpr uint16_t TargetedPriority(uint16_t slot) {
  return static_cast<uint16_t>(kTargetedPriorityBase + 2 * slot);
}

// ---- the htb class of a fault ----------------------------------------------
// With a rate fault the class is the bandwidth limit: rate = ceil = the rate,
// burst = cburst sized like tbf's (TbfForRate: 10 ms of traffic, at least two
// full frames).
// Without one the class must not shape at all. htb has no "unlimited", so it
// gets kUnlimitedBitsPerSecond, 100 Gbit/s, faster than any link a test host
// puts a fault on, with TbfForRate's burst for that rate (10 ms = 125 MB of
// credit): a bucket that large never runs dry between two dequeues, so htb
// never throttles the class. (A small burst at a huge rate would: htb refills
// tokens only when it dequeues, and a bucket worth nanoseconds empties after
// one packet.)
// Quantum: htb derives it as rate / r2q and warns "quantum of class is big"
// above 200000 bytes (it would be 1.25 GB at 100 Gbit). It only decides how
// htb interleaves sibling classes that may all send at once; our classes are
// independent roots that never borrow, so one full Ethernet frame gives fair
// packet-by-packet interleaving and no warning, for every class alike.
inline constexpr uint64_t kUnlimitedBitsPerSecond = 100'000'000'000ULL;
inline constexpr uint32_t kFaultClassQuantumBytes = 1514;

HtbClass FaultClass(const model::FaultSpec& spec, uint16_t slot);

// ---- the root ---------------------------------------------------------------
// direct_qlen: htb queues "direct" (unclassified and protected) packets in its
// own fifo, as long as the device's txqueuelen by default. An IFB device has
// only 32, which would make protected traffic the first to be dropped under
// load; 1000 is the length of the pfifo_fast/fq_codel default root most
// interfaces had before the fault.
inline constexpr uint32_t kRootDirectQueueLength = 1000;

TreeQdisc RootQdisc();

struct FaultObjects {
  uint16_t slot = 0;
  HtbClass cls;
  std::optional<TreeQdisc> leaf;       // netem, when the spec needs one
  std::vector<U32Classifier> filters;  // IPv4 first, then IPv6 (linear faults)
  std::vector<U32Node> nodes;          // in the host classifier (host faults)
  bool operator==(const FaultObjects&) const = default;
};

class InterfaceTree {
 public:
  // protected_rules as accepted by ParseProtectedRule; if they cannot be
  // compiled after all, every PlanFault answers with that error.
  explicit InterfaceTree(std::vector<ProtectedRule> protected_rules, std::string device_name);

  // Checks the overlap rule and the capacity, picks the lowest free slot.
  // Does not change the tree. ALREADY_EXISTS for a fault id already here,
  // INVALID_ARGUMENT for a match that cannot be compiled,
  // FAILED_PRECONDITION for an overlap, RESOURCE_EXHAUSTED when full.
  Result<FaultObjects> PlanFault(const std::string& fault_id, const model::FaultSpec& spec) const;

  // The same, in a given slot: re-arming a fault after a restart must find
  // the objects it created before under the same handles and priorities.
  // FAILED_PRECONDITION if the slot is taken, INVALID_ARGUMENT if out of range.
  Result<FaultObjects> PlanFaultInSlot(const std::string& fault_id, const model::FaultSpec& spec,
                                       uint16_t slot) const;

  // What to create, parents first: when the tree is empty the root htb and
  // the protected classifiers, then the class, its leaf, and last the
  // filters, so that no packet is steered to a class before it exists. A host
  // fault's nodes: the family's hash table first if it has none yet, then
  // the nodes, then the table's link (last, so a failed add never has to
  // take a link back: host_hash.h).
  std::vector<TcObject> AddSteps(const FaultObjects& objects) const;

  // Records a fault whose AddSteps were applied.
  void Insert(const std::string& fault_id, const model::FaultSpec& spec, FaultObjects objects);

  // What to delete: the fault's filters or nodes (so packets stop going to
  // the class), then its class (which takes its leaf with it). For the last fault, just
  // the root qdisc: deleting it removes everything below, and the device gets
  // its default qdisc back. Empty for an unknown id.
  std::vector<TcObject> RemoveSteps(const std::string& fault_id) const;

  // Forgets a fault whose RemoveSteps were applied (or that the kernel lost).
  void Erase(const std::string& fault_id);

  const FaultObjects* Find(const std::string& fault_id) const;
  bool empty() const { return faults_.empty(); }
  size_t size() const { return faults_.size(); }
  const std::string& device_name() const { return device_name_; }

  // The root htb and the protected classifiers.
  std::vector<TcObject> RootSteps() const;

 private:
  struct Entry {
    model::FaultSpec spec;
    FaultObjects objects;
  };
  // A host address as an ordered key: family, then the address bytes.
  using HostKey = std::pair<int, std::array<uint8_t, 16>>;

  Status CheckIdentity(const std::string& fault_id) const;
  Status CheckOverlap(const model::FaultSpec& spec) const;
  Status CheckClassifierBudget(const FaultObjects& objects) const;
  Result<FaultObjects> Build(const model::FaultSpec& spec, uint16_t slot) const;
  bool BuildHostNodes(const model::FaultSpec& spec, const model::Cidr& host,
                      FaultObjects& objects) const;
  std::optional<uint16_t> LowestFreeSlot() const;
  Status OverlapError(const std::string& id) const;
  bool HostClassifierLive(IpFamily family) const { return host_live_[Index(family)]; }
  static size_t Index(IpFamily family) { return family == IpFamily::kIpv6 ? 1 : 0; }

  std::string device_name_;
  Status protected_status_;
  std::vector<U32Classifier> protected_classifiers_;
  std::map<std::string, Entry> faults_;
  std::vector<bool> slot_used_;  // index = slot; [0] unused
  std::optional<std::string> whole_interface_fault_;
  size_t fault_classifiers_ = 0;  // u32 tps of the linear faults
  // The overlap check's index: the host faults by their address, and the
  // other targeted faults (every one of which is compared).
  std::map<HostKey, std::set<std::string>> host_index_;
  std::set<std::string> linear_targeted_;
  // Node ids in use per bucket (key: table:bucket handle), and whether each
  // family's level-1 table and link exist: from its first host fault until
  // the root goes (with the tree's last fault); level-2 tables likewise.
  std::map<uint32_t, std::set<uint32_t>> bucket_nodes_;
  std::set<uint32_t> level2_live_;  // level-2 tables made (handles); they stay too
  std::array<bool, 2> host_live_{};
};

}  // namespace chaosnet::plan
