// The audit log's lines, pinned field by field: the format is documented
// (README.md "Audit") and parsed by operators' tools, so any change to it,
// including one made by renaming a field of the lease journal, fails here.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "common/net_parse.h"
#include "daemon/api/audit_format.h"
#include "daemon/api/audit_log.h"
#include "tests/api/fake_manager.h"

namespace chaosnet::api {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::MatchesRegex;

class AuditFormatTest : public ::testing::Test {
 protected:
  AuditFormatTest() {
    fake.kernel.AddInterface("eth0");
    char tmpl[] = "/tmp/chaosnet-audit-format-XXXXXX";
    dir = ::mkdtemp(tmpl);
  }
  ~AuditFormatTest() override { std::filesystem::remove_all(dir); }

  std::vector<std::string> Lines() const {
    std::ifstream in(dir + "/audit.jsonl");
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  testing::FakeManager fake{[] { return "5e1d2c3b4a59"; }};
  core::FaultManager& manager = fake.manager;
  std::string dir;
};

// Every field a spec can carry, in the daemon's own namespace.
model::FaultSpec FullSpec() {
  model::FaultSpec s;
  s.interface = "eth0";
  s.direction = model::Direction::kIngress;
  s.match.dst = *ParseCidr("10.1.0.0/16");
  s.match.src = *ParseCidr("10.2.3.4");
  s.match.dport = model::PortRange{8000, 8100};
  s.match.sport = model::PortRange{443, 443};
  s.match.protocol = model::Protocol::kTcp;
  s.delay = model::DelayFault{100ms, 10ms, 25, model::DelayDistribution::kPareto};
  s.loss = model::ProbabilityFault{12.5, 50};
  s.duplicate = model::ProbabilityFault{1, 0};
  s.corrupt = model::ProbabilityFault{0.1, 0};
  s.reorder = model::ReorderFault{25, 10, 5};
  s.rate = model::RateFault{10'000'000};
  s.queue_limit = 5000;
  return s;
}

TEST_F(AuditFormatTest, ALeaseEventIsThisLine) {
  auto audit = AuditLog::Open(dir + "/audit.jsonl", manager);
  ASSERT_TRUE(audit.ok()) << audit.status().message();
  core::CreateRequest request;
  request.spec = FullSpec();
  request.ttl = 90s;
  request.request_id = "req-7";
  request.caller = core::CertificateCaller("CN=runner-1,O=chaosnet", "runner-1", "10.0.0.5");
  ASSERT_TRUE(manager.Create(request).ok());
  fake.clock.Advance(1500ms);
  // Someone else's fault: the line and the reason name both identities.
  ASSERT_TRUE(
      manager.Revoke("5e1d2c3b4a59", core::LocalCaller({1000, 1000, 4242, {}, "alice"})).ok());

  const std::string spec =
      "\"spec\":{"
      "\"interface\":\"eth0\","
      "\"netns\":\"\","
      "\"direction\":\"ingress\","
      "\"match\":{"
      "\"dst\":{\"family\":\"inet\",\"address\":\"10.1.0.0\",\"prefix\":16},"
      "\"src\":{\"family\":\"inet\",\"address\":\"10.2.3.4\",\"prefix\":32},"
      "\"dport\":{\"first\":8000,\"last\":8100},"
      "\"sport\":{\"first\":443,\"last\":443},"
      "\"protocol\":\"tcp\"},"
      "\"delay\":{\"latency_ns\":100000000,\"jitter_ns\":10000000,\"correlation\":25,"
      "\"distribution\":\"pareto\"},"
      "\"loss\":{\"percent\":12.5,\"correlation\":50},"
      "\"duplicate\":{\"percent\":1,\"correlation\":0},"
      "\"corrupt\":{\"percent\":0.1,\"correlation\":0},"
      "\"reorder\":{\"percent\":25,\"correlation\":10,\"gap\":5},"
      "\"rate\":{\"bits_per_second\":10000000},"
      "\"partition\":false,"
      "\"queue_limit\":5000}";
  EXPECT_THAT(Lines(), ElementsAre("{"
                                   "\"time\":\"2027-01-15T08:00:00.000Z\","
                                   "\"event\":\"applied\","
                                   "\"fault\":\"5e1d2c3b4a59\","
                                   "\"actor\":\"x509:CN=runner-1,O=chaosnet\","
                                   "\"owner\":\"x509:CN=runner-1,O=chaosnet\","
                                   "\"state\":\"ACTIVE\","
                                   "\"expires_at\":\"2027-01-15T08:01:30.000Z\","
                                   "\"request_id\":\"req-7\"," +
                                       spec + "}",
                                   "{"
                                   "\"time\":\"2027-01-15T08:00:01.500Z\","
                                   "\"event\":\"revoked\","
                                   "\"fault\":\"5e1d2c3b4a59\","
                                   "\"actor\":\"uid:1000(alice)\","
                                   "\"owner\":\"x509:CN=runner-1,O=chaosnet\","
                                   "\"state\":\"REVOKED\","
                                   "\"reason\":\"revoked by uid:1000(alice), owner "
                                   "x509:CN=runner-1,O=chaosnet\","
                                   "\"expires_at\":\"2027-01-15T08:01:30.000Z\","
                                   "\"request_id\":\"req-7\"," +
                                       spec + "}"));
}

// A refused request from a local caller, for a fault in another namespace
// whose match is IPv6.
TEST_F(AuditFormatTest, ARefusalIsThisLine) {
  auto audit = AuditLog::Open(dir + "/audit.jsonl", manager);
  ASSERT_TRUE(audit.ok()) << audit.status().message();
  core::LocalCredentials alice;
  alice.uid = 1000;
  alice.gid = 1000;
  alice.pid = 4242;
  alice.user = "alice";
  model::FaultSpec spec;
  spec.interface = "lo";
  spec.netns = "blue";
  spec.direction = model::Direction::kBoth;
  spec.match.dst = *ParseCidr("2001:db8::/32");
  spec.partition = true;
  (*audit)->Refused("CreateFault", core::LocalCaller(alice),
                    PermissionDenied("interface lo may not be faulted (--deny-interface lo)"),
                    &spec, "");

  const std::string rest =
      "\"event\":\"refused\","
      "\"rpc\":\"CreateFault\","
      "\"actor\":\"uid:1000(alice)\","
      "\"pid\":4242,"
      "\"code\":\"PERMISSION_DENIED\","
      "\"message\":\"interface lo may not be faulted (--deny-interface lo)\","
      "\"spec\":{"
      "\"interface\":\"lo\","
      "\"netns\":\"blue\","
      "\"direction\":\"both\","
      "\"match\":{"
      "\"dst\":{\"family\":\"inet6\",\"address\":\"2001:db8::\",\"prefix\":32},"
      "\"protocol\":\"any\"},"
      "\"partition\":true}}";
  const auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  // The time is the daemon's own clock's: only its shape is pinned here.
  EXPECT_THAT(lines[0], MatchesRegex("\\{\"time\":\"20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:"
                                     "[0-9]{2}\\.[0-9]{3}Z\",.*"));
  EXPECT_EQ(lines[0].substr(lines[0].find("\"event\"")), rest);
}

// fleet: the address sets as lists of CIDRs after the match's other keys,
// the exemptions as their --protect text at the end of the spec.
TEST_F(AuditFormatTest, FleetFieldsAreInTheSpec) {
  auto audit = AuditLog::Open(dir + "/audit.jsonl", manager);
  ASSERT_TRUE(audit.ok()) << audit.status().message();
  model::FaultSpec spec;
  spec.interface = "eth0";
  spec.match.dst_cidrs = {*ParseCidr("10.0.0.2"), *ParseCidr("fd00::2")};
  spec.partition = true;
  spec.exemptions = {{*ParseCidr("10.0.0.3"), model::PortRange{7443, 7443}, model::Protocol::kTcp},
                     {std::nullopt, model::PortRange{53, 53}, model::Protocol::kUdp}};
  (*audit)->Refused("CreateFault", core::LocalCaller({1000, 1000, 4242, {}, "alice"}),
                    PermissionDenied("no"), &spec, "");
  const auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("\"match\":{\"protocol\":\"any\",\"dst_cidrs\":["
                          "{\"family\":\"inet\",\"address\":\"10.0.0.2\",\"prefix\":32},"
                          "{\"family\":\"inet6\",\"address\":\"fd00::2\",\"prefix\":128}]},"
                          "\"partition\":true,"
                          "\"exemptions\":[\"10.0.0.3/32:tcp:7443\",\"udp:53\"]}"),
            std::string::npos)
      << lines[0];
}

// guards: the checks and the schedule the caller set, in the audit log's own
// keys (pinned here, so a change of the journal's keys cannot move them).
TEST_F(AuditFormatTest, GuardsAreInTheSpec) {
  auto audit = AuditLog::Open(dir + "/audit.jsonl", manager);
  ASSERT_TRUE(audit.ok()) << audit.status().message();
  model::FaultSpec spec;
  spec.interface = "eth0";
  spec.partition = true;
  spec.guards.checks = {"tcp:10.0.0.5:80", "drops<5%"};
  spec.guards.interval = std::chrono::milliseconds(500);
  spec.guards.failures = 3;
  (*audit)->Refused("CreateFault", core::LocalCaller({1000, 1000, 4242, {}, "alice"}),
                    PermissionDenied("no"), &spec, "");
  const auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("\"partition\":true,\"guards\":{\"checks\":[\"tcp:10.0.0.5:80\","
                          "\"drops<5%\"],\"interval_ns\":500000000,\"failures\":3}"),
            std::string::npos)
      << lines[0];
}

