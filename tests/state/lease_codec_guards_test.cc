// The guards of a spec in lease records (feature "guards"): written with
// format version 2, read back exactly; records without guards keep version 1
// so that older daemons can still read them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/state/lease_codec.h"
#include "tests/state/state_test_util.h"

namespace chaosnet::state {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::StartsWith;

StoredLease Guarded() {
  StoredLease l = testing::FullLease();
  l.spec.guards.checks = {"http://10.0.0.5:8080/health,status=200-399", "drops<5%"};
  l.spec.guards.interval = 500ms;
  l.spec.guards.timeout = 450ms;
  l.spec.guards.failures = 3;
  l.spec.guards.grace = 0ns;
  return l;
}

TEST(LeaseCodecGuards, ARecordWithGuardsIsVersion2AndRoundTrips) {
  const StoredLease lease = Guarded();
  EXPECT_EQ(RequiredFormatVersion(lease), 2);
  const std::string text = EncodeLease(lease);
  EXPECT_THAT(text, StartsWith(R"({"v":2,)"));
  EXPECT_THAT(text, HasSubstr(R"("guards":{"checks":["http://10.0.0.5:8080/health,status=200-399",)"
                              R"("drops<5%"],"interval_ns":500000000,"timeout_ns":450000000,)"
                              R"("failures":3,"grace_ns":0})"));
  auto decoded = DecodeLease(text);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(*decoded, lease);
}

TEST(LeaseCodecGuards, TheScheduleIsKeptAsGivenUnsetPartsStayUnset) {
  StoredLease lease = testing::FullLease();
  lease.spec.guards.checks = {"tcp:10.0.0.5:80"};
  const std::string text = EncodeLease(lease);
  EXPECT_THAT(text, HasSubstr(R"("guards":{"checks":["tcp:10.0.0.5:80"]})"));
  auto decoded = DecodeLease(text);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_FALSE(decoded->spec.guards.interval);
  EXPECT_FALSE(decoded->spec.guards.grace);
  EXPECT_EQ(*decoded, lease);
}

TEST(LeaseCodecGuards, ARecordWithoutGuardsStaysVersion1) {
  const StoredLease lease = testing::FullLease();
  EXPECT_EQ(RequiredFormatVersion(lease), 1);
  EXPECT_THAT(EncodeLease(lease), StartsWith(R"({"v":1,)"));
  EXPECT_THAT(EncodeLease(lease), ::testing::Not(HasSubstr("guards")));
  EXPECT_THAT(EncodeRemoval("abc"), StartsWith(R"({"v":1,)"));
}

TEST(LeaseCodecGuards, DamagedGuardsAreRefusedNamingTheField) {
  const std::string text = EncodeLease(Guarded());
  auto damaged = [&](const std::string& from, const std::string& to) {
    std::string s = text;
    s.replace(s.find(from), from.size(), to);
    auto decoded = DecodeLease(s);
    return decoded.ok() ? std::string("decoded") : decoded.status().message();
  };
  EXPECT_THAT(damaged(R"("drops<5%")", "5"), HasSubstr("spec.guards.checks[1]"));
  EXPECT_THAT(damaged(R"("checks":)", R"("x":)"), HasSubstr("spec.guards.checks: missing"));
  EXPECT_THAT(damaged(R"("failures":3)", R"("failures":-3)"), HasSubstr("spec.guards.failures"));
  EXPECT_THAT(damaged(R"("interval_ns":500000000)", R"("interval_ns":"x")"),
              HasSubstr("spec.guards.interval_ns"));
}

TEST(LeaseCodecGuards, AFormatNewerThanThisBuildIsRefused) {
  // As an older daemon (newest version 1) refuses a version 2 record.
  std::string text = EncodeLease(Guarded());
  text.replace(text.find(R"("v":2)"), 5, R"("v":3)");
  auto decoded = DecodeLease(text);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace chaosnet::state
