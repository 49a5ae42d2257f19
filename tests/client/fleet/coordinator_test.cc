#include "client/fleet/coordinator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "client/fleet/fleet_file.h"
#include "client/fleet/shape.h"
#include "client/options.h"
#include "common/net_parse.h"

namespace chaosnet::fleet {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kExperiment[] = "0123456789abcdef";

constexpr char kFleet[] = R"(
[defaults]
interface = "eth0"
[tls]
insecure = true
[nodes.n1]
server = "10.0.0.1:7443"
addresses = ["10.0.0.1"]
[nodes.n2]
server = "[fd00::2]:7000"
addresses = ["10.0.0.2", "fd00::2"]
netns = "ns2"
[nodes.n3]
server = "10.0.0.3:7443"
addresses = ["10.0.0.3"]
)";

// Every call any fake received, in order, across nodes: "n1 dry-run".
struct CallLog {
  std::mutex mutex;
  std::vector<std::string> calls;
  void Add(std::string call) {
    std::lock_guard lock(mutex);
    calls.push_back(std::move(call));
  }
};

// A daemon in memory: faults by id, request ids replayed, label selectors,
// and a scripted failure per operation.
class FakeNode : public NodeClient {
 public:
  FakeNode(std::string name, CallLog* log) : name_(std::move(name)), log_(log) {}

  std::map<std::string, Outcome> fail;  // "dry-run", "create", "extend", "list", "revoke"
  std::map<std::string, v1::Fault> faults;
  std::vector<v1::CreateFaultRequest> creates;  // every create, dry runs too
  std::vector<int64_t> extended_to;             // seconds

  void AddFault(const std::string& id, std::map<std::string, std::string> labels) {
    v1::Fault fault;
    fault.set_id(id);
    fault.mutable_labels()->insert(labels.begin(), labels.end());
    faults[id] = fault;
  }

  Outcome CreateFault(const v1::CreateFaultRequest& request,
                      v1::CreateFaultResponse* response) override {
    const std::string step = request.dry_run() ? "dry-run" : "create";
    log_->Add(name_ + " " + step);
    creates.push_back(request);
    if (fail.contains(step)) return fail[step];
    if (request.dry_run()) return Outcome::Ok();
    for (const auto& [id, fault] : faults) {
      if (fault.request_id() == request.request_id()) {
        *response->mutable_fault() = fault;
        return Outcome::Ok();
      }
    }
    v1::Fault fault;
    fault.set_id(name_ + "-f" + std::to_string(faults.size() + 1));
    fault.set_request_id(request.request_id());
    *fault.mutable_labels() = request.labels();
    faults[fault.id()] = fault;
    *response->mutable_fault() = fault;
    return Outcome::Ok();
  }

  Outcome ExtendFault(const v1::ExtendFaultRequest& request, v1::Fault* response) override {
    log_->Add(name_ + " extend " + request.id());
    if (fail.contains("extend")) return fail["extend"];
    if (!faults.contains(request.id())) return {client::kExitServerError, "no such fault"};
    extended_to.push_back(request.ttl().seconds());
    *response = faults[request.id()];
    return Outcome::Ok();
  }

  Outcome ListFaults(const v1::ListFaultsRequest& request,
                     v1::ListFaultsResponse* response) override {
    log_->Add(name_ + " list");
    if (fail.contains("list")) return fail["list"];
    for (const auto& [id, fault] : faults) {
      if (Selected(fault, request.label_selector())) *response->add_faults() = fault;
    }
    return Outcome::Ok();
  }

  Outcome RevokeAllFaults(const v1::RevokeAllFaultsRequest& request,
                          v1::RevokeAllFaultsResponse* response) override {
    std::string selector;
    for (const auto& [key, value] : request.label_selector()) selector += key + "=" + value;
    log_->Add(name_ + " revoke " + selector);
    if (fail.contains("revoke")) return fail["revoke"];
    for (auto it = faults.begin(); it != faults.end();) {
      if (Selected(it->second, request.label_selector())) {
        *response->add_faults() = it->second;
        it = faults.erase(it);
      } else {
        ++it;
      }
    }
    return Outcome::Ok();
  }

 private:
  static bool Selected(const v1::Fault& fault,
                       const google::protobuf::Map<std::string, std::string>& selector) {
    for (const auto& [key, value] : selector) {
      auto it = fault.labels().find(key);
      if (it == fault.labels().end() || it->second != value) return false;
    }
    return true;
  }

