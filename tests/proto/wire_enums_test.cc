#include "proto/wire_enums/wire_enums.h"

#include <gtest/gtest.h>

namespace chaosnet::wire {
namespace {

// Every model value goes out and comes back as itself.
template <typename E, size_t N>
void ExpectRoundTrip(const EnumNames<E, N>& table) {
  for (const auto& e : table) EXPECT_EQ(FromProto(ToProto(e.value)), e.value) << e.name;
}

TEST(WireEnums, EveryModelValueRoundTrips) {
  ExpectRoundTrip(model::kDelayDistributionNames);
  ExpectRoundTrip(model::kDirectionNames);
  ExpectRoundTrip(model::kProtocolNames);
}

TEST(WireEnums, UnspecifiedIsTheModelsDefault) {
  EXPECT_EQ(FromProto(v1::DELAY_DISTRIBUTION_UNSPECIFIED), model::DelayDistribution::kUniform);
  EXPECT_EQ(FromProto(v1::DIRECTION_UNSPECIFIED), model::Direction::kEgress);
  EXPECT_EQ(FromProto(v1::PROTOCOL_UNSPECIFIED), model::Protocol::kAny);
  // Egress goes out spelled; the other defaults as the wire's zero.
  EXPECT_EQ(ToProto(model::Direction::kEgress), v1::DIRECTION_EGRESS);
  EXPECT_EQ(ToProto(model::DelayDistribution::kUniform), v1::DELAY_DISTRIBUTION_UNSPECIFIED);
  EXPECT_EQ(ToProto(model::Protocol::kAny), v1::PROTOCOL_UNSPECIFIED);
}

TEST(WireEnums, AValueFromANewerPeerIsNotGuessed) {
  EXPECT_EQ(FromProto(static_cast<v1::DelayDistribution>(4)), std::nullopt);
  EXPECT_EQ(FromProto(static_cast<v1::Direction>(4)), std::nullopt);
  EXPECT_EQ(FromProto(static_cast<v1::Protocol>(-1)), std::nullopt);
}

}  // namespace
}  // namespace chaosnet::wire
