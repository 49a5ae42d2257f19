// What chaosnetctl prints: summaries, times, tables, JSON. "now" is a fixed
// instant and the time zone is pinned, so every string is exact.
#include <gmock/gmock.h>
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "client/format.h"

namespace chaosnet::client {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kNow = 1795464845;  // 2026-11-23T20:14:05Z
const WallClock::time_point kNowTp{seconds(kNow)};

template <typename Message>
Message FromText(const std::string& text) {
  Message m;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &m)) << text;
  return m;
}

google::protobuf::Timestamp At(int64_t seconds, int32_t nanos = 0) {
  google::protobuf::Timestamp t;
  t.set_seconds(seconds);
  t.set_nanos(nanos);
  return t;
}

class FormatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC0", 1);
    tzset();
  }
};

struct SummaryCase {
  std::string spec;
  std::string summary;
  std::string target;
};

class SummaryTest : public FormatTest, public ::testing::WithParamInterface<SummaryCase> {};

TEST_P(SummaryTest, SummaryAndTarget) {
  auto spec = FromText<v1::FaultSpec>(GetParam().spec);
  EXPECT_EQ(FaultSummary(spec), GetParam().summary);
  EXPECT_EQ(TargetSummary(spec), GetParam().target);
}

INSTANTIATE_TEST_SUITE_P(
    Specs, SummaryTest,
    ::testing::Values(
        SummaryCase{R"(interface: "eth0" delay { latency { seconds: 3 } })", "delay 3s", "eth0"},
        SummaryCase{R"(interface: "eth0"
                       delay { latency { nanos: 100000000 } jitter { nanos: 10000000 }
                               correlation_percent: 25 distribution: DELAY_DISTRIBUTION_NORMAL })",
                    "delay 100ms jitter 10ms correlation 25% distribution normal", "eth0"},
        SummaryCase{R"(interface: "eth0" loss { percent: 5 correlation_percent: 25 })",
                    "loss 5% correlation 25%", "eth0"},
        SummaryCase{R"(interface: "eth0" duplicate { percent: 1 } corrupt { percent: 0.1 })",
                    "duplicate 1%, corrupt 0.1%", "eth0"},
        SummaryCase{R"(interface: "eth0" delay { latency { nanos: 10000000 } }
                       reorder { percent: 25 correlation_percent: 50 gap: 5 })",
                    "delay 10ms, reorder 25% correlation 50% gap 5", "eth0"},
        SummaryCase{R"(interface: "eth0" rate { bits_per_second: 10000000 } queue_limit: 5000)",
                    "rate 10mbit, limit 5000", "eth0"},
        SummaryCase{R"(interface: "eth0" partition: true)", "partition", "eth0"},
        SummaryCase{R"(interface: "eth0")", "no fault", "eth0"},
        SummaryCase{R"(interface: "eth0" netns: "web" direction: DIRECTION_INGRESS
                       match { dst_cidr: "10.0.0.0/8" src_cidr: "10.1.0.0/16"
                               dport { first: 5432 } sport { first: 1000 last: 2000 }
                               protocol: PROTOCOL_TCP }
                       loss { percent: 1 })",
                    "loss 1%",
                    "eth0 (netns web, ingress, dst 10.0.0.0/8 src 10.1.0.0/16 dport 5432 "
                    "sport 1000-2000 proto tcp)"},
        SummaryCase{R"(interface: "eth1" direction: DIRECTION_BOTH
                       match { protocol: PROTOCOL_UDP } partition: true)",
                    "partition", "eth1 (both directions, proto udp)"},
        // fleet: a set shows its first six CIDRs and how many in all; the
        // exemptions in the daemon's --protect form.
        SummaryCase{R"(interface: "eth0" partition: true
                       match { dst_cidrs: "10.0.0.2/32" dst_cidrs: "fd00::2/128" }
                       exemptions: "10.0.0.3:tcp:7443" exemptions: "udp:53")",
                    "partition",
                    "eth0 (dst 10.0.0.2/32,fd00::2/128, exempt 10.0.0.3:tcp:7443 udp:53)"},
        SummaryCase{R"(interface: "eth0" partition: true
                       match { src_cidrs: "10.0.0.1/32" src_cidrs: "10.0.0.2/32"
                               src_cidrs: "10.0.0.3/32" src_cidrs: "10.0.0.4/32"
                               src_cidrs: "10.0.0.5/32" src_cidrs: "10.0.0.6/32"
                               src_cidrs: "10.0.0.7/32" })",
                    "partition",
                    "eth0 (src 10.0.0.1/32,10.0.0.2/32,10.0.0.3/32,10.0.0.4/32,10.0.0.5/32,"
                    "10.0.0.6/32,... (7 in all))"}));

