#include "client/fleet/experiment_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "client/fleet/fleet_file.h"
#include "client/fleet/os_random.h"
#include "client/fleet/shape.h"
#include "common/net_parse.h"

namespace chaosnet::fleet {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

constexpr char kExperiment[] = "0123456789abcdef";

// Five nodes: three reached over TCP by address (one over IPv6), one by
// name, one through a local socket (the coordinator runs there).
constexpr char kFleet[] = R"(
[defaults]
interface = "eth0"
[tls]
insecure = true
[nodes.n1]
server = "10.0.0.1:7443"
addresses = ["10.0.0.1", "fd00::1"]
[nodes.n2]
server = "[fd00::2]:7000"
addresses = ["10.0.0.2", "fd00::2"]
netns = "ns2"
[nodes.n3]
server = "n3.lab:7443"
addresses = ["10.0.0.3"]
interface = "eth3"
[nodes.n4]
server = "192.168.9.4:7443"
addresses = ["10.0.0.4"]
[nodes.n5]
server = "unix:/run/chaosnetd/chaosnetd.sock"
addresses = ["fd00::5"]
)";

Fleet TestFleet() {
  auto fleet = ParseFleetFile(kFleet, "fleet.toml");
  EXPECT_TRUE(fleet.ok()) << fleet.status().message();
  return fleet.ok() ? *fleet : Fleet{};
}

LinkSet LinksOf(const Fleet& fleet, const std::string& shape_text, uint64_t seed = 0) {
  auto spec = ParseShape(shape_text, fleet.Names());
  EXPECT_TRUE(spec.ok()) << spec.status().message();
  return ComputeShape(*spec, seed).links;
}

PlanInput Partition() {
  PlanInput input;
  input.experiment_id = kExperiment;
  input.effect.partition = true;
  return input;
}

std::vector<std::string> Cidrs(const std::vector<model::Cidr>& cidrs) {
  std::vector<std::string> out;
  for (const auto& c : cidrs) out.push_back(FormatCidr(c));
  return out;
}

std::vector<std::string> Exemptions(const NodeFault& fault) {
  std::vector<std::string> out;
  for (const auto& e : fault.exemptions) {
    out.push_back(e.node + " " + FormatCidr(e.address) + ":" + std::to_string(e.port));
  }
  return out;
}

TEST(FleetPlanExperiment, CutsEachNodeFromTheOtherSideOnItsOwnInterface) {
  const Fleet fleet = TestFleet();
  auto plan = PlanExperiment(fleet, LinksOf(fleet, "groups:n1,n2|n3,n4,n5"), Partition());
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->experiment_id, kExperiment);
  ASSERT_EQ(plan->faults.size(), 5u);
  EXPECT_THAT(plan->untouched, IsEmpty());

  const NodeFault& n1 = plan->faults[0];
  EXPECT_EQ(n1.node, 0u);
  EXPECT_EQ(n1.node_name, "n1");
  EXPECT_EQ(n1.spec.interface, "eth0");
  EXPECT_EQ(n1.spec.netns, "");
  EXPECT_TRUE(n1.spec.partition);
  EXPECT_EQ(n1.spec.direction, model::Direction::kEgress);
  EXPECT_FALSE(n1.spec.match.dst.has_value());
  EXPECT_THAT(n1.peers, ElementsAre("n3", "n4", "n5"));
  // Both families, one host route per address, in fleet order.
  EXPECT_THAT(Cidrs(n1.dst_cidrs), ElementsAre("10.0.0.3/32", "10.0.0.4/32", "fd00::5/128"));

  const NodeFault& n2 = plan->faults[1];
  EXPECT_EQ(n2.spec.netns, "ns2");
  EXPECT_THAT(n2.peers, ElementsAre("n3", "n4", "n5"));

  const NodeFault& n3 = plan->faults[2];
  EXPECT_EQ(n3.spec.interface, "eth3");
  EXPECT_THAT(n3.peers, ElementsAre("n1", "n2"));
  EXPECT_THAT(Cidrs(n3.dst_cidrs),
              ElementsAre("10.0.0.1/32", "fd00::1/128", "10.0.0.2/32", "fd00::2/128"));

  const NodeFault& n5 = plan->faults[4];
  EXPECT_THAT(Cidrs(n5.dst_cidrs),
              ElementsAre("10.0.0.1/32", "fd00::1/128", "10.0.0.2/32", "fd00::2/128"));
}

