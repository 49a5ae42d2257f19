// Targeted faults through a real daemon on the host kernel (htb, u32, ifb and
// mirred; no netem, so the faults here are rate limits): many faults on one
// interface, each in its own class with its own filters; overlap refused;
// ingress through an IFB device; a fault in another namespace; drift (a class
// deleted by hand, a namespace deleted) ends the lease as LOST. Each state is
// read back with `tc -j` and with real traffic where it matters.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "tests/api/api_fixture.h"
#include "tests/support/test_netns.h"

namespace chaosnet::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class TargetingTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // A second destination behind the same interface.
    ASSERT_EQ(net_->InB("ip addr add 10.77.250.3/32 dev cn1"), 0);
    ASSERT_EQ(net_->InA("ip route add 10.77.250.3/32 dev cn0"), 0);
  }
  pb::CreateFaultRequest RateTo(const std::string& dst, uint64_t bps = 100'000'000) {
    pb::CreateFaultRequest r = RateRequest(bps);
    r.mutable_spec()->mutable_match()->set_dst_cidr(dst);
    return r;
  }
  std::string Filters() const {
    std::string out;
    net_->InA("tc -j filter show dev cn0 parent ca00:", &out);
    return out;
  }
  uint64_t Packets(const std::string& id) { return Get(id).counters().packets(); }
  void Ping(const std::string& addr, int count = 10) {
    net_->InA("ping -n -q -c " + std::to_string(count) + " -i 0.01 -W 1 " + addr);
  }
};

TEST_F(TargetingTest, TwoTargetedFaultsEachCountOnlyTheirTraffic) {
  pb::CreateFaultResponse a, b;
  ASSERT_TRUE(Create(RateTo(net_->addr_b()), &a).ok());
  grpc::Status s = Create(RateTo("10.77.250.3/32"), &b);
  ASSERT_TRUE(s.ok()) << s.error_message();

  // The kernel's view: one htb root, two fault classes, their filters.
  EXPECT_THAT(Qdiscs(), HasSubstr("\"kind\":\"htb\""));
  const std::string classes = Classes();
  // (iproute2 6.1 prints htb classes as text even with -j.)
  EXPECT_THAT(classes, HasSubstr("class htb ca00:1 "));
  EXPECT_THAT(classes, HasSubstr("class htb ca00:2 "));
  EXPECT_THAT(Filters(), HasSubstr("\"flowid\":\"ca00:1\""));
  EXPECT_THAT(Filters(), HasSubstr("\"flowid\":\"ca00:2\""));

  const uint64_t a0 = Packets(a.fault().id()), b0 = Packets(b.fault().id());
  Ping(net_->addr_b(), 20);
  const uint64_t a1 = Packets(a.fault().id()), b1 = Packets(b.fault().id());
  EXPECT_GE(a1 - a0, 20u) << "the fault to " << net_->addr_b() << " saw its pings";
  EXPECT_LT(b1 - b0, 3u) << "the other fault saw traffic that was not its own";
  Ping("10.77.250.3", 20);
  EXPECT_GE(Packets(b.fault().id()) - b1, 20u);

  // Revoking one leaves the other in place.
  pb::RevokeFaultRequest revoke;
  revoke.set_id(a.fault().id());
  pb::Fault ended;
  ASSERT_TRUE(stub_->RevokeFault(Ctx().get(), revoke, &ended).ok());
  EXPECT_GE(ended.counters().packets(), 20u) << "final counters kept at the end";
  EXPECT_THAT(Classes(), Not(HasSubstr("class htb ca00:1 ")));
  EXPECT_THAT(Classes(), HasSubstr("class htb ca00:2 "));
  EXPECT_EQ(Get(b.fault().id()).state(), pb::FAULT_STATE_ACTIVE);
  const uint64_t b2 = Packets(b.fault().id());
  Ping("10.77.250.3", 10);
  EXPECT_GE(Packets(b.fault().id()) - b2, 10u);

  revoke.set_id(b.fault().id());
  ASSERT_TRUE(stub_->RevokeFault(Ctx().get(), revoke, &ended).ok());
  EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();
}