// link models: in the audit log's own keys, the loss model as tc's numbers.
TEST_F(AuditFormatTest, LinkModelsAreInTheSpec) {
  auto audit = AuditLog::Open(dir + "/audit.jsonl", manager);
  ASSERT_TRUE(audit.ok()) << audit.status().message();
  model::FaultSpec spec;
  spec.interface = "eth0";
  spec.loss_model = model::GilbertElliottLoss{2, 30, 50, 1};
  spec.ecn = true;
  spec.link_rate = model::LinkRateFault{2'000'000, 14, 0, 0};
  spec.profile = "3g";
  (*audit)->Refused("CreateFault", core::LocalCaller({1000, 1000, 4242, {}, "alice"}),
                    PermissionDenied("no"), &spec, "");
  const auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("\"loss_model\":{\"gemodel\":[2,30,50,1]},\"ecn\":true,"
                          "\"link_rate\":{\"bits_per_second\":2000000,\"packet_overhead\":14,"
                          "\"cell_size\":0,\"cell_overhead\":0},\"profile\":\"3g\""),
            std::string::npos)
      << lines[0];
}

// A refusal of a remote caller, about a fault rather than a spec.
TEST(AuditRefusalLine, NamesTheRemoteCallersAddressAndTheFault) {
  const core::WallTime at{std::chrono::milliseconds(1'800'000'000'123)};
  EXPECT_EQ(
      AuditRefusalLine(at, "ExtendFault",
                       core::CertificateCaller("CN=runner-1,O=chaosnet", "runner-1", "10.0.0.5"),
                       FailedPrecondition("fault 5e1d2c3b4a59 has already ended (EXPIRED)"),
                       nullptr, "5e1d2c3b4a59"),
      "{"
      "\"time\":\"2027-01-15T08:00:00.123Z\","
      "\"event\":\"refused\","
      "\"rpc\":\"ExtendFault\","
      "\"actor\":\"x509:CN=runner-1,O=chaosnet\","
      "\"address\":\"10.0.0.5\","
      "\"code\":\"FAILED_PRECONDITION\","
      "\"message\":\"fault 5e1d2c3b4a59 has already ended (EXPIRED)\","
      "\"fault\":\"5e1d2c3b4a59\""
      "}");
}

// A local caller turned away from a fault someone else owns: both identities.
TEST(AuditRefusalLine, NamesTheOwnerOfTheFaultItRefused) {
  const core::WallTime at{std::chrono::milliseconds(1'800'000'000'123)};
  EXPECT_EQ(
      AuditRefusalLine(at, "ExtendFault", core::LocalCaller({1001, 1001, 4242, {}, "mallory"}),
                       PermissionDenied("not yours"), nullptr, "5e1d2c3b4a59", "uid:0(root)"),
      "{"
      "\"time\":\"2027-01-15T08:00:00.123Z\","
      "\"event\":\"refused\","
      "\"rpc\":\"ExtendFault\","
      "\"actor\":\"uid:1001(mallory)\","
      "\"pid\":4242,"
      "\"code\":\"PERMISSION_DENIED\","
      "\"message\":\"not yours\","
      "\"fault\":\"5e1d2c3b4a59\","
      "\"owner\":\"uid:0(root)\""
      "}");
}

}  // namespace
}  // namespace chaosnet::api
