// tc fixtures: "# tc ..." on the first line, then the request bytes in hex
// (scripts/capture-tc-fixture.sh writes them).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace chaosnet::netlink::testing {

struct Fixture {
  std::string command;         // the tc command line that produced it
  std::vector<uint8_t> bytes;  // the whole netlink request
};

// Reads CHAOSNET_FIXTURE_DIR/<name>; fails the test on a missing file.
Fixture LoadFixture(const std::string& name);

// Byte-for-byte equality with the fields that differ per run masked:
// nlmsg_seq, nlmsg_pid and tcm_ifindex. Names the first differing offset and
// the netlink field it falls in.
::testing::AssertionResult SameRequest(const std::vector<uint8_t>& expected,
                                       const std::vector<uint8_t>& actual);

}  // namespace chaosnet::netlink::testing
