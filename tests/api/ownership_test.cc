// A lease belongs to its owner, through a real daemon: two local users in
// the socket group (uids that exist only for the test, run through setpriv
// or credited to a connection made by a thread holding their credentials),
// an --admin group's member and root. Extending and binding are the owner's
// and admins'; revoking is every writer's unless --revoke-others owner; the
// audit log and the fault's end name both identities. (The same through mTLS
// certificates and the plaintext listener: remote_access_test.cc.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <grp.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <thread>

#include <grpcpp/create_channel_posix.h>

#include "tests/api/api_fixture.h"

namespace chaosnet::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

// Ids no user database on the host names: the callers exist for this test only.
constexpr gid_t kSocketGroup = 4242000;
constexpr uid_t kAlice = 4242001;
constexpr uid_t kMallory = 4242002;
constexpr uid_t kOperator = 4242003;  // a member of the --admin group

// A group the user database names, for --admin group:NAME: the daemon
// resolves the name at start-up; only the operator gets its gid.
struct NamedGroup {
  std::string name;
  gid_t gid = 0;
};
NamedGroup ExistingGroup() {
  for (const char* name : {"users", "nogroup", "daemon"}) {
    if (const group* g = ::getgrnam(name)) return {name, g->gr_gid};
  }
  return {};
}

// A channel whose connection the kernel credits to `uid` (SO_PEERCRED): the
// socket is connected from a thread that took the user's credentials for
// itself alone. Raw syscalls change only the calling thread, unlike libc's
// wrappers, which change every thread of the process; this one ends after.
std::shared_ptr<grpc::Channel> ChannelAs(const std::string& socket_path, uid_t uid,
                                         std::vector<gid_t> groups) {
  int fd = -1;
  std::thread([&] {
    if (::syscall(SYS_setgroups, groups.size(), groups.data()) != 0 ||
        ::syscall(SYS_setresgid, uid, uid, uid) != 0 ||
        ::syscall(SYS_setresuid, uid, uid, uid) != 0) {
      return;
    }
    fd = ConnectUnixSocket(socket_path);
  }).join();
  return fd < 0 ? nullptr : grpc::CreateInsecureChannelFromFd("chaosnetd", fd);
}

class LocalOwnershipTest : public ApiTest {
 protected:
  void SetUp() override {
    if (!IsRoot()) GTEST_SKIP() << "needs root: creates network namespaces and qdiscs";
    admin_group_ = ExistingGroup();
    ASSERT_FALSE(admin_group_.name.empty()) << "no group to name in --admin group:NAME";
    char tmpl[] = "/tmp/chaosnet-owners-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    ApiTest::SetUp();
    OpenSocketDirectory();
  }
  // The socket's private directory must let the group's members reach it.
  void OpenSocketDirectory() {
    const std::string socket_dir =
        daemon_->socket_path().substr(0, daemon_->socket_path().rfind('/'));
    ASSERT_EQ(::chmod(socket_dir.c_str(), 0711), 0);
  }
  void TearDown() override {
    ApiTest::TearDown();
    if (!dir_.empty()) Shell("rm -rf '" + dir_ + "'");
  }
  std::vector<std::string> ExtraDaemonArgs() override {
    std::vector<std::string> args = {"--max-ttl",      "24h",
                                     "--socket-group", std::to_string(kSocketGroup),
                                     "--admin",        "group:" + admin_group_.name,
                                     "--audit-log",    Audit()};
    args.insert(args.end(), extra_args_.begin(), extra_args_.end());
    return args;
  }

  std::string Audit() const { return dir_ + "/audit.jsonl"; }
  std::string AuditText() const { return ReadTextFile(Audit()); }