TEST_F(FormatTest, HumanDuration) {
  const std::pair<int64_t, const char*> cases[] = {
      {0, "0s"},         {1, "1s"},        {59, "59s"},      {60, "1m"},
      {250, "4m10s"},    {3599, "59m59s"}, {3600, "1h"},     {7500, "2h5m"},
      {86399, "23h59m"}, {86400, "1d"},    {273600, "3d4h"}, {-5, "0s"}};
  for (const auto& [secs, text] : cases) EXPECT_EQ(HumanDuration(seconds(secs)), text) << secs;
}

TEST_F(FormatTest, TimeUntilRoundsToTheNearestSecond) {
  EXPECT_EQ(TimeUntil(At(kNow + 30), kNowTp), "in 30s");
  // The reply arrives a few ms after the daemon computed the deadline.
  EXPECT_EQ(TimeUntil(At(kNow + 29, 980'000'000), kNowTp), "in 30s");
  EXPECT_EQ(TimeUntil(At(kNow + 30), kNowTp + milliseconds(20)), "in 30s");
  EXPECT_EQ(TimeUntil(At(kNow + 300), kNowTp), "in 5m");
  EXPECT_EQ(TimeUntil(At(kNow - 5), kNowTp), "5s ago");
  EXPECT_EQ(TimeUntil(At(kNow), kNowTp + milliseconds(300)), "now");
}

TEST_F(FormatTest, LocalAndUtcTime) {
  EXPECT_EQ(LocalTime(At(kNow)), "2026-11-23 20:14:05");
  EXPECT_EQ(UtcTime(At(kNow)), "2026-11-23T20:14:05Z");
  setenv("TZ", "CET-1", 1);  // POSIX rule: needs no tzdata
  tzset();
  EXPECT_EQ(LocalTime(At(kNow)), "2026-11-23 21:14:05");
  EXPECT_EQ(UtcTime(At(kNow)), "2026-11-23T20:14:05Z");
}

v1::Fault SampleFault() {
  auto fault = FromText<v1::Fault>(R"pb(
    id: "7f3c0a1e"
    spec {
      interface: "eth0"
      delay { latency { seconds: 3 } }
    }
    labels { key: "team" value: "db" }
    state: FAULT_STATE_ACTIVE
    counters { packets: 1234 bytes: 99000 drops: 5 }
    request_id: "r-1"
    owner { identity: "uid:1000(alice)" key: "uid:1000" }
    plan {
      steps {
        object: "qdisc"
        kind: "netem"
        interface: "eth0"
        handle: "ca00:"
        parent: "root"
        parameters: "delay 3s limit 1000"
      }
    })pb");
  *fault.mutable_created_at() = At(kNow);
  *fault.mutable_expires_at() = At(kNow + 30);
  return fault;
}

TEST_F(FormatTest, JsonKeepsProtoFieldNamesOnOneLine) {
  std::string json = ToJson(SampleFault());
  EXPECT_THAT(json, HasSubstr("\"expires_at\":\"2026-11-23T20:14:35Z\""));
  EXPECT_THAT(json, HasSubstr("\"request_id\":\"r-1\""));
  EXPECT_THAT(json, HasSubstr("\"state\":\"FAULT_STATE_ACTIVE\""));
  EXPECT_THAT(json, Not(HasSubstr("expiresAt")));
  EXPECT_EQ(json.find('\n'), std::string::npos);
  EXPECT_EQ(json.front(), '{');
}