  std::string name_;
  CallLog* log_;
};

const Outcome kUnreachable{client::kExitUnreachable, "cannot reach 10.0.0.2:7443"};
const Outcome kRefused{client::kExitServerError, "invalid argument: interface eth0 not found"};

class CoordinatorTest : public ::testing::Test {
 protected:
  CoordinatorTest() {
    auto parsed = ParseFleetFile(kFleet, "fleet.toml");
    EXPECT_TRUE(parsed.ok()) << parsed.status().message();
    fleet_ = *parsed;
    for (const Node& node : fleet_.nodes) {
      auto fake = std::make_unique<FakeNode>(node.name, &log_);
      fakes_.push_back(fake.get());
      clients_.push_back(std::move(fake));
    }
  }

  ExperimentPlan Plan(const std::string& shape) {
    auto spec = ParseShape(shape, fleet_.Names());
    EXPECT_TRUE(spec.ok()) << spec.status().message();
    PlanInput input;
    input.experiment_id = kExperiment;
    input.effect.partition = true;
    input.labels = {{"team", "db"}};
    auto plan = PlanExperiment(fleet_, ComputeShape(*spec, 0).links, input);
    EXPECT_TRUE(plan.ok()) << plan.status().message();
    return *plan;
  }

  static v1::FaultSpec Partition() {
    v1::FaultSpec effect;
    effect.set_partition(true);
    return effect;
  }

  ApplyOptions Options() {
    ApplyOptions options;
    options.ttl = std::chrono::seconds(120);
    options.provisional_ttl = std::chrono::seconds(10);
    return options;
  }

  size_t ActiveFaults() {
    size_t n = 0;
    for (FakeNode* fake : fakes_) n += fake->faults.size();
    return n;
  }

  Fleet fleet_;
  CallLog log_;
  std::vector<FakeNode*> fakes_;
  NodeClients clients_;
};

TEST(FormatExemptionTest, UsesTheProtectSyntaxWithBracketsForIpv6) {
  ControlExemption v4{.node = "n1", .address = *ParseCidr("10.0.0.1"), .port = 7443};
  ControlExemption v6{.node = "n2", .address = *ParseCidr("fd00::2"), .port = 7000};
  EXPECT_EQ(FormatExemption(v4), "10.0.0.1/32:tcp:7443");
  EXPECT_EQ(FormatExemption(v6), "[fd00::2/128]:tcp:7000");
}

TEST_F(CoordinatorTest, NodeRequestCarriesTheTargetingSetExemptionsLabelsAndRequestId) {
  ExperimentPlan plan = Plan("isolate:n1");
  ASSERT_EQ(plan.faults[0].node_name, "n1");
  auto request = BuildNodeRequest(plan.faults[0], Partition());
  ASSERT_TRUE(request.ok()) << request.status().message();
  EXPECT_TRUE(request->spec().partition());
  EXPECT_EQ(request->spec().interface(), "eth0");
  EXPECT_THAT(request->spec().match().dst_cidrs(),
              ElementsAre("10.0.0.2/32", "fd00::2/128", "10.0.0.3/32"));
  EXPECT_THAT(request->spec().exemptions(),
              ElementsAre("[fd00::2/128]:tcp:7000", "10.0.0.3/32:tcp:7443"));
  EXPECT_EQ(request->request_id(), std::string(kExperiment) + "/n1");
  EXPECT_EQ(request->labels().at(kExperimentLabel), kExperiment);
  EXPECT_EQ(request->labels().at("team"), "db");

  auto n2 = BuildNodeRequest(plan.faults[1], Partition());
  ASSERT_TRUE(n2.ok());
  EXPECT_EQ(n2->spec().netns(), "ns2");
  EXPECT_THAT(n2->spec().match().dst_cidrs(), ElementsAre("10.0.0.1/32"));
}

TEST_F(CoordinatorTest, NodeRequestRefusesAnEffectThatTargets) {
  ExperimentPlan plan = Plan("halves");
  v1::FaultSpec effect = Partition();
  effect.set_interface("eth9");
  EXPECT_FALSE(BuildNodeRequest(plan.faults[0], effect).ok());
  effect.clear_interface();
  effect.mutable_match()->add_dst_cidrs("10.9.9.9");
  EXPECT_FALSE(BuildNodeRequest(plan.faults[0], effect).ok());
}

