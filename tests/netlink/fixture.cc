#include "tests/netlink/fixture.h"

#include <fstream>
#include <sstream>

namespace chaosnet::netlink::testing {

Fixture LoadFixture(const std::string& name) {
  Fixture f;
  const std::string path = std::string(CHAOSNET_FIXTURE_DIR) + "/" + name;
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "missing fixture " << path;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '#') {
      if (f.command.empty()) f.command = line.substr(2);
      continue;
    }
    std::istringstream hex(line);
    std::string byte;
    while (hex >> byte) f.bytes.push_back(static_cast<uint8_t>(std::stoul(byte, nullptr, 16)));
  }
  return f;
}

namespace {
bool Masked(size_t offset) {
  return (offset >= 8 && offset < 16)       // nlmsg_seq, nlmsg_pid
         || (offset >= 20 && offset < 24);  // tcm_ifindex
}
}  // namespace

::testing::AssertionResult SameRequest(const std::vector<uint8_t>& expected,
                                       const std::vector<uint8_t>& actual) {
  const size_t n = std::min(expected.size(), actual.size());
  for (size_t i = 0; i < n; ++i) {
    if (Masked(i) || expected[i] == actual[i]) continue;
    std::ostringstream s;
    s << "first difference at byte " << i << " (tc: 0x" << std::hex << int(expected[i])
      << ", ours: 0x" << int(actual[i]) << std::dec << ")";
    if (i < 16)
      s << " in nlmsghdr";
    else if (i < 36)
      s << " in tcmsg";
    else
      s << ", " << (i - 36) << " bytes into the attributes";
    return ::testing::AssertionFailure() << s.str();
  }
  if (expected.size() != actual.size()) {
    return ::testing::AssertionFailure() << "length differs: tc sent " << expected.size()
                                         << " bytes, we encode " << actual.size();
  }
  return ::testing::AssertionSuccess();
}

}  // namespace chaosnet::netlink::testing
