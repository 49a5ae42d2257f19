#include "daemon/guard/guard_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/socket.h>

namespace chaosnet::guard {
namespace {

using ::testing::HasSubstr;

TEST(GuardSpecTest, TcpTakesAnIpv4AddressAndAPort) {
  auto spec = ParseGuardSpec("tcp:10.0.0.5:5432");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->text, "tcp:10.0.0.5:5432");
  const auto& tcp = std::get<TcpCheck>(spec->check);
  EXPECT_EQ(tcp.target.address.family, AF_INET);
  EXPECT_EQ(tcp.target.address.prefix_length, 32);
  EXPECT_EQ(tcp.target.address.address[0], 10);
  EXPECT_EQ(tcp.target.address.address[3], 5);
  EXPECT_EQ(tcp.target.port, 5432);
  EXPECT_STREQ(KindName(spec->check), "tcp");
  ASSERT_NE(TargetOf(spec->check), nullptr);
  EXPECT_EQ(FormatEndpoint(*TargetOf(spec->check)), "10.0.0.5:5432");
}

TEST(GuardSpecTest, TcpTakesABracketedIpv6Address) {
  auto spec = ParseGuardSpec("tcp:[2001:db8::5]:443");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  const auto& tcp = std::get<TcpCheck>(spec->check);
  EXPECT_EQ(tcp.target.address.family, AF_INET6);
  EXPECT_EQ(tcp.target.port, 443);
  EXPECT_EQ(FormatEndpoint(tcp.target), "[2001:db8::5]:443");
}

TEST(GuardSpecTest, HttpDefaultsToPort80PathSlashAnd2xx) {
  auto spec = ParseGuardSpec("http://10.0.0.5");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  const auto& http = std::get<HttpCheck>(spec->check);
  EXPECT_EQ(http.target.port, 80);
  EXPECT_EQ(http.path, "/");
  EXPECT_EQ(http.status_first, 200);
  EXPECT_EQ(http.status_last, 299);
}

TEST(GuardSpecTest, HttpTakesPortPathAndAStatusRange) {
  auto spec = ParseGuardSpec("http://10.0.0.5:8080/health?full=1,status=200-399");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  const auto& http = std::get<HttpCheck>(spec->check);
  EXPECT_EQ(http.target.port, 8080);
  EXPECT_EQ(http.path, "/health?full=1");
  EXPECT_EQ(http.status_first, 200);
  EXPECT_EQ(http.status_last, 399);
  auto v6 = ParseGuardSpec("http://[fd00::2]:8080/,status=204");
  ASSERT_TRUE(v6.ok()) << v6.status().message();
  EXPECT_EQ(std::get<HttpCheck>(v6->check).status_first, 204);
  EXPECT_EQ(std::get<HttpCheck>(v6->check).status_last, 204);
}

TEST(GuardSpecTest, CounterGuards) {
  auto drops = ParseGuardSpec("drops<5%");
  ASSERT_TRUE(drops.ok()) << drops.status().message();
  EXPECT_EQ(std::get<DropsCheck>(drops->check).max_percent, 5.0);
  EXPECT_EQ(std::get<DropsCheck>(drops->check).min_packets, 100u);
  EXPECT_EQ(TargetOf(drops->check), nullptr);
  auto drops_min = ParseGuardSpec("drops<0.5%,min-packets=1000");
  ASSERT_TRUE(drops_min.ok()) << drops_min.status().message();
  EXPECT_EQ(std::get<DropsCheck>(drops_min->check).max_percent, 0.5);
  EXPECT_EQ(std::get<DropsCheck>(drops_min->check).min_packets, 1000u);
  auto backlog = ParseGuardSpec("backlog<1000");
  ASSERT_TRUE(backlog.ok()) << backlog.status().message();
  EXPECT_EQ(std::get<BacklogCheck>(backlog->check).max_packets, 1000u);
  auto retransmits = ParseGuardSpec("retransmits<2.5/s");
  ASSERT_TRUE(retransmits.ok()) << retransmits.status().message();
  EXPECT_EQ(std::get<RetransmitsCheck>(retransmits->check).max_per_second, 2.5);
  EXPECT_STREQ(KindName(retransmits->check), "retransmits");
}

struct Refusal {
  const char* spec;
  const char* says;
};

class GuardSpecRefusalTest : public ::testing::TestWithParam<Refusal> {};

TEST_P(GuardSpecRefusalTest, IsOneLineQuotingTheSpec) {
  auto spec = ParseGuardSpec(GetParam().spec);
  ASSERT_FALSE(spec.ok()) << GetParam().spec;
  EXPECT_EQ(spec.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(spec.status().message(), HasSubstr(GetParam().says));
  EXPECT_EQ(spec.status().message().find('\n'), std::string::npos);
  if (*GetParam().spec != '\0' && std::string(GetParam().spec).size() < 64) {
    EXPECT_THAT(spec.status().message(), HasSubstr("guard \""));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, GuardSpecRefusalTest,
    ::testing::Values(
        Refusal{"", "empty"}, Refusal{"tcp:10.0.0.5", "needs a port"},
        Refusal{"tcp:10.0.0.5:0", "is not a port"}, Refusal{"tcp:10.0.0.5:65536", "is not a port"},
        Refusal{"tcp:10.0.0.5:http", "is not a port"},
        Refusal{"tcp:db.example:5432", "IP literals only"},
        Refusal{"tcp:10.0.0.0/8:80", "IP literals only"},
        Refusal{"tcp:2001:db8::5:80", "needs brackets"},
        Refusal{"tcp:[10.0.0.5]:80", "brackets are for IPv6"},
        Refusal{"tcp:[2001:db8::5:80", "missing \"]\""},
        Refusal{"tcp:0.0.0.0:80", "unspecified address"},
        Refusal{"http://localhost:8080/", "IP literals only"},
        Refusal{"https://10.0.0.5/", "https is not supported"},
        Refusal{"http://10.0.0.5/a b", "whitespace"}, Refusal{"http://10.0.0.5/a#b", "fragment"},
        Refusal{"http://10.0.0.5/,status=600", "100 to 599"},
        Refusal{"http://10.0.0.5/,status=399-200", "ends before it starts"},
        Refusal{"http://10.0.0.5/,timeout=1s", "unknown option"}, Refusal{"drops<0%", "above 0%"},
        Refusal{"drops<5", "percentage"}, Refusal{"drops<150%", "percentage"},
        Refusal{"drops<5%,min=10", "unknown option"}, Refusal{"drops>5%", "with \"<\""},
        Refusal{"backlog<0", "1 or more"}, Refusal{"backlog<1k", "number of packets"},
        Refusal{"retransmits<50", "per second"}, Refusal{"retransmits<-1/s", "per second"},
        Refusal{"ping:10.0.0.5", "unknown kind"},
        Refusal{"tcp:10.0.0.5:80\n", "control character"}));

TEST(GuardSpecTest, AnOverlongSpecIsRefusedWithoutEchoingAllOfIt) {
  const std::string long_spec = "http://10.0.0.5/" + std::string(2000, 'a');
  auto spec = ParseGuardSpec(long_spec);
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(spec.status().message(), HasSubstr("longer than 1024 bytes"));
  EXPECT_LT(spec.status().message().size(), 200u);
}

}  // namespace
}  // namespace chaosnet::guard
