// CreateMany and RevokeMany (issue 19, batches) on the fake kernel: all or
// nothing, request ids per item, one store write per phase, revokes by id.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/core/fault_manager.h"
#include "tests/core/fake_clock.h"
#include "tests/core/fake_kernel.h"
#include "tests/core/test_callers.h"

namespace chaosnet::core {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using testing::FakeClock;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::LocalUser;
using testing::Root;

// Counts the store's writes: a batch must cost one per phase, not one per fault.
class CountingStore : public LeaseStore {
 public:
  Status Put(const state::StoredLease& lease) override {
    log.push_back("put " + lease.id);
    leases[lease.id] = lease;
    return Status::Ok();
  }
  Status Remove(const std::string& id) override {
    log.push_back("remove " + id);
    leases.erase(id);
    return Status::Ok();
  }
  Status PutMany(const std::vector<state::StoredLease>& batch) override {
    log.push_back("put-many " + std::to_string(batch.size()) + " " +
                  state::LeaseStateName(batch.front().state));
    if (!next_error.ok()) return std::exchange(next_error, Status::Ok());
    for (const auto& lease : batch) leases[lease.id] = lease;
    return Status::Ok();
  }
  Status RemoveMany(const std::vector<std::string>& ids) override {
    log.push_back("remove-many " + std::to_string(ids.size()));
    for (const auto& id : ids) leases.erase(id);
    return Status::Ok();
  }
  Status next_error;
  std::vector<std::string> log;
  std::map<std::string, state::StoredLease> leases;
};

model::Cidr Host(uint8_t last) { return model::Cidr{2, {10, 0, 0, last}, 32}; }

model::FaultSpec DelayTo(const std::string& iface, uint8_t last,
                         std::chrono::nanoseconds d = 10ms) {
  model::FaultSpec spec;
  spec.interface = iface;
  spec.delay = model::DelayFault{d};
  spec.match.dst = Host(last);
  return spec;
}

class BatchTest : public ::testing::Test {
 protected:
  BatchTest() {
    eth0 = kernel.AddInterface("eth0");
    eth1 = kernel.AddInterface("eth1");
    caps.netem = caps.tbf = caps.htb = caps.u32 = caps.ifb = caps.mirred = true;
    manager = std::make_unique<FaultManager>(
        kernels, clock, caps, config, [this] { return "f" + std::to_string(++ids); }, &store);
    manager->Subscribe([this](const FaultEvent& e) {
      events.push_back(std::string(EventTypeName(e.type)) + " " + e.fault.id);
    });
  }
  CreateRequest Request(model::FaultSpec spec, std::string request_id = "") {
    CreateRequest r;
    r.spec = std::move(spec);
    r.ttl = 30s;
    r.caller = Root();
    r.request_id = std::move(request_id);
    return r;
  }
  // No root, class, leaf or filter anywhere: the kernel as it was.
  void ExpectKernelUntouched() {
    for (int i : {eth0, eth1}) {
      EXPECT_FALSE(kernel.HasOwnedQdisc(i));
      EXPECT_THAT(kernel.iface(i).classes, IsEmpty());
      EXPECT_THAT(kernel.iface(i).filters, IsEmpty());
    }
  }

  testing::FakeKernel kernel;
  SingleKernelProvider kernels{kernel};
  FakeClock clock;
  kernel::Capabilities caps;
  ManagerConfig config;
  CountingStore store;
  int ids = 0;
  int eth0 = 0, eth1 = 0;
  std::unique_ptr<FaultManager> manager;
  std::vector<std::string> events;
};

TEST_F(BatchTest, CreatesEveryFaultWithOneStoreWritePerPhase) {
  std::vector<CreateRequest> batch;
  for (uint8_t i = 1; i <= 6; ++i) batch.push_back(Request(DelayTo(i % 2 ? "eth0" : "eth1", i)));
  auto result = manager->CreateMany(batch, /*dry_run=*/false);
  ASSERT_FALSE(result.refusal) << result.refusal->status.message();
  ASSERT_EQ(result.created.size(), 6u);
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(result.created[i].fault.state, FaultState::kActive);
    EXPECT_EQ(result.created[i].fault.spec.match.dst, Host(static_cast<uint8_t>(i + 1)));
    EXPECT_FALSE(result.created[i].replayed);
  }
  EXPECT_EQ(manager->active_count(), 6u);
  EXPECT_THAT(store.log, ElementsAre("put-many 6 pending", "put-many 6 active"));
  EXPECT_EQ(store.leases.size(), 6u);
  // Each device: its root and one class per fault.
  EXPECT_TRUE(kernel.HasOwnedQdisc(eth0));
  EXPECT_TRUE(kernel.HasOwnedQdisc(eth1));
  EXPECT_EQ(kernel.iface(eth0).classes.size(), kernel.iface(eth1).classes.size());
  // One AddObjects per device: the new root (and its protection) confirmed
  // first, then the three faults' objects in one batch.
  EXPECT_EQ(kernel.apply_calls, 2);
  ASSERT_EQ(kernel.acked_first_counts.size(), 2u);
  EXPECT_GT(kernel.acked_first_counts[0], 0u);
  EXPECT_EQ(kernel.acked_first_counts[0], kernel.acked_first_counts[1]);
  EXPECT_EQ(events.size(), 6u);  // one APPLIED each, as single creates
  EXPECT_THAT(events[0], HasSubstr("APPLIED"));
}

