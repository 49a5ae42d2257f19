// ParseTcEvent against notifications the kernel really sent: each fixture
// event_*.txt was captured from RTNLGRP_TC/RTNLGRP_LINK in a test namespace
// while tc/ip ran the command named on its first line (cnv0 was ifindex 2).
// A few hand-built messages cover what the kernel sends rarely.
#include "daemon/netlink/tc_event_parser.h"

#include <gtest/gtest.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstring>
#include <vector>

#include "tests/netlink/fixture.h"

namespace chaosnet::netlink {
namespace {

using testing::LoadFixture;

const nlmsghdr* Header(const std::vector<uint8_t>& bytes) {
  return reinterpret_cast<const nlmsghdr*>(bytes.data());
}

struct Case {
  const char* fixture;
  TcEventKind kind;
  uint32_t handle;
  uint32_t parent;
  const char* tc_kind;
  const char* ifname;
  bool replaced;
  bool from_kernel;  // sender_port 0: nobody's request caused it
};

constexpr uint32_t kRoot = 0xFFFFFFFF;

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.fixture; }

class ParseFixtureTest : public ::testing::TestWithParam<Case> {};

TEST_P(ParseFixtureTest, ReadsWhatHappened) {
  const Case& c = GetParam();
  const auto f = LoadFixture(c.fixture);
  ASSERT_GE(f.bytes.size(), 16u);
  auto parsed = ParseTcEvent(Header(f.bytes));
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  ASSERT_TRUE(parsed->has_value()) << f.command;
  const TcEvent& e = **parsed;
  EXPECT_EQ(e.kind, c.kind) << TcEventKindName(e.kind) << " for " << f.command;
  EXPECT_EQ(e.ifindex, 2);
  EXPECT_EQ(e.handle, c.handle) << std::hex << e.handle;
  EXPECT_EQ(e.parent, c.parent) << std::hex << e.parent;
  EXPECT_EQ(e.tc_kind, c.tc_kind);
  EXPECT_EQ(e.ifname, c.ifname);
  EXPECT_EQ(e.replaced, c.replaced);
  EXPECT_EQ(e.sender_port == 0, c.from_kernel) << e.sender_port;
  EXPECT_EQ(e.sender_seq == 0, c.from_kernel) << e.sender_seq;
}

INSTANTIATE_TEST_SUITE_P(
    Captured, ParseFixtureTest,
    ::testing::Values(
        // Adding a root grafts it over the default: the default leaves first
        // (handle 0, which nobody owns), the new one comes flagged REPLACE.
        Case{"event_qdisc_del_default.txt", TcEventKind::kQdiscDeleted, 0, kRoot, "noqueue", "",
             false, false},
        Case{"event_qdisc_add_tbf.txt", TcEventKind::kQdiscChanged, 0xCA000000, kRoot, "tbf", "",
             true, false},
        // `change` (and `replace` with the same handle and kind) changes in place.
        Case{"event_qdisc_change_tbf.txt", TcEventKind::kQdiscChanged, 0xCA000000, kRoot, "tbf", "",
             false, false},
        Case{"event_qdisc_del_tbf.txt", TcEventKind::kQdiscDeleted, 0xCA000000, kRoot, "tbf", "",
             false, false},
        Case{"event_qdisc_replace_htb.txt", TcEventKind::kQdiscChanged, 0xCB000000, kRoot, "htb",
             "", true, false},
        // htb names a top-level class's parent TC_H_ROOT, not its qdisc.
        Case{"event_class_add.txt", TcEventKind::kClassChanged, 0xCB000010, kRoot, "htb", "", false,
             false},
        Case{"event_class_change.txt", TcEventKind::kClassChanged, 0xCB000010, kRoot, "htb", "",
             false, false},
        Case{"event_class_del.txt", TcEventKind::kClassDeleted, 0xCB000010, kRoot, "htb", "", false,
             false},
        Case{"event_filter_add.txt", TcEventKind::kFilterChanged, 0x80000800, 0xCB000000, "u32", "",
             false, false},
        // Deleting by priority names no handle: the whole priority went.
        Case{"event_filter_del.txt", TcEventKind::kFilterDeleted, 0, 0xCB000000, "u32", "", false,
             false},
        Case{"event_qdisc_del_htb.txt", TcEventKind::kQdiscDeleted, 0xCB000000, kRoot, "htb", "",
             false, false},
        // Link events come from the device layer, never with a requester.
        Case{"event_link_rename.txt", TcEventKind::kLinkChanged, 0, 0, "", "cnx0", false, true},
        Case{"event_link_carrier_down.txt", TcEventKind::kLinkChanged, 0, 0, "", "cnx0", false,
             true},
        Case{"event_link_del.txt", TcEventKind::kLinkDeleted, 0, 0, "", "cnx0", false, true}),
    [](const ::testing::TestParamInfo<Case>& info) {
      std::string name = info.param.fixture;
      name = name.substr(6, name.size() - 6 - 4);  // "event_" ... ".txt"
      return name;
    });

TEST(ParseTcEventTest, FilterEventCarriesPriorityAndProtocol) {
  for (const char* name : {"event_filter_add.txt", "event_filter_del.txt"}) {
    const auto f = LoadFixture(name);
    auto parsed = ParseTcEvent(Header(f.bytes));
    ASSERT_TRUE(parsed.ok() && parsed->has_value()) << name;
    EXPECT_EQ((*parsed)->priority, 3) << name;
    EXPECT_EQ((*parsed)->protocol, 0x0800) << name;  // ETH_P_IP, host order
  }
}

TEST(ParseTcEventTest, QdiscAndClassEventsLeavePriorityAndProtocolZero) {
  const auto f = LoadFixture("event_class_del.txt");
  auto parsed = ParseTcEvent(Header(f.bytes));
  ASSERT_TRUE(parsed.ok() && parsed->has_value());
  EXPECT_EQ((*parsed)->priority, 0);
  EXPECT_EQ((*parsed)->protocol, 0);
}

TEST(ParseTcEventTest, ChainNotificationsAreIgnored) {
  for (const char* name : {"event_chain_new.txt", "event_chain_del.txt"}) {
    const auto f = LoadFixture(name);
    auto parsed = ParseTcEvent(Header(f.bytes));
    ASSERT_TRUE(parsed.ok()) << name;
    EXPECT_FALSE(parsed->has_value()) << name;
  }
}

// A hand-built link message: nlmsghdr + ifinfomsg + IFLA_IFNAME.
std::vector<uint8_t> LinkMessage(uint16_t type, uint8_t family, int ifindex, const char* name) {
  const size_t name_len = std::strlen(name) + 1;
  const size_t attr_len = NLA_HDRLEN + name_len;
  const size_t total = NLMSG_LENGTH(sizeof(ifinfomsg)) + NLA_ALIGN(attr_len);
  std::vector<uint8_t> bytes(total, 0);
  nlmsghdr h{};
  h.nlmsg_len = static_cast<uint32_t>(total);
  h.nlmsg_type = type;
  std::memcpy(bytes.data(), &h, sizeof(h));
  ifinfomsg ifi{};
  ifi.ifi_family = family;
  ifi.ifi_index = ifindex;
  std::memcpy(bytes.data() + NLMSG_HDRLEN, &ifi, sizeof(ifi));
  nlattr a{};
  a.nla_len = static_cast<uint16_t>(attr_len);
  a.nla_type = IFLA_IFNAME;
  const size_t at = NLMSG_LENGTH(sizeof(ifinfomsg));
  std::memcpy(bytes.data() + at, &a, sizeof(a));
  std::memcpy(bytes.data() + at + NLA_HDRLEN, name, name_len);
  return bytes;
}

TEST(ParseTcEventTest, BridgePortDeletionIsNotALinkDeletion) {
  // A port leaving its bridge: RTM_DELLINK with family AF_BRIDGE, while the
  // link itself stays. Reading it as "link gone" would end a lease falsely.
  auto bytes = LinkMessage(RTM_DELLINK, AF_BRIDGE, 7, "cnv0");
  auto parsed = ParseTcEvent(Header(bytes));
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->has_value());

