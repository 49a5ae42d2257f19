// The metrics as rendered, against a fault manager on the fake kernel.
#include "daemon/api/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/net_parse.h"
#include "tests/core/fake_clock.h"
#include "tests/core/fake_kernel.h"

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
    request.caller = "uid:0";
    auto created = manager.Create(request);
    ASSERT_TRUE(created.ok()) << created.status().message();
  }

  testing::FakeKernel kernel;
  core::SingleKernelProvider kernels{kernel};
  testing::FakeClock clock;
  kernel::Capabilities caps{.netem = true,
                            .tbf = true,
                            .htb = true,
                            .u32 = true,
                            .ifb = true,
                            .mirred = true,
                            .notes = {}};
  int ids = 0;
  core::FaultManager manager{kernels, clock, caps, core::ManagerConfig{},
                             [this] { return "f" + std::to_string(++ids); }};
  Metrics metrics{manager};
};

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

}  // namespace
}  // namespace chaosnet::api
