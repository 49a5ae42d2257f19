// For the plan tests: how GoogleTest prints the u32 types when an expectation
// fails (found by argument-dependent lookup, so they live in chaosnet::plan),
// and a CIDR from its text. (In chaosnet::plan, not chaosnet::testing: there
// the tests' unqualified `testing::` must keep meaning GoogleTest.)
#pragma once

#include <gtest/gtest.h>

#include <ostream>

#include "common/net_parse.h"
#include "daemon/plan/tc_objects.h"
#include "daemon/plan/u32_keys.h"

namespace chaosnet::plan {

inline void PrintTo(const U32Key& k, std::ostream* os) {
  *os << std::hex << "{0x" << k.value << ", 0x" << k.mask << ", at " << std::dec << k.offset << "}";
}

inline void PrintTo(const U32Rule& r, std::ostream* os) {
  *os << "[";
  for (const U32Key& k : r.keys) PrintTo(k, os);
  *os << "]";
}

inline void PrintTo(const PortBlock& b, std::ostream* os) {
  *os << b.value << "/0x" << std::hex << b.mask << std::dec;
}

// A CIDR the test spells out. A typo fails the test (the test goes on with
// an empty CIDR).
inline model::Cidr Cidr(const char* text) {
  auto c = ParseCidr(text);
  EXPECT_TRUE(c.ok()) << text << ": " << c.status().message();
  return c.ok() ? *c : model::Cidr{};
}

}  // namespace chaosnet::plan