TEST_F(BatchTest, EachInterfaceIsLookedUpOncePerBatchNotOncePerFault) {
  std::vector<CreateRequest> batch;
  for (uint8_t i = 1; i <= 40; ++i) batch.push_back(Request(DelayTo(i % 2 ? "eth0" : "eth1", i)));
  const int before = kernel.interface_lookups;
  auto result = manager->CreateMany(batch, /*dry_run=*/false);
  ASSERT_FALSE(result.refusal) << result.refusal->status.message();
  EXPECT_EQ(kernel.interface_lookups - before, 2);
  // Outside a batch the kernel is asked again (an interface may be recreated
  // with a new index between two calls), once: the fault is placed as its
  // checks planned it.
  const int before_single = kernel.interface_lookups;
  ASSERT_TRUE(manager->Create(Request(DelayTo("eth0", 99))).ok());
  EXPECT_EQ(kernel.interface_lookups - before_single, 1);
  // An interface the batch names that does not exist is still refused by name.
  auto refused =
      manager->CreateMany({Request(DelayTo("eth0", 100)), Request(DelayTo("eth9", 101))}, false);
  ASSERT_TRUE(refused.refusal);
  EXPECT_THAT(refused.refusal->status.message(), HasSubstr("eth9"));
}

TEST_F(BatchTest, FaultsOnATreeThatExistsGoInTogetherWithNothingToConfirmFirst) {
  ASSERT_TRUE(manager->Create(Request(DelayTo("eth0", 9))).ok());
  ASSERT_EQ(kernel.acked_first_counts.size(), 1u);
  EXPECT_GT(kernel.acked_first_counts[0], 0u);  // the single create's new root
  auto result =
      manager->CreateMany({Request(DelayTo("eth0", 1)), Request(DelayTo("eth0", 2))}, false);
  ASSERT_FALSE(result.refusal) << result.refusal->status.message();
  ASSERT_EQ(kernel.acked_first_counts.size(), 2u);
  EXPECT_EQ(kernel.acked_first_counts[1], 0u);
  EXPECT_EQ(kernel.iface(eth0).classes.size(), 3u);
  // Each fault removes as its own: the trees know all three.
  for (const auto& created : result.created) {
    EXPECT_TRUE(manager->Revoke(created.fault.id, Root()).ok());
  }
  EXPECT_EQ(kernel.iface(eth0).classes.size(), 1u);
}

TEST_F(BatchTest, AResyncReadsEachDeviceOnceAndFindsWhatIsGone) {
  std::vector<CreateRequest> batch;
  for (uint8_t i = 1; i <= 6; ++i) batch.push_back(Request(DelayTo(i % 2 ? "eth0" : "eth1", i)));
  auto made = manager->CreateMany(batch, false);
  ASSERT_FALSE(made.refusal) << made.refusal->status.message();
  kernel.counter_reads = 0;
  EXPECT_THAT(manager->EndFaultsWithMissingObjects(), IsEmpty());
  EXPECT_EQ(kernel.counter_reads, 4) << "classes and leaves of each device, not 12 faults' reads";

  // One class gone by hand: that device is looked at fault by fault.
  const FaultRecord& victim = made.created[2].fault;  // on eth0
  kernel.iface(eth0).classes.erase(victim.site.placements[0].objects.cls.classid);
  const auto lost = manager->EndFaultsWithMissingObjects();
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].id, victim.id);
  EXPECT_EQ(lost[0].state, FaultState::kLost);
  EXPECT_EQ(manager->active_count(), 5u);
}