TEST(FleetPlanExperiment, ExemptsEveryOtherNodesDaemonEndpoint) {
  const Fleet fleet = TestFleet();
  PlanInput input = Partition();
  auto plan = PlanExperiment(fleet, LinksOf(fleet, "halves"), input);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  // n1: the others' TCP listeners. n3 is named, so its own addresses stand
  // in for it; n4's listener is on a management address outside the cut;
  // n5 has only a local socket: nothing to exempt.
  EXPECT_THAT(Exemptions(plan->faults[0]),
              ElementsAre("n2 fd00::2/128:7000", "n3 10.0.0.3/32:7443", "n4 192.168.9.4/32:7443"));
  // n5 (where the coordinator runs, on its socket) keeps reaching every daemon.
  EXPECT_THAT(Exemptions(plan->faults[4]),
              ElementsAre("n1 10.0.0.1/32:7443", "n2 fd00::2/128:7000", "n3 10.0.0.3/32:7443",
                          "n4 192.168.9.4/32:7443"));
  // A node's own endpoint is its daemon's business (it protects its port).
  EXPECT_THAT(Exemptions(plan->faults[2]),
              ElementsAre("n1 10.0.0.1/32:7443", "n2 fd00::2/128:7000", "n4 192.168.9.4/32:7443"));

  // What the caller resolved n3.lab to is exempted too.
  input.resolved_hosts["n3.lab"] = {*ParseCidr("192.168.9.3"), *ParseCidr("10.0.0.3")};
  auto resolved = PlanExperiment(fleet, LinksOf(fleet, "halves"), input);
  ASSERT_TRUE(resolved.ok());
  EXPECT_THAT(Exemptions(resolved->faults[0]),
              ElementsAre("n2 fd00::2/128:7000", "n3 10.0.0.3/32:7443", "n3 192.168.9.3/32:7443",
                          "n4 192.168.9.4/32:7443"));
}

TEST(FleetPlanExperiment, SharedDaemonsAreExemptedOnce) {
  auto fleet = ParseFleetFile(R"(
[defaults]
interface = "eth0"
[tls]
insecure = true
[nodes.a]
server = "10.9.9.9:7443"
addresses = ["10.0.0.1"]
netns = "a"
[nodes.b]
server = "10.9.9.9:7443"
addresses = ["10.0.0.2"]
netns = "b"
[nodes.c]
server = "10.0.0.3:7443"
addresses = ["10.0.0.3"]
)",
                              "f.toml");
  ASSERT_TRUE(fleet.ok()) << fleet.status().message();
  auto plan = PlanExperiment(*fleet, LinksOf(*fleet, "isolate:c"), Partition());
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_THAT(Exemptions(plan->faults[2]), ElementsAre("a 10.9.9.9/32:7443"));
}

TEST(FleetPlanExperiment, OneWayGivesOnlyTheSendersAFault) {
  const Fleet fleet = TestFleet();
  auto plan = PlanExperiment(fleet, LinksOf(fleet, "one-way:n1,n2>n3"), Partition());
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ASSERT_EQ(plan->faults.size(), 2u);
  EXPECT_EQ(plan->faults[0].node_name, "n1");
  EXPECT_EQ(plan->faults[1].node_name, "n2");
  EXPECT_THAT(plan->faults[0].peers, ElementsAre("n3"));
  EXPECT_THAT(Cidrs(plan->faults[1].dst_cidrs), ElementsAre("10.0.0.3/32"));
  // n3 still reaches n1 and n2: it gets no fault at all, nor do bystanders.
  EXPECT_THAT(plan->untouched, ElementsAre("n3", "n4", "n5"));
}

TEST(FleetPlanExperiment, MarksEveryFaultWithTheExperimentAndAStableRequestId) {
  const Fleet fleet = TestFleet();
  PlanInput input = Partition();
  input.labels = {{"team", "storage"}};
  auto plan = PlanExperiment(fleet, LinksOf(fleet, "isolate:n4"), input);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  for (const NodeFault& fault : plan->faults) {
    EXPECT_THAT(fault.labels, UnorderedElementsAre(Pair("team", "storage"),
                                                   Pair("chaosnet.experiment", kExperiment),
                                                   Pair("chaosnet.fleet.node", fault.node_name)));
    EXPECT_EQ(fault.request_id, std::string(kExperiment) + "/" + fault.node_name);
  }
  // The same input plans the same faults: a retried apply reuses the ids.
  auto again = PlanExperiment(fleet, LinksOf(fleet, "isolate:n4"), input);
  ASSERT_TRUE(again.ok());
  for (size_t i = 0; i < plan->faults.size(); ++i) {
    EXPECT_EQ(again->faults[i].request_id, plan->faults[i].request_id);
  }
  EXPECT_EQ(RequestIdFor("fedcba9876543210", "db-1"), "fedcba9876543210/db-1");
}