TEST_F(FormatTest, FaultsToJsonIsAnArray) {
  google::protobuf::RepeatedPtrField<v1::Fault> faults;
  EXPECT_EQ(FaultsToJson(faults), "[]");
  *faults.Add() = SampleFault();
  *faults.Add() = SampleFault();
  faults[1].set_id("second");
  std::string json = FaultsToJson(faults);
  EXPECT_EQ(json.front(), '[');
  EXPECT_EQ(json.back(), ']');
  EXPECT_THAT(json, HasSubstr("\"id\":\"7f3c0a1e\""));
  EXPECT_THAT(json, HasSubstr("},{\"id\":\"second\""));
}

TEST_F(FormatTest, PlanLinesReadLikeTc) {
  auto plan = FromText<v1::Plan>(R"(
      steps { object: "link" kind: "ifb" interface: "cn-ifb0" }
      steps { object: "qdisc" kind: "htb" interface: "eth0" handle: "ca00:" parent: "root"
              parameters: "default 1" }
      steps { object: "filter" kind: "u32" interface: "eth0" parent: "ca00:"
              parameters: "match ip dst 10.0.0.0/8 flowid ca00:2" })");
  EXPECT_THAT(PlanLines(plan),
              ::testing::ElementsAre(
                  "link add cn-ifb0 type ifb", "qdisc add dev eth0 root handle ca00: htb default 1",
                  "filter add dev eth0 parent ca00: u32 match ip dst 10.0.0.0/8 flowid ca00:2"));
}

TEST_F(FormatTest, CreateTextSaysIdAndExpiry) {
  v1::CreateFaultResponse response;
  *response.mutable_fault() = SampleFault();
  EXPECT_EQ(CreateText(response, kNowTp),
            "fault 7f3c0a1e applied: delay 3s on eth0, expires 2026-11-23 20:14:35 (in 30s)\n");

  response.set_replayed(true);
  EXPECT_EQ(CreateText(response, kNowTp),
            "fault 7f3c0a1e already applied (request-id r-1): delay 3s on eth0, "
            "expires 2026-11-23 20:14:35 (in 30s)\n");
}

TEST_F(FormatTest, DryRunShowsThePlanAndThatNothingWasApplied) {
  v1::CreateFaultResponse response;
  *response.mutable_fault() = SampleFault();
  response.set_dry_run(true);
  EXPECT_EQ(CreateText(response, kNowTp),
            "dry run, nothing was applied: delay 3s on eth0 would add:\n"
            "  qdisc add dev eth0 root handle ca00: netem delay 3s limit 1000\n");
}

TEST_F(FormatTest, FaultLineForActiveAndEnded) {
  v1::Fault fault = SampleFault();
  EXPECT_EQ(FaultLine(fault, "extended", kNowTp),
            "fault 7f3c0a1e extended: delay 3s on eth0, expires 2026-11-23 20:14:35 (in 30s)\n");
  fault.set_state(v1::FAULT_STATE_REVOKED);
  *fault.mutable_ended_at() = At(kNow);
  EXPECT_EQ(FaultLine(fault, "revoked", kNowTp),
            "fault 7f3c0a1e revoked: delay 3s on eth0, revoked\n");
}

TEST_F(FormatTest, FaultTable) {
  google::protobuf::RepeatedPtrField<v1::Fault> faults;
  EXPECT_EQ(FaultTable(faults, kNowTp), "no faults\n");
  *faults.Add() = SampleFault();
  v1::Fault& ended = *faults.Add();
  ended = FromText<v1::Fault>(R"(
      id: "b2"
      spec { interface: "veth1" netns: "web" loss { percent: 5 } match { dport { first: 80 } } }
      state: FAULT_STATE_EXPIRED counters { packets: 7 drops: 1 })");
  *ended.mutable_expires_at() = At(kNow - 60);
  *ended.mutable_ended_at() = At(kNow - 60);
  EXPECT_EQ(
      FaultTable(faults, kNowTp),
      "ID        IFACE      FAULT               STATE    EXPIRES IN  COUNTERS  OWNER\n"
      "7f3c0a1e  eth0       delay 3s            active   30s         1234/5    uid:1000(alice)\n"
      "b2        veth1@web  loss 5% (dport 80)  expired  -           7/1       -\n");
}

