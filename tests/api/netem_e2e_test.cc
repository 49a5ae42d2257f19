// netem faults end to end: a real daemon, real traffic, and the kernel's own
// view. Needs a kernel with netem: skipped on the host, run in the qemu guest
// (tests/guest) which boots Debian's kernel.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>

#include "tests/api/api_fixture.h"
#include "tests/api/traffic.h"

namespace chaosnet::testing {
namespace {

using ::testing::HasSubstr;

class NetemE2eTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (!KernelHas("netem")) GTEST_SKIP() << "kernel has no netem (runs in the qemu guest)";
    auto base = PingAtoB(*net_, 10, 0.05);
    ASSERT_TRUE(base && base->received == 10) << "no baseline connectivity";
    baseline_ms_ = base->avg_ms;
  }

  double baseline_ms_ = 0;
};

TEST_F(NetemE2eTest, DelayRaisesRttByTheConfiguredAmountAndKernelShowsIt) {
  pb::CreateFaultResponse created;
  ASSERT_TRUE(Create(DelayRequest(100), &created).ok());
  std::string q = Qdiscs();
  EXPECT_THAT(q, HasSubstr("\"kind\":\"htb\""));
  EXPECT_THAT(q, HasSubstr("\"handle\":\"ca00:\""));
  // The fault's netem leaf under its class ca00:1.
  EXPECT_THAT(q, HasSubstr("\"kind\":\"netem\",\"handle\":\"1001:\",\"parent\":\"ca00:1\""));
  EXPECT_THAT(q, HasSubstr("\"delay\":{\"delay\":0.1,"));  // tc -j prints seconds
  auto r = PingAtoB(*net_, 10, 0.2);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->received, 10);
  const double added = r->avg_ms - baseline_ms_;
  RecordProperty("configured_delay_ms", 100);
  RecordProperty("measured_added_delay_ms", std::to_string(added));
  std::printf("delay 100ms: baseline %.2f ms, with fault %.2f ms (added %.2f ms)\n", baseline_ms_,
              r->avg_ms, added);
  EXPECT_GE(added, 95.0);
  EXPECT_LE(added, 150.0);
}

