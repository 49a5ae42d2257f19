// Batches (issue 19) through a real daemon on the host kernel (htb and u32;
// rate faults, since the host has no netem): CreateFaults is all or nothing
// (a bad item in the middle leaves the kernel as it was, read back with `tc`),
// request ids keep their meaning per item, RevokeFaults reports what it did
// not find, and `chaosnetctl apply --from` drives it from a file of JSON lines.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdlib.h>

#include <cstdlib>
#include <fstream>
#include <regex>

#include "tests/api/api_fixture.h"
#include "tests/support/poll.h"
#include "tests/support/run_command.h"
#include "tests/support/test_env.h"

namespace chaosnet::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class BatchApiTest : public ApiTest {
 protected:
  BatchApiTest() {
    char tmpl[] = "/tmp/chaosnet-batch-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  ~BatchApiTest() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }
  std::vector<std::string> ExtraDaemonArgs() override {
    return {"--max-ttl", "1h", "--audit-log", dir_ + "/audit.jsonl"};
  }
  // Audit lines with this event, once `n` of them are there (or 10 s passed).
  int AuditLines(const std::string& event, int n) const {
    auto count = [&] {
      const std::string text = ReadTextFile(dir_ + "/audit.jsonl");
      const std::string key = "\"event\":\"" + event + "\"";
      int found = 0;
      for (auto at = text.find(key); at != std::string::npos; at = text.find(key, at + 1)) ++found;
      return found;
    };
    return PollUntil(
        count, [n](int found) { return found >= n; }, std::chrono::seconds(10));
  }
  pb::CreateFaultRequest RateTo(const std::string& dst, uint64_t bps = 100'000'000) const {
    pb::CreateFaultRequest r = RateRequest(bps);
    r.mutable_spec()->mutable_match()->set_dst_cidr(dst);
    return r;
  }
  // n targeted faults to 10.79.x.y/32.
  pb::CreateFaultsRequest Many(int n) const {
    pb::CreateFaultsRequest batch;
    for (int i = 0; i < n; ++i) {
      *batch.add_requests() =
          RateTo("10.79." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1) + "/32");
    }
    return batch;
  }
  grpc::Status CreateMany(const pb::CreateFaultsRequest& req, pb::CreateFaultsResponse* resp) {
    return stub_->CreateFaults(Ctx().get(), req, resp);
  }
  // Fault classes, or u32 filters steering to a class at a fault's priority
  // (protected traffic sits below 100), as tc itself shows them under our root.
  int CountInKernel(const std::string& what) const {
    std::string out;
    if (what == "class") {
      net_->InA("tc class show dev cn0", &out);
      const std::regex pattern("class htb ca00:");
      return static_cast<int>(std::distance(std::sregex_iterator(out.begin(), out.end(), pattern),
                                            std::sregex_iterator()));
    }
    net_->InA("tc -j filter show dev cn0 parent ca00:", &out);
    const std::regex pattern("\"pref\":([0-9]+),[^}]*\"flowid\":\"ca00:");
    int n = 0;
    for (auto it = std::sregex_iterator(out.begin(), out.end(), pattern);
         it != std::sregex_iterator(); ++it) {
      n += std::stoi((*it)[1].str()) >= 100 ? 1 : 0;
    }
    return n;
  }
  int ActiveFaults() {
    pb::ListFaultsRequest req;
    pb::ListFaultsResponse resp;
    EXPECT_TRUE(stub_->ListFaults(Ctx().get(), req, &resp).ok());
    return resp.faults_size();
  }
  void ExpectKernelAsBefore() {
    EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();
    EXPECT_EQ(CountInKernel("class"), 0) << Classes();
    EXPECT_EQ(ActiveFaults(), 0);
  }

  std::string dir_;
};

TEST_F(BatchApiTest, OneBadItemInTheMiddleAppliesNothing) {
  // A ttl over the daemon's maximum, then a destination the batch already has.
  for (const char* kind : {"ttl", "overlap"}) {
    SCOPED_TRACE(kind);
    pb::CreateFaultsRequest batch = Many(20);
    pb::CreateFaultRequest& bad = *batch.mutable_requests(10);
    if (std::string(kind) == "ttl") {
      bad.mutable_ttl()->set_seconds(48 * 3600);
    } else {
      bad.mutable_spec()->mutable_match()->set_dst_cidr(
          batch.requests(3).spec().match().dst_cidr());
    }
    pb::CreateFaultsResponse resp;
    grpc::Status s = CreateMany(batch, &resp);
    ASSERT_FALSE(s.ok());
    EXPECT_THAT(s.error_message(), StartsWith("item 10: ")) << s.error_message();
    EXPECT_EQ(resp.results_size(), 0);
    ExpectKernelAsBefore();
  }
  // One audit line per refused batch, naming the item; nothing applied.
  EXPECT_EQ(AuditLines("refused", 2), 2);
  EXPECT_THAT(ReadTextFile(dir_ + "/audit.jsonl"), HasSubstr("item 10: "));
  EXPECT_EQ(AuditLines("applied", 0), 0);
}

