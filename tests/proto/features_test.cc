#include "proto/features/features.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "chaosnet/v1/chaosnet.pb.h"
#include "feature_marks_test.pb.h"

namespace chaosnet::features {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(Features, DeclaredByWalksNestedMessagesOnce) {
  EXPECT_THAT(DeclaredBy(*test::Sample::descriptor()), ElementsAre("inner-sets", "sample-feature"));
  EXPECT_THAT(DeclaredBy(*test::Inner::descriptor()), ElementsAre("inner-sets"));
}

TEST(Features, UnsetMarkedFieldsAreNotUsed) {
  test::Sample sample;
  sample.set_plain("x");
  sample.mutable_inner()->set_plain("y");
  (*sample.mutable_labels())["k"] = "v";
  EXPECT_THAT(UsedBy(sample), IsEmpty());
}

TEST(Features, SetMarkedFieldsAreUsedAtAnyDepth) {
  test::Sample top;
  top.set_marked("x");
  EXPECT_THAT(UsedBy(top), ElementsAre("sample-feature"));

  test::Sample nested;
  nested.mutable_inner()->add_cidrs("10.0.0.0/8");
  EXPECT_THAT(UsedBy(nested), ElementsAre("inner-sets"));

  test::Sample in_repeated;
  in_repeated.add_many();  // an element without the marked field
  in_repeated.add_many()->add_cidrs("fd00::/8");
  EXPECT_THAT(UsedBy(in_repeated), ElementsAre("inner-sets"));
}

TEST(Features, MissingNamesWhatTheDaemonDidNotAnnounce) {
  test::Sample sample;
  sample.set_marked("x");
  sample.mutable_again()->add_cidrs("10.0.0.1");
  EXPECT_THAT(Missing(sample, {}), ElementsAre("inner-sets", "sample-feature"));
  EXPECT_THAT(Missing(sample, {"sample-feature"}), ElementsAre("inner-sets"));
  EXPECT_THAT(Missing(sample, {"inner-sets", "sample-feature", "other"}), IsEmpty());
}

TEST(Features, TheApiDeclaresOnlyNamesAFieldCarries) {
  // Every announced name is the mark of some field of a request message.
  const std::vector<std::string> api = DeclaredByApi();
  EXPECT_TRUE(std::is_sorted(api.begin(), api.end()));
  EXPECT_EQ(std::set<std::string>(api.begin(), api.end()).size(), api.size());
  std::set<std::string> from_create = DeclaredBy(*v1::CreateFaultRequest::descriptor());
  for (const std::string& name : from_create) {
    EXPECT_NE(std::find(api.begin(), api.end(), name), api.end()) << name;
  }
}

}  // namespace
}  // namespace chaosnet::features
