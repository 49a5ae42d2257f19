// The hand-written JSON writer and reader that the lease records and the
// audit log are built on.
#include "common/json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace chaosnet::json {
namespace {

using ::testing::HasSubstr;

TEST(Json, ParsesEscapesAndSurrogatePairs) {
  auto v = Parse(R"( {"s":"a\u00e9\ud83d\ude00\/\b\f\r","n":-12,"a":[true,false,null]} )");
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(*v->Find("s")->AsString(), "a\xC3\xA9\xF0\x9F\x98\x80/\b\f\r");
  EXPECT_EQ(*v->Find("n")->AsInt(), -12);
  EXPECT_FALSE(v->Find("n")->AsUint().ok());
  ASSERT_EQ(v->Find("a")->items().size(), 3u);
  EXPECT_EQ(v->Find("a")->items()[2].type(), Value::Type::kNull);
}

TEST(Json, RefusesDeepNestingInsteadOfOverflowingTheStack) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  auto v = Parse(deep);
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(v.status().message(), HasSubstr("too deep"));
}

TEST(Json, RefusesMalformedInput) {
  for (const char* bad : {"", "{", "{\"a\"}", "{\"a\":1,}", "[1 2]", "\"abc", "\"\\x\"",
                          "\"\\ud800\\u0041\"", "tru", "{\"a\":\"\x01\"}"}) {
    EXPECT_FALSE(Parse(bad).ok()) << bad;
  }
}

TEST(Json, DoublesUseTheShortestExactForm) {
  Writer w;
  w.BeginArray().Double(0.1).Double(1.0 / 3.0).Double(25).Double(-0.0).EndArray();
  EXPECT_EQ(w.str(), "[0.1,0.3333333333333333,25,-0]");
}

}  // namespace
}  // namespace chaosnet::json