  bytes = LinkMessage(RTM_DELLINK, AF_UNSPEC, 7, "cnv0");
  parsed = ParseTcEvent(Header(bytes));
  ASSERT_TRUE(parsed.ok() && parsed->has_value());
  EXPECT_EQ((*parsed)->kind, TcEventKind::kLinkDeleted);
  EXPECT_EQ((*parsed)->ifindex, 7);
  EXPECT_EQ((*parsed)->ifname, "cnv0");
}

TEST(ParseTcEventTest, OtherMessageTypesAreIgnored) {
  for (uint16_t type : {uint16_t{NLMSG_DONE}, uint16_t{NLMSG_NOOP}, uint16_t{RTM_NEWADDR},
                        uint16_t{RTM_NEWROUTE}, uint16_t{RTM_GETQDISC}}) {
    nlmsghdr h{};
    h.nlmsg_len = NLMSG_HDRLEN;
    h.nlmsg_type = type;
    auto parsed = ParseTcEvent(&h);
    ASSERT_TRUE(parsed.ok()) << type;
    EXPECT_FALSE(parsed->has_value()) << type;
  }
}

TEST(ParseTcEventTest, TruncatedHeadersAreErrors) {
  // A tc message that ends inside its tcmsg, a link message inside ifinfomsg.
  auto f = LoadFixture("event_qdisc_del_tbf.txt");
  f.bytes.resize(NLMSG_HDRLEN + 8);
  auto* h = reinterpret_cast<nlmsghdr*>(f.bytes.data());
  h->nlmsg_len = static_cast<uint32_t>(f.bytes.size());
  EXPECT_FALSE(ParseTcEvent(h).ok());

  auto link = LinkMessage(RTM_DELLINK, AF_UNSPEC, 7, "cnv0");
  link.resize(NLMSG_HDRLEN + 4);
  h = reinterpret_cast<nlmsghdr*>(link.data());
  h->nlmsg_len = static_cast<uint32_t>(link.size());
  EXPECT_FALSE(ParseTcEvent(h).ok());

  nlmsghdr tiny{};
  tiny.nlmsg_len = 4;
  tiny.nlmsg_type = RTM_DELQDISC;
  EXPECT_FALSE(ParseTcEvent(&tiny).ok());
  EXPECT_FALSE(ParseTcEvent(nullptr).ok());
}