TEST(FleetPlanExperiment, CarriesADegradedLinkAndItsPortMatchToEverySender) {
  const Fleet fleet = TestFleet();
  PlanInput input;
  input.experiment_id = kExperiment;
  input.effect.delay = model::DelayFault{std::chrono::milliseconds(100)};
  input.effect.loss = model::ProbabilityFault{5, 0};
  input.effect.match.dport = model::PortRange{5432, 5432};
  input.effect.match.protocol = model::Protocol::kTcp;
  auto plan = PlanExperiment(fleet, LinksOf(fleet, "between:n1|n2"), input);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  // Both directions of the link: each sender delays its own packets, so the
  // round trip gets the delay twice.
  ASSERT_EQ(plan->faults.size(), 2u);
  for (const NodeFault& fault : plan->faults) {
    EXPECT_FALSE(fault.spec.partition);
    EXPECT_EQ(fault.spec.delay, input.effect.delay);
    EXPECT_EQ(fault.spec.loss, input.effect.loss);
    EXPECT_EQ(fault.spec.match.dport, input.effect.match.dport);
    EXPECT_EQ(fault.spec.match.protocol, model::Protocol::kTcp);
  }
  EXPECT_THAT(plan->faults[0].peers, ElementsAre("n2"));
  EXPECT_THAT(plan->faults[1].peers, ElementsAre("n1"));
  EXPECT_THAT(plan->untouched, ElementsAre("n3", "n4", "n5"));
}

TEST(FleetPlanExperiment, RefusesWhatItCannotCarry) {
  const Fleet fleet = TestFleet();
  const LinkSet links = LinksOf(fleet, "halves");
  auto refused = [&](PlanInput input, const LinkSet& l) {
    auto plan = PlanExperiment(fleet, l, input);
    EXPECT_FALSE(plan.ok());
    EXPECT_EQ(plan.status().code(), StatusCode::kInvalidArgument);
    return plan.status().message();
  };
  PlanInput input = Partition();
  input.experiment_id = "0123456789ABCDEF";
  EXPECT_THAT(refused(input, links), HasSubstr("expected 16 lowercase hex digits"));
  input.experiment_id = "0123";
  EXPECT_THAT(refused(input, links), HasSubstr("experiment id \"0123\""));

  input = Partition();
  input.effect.interface = "eth0";
  EXPECT_THAT(refused(input, links), HasSubstr("interface and netns from the fleet file"));
  input = Partition();
  input.effect.match.dst = *ParseCidr("10.0.0.0/8");
  EXPECT_THAT(refused(input, links), HasSubstr("--dst/--src"));
  input = Partition();
  input.effect.direction = model::Direction::kBoth;
  EXPECT_THAT(refused(input, links), HasSubstr("each sender's egress"));
  input = Partition();
  input.effect.partition = false;
  EXPECT_THAT(refused(input, links), HasSubstr("no fault given"));
  input = Partition();
  input.labels = {{"chaosnet.experiment", "x"}};
  EXPECT_THAT(refused(input, links), HasSubstr("the experiment's own"));
  // The daemon's own rules, per node.
  input = Partition();
  input.effect.partition = false;
  input.effect.loss = model::ProbabilityFault{150, 0};
  EXPECT_THAT(refused(input, links), HasSubstr("node n1: loss: 150% is above 100%"));

  EXPECT_THAT(refused(Partition(), LinkSet(3)), HasSubstr("over 3 nodes, the fleet has 5"));
  EXPECT_THAT(refused(Partition(), LinkSet(5)), HasSubstr("acts on no link"));
}

TEST(FleetNewExperimentId, IsValidAndFresh) {
  auto a = NewExperimentId();
  auto b = NewExperimentId();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(ValidateExperimentId(*a).ok()) << *a;
  EXPECT_NE(*a, *b);
  auto s1 = DrawSeed();
  auto s2 = DrawSeed();
  ASSERT_TRUE(s1.ok() && s2.ok());
  EXPECT_NE(*s1, *s2);
}

}  // namespace
}  // namespace chaosnet::fleet
