// A GoogleTest fixture for kernel tests: two throwaway network namespaces a_
// and b_ joined by a veth pair (VethEnds), made before each test and deleted
// after it, also when it fails. Skips without root. A derived fixture calls
// VethPairTest::SetUp() first and returns if it skipped or failed.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

#include "tests/support/run_command.h"
#include "tests/support/test_netns.h"

namespace chaosnet::testing {

class VethPairTest : public ::testing::Test {
 protected:
  explicit VethPairTest(VethEnds ends) : ends_(std::move(ends)) {}

  void SetUp() override {
    if (!IsRoot()) GTEST_SKIP() << "needs root to create network namespaces";
    std::string error;
    auto pair = CreateVethPair(ends_, &error);
    ASSERT_TRUE(pair) << error;
    a_ = std::move(pair->a);
    b_ = std::move(pair->b);
  }

  const VethEnds ends_;
  // A base class's members outlive the derived fixture's own (a socket in a
  // namespace, an EnterNetns), so the namespaces go last.
  std::unique_ptr<TestNetns> a_, b_;
};

}  // namespace chaosnet::testing
