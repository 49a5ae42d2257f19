// The fixture of the NetlinkKernel tests: a veth pair (cnv0 10.77.0.1/24 in
// namespace a, cnv1 10.77.0.2/24 in b), the test thread inside a, and a
// NetlinkKernel whose socket was opened there, with cnv0's ifindex. Torn down
// in reverse: the kernel socket, back to our own namespace, the namespaces.
// Skips without root.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "daemon/netlink/netlink_kernel.h"
#include "tests/support/test_netns.h"
#include "tests/support/veth_pair_test.h"

namespace chaosnet::netlink {

inline constexpr uint32_t kCa00 = 0xCA000000;

// An htb root ca00: where every fault tree starts.
inline plan::TcObject HtbRoot() {
  return plan::TreeQdisc{kCa00, plan::kRootParent, plan::HtbQdisc{}};
}

class KernelInNetnsTest : public chaosnet::testing::VethPairTest {
 protected:
  KernelInNetnsTest() : VethPairTest({"cnv0", "10.77.0.1/24", "cnv1", "10.77.0.2/24"}) {}

  void SetUp() override {
    VethPairTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    enter_ = std::make_unique<chaosnet::testing::EnterNetns>(a_->path());
    ASSERT_TRUE(enter_->ok()) << enter_->error();
    auto k = NetlinkKernel::Create();
    ASSERT_TRUE(k.ok()) << k.status().message();
    kernel_ = std::move(k).value();
    auto idx = kernel_->InterfaceIndex("cnv0");
    ASSERT_TRUE(idx.ok()) << idx.status().message();
    ifindex_ = *idx;
  }

  std::unique_ptr<chaosnet::testing::EnterNetns> enter_;
  std::unique_ptr<NetlinkKernel> kernel_;
  int ifindex_ = 0;
};

}  // namespace chaosnet::netlink
