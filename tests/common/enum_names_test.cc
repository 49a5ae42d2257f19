#include "common/enum_names.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "common/fault_enums.h"

namespace chaosnet {
namespace {

enum class Color { kRed, kGreen, kBlue, kUnnamed };
constexpr EnumNames<Color, 3> kColorNames{{
    {Color::kRed, "red"},
    {Color::kGreen, "green"},
    {Color::kBlue, "blue"},
}};

TEST(EnumNames, LooksUpBothWays) {
  EXPECT_STREQ(NameOf(kColorNames, Color::kGreen), "green");
  EXPECT_EQ(ValueOf(kColorNames, "blue"), Color::kBlue);
  EXPECT_EQ(ValueOf(kColorNames, "Blue"), std::nullopt);  // exact words only
  EXPECT_EQ(ValueOf(kColorNames, ""), std::nullopt);
  EXPECT_STREQ(NameOf(kColorNames, Color::kUnnamed), "unknown");
}

TEST(EnumNames, ListsTheChoicesForAMessage) {
  EXPECT_EQ(NameList(kColorNames), "red, green or blue");
  EXPECT_EQ(NameList(kColorNames, Color::kRed), "green or blue");
  EXPECT_EQ(NameList(kColorNames, Color::kGreen), "red or blue");
  constexpr EnumNames<Color, 1> kOne{{{Color::kRed, "red"}}};
  EXPECT_EQ(NameList(kOne), "red");
}

// Each word names one value and each value has one word: the tables are read
// both ways (the journal, the CLI).
template <typename E, size_t N>
void ExpectOneToOne(const EnumNames<E, N>& table) {
  std::set<std::string> words;
  for (const auto& e : table) {
    EXPECT_TRUE(words.insert(e.name).second) << "word used twice: " << e.name;
    EXPECT_EQ(ValueOf(table, e.name), e.value) << e.name;
    EXPECT_STREQ(NameOf(table, e.value), e.name);
  }
}

TEST(FaultEnumNames, AreOneToOne) {
  ExpectOneToOne(model::kDelayDistributionNames);
  ExpectOneToOne(model::kProtocolNames);
  ExpectOneToOne(model::kDirectionNames);
}

}  // namespace
}  // namespace chaosnet