TEST_F(NetemE2eTest, JitterCorrelationAndDistributionReachTheKernel) {
  auto req = DelayRequest(50);
  auto* d = req.mutable_spec()->mutable_delay();
  d->mutable_jitter()->set_nanos(10'000'000);
  d->set_correlation_percent(25);
  d->set_distribution(pb::DELAY_DISTRIBUTION_NORMAL);
  pb::CreateFaultResponse created;
  grpc::Status s = Create(req, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::string q = Qdiscs();
  // tc prints seconds and fractions; the table itself is not dumped by the kernel.
  EXPECT_THAT(q, HasSubstr("\"delay\":{\"delay\":0.05,\"jitter\":0.01,\"correlation\":0.25}"));
}

TEST_F(NetemE2eTest, LossIsMeasuredWithinStatisticalBounds) {
  pb::CreateFaultRequest req = DelayRequest(1);
  req.mutable_spec()->clear_delay();
  req.mutable_spec()->mutable_loss()->set_percent(30);
  pb::CreateFaultResponse created;
  ASSERT_TRUE(Create(req, &created).ok());
  EXPECT_THAT(Qdiscs(), HasSubstr("\"loss-random\""));
  auto r = PingAtoB(*net_, 400, 0.01);
  ASSERT_TRUE(r);
  std::printf("loss 30%%: %d sent, %d received, measured loss %.1f%%\n", r->sent, r->received,
              r->loss_percent);
  // 400 trials at p=0.3: sd 2.3 points; +-12 points is over 5 sd.
  EXPECT_GE(r->loss_percent, 18.0);
  EXPECT_LE(r->loss_percent, 42.0);
  pb::Fault f = Get(created.fault().id());
  EXPECT_GE(f.counters().drops(), 40u) << "netem's drop counter reports the losses";
}

TEST_F(NetemE2eTest, AtExpiryTheQdiscIsGoneAndRttReturnsToBaseline) {
  // The effect is measured under a lease that outlasts the pings however slow
  // the machine (in the guest a process start can take seconds), and only
  // then cut to 1 s: a 2 s lease given at create once ended before its
  // pings ran.
  pb::CreateFaultResponse created;
  ASSERT_TRUE(Create(DelayRequest(100), &created).ok());
  auto during = PingAtoB(*net_, 3, 0.2);
  ASSERT_TRUE(during);
  EXPECT_EQ(during->received, 3);
  EXPECT_GE(during->avg_ms, baseline_ms_ + 90);
  SetTtl(created.fault().id(), std::chrono::seconds(1));
  const pb::Fault f = AwaitState(created.fault().id(), pb::FAULT_STATE_EXPIRED);
  EXPECT_EQ(f.state(), pb::FAULT_STATE_EXPIRED);
  EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();
  auto after = PingAtoB(*net_, 10, 0.05);
  ASSERT_TRUE(after);
  std::printf("expiry: during %.2f ms, after %.2f ms, baseline %.2f ms\n", during->avg_ms,
              after->avg_ms, baseline_ms_);
  EXPECT_LT(after->avg_ms, baseline_ms_ + 30);
}

TEST_F(NetemE2eTest, ApplyCombinesDelayLossAndRateInOneTree) {
  auto req = DelayRequest(20);
  req.mutable_spec()->mutable_loss()->set_percent(1);
  req.mutable_spec()->mutable_rate()->set_bits_per_second(10'000'000);
  pb::CreateFaultResponse created;
  grpc::Status s = Create(req, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::string q = Qdiscs();
  EXPECT_THAT(q, HasSubstr("\"kind\":\"netem\""));
  EXPECT_THAT(Classes(), HasSubstr("rate 10Mbit"));  // the fault's class shapes
  auto r = PingAtoB(*net_, 5, 0.2);
  ASSERT_TRUE(r);
  EXPECT_GE(r->avg_ms, baseline_ms_ + 18);
  pb::RevokeFaultRequest revoke;
  revoke.set_id(created.fault().id());
  pb::Fault f;
  ASSERT_TRUE(stub_->RevokeFault(Ctx().get(), revoke, &f).ok());
  EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();
}

TEST_F(NetemE2eTest, LongDelayGetsAQueueLimitThatDoesNotDropTraffic) {
  pb::CreateFaultResponse created;
  ASSERT_TRUE(Create(DelayRequest(3000), &created).ok());
  std::string q = Qdiscs();
  // netem's default of 1000 packets would drop a 3 s delayed flow above ~333 pps.
  auto pos = q.find("\"limit\":");
  ASSERT_NE(pos, std::string::npos) << q;
  EXPECT_GT(std::stol(q.substr(pos + 8)), 100000);
}

TEST_F(NetemE2eTest, RevokeRestoresRttAtOnce) {
  pb::CreateFaultResponse created;
  ASSERT_TRUE(Create(DelayRequest(200), &created).ok());
  pb::RevokeFaultRequest revoke;
  revoke.set_id(created.fault().id());
  pb::Fault f;
  ASSERT_TRUE(stub_->RevokeFault(Ctx().get(), revoke, &f).ok());
  auto after = PingAtoB(*net_, 5, 0.05);
  ASSERT_TRUE(after);
  EXPECT_LT(after->avg_ms, baseline_ms_ + 30);
}

TEST_F(NetemE2eTest, SigtermRollsBackNetem) {
  pb::CreateFaultResponse created;
  ASSERT_TRUE(Create(DelayRequest(100), &created).ok());
  ASSERT_NE(daemon_->StopWith(SIGTERM), -1);
  EXPECT_FALSE(HasOwnedQdisc()) << Qdiscs();
  auto after = PingAtoB(*net_, 5, 0.05);
  ASSERT_TRUE(after);
  EXPECT_LT(after->avg_ms, baseline_ms_ + 30);
}

}  // namespace
}  // namespace chaosnet::testing