TEST_F(BatchTest, RevokeManyTakesEachDevicesFaultsOutTogether) {
  std::vector<CreateRequest> batch;
  for (uint8_t i = 1; i <= 6; ++i) batch.push_back(Request(DelayTo(i % 2 ? "eth0" : "eth1", i)));
  auto made = manager->CreateMany(batch, false);
  ASSERT_FALSE(made.refusal) << made.refusal->status.message();
  // One of eth1's faults lost its class meanwhile.
  const FaultRecord& lost = made.created[1].fault;
  kernel.iface(eth1).classes.erase(lost.site.placements[0].objects.cls.classid);
  events.clear();
  std::vector<std::string> ids;
  for (const auto& c : made.created) ids.push_back(c.fault.id);
  auto result = manager->RevokeMany(ids, Root());
  ASSERT_EQ(result.revoked.size(), 6u);
  EXPECT_EQ(kernel.remove_each_calls, 2) << "one batch per device";
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(result.revoked[i].id, ids[i]);
    EXPECT_EQ(result.revoked[i].state, i == 1 ? FaultState::kLost : FaultState::kRevoked)
        << result.revoked[i].state_reason;
  }
  EXPECT_FALSE(kernel.HasOwnedQdisc(eth0));
  EXPECT_FALSE(kernel.HasOwnedQdisc(eth1));
  EXPECT_EQ(manager->active_count(), 0u);
  EXPECT_EQ(events.size(), 6u);
  // The trees are empty again: a new fault starts a new root.
  ASSERT_TRUE(manager->Create(Request(DelayTo("eth0", 1))).ok());
  EXPECT_TRUE(kernel.HasOwnedQdisc(eth0));
}

// Six faults on two devices ending at once, however they end: a final
// reading of each device's classes and leaves (two dumps per device, not two
// reads per fault), one netlink batch per device, two journal writes in all.
class EndTogetherTest : public BatchTest {
 protected:
  std::vector<std::string> MakeSix() {
    std::vector<CreateRequest> batch;
    for (uint8_t i = 1; i <= 6; ++i) {
      batch.push_back(Request(DelayTo(i % 2 ? "eth0" : "eth1", i)));
    }
    auto made = manager->CreateMany(batch, false);
    EXPECT_FALSE(made.refusal);
    std::vector<std::string> ids;
    for (const auto& c : made.created) ids.push_back(c.fault.id);
    kernel.iface(eth0).counters.packets = 7;
    kernel.iface(eth1).counters.packets = 9;
    store.log.clear();
    events.clear();
    reads_before = kernel.counter_reads;
    return ids;
  }
  void ExpectEndedTogether(const std::vector<FaultRecord>& ended, FaultState state) {
    ASSERT_EQ(ended.size(), 6u);
    for (const FaultRecord& r : ended) {
      EXPECT_EQ(r.state, state) << r.state_reason;
      EXPECT_EQ(r.counters.packets, r.spec.interface == "eth0" ? 7u : 9u) << "final reading";
    }
    EXPECT_EQ(kernel.counter_reads - reads_before, 4) << "a class and a leaf dump per device";
    EXPECT_EQ(kernel.remove_each_calls, 2) << "one batch per device";
    EXPECT_THAT(store.log, ElementsAre("put-many 6 ended", "remove-many 6"));
    EXPECT_EQ(events.size(), 6u);
    EXPECT_EQ(manager->active_count(), 0u);
    EXPECT_FALSE(kernel.HasOwnedQdisc(eth0));
    EXPECT_FALSE(kernel.HasOwnedQdisc(eth1));
  }
  int reads_before = 0;
};

TEST_F(EndTogetherTest, RevokeMany) {
  const auto ids = MakeSix();
  ExpectEndedTogether(manager->RevokeMany(ids, Root()).revoked, FaultState::kRevoked);
}

TEST_F(EndTogetherTest, RevokeAll) {
  MakeSix();
  auto result = manager->RevokeAll({}, Root());
  EXPECT_TRUE(result.not_revoked.empty());
  ExpectEndedTogether(result.revoked, FaultState::kRevoked);
  EXPECT_THAT(result.revoked.front().state_reason, HasSubstr("revoke all"));
}