TEST_F(CoordinatorTest, AppliesEverywhereWithAProvisionalLeaseThenExtends) {
  ExperimentPlan plan = Plan("isolate:n1");
  ApplyReport report = ApplyExperiment(plan, Partition(), clients_, Options());
  ASSERT_TRUE(report.outcome.ok()) << report.outcome.message;
  ASSERT_EQ(report.nodes.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    FakeNode& fake = *fakes_[i];
    ASSERT_EQ(fake.creates.size(), 2u);
    EXPECT_TRUE(fake.creates[0].dry_run());
    EXPECT_EQ(fake.creates[0].ttl().seconds(), 120);  // the final TTL is checked up front
    EXPECT_FALSE(fake.creates[1].dry_run());
    EXPECT_EQ(fake.creates[1].ttl().seconds(), 10);
    EXPECT_EQ(fake.creates[1].request_id(), plan.faults[i].request_id);
    EXPECT_THAT(fake.extended_to, ElementsAre(120));
    EXPECT_EQ(fake.faults.size(), 1u);
    EXPECT_EQ(report.nodes[i].fault_id, fake.faults.begin()->first);
  }
  // Every dry run comes before any create, every create before any extend.
  std::vector<int> phase;
  for (const std::string& call : log_.calls) {
    phase.push_back(call.find("dry-run") != std::string::npos  ? 0
                    : call.find("create") != std::string::npos ? 1
                                                               : 2);
  }
  EXPECT_TRUE(std::is_sorted(phase.begin(), phase.end())) << ::testing::PrintToString(log_.calls);
}

TEST_F(CoordinatorTest, AShortTtlIsGivenAtOnceAndNotExtended) {
  ApplyOptions options = Options();
  options.ttl = std::chrono::seconds(5);
  ApplyReport report = ApplyExperiment(Plan("halves"), Partition(), clients_, options);
  ASSERT_TRUE(report.outcome.ok()) << report.outcome.message;
  for (FakeNode* fake : fakes_) {
    EXPECT_EQ(fake->creates.back().ttl().seconds(), 5);
    EXPECT_THAT(fake->extended_to, IsEmpty());
  }
}

TEST_F(CoordinatorTest, DryRunOptionStopsBeforeAnyCreate) {
  ApplyOptions options = Options();
  options.dry_run = true;
  ApplyReport report = ApplyExperiment(Plan("halves"), Partition(), clients_, options);
  ASSERT_TRUE(report.outcome.ok());
  for (FakeNode* fake : fakes_) {
    ASSERT_EQ(fake->creates.size(), 1u);
    EXPECT_TRUE(fake->creates[0].dry_run());
  }
  EXPECT_EQ(ActiveFaults(), 0u);
}

TEST_F(CoordinatorTest, ARefusedDryRunAppliesNothingAndNamesTheNode) {
  fakes_[2]->fail["dry-run"] = kRefused;
  ApplyReport report = ApplyExperiment(Plan("isolate:n1"), Partition(), clients_, Options());
  EXPECT_EQ(report.outcome.exit_code, client::kExitServerError);
  EXPECT_EQ(report.failed_step, "dry run");
  EXPECT_THAT(report.outcome.message, HasSubstr("node n3: invalid argument"));
  EXPECT_THAT(report.outcome.message, Not(HasSubstr("node n1")));
  for (FakeNode* fake : fakes_) EXPECT_EQ(fake->creates.size(), 1u);
  EXPECT_EQ(ActiveFaults(), 0u);
}

TEST_F(CoordinatorTest, AnUnreachableNodeAtApplyRevokesTheOthersAndExits3) {
  fakes_[1]->fail["create"] = kUnreachable;
  fakes_[1]->fail["revoke"] = kUnreachable;
  fakes_[0]->AddFault("other", {{"team", "db"}});  // not the experiment's: kept
  ApplyReport report = ApplyExperiment(Plan("isolate:n1"), Partition(), clients_, Options());
  EXPECT_EQ(report.outcome.exit_code, client::kExitUnreachable);
  EXPECT_EQ(report.failed_step, "apply");
  EXPECT_THAT(report.outcome.message, HasSubstr("apply failed: node n2: cannot reach"));
  EXPECT_THAT(report.outcome.message, HasSubstr("provisional lease"));
  ASSERT_EQ(report.rollback.size(), 3u);
  EXPECT_EQ(report.rollback[0].revoked, 1);
  EXPECT_EQ(report.rollback[2].revoked, 1);
  EXPECT_THAT(fakes_[0]->faults, ::testing::SizeIs(1));
  EXPECT_TRUE(fakes_[0]->faults.contains("other"));
  EXPECT_THAT(fakes_[2]->faults, IsEmpty());
  for (FakeNode* fake : fakes_) EXPECT_THAT(fake->extended_to, IsEmpty());
}