TEST_F(TargetingTest, OverlappingMatchIsRefusedAndChangesNothing) {
  pb::CreateFaultResponse a, b;
  ASSERT_TRUE(Create(RateTo("10.77.0.0/16"), &a).ok());
  const std::string before = Classes() + Filters();
  grpc::Status s = Create(RateTo(net_->addr_b()), &b);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("overlaps fault " + a.fault().id()));
  EXPECT_EQ(Classes() + Filters(), before);
}

TEST_F(TargetingTest, BadMatchIsInvalidArgument) {
  pb::CreateFaultResponse resp;
  pb::CreateFaultRequest r = RateTo("10.0.0.0/33");
  EXPECT_EQ(Create(r, &resp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  r = RateRequest();
  r.mutable_spec()->mutable_match()->set_protocol(pb::PROTOCOL_ICMP);
  r.mutable_spec()->mutable_match()->mutable_dport()->set_first(80);
  grpc::Status s = Create(r, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("icmp has no ports"));
  EXPECT_FALSE(HasOwnedQdisc());
}

// fleet (cidr-sets, fault-exemptions): one fault for two destinations, one
// of them exempted. The kernel holds the exemption's nodes first with the
// root's flowid (direct), then the set's, one node per CIDR; traffic to the
// exempted address passes outside the fault, the other is counted.
TEST_F(TargetingTest, AddressSetWithAnExemptionCountsOnlyTheRest) {
  EXPECT_THAT(info_.features(), ::testing::IsSupersetOf({"cidr-sets", "fault-exemptions"}));
  pb::CreateFaultRequest r = RateRequest();
  auto* match = r.mutable_spec()->mutable_match();
  match->add_dst_cidrs(net_->addr_b() + "/32");
  match->add_dst_cidrs("10.77.250.3/32");
  r.mutable_spec()->add_exemptions("10.77.250.3");
  pb::CreateFaultResponse a;
  grpc::Status s = Create(r, &a);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(a.fault().spec().match().dst_cidrs_size(), 2);
  ASSERT_EQ(a.fault().spec().exemptions_size(), 1);
  EXPECT_EQ(a.fault().spec().exemptions(0), "10.77.250.3/32");

  const std::string filters = Filters();
  const size_t direct = filters.find("\"flowid\":\"ca00:\"");
  const size_t fault = filters.find("\"flowid\":\"ca00:1\"");
  ASSERT_NE(direct, std::string::npos) << filters;
  ASSERT_NE(fault, std::string::npos) << filters;
  EXPECT_LT(direct, fault) << "the exemption is walked first: " << filters;

  const uint64_t a0 = Packets(a.fault().id());
  Ping(net_->addr_b(), 20);
  const uint64_t a1 = Packets(a.fault().id());
  EXPECT_GE(a1 - a0, 20u) << "the set's other member is faulted";
  std::string out;
  EXPECT_EQ(net_->InA("ping -n -q -c 10 -i 0.01 -W 1 10.77.250.3", &out), 0) << out;
  EXPECT_LT(Packets(a.fault().id()) - a1, 3u) << "the exempted address went past the fault";

  // The overlap rule reads sets: another fault to the exempted address
  // overlaps the set (exemptions do not narrow the match), a disjoint one not.
  pb::CreateFaultResponse b;
  s = Create(RateTo("10.77.250.3/32"), &b);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
  pb::CreateFaultRequest other = RateRequest();
  other.mutable_spec()->mutable_match()->add_dst_cidrs("10.77.250.4/32");
  other.mutable_spec()->mutable_match()->add_dst_cidrs("fd00:77::4/128");
  s = Create(other, &b);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_F(TargetingTest, IngressFaultUsesAnIfbDeviceThatGoesAway) {
  pb::CreateFaultRequest r = RateRequest();
  r.mutable_spec()->set_direction(pb::DIRECTION_INGRESS);
  pb::CreateFaultResponse resp;
  grpc::Status s = Create(r, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::string ifindex;
  net_->InA("cat /sys/class/net/cn0/ifindex", &ifindex);
  ifindex.erase(ifindex.find_last_not_of(" \n") + 1);
  const std::string ifb = "cnifb" + ifindex;
  EXPECT_EQ(net_->InA("ip link show " + ifb), 0);
  EXPECT_THAT(Qdiscs(), HasSubstr("\"kind\":\"ingress\""));
  EXPECT_THAT(TcQdiscJson(net_->ns_a(), ifb), HasSubstr("\"handle\":\"ca00:\""));
  std::string filters;
  net_->InA("tc -j filter show dev cn0 ingress", &filters);
  EXPECT_THAT(filters, HasSubstr("mirred"));
  // Traffic arriving on cn0 goes through the IFB's tree.
  const uint64_t before = Packets(resp.fault().id());
  Ping(net_->addr_b(), 20);
  EXPECT_GE(Packets(resp.fault().id()) - before, 20u);

  pb::RevokeFaultRequest revoke;
  revoke.set_id(resp.fault().id());
  pb::Fault ended;
  ASSERT_TRUE(stub_->RevokeFault(Ctx().get(), revoke, &ended).ok());
  EXPECT_NE(net_->InA("ip link show " + ifb + " 2>/dev/null"), 0) << "IFB device left behind";
  EXPECT_THAT(Qdiscs(), Not(HasSubstr("ingress")));
}

TEST_F(TargetingTest, ForeignIngressQdiscIsRefusedAndKept) {
  ASSERT_EQ(net_->InA("tc qdisc add dev cn0 clsact"), 0);
  pb::CreateFaultRequest r = RateRequest();
  r.mutable_spec()->set_direction(pb::DIRECTION_INGRESS);
  pb::CreateFaultResponse resp;
  grpc::Status s = Create(r, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("did not create"));
  EXPECT_THAT(Qdiscs(), HasSubstr("clsact"));
}

TEST_F(TargetingTest, HandDeletedFilterEndsThatLeaseAsLost) {
  pb::CreateFaultResponse a, b;
  // A /31 is no single host: fault a has a classifier of its own (prio 1002).
  ASSERT_TRUE(Create(RateTo(net_->addr_b() + "/31"), &a).ok());
  ASSERT_TRUE(Create(RateTo("10.77.250.3/32"), &b).ok());
  // Someone deletes fault a's filter by hand: its packets are no longer
  // steered to its class, so the fault no longer does what it says.
  std::string out;
  ASSERT_EQ(net_->InA("tc filter del dev cn0 parent ca00: prio 1002", &out), 0) << out;
  const pb::Fault got = AwaitState(a.fault().id(), pb::FAULT_STATE_LOST);
  EXPECT_EQ(got.state(), pb::FAULT_STATE_LOST);
  EXPECT_THAT(got.state_reason(), HasSubstr("someone else"));
  EXPECT_EQ(Get(b.fault().id()).state(), pb::FAULT_STATE_ACTIVE);
  // The lost fault's class went with it; the other fault's stayed.
  EXPECT_THAT(Classes(), Not(HasSubstr("class htb ca00:1 ")));
  EXPECT_THAT(Classes(), HasSubstr("class htb ca00:2 "));
}

TEST_F(TargetingTest, HandDeletedHostNodeEndsOnlyItsLeaseAsLost) {
  pb::CreateFaultResponse a, b;
  // Two host faults: nodes of the shared IPv4 host tables (prio 65280), in
  // the level-2 tables of their addresses' last bytes, 102: and 103:.
  ASSERT_TRUE(Create(RateTo(net_->addr_b()), &a).ok());
  ASSERT_TRUE(Create(RateTo("10.77.250.3/32"), &b).ok());
  // 10.77.<k>.2: table 102:, bucket k (the third byte), node 1.
  const std::string& addr = net_->addr_b();
  const int k = std::stoi(addr.substr(6, addr.rfind('.') - 6));
  char node[32];
  std::snprintf(node, sizeof(node), "102:%x:1", k);
  EXPECT_THAT(Filters(), HasSubstr(std::string("\"fh\":\"") + node + "\""));
  std::string out;
  ASSERT_EQ(net_->InA(std::string("tc filter del dev cn0 parent ca00: prio 65280 protocol ip "
                                  "handle ") +
                          node + " u32",
                      &out),
            0)
      << out;
  const pb::Fault got = AwaitState(a.fault().id(), pb::FAULT_STATE_LOST);
  EXPECT_EQ(got.state(), pb::FAULT_STATE_LOST);
  EXPECT_THAT(got.state_reason(), HasSubstr(std::string("handle ") + node));
  // The other fault in the same classifier stays, and still counts its traffic.
  EXPECT_EQ(Get(b.fault().id()).state(), pb::FAULT_STATE_ACTIVE);
  EXPECT_THAT(Classes(), Not(HasSubstr("class htb ca00:1 ")));
  EXPECT_THAT(Classes(), HasSubstr("class htb ca00:2 "));
}

TEST_F(TargetingTest, HandDeletedRootEndsEveryLeaseOnTheInterfaceAsLost) {
  pb::CreateFaultResponse a;
  ASSERT_TRUE(Create(RateTo(net_->addr_b()), &a).ok());
  ASSERT_EQ(net_->InA("tc qdisc del dev cn0 root"), 0);
  const pb::Fault got = AwaitState(a.fault().id(), pb::FAULT_STATE_LOST);
  EXPECT_EQ(got.state(), pb::FAULT_STATE_LOST);
  // The interface is usable again for a new fault.
  pb::CreateFaultResponse again;
  grpc::Status s = Create(RateTo(net_->addr_b()), &again);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_F(TargetingTest, DeletedInterfaceEndsItsLeasesAsLost) {
  pb::CreateFaultResponse a;
  ASSERT_TRUE(Create(RateTo(net_->addr_b()), &a).ok());
  ASSERT_EQ(net_->InA("ip link del cn0"), 0);
  const pb::Fault got = AwaitState(a.fault().id(), pb::FAULT_STATE_LOST);
  EXPECT_EQ(got.state(), pb::FAULT_STATE_LOST);
  EXPECT_THAT(got.state_reason(), HasSubstr("was deleted"));
}

TEST_F(TargetingTest, FaultInAnotherNamespaceAndThatNamespaceVanishing) {
  // The daemon runs in ns_a; the fault goes into a third namespace by name.
  auto other = TestNetns::Create();
  ASSERT_TRUE(other) << "could not create a namespace";
  int rc = -1;
  other->Exec(
      "ip link add cnd0 type veth peer name cnd1 && ip link set cnd0 up && ip link set cnd1 up",
      &rc);
  ASSERT_EQ(rc, 0);
  pb::CreateFaultRequest r = RateRequest();
  r.mutable_spec()->set_interface("cnd0");
  r.mutable_spec()->set_netns(other->name());
  pb::CreateFaultResponse resp;
  grpc::Status s = Create(r, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_THAT(TcQdiscJson(other->name(), "cnd0"), HasSubstr("\"handle\":\"ca00:\""));
  EXPECT_FALSE(HasOwnedQdisc()) << "nothing in the daemon's own namespace";

  pb::CreateFaultRequest missing = r;
  missing.mutable_spec()->set_netns("cn-no-such-ns");
  pb::CreateFaultResponse unused;
  s = Create(missing, &unused);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("cn-no-such-ns"));

  ASSERT_EQ(Shell("ip netns del " + other->name()), 0);
  const pb::Fault got = AwaitState(resp.fault().id(), pb::FAULT_STATE_LOST);
  EXPECT_EQ(got.state(), pb::FAULT_STATE_LOST);
  EXPECT_THAT(got.state_reason(), HasSubstr("is gone"));
}

}  // namespace
}  // namespace chaosnet::testing