TEST_F(EndTogetherTest, LeasesThatExpireTogether) {
  MakeSix();
  clock.Advance(30s);
  auto ended = manager->ExpireDue();
  ExpectEndedTogether(ended, FaultState::kExpired);
  EXPECT_EQ(ended.front().state_reason, "lease expired");
  EXPECT_THAT(events.front(), HasSubstr("EXPIRED"));
}

TEST_F(EndTogetherTest, AFaultWhoseObjectsAreGoneIsReadAloneAndEndsLost) {
  const auto ids = MakeSix();
  const std::optional<FaultRecord> gone = manager->Find(ids[1]);  // on eth1
  ASSERT_TRUE(gone);
  kernel.iface(eth1).classes.erase(gone->site.placements[0].objects.cls.classid);
  auto revoked = manager->RevokeMany(ids, Root()).revoked;
  ASSERT_EQ(revoked.size(), 6u);
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(revoked[i].state, i == 1 ? FaultState::kLost : FaultState::kRevoked);
    // eth1's dump failed: its others were read alone, and still read.
    if (i != 1) EXPECT_GT(revoked[i].counters.packets, 0u) << i;
  }
  // The lost one's record is forgotten too: its objects are gone.
  EXPECT_THAT(store.log, ElementsAre("put-many 6 ended", "remove-many 6"));
}

TEST_F(BatchTest, IngressFaultsGoThroughTheirIfbDeviceInABatchToo) {
  model::FaultSpec ingress = DelayTo("eth0", 2);
  ingress.direction = model::Direction::kIngress;
  model::FaultSpec both = DelayTo("eth1", 3);
  both.direction = model::Direction::kBoth;
  auto result = manager->CreateMany(
      {Request(DelayTo("eth0", 1)), Request(ingress), Request(both), Request(DelayTo("eth0", 4))},
      false);
  ASSERT_FALSE(result.refusal) << result.refusal->status.message();
  EXPECT_TRUE(kernel.HasInterface(IfbNameFor(eth0)));
  EXPECT_TRUE(kernel.HasInterface(IfbNameFor(eth1)));
  EXPECT_EQ(result.created[1].fault.site.placements.size(), 1u);
  EXPECT_TRUE(result.created[1].fault.site.placements[0].ingress);
  EXPECT_EQ(result.created[2].fault.site.placements.size(), 2u);
  // Egress faults placed as planned: each in its own slot.
  EXPECT_NE(result.created[0].fault.site.placements[0].objects.slot,
            result.created[3].fault.site.placements[0].objects.slot);
  std::vector<std::string> ids;
  for (const auto& c : result.created) ids.push_back(c.fault.id);
  EXPECT_EQ(manager->RevokeMany(ids, Root()).revoked.size(), 4u);
  EXPECT_FALSE(kernel.HasInterface(IfbNameFor(eth0)));
  EXPECT_FALSE(kernel.HasInterface(IfbNameFor(eth1)));
  ExpectKernelUntouched();
}

