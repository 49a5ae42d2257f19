// The metrics as rendered, against a fault manager on the fake kernel: the live
// fault gauges count from the specs alone, so a scrape costs no kernel round
// trip on the event loop however many faults are live.
#include "daemon/api/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/net_parse.h"
#include "tests/api/fake_manager.h"

namespace chaosnet::api {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

class MetricsTest : public ::testing::Test {
 protected:
  MetricsTest() {
    kernel.AddInterface("eth0");
    kernel.AddInterface("eth1");
  }
  void Create(model::FaultSpec spec, std::chrono::nanoseconds ttl = 60s) {
    core::CreateRequest request;
    request.spec = std::move(spec);
    request.ttl = ttl;
    request.caller = core::LocalCaller({0, 0, 1, {}, "root"});
    auto created = manager.Create(request);
    ASSERT_TRUE(created.ok()) << created.status().message();
  }

  int ids = 0;
  testing::FakeManager fake{[this] { return "f" + std::to_string(++ids); }};
  testing::FakeKernel& kernel = fake.kernel;
  core::FaultManager& manager = fake.manager;
  Metrics metrics{manager};
};

TEST_F(MetricsTest, LiveFaultsAreCountedFromTheirSpecsWithoutReadingCounters) {
  model::FaultSpec delay_and_loss;
  delay_and_loss.interface = "eth0";
  delay_and_loss.delay = model::DelayFault{100ms};
  delay_and_loss.loss = model::ProbabilityFault{5, 0};
  Create(delay_and_loss);
  model::FaultSpec partition;
  partition.interface = "eth0";
  partition.match.dst = *ParseCidr("10.0.0.0/24");
  partition.partition = true;
  Create(partition);
  model::FaultSpec rate;
  rate.interface = "eth1";
  rate.rate = model::RateFault{1'000'000};
  Create(rate);
  model::FaultSpec ending = rate;
  ending.interface = "eth0";
  ending.match.dst = *ParseCidr("10.9.0.0/16");
  Create(ending, 5s);
  fake.clock.Advance(5s);
  ASSERT_EQ(manager.ExpireDue().size(), 1u);

  kernel.counter_reads = 0;
  const std::string scrape = metrics.Render();
  EXPECT_EQ(kernel.counter_reads, 0) << "a scrape read counters from the kernel";

  EXPECT_THAT(scrape, HasSubstr("chaosnet_faults_active{netns=\"\",interface=\"eth0\"} 2\n"
                                "chaosnet_faults_active{netns=\"\",interface=\"eth1\"} 1\n"
                                "# HELP chaosnet_faults_active_by_kind"));
  EXPECT_THAT(scrape, HasSubstr("chaosnet_faults_active_by_kind{kind=\"corrupt\"} 0\n"
                                "chaosnet_faults_active_by_kind{kind=\"delay\"} 1\n"
                                "chaosnet_faults_active_by_kind{kind=\"duplicate\"} 0\n"
                                "chaosnet_faults_active_by_kind{kind=\"ecn\"} 0\n"
                                "chaosnet_faults_active_by_kind{kind=\"in_order\"} 0\n"
                                "chaosnet_faults_active_by_kind{kind=\"jam\"} 0\n"
                                "chaosnet_faults_active_by_kind{kind=\"link_rate\"} 0\n"
                                "chaosnet_faults_active_by_kind{kind=\"loss\"} 1\n"
                                "chaosnet_faults_active_by_kind{kind=\"loss_model\"} 0\n"
                                "chaosnet_faults_active_by_kind{kind=\"partition\"} 1\n"
                                "chaosnet_faults_active_by_kind{kind=\"rate\"} 1\n"
                                "chaosnet_faults_active_by_kind{kind=\"reorder\"} 0\n"
                                "chaosnet_faults_active_by_kind{kind=\"slot\"} 0\n"));
  EXPECT_THAT(scrape, HasSubstr("chaosnet_fault_events_total{event=\"applied\"} 4\n"));
  EXPECT_THAT(scrape, HasSubstr("chaosnet_fault_events_total{event=\"expired\"} 1\n"));
}

TEST_F(MetricsTest, NetlinkErrorsComeFromTheTallyTheDaemonHandsIn) {
  const std::string header = "# TYPE chaosnet_netlink_errors_total counter\n";
  const std::string without = metrics.Render();
  EXPECT_THAT(without, HasSubstr(header));
  EXPECT_THAT(without, Not(HasSubstr("chaosnet_netlink_errors_total{")));

  metrics.set_kernel_errors([] { return Metrics::ErrorCounts{{"EBUSY", 1}, {"ENOENT", 3}}; });
  EXPECT_THAT(metrics.Render(),
              HasSubstr(header + "chaosnet_netlink_errors_total{errno=\"EBUSY\"} 1\n"
                                 "chaosnet_netlink_errors_total{errno=\"ENOENT\"} 3\n"));
}

TEST_F(MetricsTest, ProgramStepsAreCountedWithTheirLag) {
  EXPECT_THAT(metrics.Render(), HasSubstr("chaosnet_program_steps_total 0\n"));
  metrics.CountProgramStep(0.0004);
  metrics.CountProgramStep(0.003);
  const std::string out = metrics.Render();
  EXPECT_THAT(out, HasSubstr("# TYPE chaosnet_program_steps_total counter\n"
                             "chaosnet_program_steps_total 2\n"));
  EXPECT_THAT(out, HasSubstr("chaosnet_program_step_lag_seconds_bucket{le=\"0.0005\"} 1\n"));
  EXPECT_THAT(out, HasSubstr("chaosnet_program_step_lag_seconds_count 2\n"));
}

}  // namespace
}  // namespace chaosnet::api