  std::vector<gid_t> GroupsOf(uid_t uid) const {
    if (uid == kOperator) return {kSocketGroup, admin_group_.gid};
    return {kSocketGroup};
  }
  // The real chaosnetctl as `uid`; returns its exit code, *out gets stdout and stderr.
  int CtlAs(uid_t uid, const std::string& args, std::string* out) const {
    std::string groups;
    for (gid_t g : GroupsOf(uid)) groups += (groups.empty() ? "" : ",") + std::to_string(g);
    out->clear();
    return Shell("setpriv --reuid=" + std::to_string(uid) + " --regid=" + std::to_string(uid) +
                     " --groups=" + groups + " " + BinaryPath("chaosnetctl") + " --server " +
                     daemon_->server_address() + " " + args + " 2>&1",
                 out);
  }
  // A rate fault for `dst` only (so several coexist), made by `uid`; its id.
  std::string CreateAs(uid_t uid, const std::string& dst) {
    std::string out;
    EXPECT_EQ(CtlAs(uid, "-o json rate cn0 1mbit --ttl 60s --dst " + dst, &out), 0) << out;
    const auto at = out.find("\"id\":\"");
    return at == std::string::npos ? "" : out.substr(at + 6, 12);
  }
  std::string CreateAsRoot(const std::string& dst) {
    pb::CreateFaultRequest request = RateRequest();
    request.mutable_spec()->mutable_match()->set_dst_cidr(dst);
    pb::CreateFaultResponse created;
    grpc::Status s = Create(request, &created);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(created.fault().owner().identity(), "uid:0(root)");
    return created.fault().id();
  }

  NamedGroup admin_group_;
  std::string dir_;
  std::vector<std::string> extra_args_;  // --revoke-others, --read-only
};