TEST(ParseTcEventTest, AttributeRunningPastTheMessageIsNotRead) {
  // nlmsg_len cut in the middle of TCA_KIND: the header fields are still
  // good, the kind is unknown rather than read out of bounds.
  auto f = LoadFixture("event_qdisc_del_tbf.txt");
  auto* h = reinterpret_cast<nlmsghdr*>(f.bytes.data());
  h->nlmsg_len = NLMSG_LENGTH(sizeof(tcmsg)) + 6;
  auto parsed = ParseTcEvent(h);
  ASSERT_TRUE(parsed.ok() && parsed->has_value());
  EXPECT_EQ((*parsed)->handle, 0xCA000000u);
  EXPECT_EQ((*parsed)->tc_kind, "");
}

TEST(ParseTcEventTest, ReplaceFlagCountsOnlyOnNewMessages) {
  // 0x100 on a DEL is not NLM_F_REPLACE.
  auto f = LoadFixture("event_qdisc_del_tbf.txt");
  auto* h = reinterpret_cast<nlmsghdr*>(f.bytes.data());
  h->nlmsg_flags |= NLM_F_REPLACE;
  auto parsed = ParseTcEvent(h);
  ASSERT_TRUE(parsed.ok() && parsed->has_value());
  EXPECT_FALSE((*parsed)->replaced);
}

TEST(ParseTcEventTest, EveryKindHasAName) {
  for (auto k :
       {TcEventKind::kQdiscDeleted, TcEventKind::kQdiscChanged, TcEventKind::kClassDeleted,
        TcEventKind::kClassChanged, TcEventKind::kFilterDeleted, TcEventKind::kFilterChanged,
        TcEventKind::kLinkDeleted, TcEventKind::kLinkChanged, TcEventKind::kResync}) {
    EXPECT_STRNE(TcEventKindName(k), "unknown");
  }
}

}  // namespace
}  // namespace chaosnet::netlink