TEST_F(FormatTest, NotRevokedLineNamesTheOwner) {
  v1::NotRevoked left;
  *left.mutable_fault() = SampleFault();
  left.set_reason("not yours");
  EXPECT_EQ(NotRevokedLine(left),
            "fault 7f3c0a1e not revoked: delay 3s on eth0, owner uid:1000(alice)\n");
}

TEST_F(FormatTest, FaultDetails) {
  std::string text = FaultDetails(SampleFault(), kNowTp);
  EXPECT_THAT(text, HasSubstr("id:          7f3c0a1e\n"));
  EXPECT_THAT(text, HasSubstr("state:       active\n"));
  EXPECT_THAT(text, HasSubstr("labels:      team=db\n"));
  EXPECT_THAT(text, HasSubstr("owner:       uid:1000(alice)\n"));
  EXPECT_THAT(text, HasSubstr("expires:     2026-11-23 20:14:35 (in 30s)\n"));
  EXPECT_THAT(text, HasSubstr("counters:    1234 packets, 99000 bytes, 5 drops, 0 overlimits\n"));
  EXPECT_THAT(text, HasSubstr("plan:\n  qdisc add dev eth0 root handle ca00: netem"));
}

TEST_F(FormatTest, EventLine) {
  v1::FaultEvent event;
  event.set_type(v1::EVENT_TYPE_APPLIED);
  *event.mutable_fault() = SampleFault();
  *event.mutable_at() = At(kNow);
  EXPECT_EQ(EventLine(event), "2026-11-23T20:14:05Z APPLIED 7f3c0a1e delay 3s on eth0\n");

  event.set_type(v1::EVENT_TYPE_LOST);
  event.mutable_fault()->set_state_reason("qdisc deleted by hand");
  EXPECT_EQ(EventLine(event),
            "2026-11-23T20:14:05Z LOST 7f3c0a1e delay 3s on eth0: qdisc deleted by hand\n");
}

TEST_F(FormatTest, InfoNamesMissingCapabilitiesWithHints) {
  auto info = FromText<v1::Info>(R"pb(
    version: "0.1.0"
    kernel_release: "6.18.0"
    default_ttl { seconds: 300 }
    max_ttl { seconds: 3600 }
    active_faults: 2
    caller: "uid:1000(alice)"
    caller_read_only: true
    capabilities { name: "netem" available: false hint: "load sch_netem" }
    capabilities { name: "tbf" available: true })pb");
  std::string text = InfoText(info, kNowTp);
  EXPECT_THAT(text, HasSubstr("version:        0.1.0\n"));
  EXPECT_THAT(text, HasSubstr("default ttl:    5m\n"));
  EXPECT_THAT(text, HasSubstr("max ttl:        1h\n"));
  EXPECT_THAT(text, HasSubstr("active faults:  2\n"));
  EXPECT_THAT(text, HasSubstr("you are:        uid:1000(alice) (read-only)\n"));
  info.set_caller_read_only(false);
  info.set_caller_admin(true);
  EXPECT_THAT(InfoText(info, kNowTp), HasSubstr("you are:        uid:1000(alice) (admin)\n"));
  EXPECT_THAT(text, HasSubstr("  netem  MISSING  load sch_netem\n"));
  EXPECT_THAT(text, HasSubstr("  tbf    yes\n"));
}

TEST_F(FormatTest, StateAndEventNames) {
  EXPECT_EQ(StateName(v1::FAULT_STATE_ACTIVE), "active");
  EXPECT_EQ(StateName(v1::FAULT_STATE_LOST), "lost");
  EXPECT_EQ(StateName(v1::FAULT_STATE_FAILED), "failed");
  EXPECT_EQ(EventName(v1::EVENT_TYPE_EXPIRED), "EXPIRED");
  EXPECT_EQ(EventName(v1::EVENT_TYPE_SNAPSHOT), "SNAPSHOT");
}

TEST_F(FormatTest, RenderTableAlignsColumns) {
  EXPECT_EQ(RenderTable({"A", "BB"}, {{"xxx", "y"}, {"z", ""}}),
            "A    BB\n"
            "xxx  y\n"
            "z\n");
}

}  // namespace
}  // namespace chaosnet::client