TEST_F(LocalOwnershipTest, OnlyTheOwnerOrAnAdminMayExtendAndAnyWriterMayRevoke) {
  // The report: root's 60 s fault, and mallory asking for twenty hours.
  const std::string roots = CreateAsRoot("10.9.0.1");
  std::string out;
  EXPECT_EQ(CtlAs(kMallory, "extend " + roots + " 20h", &out), 1) << out;
  EXPECT_EQ(out, "chaosnetctl: permission denied: uid:4242002 may not extend fault " + roots +
                     ": it belongs to uid:0(root), and only its owner or an admin may (--admin "
                     "PATTERN would allow it)\n");
  EXPECT_NEAR(LeaseSeconds(Get(roots)), 60, 1) << "the owner's lease is untouched";
  EXPECT_EQ(CtlAs(kAlice, "extend " + roots + " 20h", &out), 1) << out;
  // A member of the --admin group may.
  EXPECT_EQ(CtlAs(kOperator, "extend " + roots + " 2m", &out), 0) << out;
  EXPECT_GT(LeaseSeconds(Get(roots)), 100);
  EXPECT_EQ(CtlAs(kOperator, "info", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("you are:        uid:4242003 (admin)\n"));

  // The owner may, and only the owner.
  const std::string alices = CreateAs(kAlice, "10.9.0.2");
  ASSERT_EQ(alices.size(), 12u);
  EXPECT_EQ(CtlAs(kAlice, "extend " + alices + " 5m", &out), 0) << out;
  EXPECT_GT(LeaseSeconds(Get(alices)), 250);
  EXPECT_EQ(CtlAs(kMallory, "extend " + alices + " 20h", &out), 1) << out;
  EXPECT_THAT(out, HasSubstr("it belongs to uid:4242001, and only its owner or an admin may"));

  // Revoking is the emergency stop: mallory may, and the end names both.
  EXPECT_EQ(CtlAs(kMallory, "revoke " + roots, &out), 0) << out;
  pb::Fault revoked = Get(roots);
  EXPECT_EQ(revoked.state(), pb::FAULT_STATE_REVOKED);
  EXPECT_EQ(revoked.state_reason(), "revoked by uid:4242002, owner uid:0(root)");
  EXPECT_EQ(CtlAs(kAlice, "revoke " + alices, &out), 0) << out;
  EXPECT_EQ(Get(alices).state_reason(), "revoked by uid:4242001");
  EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();

  const std::string audit = AuditText();
  EXPECT_THAT(audit, ContainsRegex("\"event\":\"refused\",\"rpc\":\"ExtendFault\",\"actor\":"
                                   "\"uid:4242002\",\"pid\":[0-9]+,\"code\":\"PERMISSION_DENIED\","
                                   "\"message\":\"[^\"]*\",\"fault\":\"" +
                                   roots + "\",\"owner\":\"uid:0\\(root\\)\""));
  EXPECT_THAT(audit, HasSubstr("\"event\":\"extended\",\"fault\":\"" + roots +
                               "\",\"actor\":\"uid:4242003\",\"owner\":\"uid:0(root)\""));
  EXPECT_THAT(audit, HasSubstr("\"event\":\"revoked\",\"fault\":\"" + roots +
                               "\",\"actor\":\"uid:4242002\",\"owner\":\"uid:0(root)\",\"state\":"
                               "\"REVOKED\",\"reason\":\"revoked by uid:4242002, owner "
                               "uid:0(root)\""));
}

TEST_F(LocalOwnershipTest, GetAndListShowTheOwnerAndMineIsTheCallersOwn) {
  const std::string roots = CreateAsRoot("10.9.0.1");
  const std::string alices = CreateAs(kAlice, "10.9.0.2");
  std::string out;
  EXPECT_EQ(CtlAs(kMallory, "get " + roots, &out), 0) << out;
  EXPECT_THAT(out, ContainsRegex("\nowner: +uid:0\\(root\\)\n"));
  EXPECT_EQ(CtlAs(kMallory, "list", &out), 0) << out;
  EXPECT_THAT(out, ContainsRegex(roots + " .* uid:0\\(root\\)\n"));
  EXPECT_THAT(out, ContainsRegex(alices + " .* uid:4242001\n"));
  EXPECT_EQ(CtlAs(kAlice, "list --mine", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr(alices));
  EXPECT_THAT(out, Not(HasSubstr(roots)));
  EXPECT_EQ(CtlAs(kMallory, "list --mine", &out), 0) << out;
  EXPECT_EQ(out, "no faults\n");
  EXPECT_EQ(CtlAs(kAlice, "-o json get " + alices, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("\"owner\":{\"identity\":\"uid:4242001\",\"key\":\"uid:4242001\"}"));

  // watch --mine: root's snapshot and events only, whatever others do meanwhile.
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  pb::WatchRequest request;
  request.set_send_initial(true);
  request.set_mine(true);
  auto watch = stub_->Watch(&ctx, request);
  pb::FaultEvent event;
  ASSERT_TRUE(watch->Read(&event));
  EXPECT_EQ(event.type(), pb::EVENT_TYPE_SNAPSHOT);
  EXPECT_EQ(event.fault().id(), roots);
  const std::string alices_second = CreateAs(kAlice, "10.9.0.3");
  const std::string roots_second = CreateAsRoot("10.9.0.4");
  ASSERT_TRUE(watch->Read(&event));
  EXPECT_EQ(event.type(), pb::EVENT_TYPE_APPLIED);
  EXPECT_EQ(event.fault().id(), roots_second) << "alice's " << alices_second << " is not root's";
  ctx.TryCancel();
  watch->Finish();
}

TEST_F(LocalOwnershipTest, AKeepAliveStreamOfANonOwnerIsRefusedAndEndsNothingOfTheOwners) {
  const std::string roots = CreateAsRoot("10.9.0.1");
  auto channel = ChannelAs(daemon_->socket_path(), kMallory, GroupsOf(kMallory));
  ASSERT_NE(channel, nullptr);
  auto mallory = pb::FaultService::NewStub(channel);
  pb::CreateFaultRequest own = RateRequest();
  own.mutable_spec()->mutable_match()->set_dst_cidr("10.9.0.2");
  pb::CreateFaultResponse created;
  ASSERT_TRUE(mallory->CreateFault(Ctx().get(), own, &created).ok());
  ASSERT_EQ(created.fault().owner().identity(), "uid:4242002");
  const std::string mallorys = created.fault().id();

  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  auto stream = mallory->KeepAlive(&ctx);
  pb::KeepAliveRequest bind;
  bind.add_fault_ids(mallorys);
  ASSERT_TRUE(stream->Write(bind));
  pb::KeepAliveResponse response;
  ASSERT_TRUE(stream->Read(&response));
  ASSERT_EQ(response.faults_size(), 1);
  EXPECT_TRUE(response.faults(0).keep_alive());

  bind.set_fault_ids(0, roots);
  stream->Write(bind);
  while (stream->Read(&response)) {
  }
  grpc::Status status = stream->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(status.error_message(),
            "uid:4242002 may not bind fault " + roots +
                " to a keep-alive stream: it belongs to uid:0(root), and only its owner or an "
                "admin may (--admin PATTERN would allow it)");

  // The stream's own fault ends with it; the owner's is untouched and unbound.
  pb::Fault owners = Get(roots);
  EXPECT_EQ(owners.state(), pb::FAULT_STATE_ACTIVE);
  EXPECT_FALSE(owners.keep_alive());
  EXPECT_TRUE(HasOwnedQdisc()) << Qdiscs();
  pb::Fault streams = Get(mallorys);
  EXPECT_EQ(streams.state(), pb::FAULT_STATE_REVOKED);
  EXPECT_THAT(streams.state_reason(), HasSubstr("keep-alive stream ended on an error"));
  EXPECT_THAT(AuditText(), HasSubstr("\"rpc\":\"KeepAlive\",\"actor\":\"uid:4242002\""));
  EXPECT_THAT(AuditText(), HasSubstr("\"fault\":\"" + roots + "\",\"owner\":\"uid:0(root)\""));

  // The owner (root, an admin too) binds it, and closing that stream ends it.
  grpc::ClientContext owner_ctx;
  auto owner_stream = stub_->KeepAlive(&owner_ctx);
  bind.set_fault_ids(0, roots);
  ASSERT_TRUE(owner_stream->Write(bind));
  ASSERT_TRUE(owner_stream->Read(&response));
  owner_stream->WritesDone();
  while (owner_stream->Read(&response)) {
  }
  EXPECT_TRUE(owner_stream->Finish().ok());
  EXPECT_EQ(Get(roots).state(), pb::FAULT_STATE_REVOKED);
}

TEST_F(LocalOwnershipTest, ADaemonRestartedAfterACrashKeepsTheOwner) {
  const std::string alices = CreateAs(kAlice, "10.9.0.2");
  ASSERT_EQ(alices.size(), 12u);
  // SIGKILL: the lease is left in the journal and the kernel, for the next
  // daemon to take over; it runs on a copy of the state directory.
  stub_.reset();
  ASSERT_NE(daemon_->StopWith(SIGKILL), -1);
  ASSERT_EQ(Shell("cp -a '" + daemon_->state_dir() + "' '" + dir_ + "/state'"), 0);
  daemon_ = std::make_unique<DaemonProcess>(net_->ns_a(), ExtraDaemonArgs(), dir_ + "/state");
  ASSERT_TRUE(daemon_->WaitReady()) << daemon_->ReadLog();
  stub_ = daemon_->NewStub();
  OpenSocketDirectory();
  EXPECT_THAT(daemon_->ReadLog(), HasSubstr("reconciled: 1 re-armed"));

  const pb::Fault restored = Get(alices);
  EXPECT_EQ(restored.state(), pb::FAULT_STATE_ACTIVE);
  EXPECT_EQ(restored.owner().identity(), "uid:4242001");
  EXPECT_EQ(restored.owner().key(), "uid:4242001");
  std::string out;
  EXPECT_EQ(CtlAs(kMallory, "extend " + alices + " 20h", &out), 1) << out;
  EXPECT_THAT(out, HasSubstr("it belongs to uid:4242001"));
  EXPECT_EQ(CtlAs(kAlice, "extend " + alices + " 2m", &out), 0) << out;
}

class LocalRevokeOthersOwnerTest : public LocalOwnershipTest {
 protected:
  void SetUp() override {
    extra_args_ = {"--revoke-others", "owner"};
    LocalOwnershipTest::SetUp();
  }
};

TEST_F(LocalRevokeOthersOwnerTest, OnlyTheOwnerOrAnAdminMayRevoke) {
  const std::string roots = CreateAsRoot("10.9.0.1");
  const std::string alices = CreateAs(kAlice, "10.9.0.2");
  const std::string mallorys = CreateAs(kMallory, "10.9.0.3");
  std::string out;
  EXPECT_EQ(CtlAs(kMallory, "revoke " + roots, &out), 1) << out;
  EXPECT_EQ(out, "chaosnetctl: permission denied: uid:4242002 may not revoke fault " + roots +
                     ": it belongs to uid:0(root), and only its owner or an admin may "
                     "(--revoke-others owner is set; --admin PATTERN or --revoke-others any "
                     "would allow it)\n");
  EXPECT_EQ(Get(roots).state(), pb::FAULT_STATE_ACTIVE);

  // revoke --all ends the caller's own and reports the rest, with the reason.
  EXPECT_EQ(CtlAs(kMallory, "revoke --all", &out), 1) << out;
  EXPECT_THAT(out, HasSubstr("fault " + mallorys + " revoked: "));
  EXPECT_THAT(out, ContainsRegex("fault " + roots + " not revoked: .*, owner uid:0\\(root\\)\n"));
  EXPECT_THAT(out, ContainsRegex("fault " + alices + " not revoked: .*, owner uid:4242001\n"));
  EXPECT_THAT(out, HasSubstr("chaosnetctl: 2 of 3 faults not revoked: uid:4242002 may not revoke "
                             "fault "));
  EXPECT_EQ(Get(roots).state(), pb::FAULT_STATE_ACTIVE);
  EXPECT_EQ(Get(alices).state(), pb::FAULT_STATE_ACTIVE);
  EXPECT_EQ(Get(mallorys).state(), pb::FAULT_STATE_REVOKED);
  EXPECT_THAT(AuditText(), HasSubstr("\"rpc\":\"RevokeAllFaults\",\"actor\":\"uid:4242002\""));

  EXPECT_EQ(CtlAs(kAlice, "revoke " + alices, &out), 0) << out;
  EXPECT_EQ(CtlAs(kOperator, "revoke " + roots, &out), 0) << out;
  EXPECT_EQ(Get(roots).state_reason(), "revoked by uid:4242003, owner uid:0(root)");
  EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();
}

// Guards (feature "guards"): a guard makes the daemon act on the caller's
// behalf, so a read-only caller may not set one, not even in a dry run that
// it may otherwise make; a writer's guards are in the audit log.
class LocalReadOnlyGuardsTest : public LocalOwnershipTest {
 protected:
  void SetUp() override {
    extra_args_ = {"--read-only", "uid:" + std::to_string(kMallory)};
    LocalOwnershipTest::SetUp();
  }
};

TEST_F(LocalReadOnlyGuardsTest, AReadOnlyCallerMayNotSetGuards) {
  std::string out;
  EXPECT_EQ(CtlAs(kMallory, "rate cn0 1mbit --dry-run", &out), 0) << out;
  EXPECT_EQ(CtlAs(kMallory, "rate cn0 1mbit --dry-run --guard 'drops<5%'", &out), 1) << out;
  EXPECT_THAT(out, HasSubstr("is read-only (--read-only uid:" + std::to_string(kMallory) +
                             "): it may get, list, watch and read info, not set guards"));
  EXPECT_EQ(
      CtlAs(kAlice, "rate cn0 1mbit --ttl 60s --guard 'drops<5%' --guard 'backlog<100'", &out), 0)
      << out;
  EXPECT_TRUE(HasOwnedQdisc()) << Qdiscs();
  EXPECT_THAT(AuditText(), HasSubstr("\"guards\":{\"checks\":[\"drops<5%\",\"backlog<100\"]"));
  EXPECT_THAT(AuditText(), HasSubstr("not set guards"));
}

}  // namespace
}  // namespace chaosnet::testing