TEST_F(BatchTest, OneBadItemInTheMiddleAppliesNothingAndNamesIt) {
  model::FaultSpec bad = DelayTo("eth0", 3);
  bad.loss = model::ProbabilityFault{150.0, 0};  // above 100%
  std::vector<CreateRequest> batch = {Request(DelayTo("eth0", 1)), Request(DelayTo("eth1", 2)),
                                      Request(bad), Request(DelayTo("eth0", 4))};
  auto result = manager->CreateMany(batch, false);
  ASSERT_TRUE(result.refusal);
  EXPECT_EQ(result.refusal->index, 2);
  EXPECT_EQ(result.refusal->status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(result.refusal->status.message(), ::testing::StartsWith("item 2: "));
  EXPECT_THAT(result.created, IsEmpty());
  ExpectKernelUntouched();
  EXPECT_EQ(kernel.apply_calls, 0);
  EXPECT_THAT(store.log, IsEmpty());
  EXPECT_THAT(events, IsEmpty());
  EXPECT_EQ(manager->active_count(), 0u);
}

TEST_F(BatchTest, ItemsAreCheckedAgainstEachOtherBeforeTheKernel) {
  // Item 2 overlaps item 0 (same interface, same destination).
  std::vector<CreateRequest> batch = {Request(DelayTo("eth0", 1)), Request(DelayTo("eth0", 2)),
                                      Request(DelayTo("eth0", 1, 20ms))};
  auto result = manager->CreateMany(batch, false);
  ASSERT_TRUE(result.refusal);
  EXPECT_EQ(result.refusal->index, 2);
  EXPECT_THAT(result.refusal->status.message(), HasSubstr("item 2: "));
  EXPECT_EQ(kernel.apply_calls, 0);
  ExpectKernelUntouched();
  // The trees are as before: the same faults one by one still fit.
  ASSERT_TRUE(manager->Create(Request(DelayTo("eth0", 1))).ok());
  ASSERT_TRUE(manager->Create(Request(DelayTo("eth0", 2))).ok());
}

TEST_F(BatchTest, AKernelFailureHalfWayTakesBackWhatTheBatchPlaced) {
  ASSERT_TRUE(manager->Create(Request(DelayTo("eth0", 9))).ok());  // already there, stays
  store.log.clear();
  events.clear();
  const std::size_t classes_before = kernel.iface(eth0).classes.size();
  std::vector<CreateRequest> batch = {Request(DelayTo("eth0", 1)), Request(DelayTo("eth0", 2)),
                                      Request(DelayTo("eth1", 3))};
  // Placed device by device: eth0's two faults first (one AddObjects), then
  // eth1's fails (and fails again when it is tried on its own).
  int applies = 0;
  kernel.before_apply = [&] {
    if (++applies >= 2) kernel.next_apply_error = Internal("netlink: boom");
  };
  auto result = manager->CreateMany(batch, false);
  ASSERT_TRUE(result.refusal);
  EXPECT_EQ(result.refusal->index, 2);
  EXPECT_THAT(result.refusal->status.message(), HasSubstr("item 2: netlink: boom"));
  EXPECT_EQ(kernel.iface(eth0).classes.size(), classes_before);
  EXPECT_FALSE(kernel.HasOwnedQdisc(eth1));
  EXPECT_THAT(store.log, ElementsAre("put-many 3 pending", "remove-many 3"));
  EXPECT_EQ(store.leases.size(), 1u);  // the earlier fault's
  EXPECT_THAT(events, IsEmpty());
  EXPECT_EQ(manager->active_count(), 1u);
}

TEST_F(BatchTest, AStoreThatCannotRecordRefusesTheBatchBeforeTheKernel) {
  store.next_error = Unavailable("disk full");
  auto result = manager->CreateMany({Request(DelayTo("eth0", 1))}, false);
  ASSERT_TRUE(result.refusal);
  EXPECT_EQ(result.refusal->index, -1);
  EXPECT_EQ(result.refusal->status.code(), StatusCode::kUnavailable);
  ExpectKernelUntouched();
}

TEST_F(BatchTest, RequestIdsKeepTheirMeaningPerItemSoARetriedBatchIsSafe) {
  std::vector<CreateRequest> batch = {Request(DelayTo("eth0", 1), "a"),
                                      Request(DelayTo("eth0", 2), "b")};
  auto first = manager->CreateMany(batch, false);
  ASSERT_FALSE(first.refusal);
  const std::size_t classes = kernel.iface(eth0).classes.size();
  // The same batch again, plus one new item: the two are replayed, one is made.
  batch.push_back(Request(DelayTo("eth0", 3), "c"));
  auto retry = manager->CreateMany(batch, false);
  ASSERT_FALSE(retry.refusal) << retry.refusal->status.message();
  ASSERT_EQ(retry.created.size(), 3u);
  EXPECT_TRUE(retry.created[0].replayed);
  EXPECT_EQ(retry.created[0].fault.id, first.created[0].fault.id);
  EXPECT_TRUE(retry.created[1].replayed);
  EXPECT_EQ(retry.created[1].fault.id, first.created[1].fault.id);
  EXPECT_FALSE(retry.created[2].replayed);
  EXPECT_EQ(manager->active_count(), 3u);
  EXPECT_EQ(kernel.iface(eth0).classes.size(), classes + 1);
  // A key reused with another spec is refused, naming the item; nothing changes.
  auto clash =
      manager->CreateMany({Request(DelayTo("eth1", 7)), Request(DelayTo("eth0", 5), "a")}, false);
  ASSERT_TRUE(clash.refusal);
  EXPECT_EQ(clash.refusal->index, 1);
  EXPECT_EQ(clash.refusal->status.code(), StatusCode::kAlreadyExists);
  EXPECT_FALSE(kernel.HasOwnedQdisc(eth1));
  // One key twice in a batch is ambiguous: refused.
  auto twice = manager->CreateMany(
      {Request(DelayTo("eth1", 7), "z"), Request(DelayTo("eth1", 8), "z")}, false);
  ASSERT_TRUE(twice.refusal);
  EXPECT_EQ(twice.refusal->index, 1);
  EXPECT_THAT(twice.refusal->status.message(), HasSubstr("also item 0"));
}

TEST_F(BatchTest, ADryRunPlansTheWholeBatchAndAppliesNothing) {
  std::vector<CreateRequest> batch = {Request(DelayTo("eth0", 1)), Request(DelayTo("eth0", 2))};
  auto result = manager->CreateMany(batch, /*dry_run=*/true);
  ASSERT_FALSE(result.refusal) << result.refusal->status.message();
  ASSERT_EQ(result.created.size(), 2u);
  EXPECT_EQ(result.created[0].fault.id, "");
  // The root comes with the first fault only: the second is planned on top of it.
  EXPECT_GT(result.created[0].fault.site.added.size(), result.created[1].fault.site.added.size());
  ExpectKernelUntouched();
  EXPECT_THAT(store.log, IsEmpty());
  // A dry run still finds conflicts within the batch.
  batch.push_back(Request(DelayTo("eth0", 1)));
  auto conflict = manager->CreateMany(batch, true);
  ASSERT_TRUE(conflict.refusal);
  EXPECT_EQ(conflict.refusal->index, 2);
}

TEST_F(BatchTest, CapacityCountsTheBatch) {
  config.policy.max_faults = 3;
  manager = std::make_unique<FaultManager>(
      kernels, clock, caps, config, [this] { return "f" + std::to_string(++ids); }, &store);
  ASSERT_TRUE(manager->Create(Request(DelayTo("eth0", 9))).ok());
  auto result = manager->CreateMany(
      {Request(DelayTo("eth0", 1)), Request(DelayTo("eth0", 2)), Request(DelayTo("eth0", 3))},
      false);
  ASSERT_TRUE(result.refusal);
  EXPECT_EQ(result.refusal->index, 2);
  EXPECT_EQ(result.refusal->status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(manager->active_count(), 1u);
}

TEST_F(BatchTest, RevokeManyRevokesWhatItFindsAndReportsTheRest) {
  auto made = manager->CreateMany(
      {Request(DelayTo("eth0", 1)), Request(DelayTo("eth0", 2)), Request(DelayTo("eth1", 3))},
      false);
  ASSERT_FALSE(made.refusal);
  const std::string a = made.created[0].fault.id, b = made.created[1].fault.id,
                    c = made.created[2].fault.id;
  ASSERT_TRUE(manager->Revoke(c, Root()).ok());
  events.clear();
  auto result = manager->RevokeMany({a, "nope", b, a, c}, Root());
  ASSERT_EQ(result.revoked.size(), 2u);
  EXPECT_EQ(result.revoked[0].id, a);
  EXPECT_EQ(result.revoked[1].id, b);
  EXPECT_EQ(result.revoked[0].state, FaultState::kRevoked);
  EXPECT_THAT(result.not_found, ElementsAre("nope"));
  ASSERT_EQ(result.not_revoked.size(), 1u);  // c ended before
  EXPECT_EQ(result.not_revoked[0].fault.id, c);
  EXPECT_THAT(result.not_revoked[0].why.message(), HasSubstr("already ended"));
  EXPECT_THAT(events, ElementsAre("REVOKED " + a, "REVOKED " + b));
  EXPECT_EQ(manager->active_count(), 0u);
  ExpectKernelUntouched();
}

TEST_F(BatchTest, RevokeManyLeavesOthersFaultsUnderRevokeOthersOwner) {
  config.policy.revoke_others = RevokeOthers::kOwner;
  manager = std::make_unique<FaultManager>(
      kernels, clock, caps, config, [this] { return "f" + std::to_string(++ids); }, &store);
  auto made = manager->CreateMany({Request(DelayTo("eth0", 1))}, false);
  ASSERT_FALSE(made.refusal);
  auto result = manager->RevokeMany({made.created[0].fault.id}, LocalUser(1000, "alice"));
  EXPECT_THAT(result.revoked, IsEmpty());
  ASSERT_EQ(result.not_revoked.size(), 1u);
  EXPECT_EQ(result.not_revoked[0].why.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(manager->active_count(), 1u);
}

}  // namespace
}  // namespace chaosnet::core
