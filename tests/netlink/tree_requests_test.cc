// The requests of a change, built before anything is sent (tree_requests.h):
// which object and rule each request is for, how a failed one is named, and
// that an object that cannot be encoded refuses the whole change. Pure.
#include "daemon/netlink/tree_requests.h"

#include <gtest/gtest.h>
#include <linux/rtnetlink.h>

namespace chaosnet::netlink {
namespace {

constexpr uint32_t kCa00 = 0xCA000000;

plan::TcObject Root() { return plan::TreeQdisc{kCa00, plan::kRootParent, plan::HtbQdisc{}}; }
plan::HtbClass Class(uint32_t minor) {
  return plan::HtbClass{kCa00 | minor, kCa00, 125'000, 125'000, 2'000, 2'000, 0};
}
plan::U32Classifier Classifier(uint16_t prio, int rules) {
  plan::U32Classifier f{kCa00, prio, plan::FilterProtocol::kIp, kCa00 | 1, {}};
  for (int i = 0; i < rules; ++i) {
    f.rules.push_back(plan::U32Rule{{plan::U32Key{0x0A000001u + i, 0xFFFFFFFF, 16}}});
  }
  return f;
}

TEST(TreeRequestsTest, OneRequestPerObjectAndOnePerRuleOfAClassifier) {
  const std::vector<plan::TcObject> objects{Root(), Class(1), Classifier(1000, 3)};
  auto r = EncodeTreeAdds(7, objects, DistributionTables{});
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->messages.size(), 5u);
  ASSERT_EQ(r->origins.size(), 5u);
  EXPECT_EQ(r->messages[0].header()->nlmsg_type, RTM_NEWQDISC);
  EXPECT_EQ(r->messages[1].header()->nlmsg_type, RTM_NEWTCLASS);
  for (std::size_t i = 2; i < 5; ++i) {
    EXPECT_EQ(r->messages[i].header()->nlmsg_type, RTM_NEWTFILTER);
    EXPECT_EQ(r->origins[i].object, 2u);
    EXPECT_EQ(r->origins[i].rule, i - 2);
    EXPECT_EQ(r->origins[i].rules, 3u);
  }
  EXPECT_EQ(AddRequestName(7, objects, r->origins[1]), "adding htb class ca00:1 (ifindex 7)");
  EXPECT_EQ(AddRequestName(7, objects, r->origins[3]),
            "adding u32 filter prio 1000 protocol ip on ca00: (ifindex 7), rule 2 of 3");
}

TEST(TreeRequestsTest, AnObjectThatCannotBeEncodedRefusesTheChangeNamingIt) {
  auto empty = EncodeTreeAdds(7, {Root(), Classifier(1000, 0)}, DistributionTables{});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(empty.status().message(),
            "adding u32 filter prio 1000 protocol ip on ca00: (ifindex 7): the classifier has "
            "no rules");
  plan::RedirectFilter redirect;
  redirect.to_device = "cnifb7";
  auto unresolved = EncodeTreeAdds(7, {redirect}, DistributionTables{});
  ASSERT_FALSE(unresolved.ok());
  EXPECT_NE(unresolved.status().message().find("the target device has no ifindex"),
            std::string::npos);
}

TEST(TreeRequestsTest, OnlyNetemLeavesAndHtbClassesChangeInPlace) {
  auto ok = EncodeTreeChanges(7, {Class(1), Class(2)});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->size(), 2u);
  auto refused = EncodeTreeChanges(7, {Class(1), Root()});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("changing htb qdisc ca00:"), std::string::npos)
      << refused.status().message();
}

TEST(TreeRequestsTest, DeletesNameTheObjectAsTcDoes) {
  EXPECT_EQ(EncodeTreeDelete(7, Root()).header()->nlmsg_type, RTM_DELQDISC);
  EXPECT_EQ(EncodeTreeDelete(7, Class(1)).header()->nlmsg_type, RTM_DELTCLASS);
  EXPECT_EQ(EncodeTreeDelete(7, Classifier(1000, 2)).header()->nlmsg_type, RTM_DELTFILTER);
}

}  // namespace
}  // namespace chaosnet::netlink