TEST_F(CoordinatorTest, AFailedExtendRevokesEverywhere) {
  fakes_[0]->fail["extend"] = kRefused;
  ApplyReport report = ApplyExperiment(Plan("halves"), Partition(), clients_, Options());
  EXPECT_EQ(report.outcome.exit_code, client::kExitServerError);
  EXPECT_EQ(report.failed_step, "extend");
  EXPECT_THAT(report.outcome.message, HasSubstr("node n1"));
  EXPECT_THAT(report.outcome.message, HasSubstr("revoked on every node"));
  EXPECT_EQ(ActiveFaults(), 0u);
}

TEST_F(CoordinatorTest, ARetriedApplyReplaysTheSameFaults) {
  ExperimentPlan plan = Plan("halves");
  ApplyOptions options = Options();
  ASSERT_TRUE(ApplyExperiment(plan, Partition(), clients_, options).outcome.ok());
  ApplyReport again = ApplyExperiment(plan, Partition(), clients_, options);
  ASSERT_TRUE(again.outcome.ok());
  for (FakeNode* fake : fakes_) EXPECT_EQ(fake->faults.size(), 1u);
}

TEST_F(CoordinatorTest, HealRevokesOnlyTheExperimentsFaults) {
  ASSERT_TRUE(ApplyExperiment(Plan("halves"), Partition(), clients_, Options()).outcome.ok());
  fakes_[0]->AddFault("mine", {{"team", "db"}});
  fakes_[2]->AddFault("other-exp", {{kExperimentLabel, "fedcba9876543210"}});
  FleetReport report = HealExperiment(fleet_, clients_, std::string(kExperiment));
  ASSERT_TRUE(report.outcome.ok()) << report.outcome.message;
  EXPECT_EQ(report.nodes[0].revoked, 1);
  EXPECT_TRUE(fakes_[0]->faults.contains("mine"));
  EXPECT_TRUE(fakes_[2]->faults.contains("other-exp"));
  EXPECT_EQ(ActiveFaults(), 2u);

  // Without an id: every experiment, still nothing else.
  FleetReport all = HealExperiment(fleet_, clients_, std::nullopt);
  ASSERT_TRUE(all.outcome.ok());
  EXPECT_EQ(all.nodes[2].revoked, 1);
  EXPECT_EQ(ActiveFaults(), 1u);
  EXPECT_TRUE(fakes_[0]->faults.contains("mine"));
}

TEST_F(CoordinatorTest, HealReportsAnUnreachableNodeAndHealsTheRest) {
  ASSERT_TRUE(ApplyExperiment(Plan("halves"), Partition(), clients_, Options()).outcome.ok());
  fakes_[1]->fail["revoke"] = kUnreachable;
  FleetReport report = HealExperiment(fleet_, clients_, std::string(kExperiment));
  EXPECT_EQ(report.outcome.exit_code, client::kExitUnreachable);
  EXPECT_THAT(report.outcome.message, HasSubstr("node n2"));
  EXPECT_THAT(report.outcome.message, HasSubstr("deadline"));
  EXPECT_THAT(fakes_[0]->faults, IsEmpty());
  EXPECT_THAT(fakes_[2]->faults, IsEmpty());
}

TEST_F(CoordinatorTest, StatusListsEachNodesExperimentFaults) {
  ASSERT_TRUE(ApplyExperiment(Plan("isolate:n1"), Partition(), clients_, Options()).outcome.ok());
  fakes_[0]->AddFault("unrelated", {});
  fakes_[2]->fail["list"] = kUnreachable;
  FleetReport report = FleetStatus(fleet_, clients_, std::nullopt);
  EXPECT_EQ(report.outcome.exit_code, client::kExitUnreachable);
  ASSERT_EQ(report.nodes.size(), 3u);
  EXPECT_EQ(report.nodes[0].faults.size(), 1u);  // the unrelated fault is not listed
  EXPECT_EQ(report.nodes[1].faults.size(), 1u);
  EXPECT_FALSE(report.nodes[2].outcome.ok());
}

}  // namespace
}  // namespace chaosnet::fleet
