// The gRPC surface of a real chaosnetd, called through the real stub. Uses the
// tbf-based rate fault, which the host kernel supports; netem cases live in
// netem_e2e_test.cc and run in the real-kernel guest.
#include <gmock/gmock.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <grp.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fstream>
#include <thread>

#include "proto/features/features.h"
#include "tests/api/api_fixture.h"

namespace chaosnet::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST_F(ApiTest, InfoNamesVersionLimitsAndCapabilities) {
  EXPECT_FALSE(info_.version().empty());
  EXPECT_EQ(info_.max_ttl().seconds(), 3600);
  EXPECT_GT(info_.default_ttl().seconds(), 0);
  EXPECT_TRUE(KernelHas("tbf"));
  bool netem_listed = false;
  for (const auto& c : info_.capabilities()) {
    if (c.name() == "netem") {
      netem_listed = true;
      if (!c.available()) {
        EXPECT_THAT(c.hint(), HasSubstr("sch_netem"));
      }
    }
  }
  EXPECT_TRUE(netem_listed);
  // The features it announces are exactly those its API marks.
  const std::vector<std::string> announced(info_.features().begin(), info_.features().end());
  EXPECT_EQ(announced, features::DeclaredByApi());
}

TEST_F(ApiTest, RateFaultLifecycleCreateGetListExtendRevoke) {
  pb::CreateFaultResponse created;
  auto req = RateRequest(1'000'000);
  (*req.mutable_labels())["experiment"] = "api-test";
  grpc::Status s = Create(req, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const std::string id = created.fault().id();
  EXPECT_FALSE(id.empty());
  EXPECT_EQ(created.fault().state(), pb::FAULT_STATE_ACTIVE);
  EXPECT_GT(created.fault().expires_at().seconds(), created.fault().created_at().seconds());
  ASSERT_GE(created.fault().plan().steps_size(), 1);
  EXPECT_EQ(created.fault().plan().steps(0).kind(), "htb");

  // The kernel's own view, read by tc: our htb root, and the fault's class
  // with the rate.
  std::string qdiscs = Qdiscs();
  EXPECT_THAT(qdiscs, HasSubstr("\"kind\":\"htb\""));
  EXPECT_THAT(qdiscs, HasSubstr("\"handle\":\"ca00:\""));
  EXPECT_THAT(Classes(), HasSubstr("class htb ca00:1 root prio 0 rate 1Mbit ceil 1Mbit"));

  pb::Fault got = Get(id);
  EXPECT_EQ(got.state(), pb::FAULT_STATE_ACTIVE);
  EXPECT_EQ(got.spec().rate().bits_per_second(), 1'000'000u);
  EXPECT_EQ(got.labels().at("experiment"), "api-test");

  pb::ListFaultsRequest list_req;
  (*list_req.mutable_label_selector())["experiment"] = "api-test";
  pb::ListFaultsResponse list;
  ASSERT_TRUE(stub_->ListFaults(Ctx().get(), list_req, &list).ok());
  ASSERT_EQ(list.faults_size(), 1);
  EXPECT_EQ(list.faults(0).id(), id);

  pb::ExtendFaultRequest extend;
  extend.set_id(id);
  extend.mutable_ttl()->set_seconds(1800);
  pb::Fault extended;
  ASSERT_TRUE(stub_->ExtendFault(Ctx().get(), extend, &extended).ok());
  EXPECT_GT(extended.expires_at().seconds(), created.fault().expires_at().seconds() + 1000);

  pb::RevokeFaultRequest revoke;
  revoke.set_id(id);
  pb::Fault revoked;
  ASSERT_TRUE(stub_->RevokeFault(Ctx().get(), revoke, &revoked).ok());
  EXPECT_EQ(revoked.state(), pb::FAULT_STATE_REVOKED);
  EXPECT_TRUE(revoked.has_ended_at());
  EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();

  // A second revoke of the same fault is a precondition failure, not a crash.
  pb::Fault again;
  EXPECT_EQ(stub_->RevokeFault(Ctx().get(), revoke, &again).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(ApiTest, LeaseExpiresAndTheQdiscIsGone) {
  pb::CreateFaultResponse created;
  ASSERT_TRUE(Create(RateRequest(), &created).ok());
  ASSERT_TRUE(HasOwnedQdisc());
  // Only now is the lease cut to 1 s: a 1 s lease given at create could end
  // before a loaded machine had read the qdisc above.
  SetTtl(created.fault().id(), std::chrono::seconds(1));
  const pb::Fault f = AwaitState(created.fault().id(), pb::FAULT_STATE_EXPIRED);
  EXPECT_EQ(f.state(), pb::FAULT_STATE_EXPIRED);
  EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();
  // Ended before or at most a little after its deadline, never before it.
  int64_t ended_ms = google::protobuf::util::TimeUtil::TimestampToMilliseconds(f.ended_at());
  int64_t expires_ms = google::protobuf::util::TimeUtil::TimestampToMilliseconds(f.expires_at());
  EXPECT_GE(ended_ms, expires_ms - 5);
  EXPECT_LT(ended_ms, expires_ms + 2000);
}

struct BadRequestCase {
  const char* name;
  std::function<void(pb::CreateFaultRequest&)> mutate;
  grpc::StatusCode code;
  const char* message_part;
};

class ApiBadRequestTest : public ApiTest, public ::testing::WithParamInterface<BadRequestCase> {};

TEST_P(ApiBadRequestTest, IsRefusedWithTheRightCodeAndLeavesNothing) {
  auto req = RateRequest();
  GetParam().mutate(req);
  pb::CreateFaultResponse resp;
  grpc::Status s = Create(req, &resp);
  EXPECT_EQ(s.error_code(), GetParam().code) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr(GetParam().message_part));
  EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();
  pb::ListFaultsResponse list;
  ASSERT_TRUE(stub_->ListFaults(Ctx().get(), {}, &list).ok());
  EXPECT_EQ(list.faults_size(), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ApiBadRequestTest,
    ::testing::Values(
        BadRequestCase{"UnknownInterface",
                       [](auto& r) { r.mutable_spec()->set_interface("nosuch0"); },
                       grpc::StatusCode::NOT_FOUND, "nosuch0"},
        BadRequestCase{"LossAbove100",
                       [](auto& r) { r.mutable_spec()->mutable_loss()->set_percent(150); },
                       grpc::StatusCode::INVALID_ARGUMENT, "150"},
        BadRequestCase{"TtlOverMaximum", [](auto& r) { r.mutable_ttl()->set_seconds(7200); },
                       grpc::StatusCode::INVALID_ARGUMENT, "maximum"},
        BadRequestCase{"ZeroTtl", [](auto& r) { r.mutable_ttl()->set_seconds(0); },
                       grpc::StatusCode::INVALID_ARGUMENT, "ttl"},
        BadRequestCase{"NegativeTtl", [](auto& r) { r.mutable_ttl()->set_seconds(-3); },
                       grpc::StatusCode::INVALID_ARGUMENT, "ttl"},
        BadRequestCase{"NoImpairment", [](auto& r) { r.mutable_spec()->clear_rate(); },
                       grpc::StatusCode::INVALID_ARGUMENT, ""},
        BadRequestCase{"EmptyInterface", [](auto& r) { r.mutable_spec()->set_interface(""); },
                       grpc::StatusCode::INVALID_ARGUMENT, "interface"},
        BadRequestCase{
            "GarbageCidr",
            [](auto& r) { r.mutable_spec()->mutable_match()->set_dst_cidr("10.0.0.300/8"); },
            grpc::StatusCode::INVALID_ARGUMENT, "dst"},
        BadRequestCase{
            "PortAbove65535",
            [](auto& r) { r.mutable_spec()->mutable_match()->mutable_dport()->set_first(70000); },
            grpc::StatusCode::INVALID_ARGUMENT, "dport"},
        BadRequestCase{
            "PrefixTooLong",
            [](auto& r) { r.mutable_spec()->mutable_match()->set_dst_cidr("10.1.0.0/33"); },
            grpc::StatusCode::INVALID_ARGUMENT, "dst"},
        BadRequestCase{"MixedFamilies",
                       [](auto& r) {
                         r.mutable_spec()->mutable_match()->set_dst_cidr("10.1.0.0/16");
                         r.mutable_spec()->mutable_match()->set_src_cidr("fd00::/8");
                       },
                       grpc::StatusCode::INVALID_ARGUMENT, "mix IPv4 and IPv6"},
        BadRequestCase{"UnknownNetns",
                       [](auto& r) { r.mutable_spec()->set_netns("cn-no-such-namespace"); },
                       grpc::StatusCode::NOT_FOUND, "cn-no-such-namespace"},
        BadRequestCase{"RelativeNetnsPath", [](auto& r) { r.mutable_spec()->set_netns("a/b"); },
                       grpc::StatusCode::INVALID_ARGUMENT, "netns"},
        BadRequestCase{"VanishedProcessNetns",
                       [](auto& r) { r.mutable_spec()->set_netns("pid:4194000"); },
                       grpc::StatusCode::NOT_FOUND, "does not exist"},
        BadRequestCase{
            "UnknownDirectionValue",
            [](auto& r) { r.mutable_spec()->set_direction(static_cast<pb::Direction>(42)); },
            grpc::StatusCode::INVALID_ARGUMENT, "direction"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(ApiTest, ForeignRootQdiscIsRefusedAndLeftUntouched) {
  ASSERT_EQ(net_->InA("tc qdisc add dev cn0 root handle 1: htb default 10"), 0);
  pb::CreateFaultResponse resp;
  grpc::Status s = Create(RateRequest(), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("did not create"));
  std::string q = Qdiscs();
  EXPECT_THAT(q, HasSubstr("\"kind\":\"htb\""));
  EXPECT_THAT(q, HasSubstr("\"handle\":\"1:\""));
}

TEST_F(ApiTest, SecondWholeInterfaceFaultIsRefused) {
  pb::CreateFaultResponse first, second;
  ASSERT_TRUE(Create(RateRequest(), &first).ok());
  grpc::Status s = Create(RateRequest(2'000'000), &second);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr(first.fault().id()));
  // The first fault is intact.
  EXPECT_THAT(Classes(), HasSubstr("rate 1Mbit"));
  EXPECT_THAT(Classes(), Not(HasSubstr("rate 2Mbit")));
}

TEST_F(ApiTest, NetemFaultOnAKernelWithoutNetemNamesTheMissingModule) {
  if (KernelHas("netem")) GTEST_SKIP() << "this kernel has netem";
  pb::CreateFaultResponse resp;
  grpc::Status s = Create(DelayRequest(100), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("sch_netem"));
  EXPECT_FALSE(HasOwnedQdisc());
}

TEST_F(ApiTest, UnknownIdsAreNotFound) {
  pb::GetFaultRequest get;
  get.set_id("000000000000");
  pb::Fault f;
  EXPECT_EQ(stub_->GetFault(Ctx().get(), get, &f).error_code(), grpc::StatusCode::NOT_FOUND);
  pb::ExtendFaultRequest extend;
  extend.set_id("000000000000");
  extend.mutable_ttl()->set_seconds(5);
  EXPECT_EQ(stub_->ExtendFault(Ctx().get(), extend, &f).error_code(), grpc::StatusCode::NOT_FOUND);
  pb::RevokeFaultRequest revoke;
  revoke.set_id("000000000000");
  EXPECT_EQ(stub_->RevokeFault(Ctx().get(), revoke, &f).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(ApiTest, ExtendBeyondTheMaximumIsRefused) {
  pb::CreateFaultResponse created;
  ASSERT_TRUE(Create(RateRequest(), &created).ok());
  pb::ExtendFaultRequest extend;
  extend.set_id(created.fault().id());
  extend.mutable_ttl()->set_seconds(2 * 3600);
  pb::Fault f;
  grpc::Status s = stub_->ExtendFault(Ctx().get(), extend, &f);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("maximum"));
}

TEST_F(ApiTest, RetryWithTheSameRequestIdReturnsTheSameLease) {
  auto req = RateRequest();
  req.set_request_id("runner-7-step-3");
  pb::CreateFaultResponse first, retry;
  ASSERT_TRUE(Create(req, &first).ok());
  ASSERT_TRUE(Create(req, &retry).ok());
  EXPECT_EQ(retry.fault().id(), first.fault().id());
  EXPECT_TRUE(retry.replayed());
  pb::ListFaultsResponse list;
  ASSERT_TRUE(stub_->ListFaults(Ctx().get(), {}, &list).ok());
  EXPECT_EQ(list.faults_size(), 1);
}

TEST_F(ApiTest, DryRunReturnsThePlanAndTouchesNothing) {
  auto req = RateRequest();
  req.set_dry_run(true);
  pb::CreateFaultResponse resp;
  ASSERT_TRUE(Create(req, &resp).ok());
  EXPECT_TRUE(resp.dry_run());
  // The whole tree, since this is the interface's first fault: root,
  // protected traffic, the fault's class, its filters.
  ASSERT_GE(resp.fault().plan().steps_size(), 4);
  EXPECT_EQ(resp.fault().plan().steps(0).kind(), "htb");
  EXPECT_EQ(resp.fault().plan().steps(0).handle(), "ca00:");
  bool rate_class = false;
  for (const auto& step : resp.fault().plan().steps()) {
    rate_class |=
        step.object() == "class" && step.parameters().find("rate 1mbit") != std::string::npos;
  }
  EXPECT_TRUE(rate_class);
  EXPECT_FALSE(HasOwnedQdisc());
}

TEST_F(ApiTest, RevokeAllEndsEveryFault) {
  // A second interface in the same namespace for a second fault.
  ASSERT_EQ(net_->InA("ip link add cnx0 type veth peer name cnx1 && ip link set cnx0 up && "
                      "ip link set cnx1 up"),
            0);
  pb::CreateFaultResponse a, b;
  ASSERT_TRUE(Create(RateRequest(), &a).ok());
  auto req = RateRequest();
  req.mutable_spec()->set_interface("cnx0");
  ASSERT_TRUE(Create(req, &b).ok());
  pb::RevokeAllFaultsResponse all;
  ASSERT_TRUE(stub_->RevokeAllFaults(Ctx().get(), {}, &all).ok());
  EXPECT_EQ(all.faults_size(), 2);
  EXPECT_FALSE(HasOwnedQdisc());
  EXPECT_THAT(TcQdiscJson(net_->ns_a(), "cnx0"), Not(HasSubstr("ca00:")));
}

TEST_F(ApiTest, RevokeAllReadsEachFaultsFinalCountersFromOneDumpOfTheDevice) {
  // Three targeted faults on one device end together: their final readings
  // come from one dump of the device's classes, and each must get its own.
  auto req = RateRequest(10'000'000);
  pb::CreateFaultResponse other1, to_b, other2;
  req.mutable_spec()->mutable_match()->set_dst_cidr("10.99.0.1/32");
  ASSERT_TRUE(Create(req, &other1).ok());
  req.mutable_spec()->mutable_match()->set_dst_cidr(net_->addr_b());
  ASSERT_TRUE(Create(req, &to_b).ok());
  req.mutable_spec()->mutable_match()->set_dst_cidr("10.99.0.2/32");
  ASSERT_TRUE(Create(req, &other2).ok());
  ASSERT_EQ(net_->InA("ping -c 5 -i 0.2 -W 2 " + net_->addr_b() + " >/dev/null"), 0);
  pb::RevokeAllFaultsResponse all;
  ASSERT_TRUE(stub_->RevokeAllFaults(Ctx().get(), {}, &all).ok());
  ASSERT_EQ(all.faults_size(), 3);
  for (const pb::Fault& f : all.faults()) {
    EXPECT_EQ(f.state(), pb::FAULT_STATE_REVOKED) << f.state_reason();
    if (f.id() == to_b.fault().id()) {
      EXPECT_GE(f.counters().packets(), 5u);
    } else {
      EXPECT_EQ(f.counters().packets(), 0u) << f.id();
    }
  }
  EXPECT_FALSE(HasOwnedQdisc());
}

TEST_F(ApiTest, CountersGrowWithTraffic) {
  pb::CreateFaultResponse created;
  ASSERT_TRUE(Create(RateRequest(10'000'000), &created).ok());
  ASSERT_EQ(net_->InA("ping -c 5 -i 0.2 -W 2 " + net_->addr_b() + " >/dev/null"), 0);
  pb::Fault f = Get(created.fault().id());
  EXPECT_GE(f.counters().packets(), 5u);
  EXPECT_GE(f.counters().bytes(), 5u * 84);
}

TEST_F(ApiTest, WatchSeesEveryEventInOrder) {
  // Watch subscribes asynchronously. A fault live before it starts has a
  // snapshot event, which proves the subscription is in place before anything
  // happens (a fixed wait would not, on a loaded machine).
  pb::CreateFaultRequest earlier = RateRequest();
  earlier.mutable_spec()->mutable_match()->set_dst_cidr(net_->addr_b());
  pb::CreateFaultResponse live;
  ASSERT_TRUE(Create(earlier, &live).ok());
  grpc::ClientContext watch_ctx;
  pb::WatchRequest watch_req;
  watch_req.set_send_initial(true);
  auto reader = stub_->Watch(&watch_ctx, watch_req);
  pb::FaultEvent snapshot;
  ASSERT_TRUE(reader->Read(&snapshot));
  ASSERT_EQ(snapshot.type(), pb::EVENT_TYPE_SNAPSHOT);
  ASSERT_EQ(snapshot.fault().id(), live.fault().id());

  pb::CreateFaultResponse created;
  ASSERT_TRUE(Create(RateRequest(), &created).ok());
  pb::ExtendFaultRequest extend;
  extend.set_id(created.fault().id());
  extend.mutable_ttl()->set_seconds(100);
  pb::Fault f;
  ASSERT_TRUE(stub_->ExtendFault(Ctx().get(), extend, &f).ok());
  pb::RevokeFaultRequest revoke;
  revoke.set_id(created.fault().id());
  ASSERT_TRUE(stub_->RevokeFault(Ctx().get(), revoke, &f).ok());

  std::vector<pb::EventType> types;
  pb::FaultEvent event;
  uint64_t last_sequence = 0;
  while (types.size() < 3 && reader->Read(&event)) {
    EXPECT_EQ(event.fault().id(), created.fault().id());
    EXPECT_GT(event.sequence(), last_sequence);
    last_sequence = event.sequence();
    types.push_back(event.type());
  }
  EXPECT_EQ(types, (std::vector<pb::EventType>{pb::EVENT_TYPE_APPLIED, pb::EVENT_TYPE_EXTENDED,
                                               pb::EVENT_TYPE_REVOKED}));
  watch_ctx.TryCancel();
}

TEST_F(ApiTest, SigtermRollsBackEverything) {
  pb::CreateFaultResponse created;
  ASSERT_TRUE(Create(RateRequest(), &created).ok());
  ASSERT_TRUE(HasOwnedQdisc());
  int status = daemon_->StopWith(SIGTERM);
  ASSERT_NE(status, -1) << "daemon did not exit on SIGTERM";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << daemon_->ReadLog();
  EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();
  EXPECT_THAT(daemon_->ReadLog(), HasSubstr("rolled back"));
}

TEST_F(ApiTest, CleanupWithoutStateRemovesOnlyChaosnetQdiscs) {
  ASSERT_EQ(net_->InA("ip link add cnx0 type veth peer name cnx1 && ip link set cnx0 up && "
                      "tc qdisc add dev cnx0 root handle 1: htb default 10"),
            0);
  pb::CreateFaultResponse created;
  ASSERT_TRUE(Create(RateRequest(), &created).ok());
  ASSERT_NE(daemon_->StopWith(SIGKILL), -1);
  ASSERT_TRUE(HasOwnedQdisc()) << "a killed daemon cannot roll back";

  // No daemon, no state file: the handle marker alone identifies what is ours.
  std::string out;
  EXPECT_EQ(net_->InA(BinaryPath("chaosnetd") + " --cleanup", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("removed"));
  EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();
  EXPECT_THAT(TcQdiscJson(net_->ns_a(), "cnx0"), HasSubstr("\"kind\":\"htb\""))
      << "a foreign qdisc must survive cleanup";
}

TEST_F(ApiTest, ARestartWithAnotherStateDirRemovesOrphansAndKeepsForeignQdiscs) {
  ASSERT_EQ(net_->InA("ip link add cnx0 type veth peer name cnx1 && ip link set cnx0 up && "
                      "tc qdisc add dev cnx0 root handle 1: htb default 10"),
            0);
  pb::CreateFaultResponse created;
  ASSERT_TRUE(Create(RateRequest(), &created).ok());
  ASSERT_NE(daemon_->StopWith(SIGKILL), -1);

  DaemonProcess restarted(net_->ns_a());  // a fresh state dir: no record of the fault
  ASSERT_TRUE(restarted.WaitReady()) << restarted.ReadLog();
  EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();
  EXPECT_THAT(restarted.ReadLog(), HasSubstr("orphan"));
  EXPECT_THAT(TcQdiscJson(net_->ns_a(), "cnx0"), HasSubstr("\"kind\":\"htb\""));
  pb::CreateFaultResponse again;
  EXPECT_TRUE(restarted.NewStub()->CreateFault(Ctx().get(), RateRequest(), &again).ok());
}

TEST_F(ApiTest, ASecondDaemonOnTheSameSocketIsRefusedAndTouchesNothing) {
  pb::CreateFaultResponse created;
  ASSERT_TRUE(Create(RateRequest(), &created).ok());
  // The running daemon's socket is live: stealing it must fail loudly, before
  // the newcomer could take the first daemon's qdisc for an orphan.
  std::string out;
  int rc = net_->InA(BinaryPath("chaosnetd") + " --socket " + daemon_->socket_path() +
                         " --state-dir " + daemon_->socket_path() + ".state",
                     &out);
  EXPECT_NE(rc, 0);
  EXPECT_THAT(out, HasSubstr("already"));
  EXPECT_TRUE(HasOwnedQdisc()) << Qdiscs();
  EXPECT_EQ(Get(created.fault().id()).state(), pb::FAULT_STATE_ACTIVE);
}

}  // namespace
}  // namespace chaosnet::testing

namespace chaosnet::testing {
namespace {

// The operator's limits through a real daemon's flags.
class PolicyApiTest : public ApiTest {
 protected:
  std::vector<std::string> ExtraDaemonArgs() override {
    return {"--max-ttl",        "1h", "--max-faults", "1", "--max-loss", "50%",
            "--deny-interface", "lo", "--max-delay",  "2s"};
  }
};

TEST_F(PolicyApiTest, EachLimitIsRefusedWithItsCodeAndLeavesNothing) {
  pb::CreateFaultRequest on_lo = RateRequest();
  on_lo.mutable_spec()->set_interface("lo");
  pb::CreateFaultResponse resp;
  grpc::Status s = Create(on_lo, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(s.error_message(), "interface lo may not be faulted (--deny-interface lo)");

  pb::CreateFaultRequest lossy = RateRequest();
  lossy.mutable_spec()->mutable_loss()->set_percent(60);
  s = Create(lossy, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("(--max-loss)"));

  pb::CreateFaultRequest partition = RateRequest();
  partition.mutable_spec()->clear_rate();
  partition.mutable_spec()->set_partition(true);
  EXPECT_EQ(Create(partition, &resp).error_code(), grpc::StatusCode::PERMISSION_DENIED);

  s = Create(DelayRequest(3000), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("(--max-delay)"));
  EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();

  ASSERT_TRUE(Create(RateRequest(), &resp).ok());
  pb::CreateFaultRequest second = RateRequest();
  second.mutable_spec()->mutable_match()->set_dst_cidr("10.1.2.3");
  s = Create(second, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(), HasSubstr("--max-faults 1"));
  EXPECT_THAT(Classes(), Not(HasSubstr("ca00:2")));
}

}  // namespace
}  // namespace chaosnet::testing

namespace chaosnet::testing {
namespace {

class AuditApiTest : public ApiTest {
 protected:
  AuditApiTest() {
    char tmpl[] = "/tmp/chaosnet-audit-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = dir_ + "/audit.jsonl";
  }
  ~AuditApiTest() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }
  std::vector<std::string> ExtraDaemonArgs() override {
    return {"--max-ttl", "1h", "--audit-log", path_};
  }
  std::vector<std::string> Lines() const {
    std::ifstream in(path_);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
  // The lines with this event for this fault.
  std::vector<std::string> Find(const std::string& event, const std::string& fault) const {
    std::vector<std::string> out;
    for (const auto& l : Lines()) {
      if (l.find("\"event\":\"" + event + "\"") != std::string::npos &&
          l.find("\"fault\":\"" + fault + "\"") != std::string::npos) {
        out.push_back(l);
      }
    }
    return out;
  }
  std::string dir_, path_;
};

TEST_F(AuditApiTest, EachLifecycleEventIsOneJsonLineWithWhoDidIt) {
  pb::CreateFaultResponse a;
  ASSERT_TRUE(Create(RateRequest(), &a).ok());
  const std::string id = a.fault().id();
  pb::ExtendFaultRequest extend;
  extend.set_id(id);
  extend.mutable_ttl()->set_seconds(120);
  pb::Fault f;
  ASSERT_TRUE(stub_->ExtendFault(Ctx().get(), extend, &f).ok());
  pb::RevokeFaultRequest revoke;
  revoke.set_id(id);
  ASSERT_TRUE(stub_->RevokeFault(Ctx().get(), revoke, &f).ok());
  EXPECT_EQ(stub_->RevokeFault(Ctx().get(), revoke, &f).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  pb::CreateFaultResponse b;
  ASSERT_TRUE(Create(RateRequest(1'000'000, 1), &b).ok());
  ASSERT_EQ(AwaitState(b.fault().id(), pb::FAULT_STATE_EXPIRED).state(), pb::FAULT_STATE_EXPIRED);
  pb::CreateFaultRequest bad = RateRequest();
  bad.mutable_spec()->set_interface("nosuch0");
  pb::CreateFaultResponse ignored;
  EXPECT_FALSE(Create(bad, &ignored).ok());

  const std::string caller = "\"actor\":\"" + a.fault().owner().identity() + "\"";
  ASSERT_EQ(Find("applied", id).size(), 1u) << path_;
  EXPECT_THAT(Find("applied", id)[0], HasSubstr(caller));
  EXPECT_THAT(Find("applied", id)[0], HasSubstr("\"spec\":{\"interface\":\"cn0\""));
  ASSERT_EQ(Find("extended", id).size(), 1u);
  EXPECT_THAT(Find("extended", id)[0], HasSubstr(caller));
  ASSERT_EQ(Find("revoked", id).size(), 1u);
  EXPECT_THAT(Find("revoked", id)[0], HasSubstr(caller));
  ASSERT_EQ(Find("refused", id).size(), 1u);
  EXPECT_THAT(Find("refused", id)[0], HasSubstr("\"code\":\"FAILED_PRECONDITION\""));
  ASSERT_EQ(Find("applied", b.fault().id()).size(), 1u);
  ASSERT_EQ(Find("expired", b.fault().id()).size(), 1u);
  EXPECT_THAT(Find("expired", b.fault().id())[0], HasSubstr("\"actor\":\"chaosnetd\""));
  int refused_create = 0;
  for (const auto& l : Lines()) {
    if (l.find("\"rpc\":\"CreateFault\"") != std::string::npos &&
        l.find("\"code\":\"NOT_FOUND\"") != std::string::npos &&
        l.find("nosuch0") != std::string::npos) {
      ++refused_create;
    }
  }
  EXPECT_EQ(refused_create, 1);
  for (const auto& l : Lines()) {
    EXPECT_EQ(l.front(), '{');
    EXPECT_EQ(l.back(), '}');
    EXPECT_THAT(l, ::testing::ContainsRegex("^\\{\"time\":\"20[0-9-]+T[0-9:.]+Z\""));
  }
}

}  // namespace
}  // namespace chaosnet::testing

namespace chaosnet::testing {
namespace {

class SocketGroupApiTest : public ApiTest {
 protected:
  std::vector<std::string> ExtraDaemonArgs() override {
    return {"--max-ttl", "1h", "--socket-group", "nogroup"};
  }
};

TEST_F(SocketGroupApiTest, TheSocketBelongsToTheGroupAndNobodyElse) {
  struct stat st {};
  ASSERT_EQ(::stat(daemon_->socket_path().c_str(), &st), 0);
  const struct group* g = ::getgrnam("nogroup");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(st.st_gid, g->gr_gid);
  EXPECT_EQ(st.st_mode & 0777, 0660u);
}

TEST(SocketGroupStartup, AnUnknownGroupStopsTheDaemonBeforeItServes) {
  if (!IsRoot()) GTEST_SKIP() << "needs root";
  DaemonProcess daemon("", {"--socket-group", "no-such-group-chaosnet"});
  EXPECT_FALSE(daemon.WaitReady());
  EXPECT_THAT(daemon.ReadLog(), HasSubstr("--socket-group no-such-group-chaosnet: no such group"));
}

}  // namespace
}  // namespace chaosnet::testing

namespace chaosnet::testing {
namespace {

// The Prometheus endpoint, scraped the way Prometheus does, checked by
// Prometheus's own linter.
class MetricsApiTest : public ApiTest {
 protected:
  std::vector<std::string> ExtraDaemonArgs() override {
    return {"--max-ttl", "1h", "--metrics-listen", "127.0.0.1:19465"};
  }
  void SetUp() override {
    ApiTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_EQ(net_->InA("ip link set lo up"), 0);
  }
  // One HTTP request from inside the daemon's namespace, with bash alone.
  std::string Http(const std::string& path) {
    std::string out;
    net_->InA("bash -c 'exec 3<>/dev/tcp/127.0.0.1/19465 && printf \"GET " + path +
                  " HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n\" >&3 && cat <&3'",
              &out);
    return out;
  }
  std::string Body(const std::string& response) {
    auto at = response.find("\r\n\r\n");
    return at == std::string::npos ? "" : response.substr(at + 4);
  }
};

TEST_F(MetricsApiTest, ScrapePassesPromtoolAndCountersMoveWithOperations) {
  pb::CreateFaultResponse created;
  ASSERT_TRUE(Create(RateRequest(), &created).ok());
  pb::CreateFaultRequest bad = RateRequest();
  bad.mutable_spec()->set_interface("nosuch0");
  pb::CreateFaultResponse ignored;
  EXPECT_FALSE(Create(bad, &ignored).ok());

  std::string live = Http("/metrics");
  EXPECT_THAT(live, ::testing::StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(live, HasSubstr("Content-Type: text/plain; version=0.0.4"));
  const std::string body = Body(live);
  EXPECT_THAT(body, HasSubstr("chaosnet_faults_active{netns=\"\",interface=\"cn0\"} 1\n"));
  EXPECT_THAT(body, HasSubstr("chaosnet_faults_active_by_kind{kind=\"rate\"} 1\n"));
  EXPECT_THAT(body, HasSubstr("chaosnet_fault_events_total{event=\"applied\"} 1\n"));
  EXPECT_THAT(body, HasSubstr("chaosnet_requests_total{rpc=\"CreateFault\",code=\"OK\"} 1\n"));
  EXPECT_THAT(body,
              HasSubstr("chaosnet_requests_total{rpc=\"CreateFault\",code=\"NOT_FOUND\"} 1\n"));
  EXPECT_THAT(body, HasSubstr("chaosnet_request_duration_seconds_count{rpc=\"CreateFault\"} 2\n"));
  EXPECT_THAT(body, HasSubstr("# TYPE chaosnet_netlink_errors_total counter\n"));
  EXPECT_THAT(body, HasSubstr("chaosnet_api_streams_open 0\n"));
  {
    // An open watch stream is counted while it lasts.
    grpc::ClientContext watch_ctx;
    pb::WatchRequest watch_request;
    auto watch = stub_->Watch(&watch_ctx, watch_request);
    std::string streams;
    for (int i = 0; i < 100; ++i) {
      streams = Body(Http("/metrics"));
      if (streams.find("chaosnet_api_streams_open 1\n") != std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_THAT(streams, HasSubstr("chaosnet_api_streams_open 1\n"));
    watch_ctx.TryCancel();
    watch->Finish();
  }

  // Prometheus's own linter on what a scrape returns.
  char tmpl[] = "/tmp/chaosnet-metrics-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  { std::ofstream(dir + "/scrape.txt") << body; }
  std::string lint;
  EXPECT_EQ(Shell("promtool check metrics < " + dir + "/scrape.txt 2>&1", &lint), 0) << lint;
  EXPECT_EQ(lint, "") << "promtool has remarks";
  std::system(("rm -rf '" + dir + "'").c_str());

  pb::RevokeFaultRequest revoke;
  revoke.set_id(created.fault().id());
  pb::Fault f;
  ASSERT_TRUE(stub_->RevokeFault(Ctx().get(), revoke, &f).ok());
  const std::string after = Body(Http("/metrics"));
  EXPECT_THAT(after, HasSubstr("chaosnet_fault_events_total{event=\"revoked\"} 1\n"));
  EXPECT_THAT(after, Not(HasSubstr("interface=\"cn0\"} 1")));
  EXPECT_THAT(Http("/other"), ::testing::StartsWith("HTTP/1.1 404 Not Found"));
}

}  // namespace
}  // namespace chaosnet::testing

namespace chaosnet::testing {
namespace {

TEST(MetricsStartup, ABadListenAddressStopsTheDaemonBeforeItServes) {
  if (!IsRoot()) GTEST_SKIP() << "needs root";
  for (const char* bad : {"nonsense", "127.0.0.1:99999", "::1:9465", "host.example:9465"}) {
    DaemonProcess daemon("", {"--metrics-listen", bad});
    EXPECT_FALSE(daemon.WaitReady()) << bad;
    EXPECT_THAT(daemon.ReadLog(), HasSubstr("--metrics-listen")) << bad;
  }
}

}  // namespace
}  // namespace chaosnet::testing