TEST_F(BatchApiTest, ABatchLandsWholeAndRevokeFaultsTakesItBack) {
  constexpr int kFaults = 300;
  pb::CreateFaultsRequest batch = Many(kFaults);
  pb::CreateFaultsResponse created;
  grpc::Status s = CreateMany(batch, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(created.results_size(), kFaults);
  std::set<std::string> ids;
  for (int i = 0; i < kFaults; ++i) {
    const pb::Fault& f = created.results(i).fault();
    EXPECT_EQ(f.state(), pb::FAULT_STATE_ACTIVE);
    EXPECT_EQ(f.spec().match().dst_cidr(), batch.requests(i).spec().match().dst_cidr());
    ids.insert(f.id());
  }
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kFaults));
  // The kernel's own view: one class and (IPv4) one filter per fault.
  EXPECT_EQ(CountInKernel("class"), kFaults);
  EXPECT_EQ(CountInKernel("filter"), kFaults);
  EXPECT_EQ(ActiveFaults(), kFaults);

  pb::RevokeFaultsRequest revoke;
  for (const auto& id : ids) revoke.add_ids(id);
  revoke.add_ids("000000000000");
  pb::RevokeFaultsResponse revoked;
  s = stub_->RevokeFaults(Ctx().get(), revoke, &revoked);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(revoked.faults_size(), kFaults);
  EXPECT_THAT(revoked.not_found(), ::testing::ElementsAre("000000000000"));
  EXPECT_EQ(revoked.faults(0).state(), pb::FAULT_STATE_REVOKED);
  ExpectKernelAsBefore();
  // As single creates and revokes: one audit line per fault.
  EXPECT_EQ(AuditLines("applied", kFaults), kFaults);
  EXPECT_EQ(AuditLines("revoked", kFaults), kFaults);
}

TEST_F(BatchApiTest, ARetriedBatchCreatesNothingTwice) {
  pb::CreateFaultsRequest batch = Many(5);
  for (int i = 0; i < 5; ++i) batch.mutable_requests(i)->set_request_id("key-" + std::to_string(i));
  pb::CreateFaultsResponse first, second;
  ASSERT_TRUE(CreateMany(batch, &first).ok());
  grpc::Status s = CreateMany(batch, &second);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(second.results_size(), 5);
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(second.results(i).replayed());
    EXPECT_EQ(second.results(i).fault().id(), first.results(i).fault().id());
  }
  EXPECT_EQ(CountInKernel("class"), 5);
  EXPECT_EQ(ActiveFaults(), 5);
}

TEST_F(BatchApiTest, ADryRunBatchPlansAndAppliesNothing) {
  pb::CreateFaultsRequest batch = Many(3);
  batch.set_dry_run(true);
  pb::CreateFaultsResponse resp;
  grpc::Status s = CreateMany(batch, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(resp.results_size(), 3);
  EXPECT_TRUE(resp.results(0).dry_run());
  EXPECT_GT(resp.results(0).fault().plan().steps_size(), 0);
  ExpectKernelAsBefore();
  // A per-item dry_run in a batch that is not one is ambiguous: refused.
  batch.set_dry_run(false);
  batch.mutable_requests(1)->set_dry_run(true);
  s = CreateMany(batch, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), StartsWith("item 1: "));
  ExpectKernelAsBefore();
}

TEST_F(BatchApiTest, ChaosnetctlAppliesAFileOfJsonLines) {
  const std::string dir = ::testing::TempDir();
  const std::string good = dir + "/batch-good.jsonl";
  const std::string bad = dir + "/batch-bad.jsonl";
  {
    std::ofstream g(good), b(bad);
    for (int i = 1; i <= 4; ++i) {
      const std::string line =
          "{\"spec\":{\"interface\":\"cn0\",\"rate\":{\"bitsPerSecond\":"
          "\"1000000\"},\"match\":{\"dstCidr\":\"10.80.0." +
          std::to_string(i) + "/32\"}},\"ttl\":\"60s\",\"requestId\":\"cli-" + std::to_string(i) +
          "\"}\n";
      g << line;
      b << (i == 3 ? "{\"spec\":{\"interface\":\"cn0\",\"rate\":{\"bitsPerSecond\":\"1\"},"
                     "\"match\":{\"dstCidr\":\"10.80.0.1/32\"}}}\n"  // overlaps line 1
                   : line);
    }
  }
  auto ctl = [&](const std::string& args, std::string* out) {
    return Shell(
        BinaryPath("chaosnetctl") + " --server " + daemon_->server_address() + " " + args + " 2>&1",
        out);
  };
  std::string out;
  EXPECT_EQ(ctl("apply --from " + bad, &out), 1) << out;
  EXPECT_THAT(out, HasSubstr("line 3: ")) << out;
  ExpectKernelAsBefore();

  ASSERT_EQ(ctl("apply --dry-run --from " + good, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("4 fault(s) checked, nothing applied"));
  ExpectKernelAsBefore();

  ASSERT_EQ(ctl("apply --from - < " + good, &out), 0) << out;
  const std::regex id("^[0-9a-f]{12}$", std::regex::multiline);
  EXPECT_EQ(std::distance(std::sregex_iterator(out.begin(), out.end(), id), std::sregex_iterator()),
            4)
      << out;
  EXPECT_EQ(CountInKernel("class"), 4);
  // Run again: every line's request id made its fault already.
  ASSERT_EQ(ctl("-o json apply --from " + good, &out), 0) << out;
  const std::regex replayed("\"replayed\":true");
  EXPECT_EQ(
      std::distance(std::sregex_iterator(out.begin(), out.end(), replayed), std::sregex_iterator()),
      4)
      << out;
  EXPECT_EQ(CountInKernel("class"), 4);
}

}  // namespace
}  // namespace chaosnet::testing
