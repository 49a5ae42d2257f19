#include "daemon/model/validate.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <ostream>
#include <string>

namespace chaosnet::model {
namespace {

using namespace std::chrono_literals;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

FaultSpec Base() {
  FaultSpec s;
  s.interface = "eth0";
  return s;
}

FaultSpec WithDelay(Nanos latency, Nanos jitter = 0ns, double corr = 0,
                    DelayDistribution dist = DelayDistribution::kUniform) {
  FaultSpec s = Base();
  s.delay = DelayFault{latency, jitter, corr, dist};
  return s;
}

FaultSpec WithLoss(double percent, double corr = 0) {
  FaultSpec s = Base();
  s.loss = ProbabilityFault{percent, corr};
  return s;
}

FaultSpec WithRate(uint64_t bits) {
  FaultSpec s = Base();
  s.rate = RateFault{bits};
  return s;
}

FaultSpec Named(std::string name) {
  FaultSpec s = WithLoss(1);
  s.interface = std::move(name);
  return s;
}

struct Case {
  const char* name;
  std::function<FaultSpec()> spec;
  // Empty: must be valid. Otherwise the INVALID_ARGUMENT message contains it.
  std::string error;
  friend std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }
};

class ValidateFaultSpecTable : public testing::TestWithParam<Case> {};

TEST_P(ValidateFaultSpecTable, AppliesRule) {
  const Case& c = GetParam();
  Status s = ValidateFaultSpec(c.spec(), ValidationLimits{});
  if (c.error.empty()) {
    EXPECT_TRUE(s.ok()) << s.message();
    return;
  }
  ASSERT_FALSE(s.ok()) << "accepted, expected: " << c.error;
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find(c.error), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find('\n'), std::string::npos) << s.message();
}

const Case kInterfaceCases[] = {
    {"eth0", [] { return Named("eth0"); }, ""},
    {"fifteen_bytes", [] { return Named("abcdefghijklmno"); }, ""},
    {"dash_dot_at", [] { return Named("veth-a.1@x"); }, ""},
    {"empty", [] { return Named(""); }, "interface: name is empty"},
    {"sixteen_bytes", [] { return Named("abcdefghijklmnop"); },
     "interface: \"abcdefghijklmnop\" is 16 bytes"},
    {"slash", [] { return Named("eth/0"); }, "interface: \"eth/0\" contains '/'"},
    {"colon", [] { return Named("eth0:1"); }, "contains ':'"},
    {"space", [] { return Named("eth 0"); }, "whitespace"},
    {"tab", [] { return Named("eth\t0"); }, "whitespace"},
    {"newline", [] { return Named("eth0\n"); }, "interface: \"eth0\\n\" contains whitespace"},
    {"nul", [] { return Named(std::string("eth\0x", 5)); },
     "\"eth\\x00x\" contains whitespace or a NUL"},
    {"dot", [] { return Named("."); }, "not a valid interface name"},
    {"dotdot", [] { return Named(".."); }, "not a valid interface name"},
};
INSTANTIATE_TEST_SUITE_P(Interface, ValidateFaultSpecTable, testing::ValuesIn(kInterfaceCases),
                         [](const auto& info) { return std::string(info.param.name); });

const Case kImpairmentCases[] = {
    {"nothing", [] { return Base(); }, "no impairment given"},
    {"queue_limit_alone",
     [] {
       FaultSpec s = Base();
       s.queue_limit = 5000;
       return s;
     },
     "no impairment given"},
    {"partition_alone",
     [] {
       FaultSpec s = Base();
       s.partition = true;
       return s;
     },
     ""},
    {"partition_with_queue_limit",
     [] {
       FaultSpec s = Base();
       s.partition = true;
       s.queue_limit = 10;
       return s;
     },
     ""},
    {"partition_and_loss",
     [] {
       FaultSpec s = WithLoss(5);
       s.partition = true;
       return s;
     },
     "partition: drops every packet, so it cannot be combined with other impairments (remove "
     "loss)"},
    {"partition_and_delay_and_rate",
     [] {
       FaultSpec s = WithDelay(10ms);
       s.rate = RateFault{1'000'000};
       s.partition = true;
       return s;
     },
     "(remove delay, rate)"},
    {"all_netem_and_rate",
     [] {
       FaultSpec s = WithDelay(100ms, 10ms, 25, DelayDistribution::kNormal);
       s.loss = ProbabilityFault{1, 25};
       s.duplicate = ProbabilityFault{1, 0};
       s.corrupt = ProbabilityFault{0.1, 0};
       s.reorder = ReorderFault{25, 50, 5};
       s.rate = RateFault{10'000'000};
       s.queue_limit = 100'000;
       return s;
     },
     ""},
};
INSTANTIATE_TEST_SUITE_P(Impairments, ValidateFaultSpecTable, testing::ValuesIn(kImpairmentCases),
                         [](const auto& info) { return std::string(info.param.name); });

const Case kDelayCases[] = {
    {"ok", [] { return WithDelay(3000ms); }, ""},
    {"one_ns", [] { return WithDelay(1ns); }, ""},
    {"at_max", [] { return WithDelay(1h); }, ""},
    {"zero", [] { return WithDelay(0ns); }, "delay: must be greater than 0"},
    {"negative", [] { return WithDelay(-5ms); }, "delay: must be greater than 0"},
    {"above_max", [] { return WithDelay(1h + 1ns); },
     "delay: 3600000000001ns is above the maximum of 1h"},
    {"jitter_ok", [] { return WithDelay(100ms, 10ms); }, ""},
    {"jitter_above_latency", [] { return WithDelay(10ms, 50ms); }, ""},
    {"jitter_negative", [] { return WithDelay(100ms, -1ms); },
     "delay jitter: must not be negative"},
    {"jitter_above_max", [] { return WithDelay(100ms, 2h); },
     "delay jitter: 2h is above the maximum of 1h"},
    {"correlation_with_jitter", [] { return WithDelay(100ms, 10ms, 25); }, ""},
    {"correlation_100", [] { return WithDelay(100ms, 10ms, 100); }, ""},
    {"correlation_without_jitter", [] { return WithDelay(100ms, 0ns, 25); },
     "delay correlation: correlation needs jitter"},
    {"correlation_above_100", [] { return WithDelay(100ms, 10ms, 101); },
     "delay correlation: 101% is above 100%"},
    {"correlation_negative", [] { return WithDelay(100ms, 10ms, -1); },
     "delay correlation: -1% is below 0%"},
    {"correlation_nan", [] { return WithDelay(100ms, 10ms, kNaN); },
     "delay correlation: must be a number"},
    {"normal_with_jitter", [] { return WithDelay(100ms, 10ms, 0, DelayDistribution::kNormal); },
     ""},
    {"pareto_with_jitter", [] { return WithDelay(100ms, 10ms, 0, DelayDistribution::kPareto); },
     ""},
    {"normal_without_jitter", [] { return WithDelay(100ms, 0ns, 0, DelayDistribution::kNormal); },
     "delay distribution: normal needs jitter"},
    {"pareto_without_jitter", [] { return WithDelay(100ms, 0ns, 0, DelayDistribution::kPareto); },
     "pareto needs jitter"},
    {"paretonormal_without_jitter",
     [] { return WithDelay(100ms, 0ns, 0, DelayDistribution::kParetoNormal); },
     "paretonormal needs jitter"},
    {"uniform_without_jitter", [] { return WithDelay(100ms, 0ns, 0, DelayDistribution::kUniform); },
     ""},
};
INSTANTIATE_TEST_SUITE_P(Delay, ValidateFaultSpecTable, testing::ValuesIn(kDelayCases),
                         [](const auto& info) { return std::string(info.param.name); });

// loss, duplicate and corrupt share one rule set; each runs through it so a
// field whose check is forgotten fails here.
using ProbabilityField = std::optional<ProbabilityFault> FaultSpec::*;

FaultSpec WithProbability(ProbabilityField field, double percent, double corr) {
  FaultSpec s = Base();
  s.*field = ProbabilityFault{percent, corr};
  return s;
}

struct ProbabilityCase {
  double percent;
  double correlation;
  const char* error;  // after "<field>": "" when valid
};

const ProbabilityCase kProbabilityCases[] = {
    {5, 0, ""},
    {0.1, 0, ""},
    {100, 0, ""},
    {1, 25, ""},
    {1, 100, ""},
    {0.0001, 0, ""},
    {150, 0, ": 150% is above 100%"},
    {100.5, 0, ": 100.5% is above 100%"},
    {0, 0, ": 0% has no effect"},
    {0, 25, ": 0% has no effect"},
    {-1, 0, ": -1% is below 0%"},
    {kNaN, 0, ": must be a number from 0% to 100%"},
    {kInf, 0, ": must be a number from 0% to 100%"},
    {-kInf, 0, ": must be a number from 0% to 100%"},
    {5, 101, " correlation: 101% is above 100%"},
    {5, -3, " correlation: -3% is below 0%"},
    {5, kNaN, " correlation: must be a number"},
    {5, kInf, " correlation: must be a number"},
};

TEST(ValidateFaultSpec, ProbabilityRulesForLossDuplicateCorrupt) {
  const std::pair<const char*, ProbabilityField> fields[] = {
      {"loss", &FaultSpec::loss},
      {"duplicate", &FaultSpec::duplicate},
      {"corrupt", &FaultSpec::corrupt},
  };
  for (const auto& [name, field] : fields) {
    for (const auto& c : kProbabilityCases) {
      SCOPED_TRACE(std::string(name) + " " + std::to_string(c.percent) + " corr " +
                   std::to_string(c.correlation));
      Status s = ValidateFaultSpec(WithProbability(field, c.percent, c.correlation));
      if (std::string(c.error).empty()) {
        EXPECT_TRUE(s.ok()) << s.message();
      } else {
        ASSERT_FALSE(s.ok());
        EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
        EXPECT_NE(s.message().find(std::string(name) + c.error), std::string::npos) << s.message();
      }
    }
  }
}

TEST(ValidateFaultSpec, LossMessageNamesFieldExactly) {
  Status s = ValidateFaultSpec(WithLoss(150));
  EXPECT_EQ(s.message(), "loss: 150% is above 100%");
}

FaultSpec WithReorder(double percent, double corr, uint32_t gap, std::optional<Nanos> delay) {
  FaultSpec s = Base();
  if (delay) s.delay = DelayFault{*delay};
  s.reorder = ReorderFault{percent, corr, gap};
  return s;
}

const Case kReorderCases[] = {
    {"ok", [] { return WithReorder(25, 0, 0, 10ms); }, ""},
    {"with_correlation", [] { return WithReorder(25, 50, 0, 10ms); }, ""},
    {"with_gap", [] { return WithReorder(25, 0, 5, 10ms); }, ""},
    {"hundred", [] { return WithReorder(100, 0, 0, 10ms); }, ""},
    {"without_delay", [] { return WithReorder(25, 0, 0, std::nullopt); },
     "reorder: reorder needs --delay"},
    {"gap_without_delay", [] { return WithReorder(25, 0, 5, std::nullopt); },
     "reorder needs --delay"},
    {"zero_percent", [] { return WithReorder(0, 0, 0, 10ms); }, "reorder: 0% has no effect"},
    {"gap_with_zero_percent", [] { return WithReorder(0, 0, 5, 10ms); },
     "reorder: 0% has no effect"},
    {"above_100", [] { return WithReorder(101, 0, 0, 10ms); }, "reorder: 101% is above 100%"},
    {"nan", [] { return WithReorder(kNaN, 0, 0, 10ms); }, "reorder: must be a number"},
    {"correlation_above_100", [] { return WithReorder(25, 200, 0, 10ms); },
     "reorder correlation: 200% is above 100%"},
    // The delay's own rule fires first: the user must fix the delay.
    {"zero_delay", [] { return WithReorder(25, 0, 0, 0ns); }, "delay: must be greater than 0"},
};
INSTANTIATE_TEST_SUITE_P(Reorder, ValidateFaultSpecTable, testing::ValuesIn(kReorderCases),
                         [](const auto& info) { return std::string(info.param.name); });

const Case kRateCases[] = {
    {"one_mbit", [] { return WithRate(1'000'000); }, ""},
    {"minimum", [] { return WithRate(8); }, ""},
    {"maximum", [] { return WithRate(100'000'000'000'000ULL); }, ""},
    {"below_minimum", [] { return WithRate(7); }, "rate: 7bit is below the minimum of 8bit"},
    {"zero", [] { return WithRate(0); }, "rate: 0bit is below the minimum"},
    {"above_maximum", [] { return WithRate(100'000'000'000'001ULL); },
     "rate: 100000000000001bit is above the maximum of 100tbit"},
    {"uint64_max", [] { return WithRate(std::numeric_limits<uint64_t>::max()); },
     "is above the maximum of 100tbit"},
};
INSTANTIATE_TEST_SUITE_P(Rate, ValidateFaultSpecTable, testing::ValuesIn(kRateCases),
                         [](const auto& info) { return std::string(info.param.name); });

FaultSpec WithQueueLimit(uint32_t limit) {
  FaultSpec s = WithDelay(100ms);
  s.queue_limit = limit;
  return s;
}

const Case kQueueLimitCases[] = {
    {"one", [] { return WithQueueLimit(1); }, ""},
    {"typical", [] { return WithQueueLimit(250'000); }, ""},
    {"two_pow_31", [] { return WithQueueLimit(1u << 31); }, ""},
    {"zero", [] { return WithQueueLimit(0); },
     "queue_limit: 0 packets is out of range; use 1 to 2147483648"},
    {"above_two_pow_31", [] { return WithQueueLimit((1u << 31) + 1); },
     "queue_limit: 2147483649 packets is out of range"},
    {"uint32_max", [] { return WithQueueLimit(std::numeric_limits<uint32_t>::max()); },
     "out of range"},
    {"rate_only",
     [] {
       FaultSpec s = WithRate(1'000'000);
       s.queue_limit = 100;
       return s;
     },
     "queue_limit: sets the netem queue, which a rate-only fault does not have"},
    {"rate_and_loss",
     [] {
       FaultSpec s = WithRate(1'000'000);
       s.loss = ProbabilityFault{1, 0};
       s.queue_limit = 100;
       return s;
     },
     ""},
};
INSTANTIATE_TEST_SUITE_P(QueueLimit, ValidateFaultSpecTable, testing::ValuesIn(kQueueLimitCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ValidateFaultSpec, LimitsAreConfigurable) {
  ValidationLimits limits;
  limits.max_latency = 10s;
  limits.max_rate_bits_per_second = 1'000'000'000;
  limits.max_queue_limit = 1000;
  EXPECT_TRUE(ValidateFaultSpec(WithDelay(10s), limits).ok());
  Status s = ValidateFaultSpec(WithDelay(11s), limits);
  EXPECT_EQ(s.message(), "delay: 11s is above the maximum of 10s");
  EXPECT_EQ(ValidateFaultSpec(WithRate(2'000'000'000), limits).message(),
            "rate: 2gbit is above the maximum of 1gbit");
  EXPECT_FALSE(ValidateFaultSpec(WithQueueLimit(1001), limits).ok());
  EXPECT_TRUE(ValidateFaultSpec(WithQueueLimit(1000), limits).ok());
}

TEST(ValidateFaultSpec, DefaultLimitsAreSane) {
  ValidationLimits limits;
  EXPECT_EQ(limits.max_latency, 1h);
  EXPECT_EQ(limits.min_rate_bits_per_second, 8u);
  EXPECT_EQ(limits.max_rate_bits_per_second, 100'000'000'000'000ULL);
  EXPECT_EQ(limits.max_queue_limit, 1u << 31);
}

// ---- match --------------------------------------------------------------------

FaultSpec WithMatch(void (*edit)(Match&)) {
  FaultSpec s = WithLoss(1);
  edit(s.match);
  return s;
}

const Case kMatchCases[] = {
    {"dst_v4", [] { return WithMatch([](Match& m) {
                      m.dst = Cidr{2, {10}, 8};
                    }); }, ""},
    {"dst_and_src_v6",
     [] {
       return WithMatch([](Match& m) {
         m.dst = Cidr{10, {0x20, 0x01}, 32};
         m.src = Cidr{10, {0xfd}, 8};
       });
     },
     ""},
    {"ports_and_tcp",
     [] {
       return WithMatch([](Match& m) {
         m.dport = PortRange{80, 90};
         m.sport = PortRange{1000, 1000};
         m.protocol = Protocol::kTcp;
       });
     },
     ""},
    {"mixed_families",
     [] {
       return WithMatch([](Match& m) {
         m.dst = Cidr{2, {10}, 8};
         m.src = Cidr{10, {0xfd}, 8};
       });
     },
     "src: --src and --dst mix IPv4 and IPv6"},
    {"v4_prefix_33", [] { return WithMatch([](Match& m) {
                            m.dst = Cidr{2, {10}, 33};
                          }); },
     "dst: prefix length /33 is above /32"},
    {"v6_prefix_129", [] { return WithMatch([](Match& m) {
                             m.src = Cidr{10, {}, 129};
                           }); },
     "src: prefix length /129 is above /128"},
    {"unknown_family", [] { return WithMatch([](Match& m) {
                              m.dst = Cidr{7, {}, 1};
                            }); },
     "dst: address family must be IPv4 or IPv6"},
    {"port_zero", [] { return WithMatch([](Match& m) {
                         m.dport = PortRange{0, 0};
                       }); },
     "dport: port 0 is not a port"},
    {"reversed_range", [] { return WithMatch([](Match& m) {
                              m.sport = PortRange{90, 80};
                            }); },
     "sport: range 90-80 ends before it starts"},
    {"icmp_with_port",
     [] {
       return WithMatch([](Match& m) {
         m.protocol = Protocol::kIcmp;
         m.dport = PortRange{80, 80};
       });
     },
     "proto: icmp has no ports"},
    // fleet (cidr-sets, fault-exemptions)
    {"dst_set_mixing_families",
     [] {
       return WithMatch([](Match& m) {
         m.dst_cidrs = {Cidr{2, {10, 0, 0, 2}, 32}, Cidr{10, {0xfd}, 128}};
       });
     },
     ""},
    {"dst_and_dst_set",
     [] {
       return WithMatch([](Match& m) {
         m.dst = Cidr{2, {10}, 8};
         m.dst_cidrs = {Cidr{2, {10, 0, 0, 2}, 32}};
       });
     },
     "dst_cidrs: give one dst CIDR as dst_cidr or several as dst_cidrs, not both"},
    {"src_set_twice",
     [] {
       return WithMatch([](Match& m) {
         m.src_cidrs = {Cidr{2, {10, 0, 0, 2}, 32}, Cidr{2, {10, 0, 0, 2}, 32}};
       });
     },
     "src_cidrs: a CIDR is given twice"},
    {"set_member_bad_prefix",
     [] { return WithMatch([](Match& m) {
            m.dst_cidrs = {Cidr{2, {10}, 40}};
          }); },
     "dst_cidrs: prefix length /40 is above /32"},
    {"sets_without_a_common_family",
     [] {
       return WithMatch([](Match& m) {
         m.dst_cidrs = {Cidr{2, {10, 0, 0, 2}, 32}, Cidr{2, {10, 0, 0, 3}, 32}};
         m.src = Cidr{10, {0xfd}, 8};
       });
     },
     "src_cidrs: --src and --dst have no address family in common"},
    {"sets_sharing_a_family",
     [] {
       return WithMatch([](Match& m) {
         m.dst_cidrs = {Cidr{2, {10, 0, 0, 2}, 32}, Cidr{10, {0xfd}, 128}};
         m.src = Cidr{10, {0xfd}, 8};
       });
     },
     ""},
    {"set_too_large",
     [] {
       return WithMatch([](Match& m) {
         for (int i = 0; i < 129; ++i) {
           m.dst_cidrs.push_back(Cidr{2, {10, 0, uint8_t(i / 256), uint8_t(i % 256)}, 32});
         }
       });
     },
     "dst_cidrs: 129 CIDRs, at most 128"},
    {"exemption_endpoint",
     [] {
       FaultSpec s = WithLoss(1);
       s.exemptions = {{Cidr{2, {10, 0, 0, 3}, 32}, PortRange{7443, 7443}, Protocol::kTcp}};
       return s;
     },
     ""},
    {"exemption_of_nothing",
     [] {
       FaultSpec s = WithLoss(1);
       s.exemptions = {{std::nullopt, std::nullopt, Protocol::kTcp}};
       return s;
     },
     "exemptions: an exemption needs an address, ports or both"},
    {"exemption_icmp_port",
     [] {
       FaultSpec s = WithLoss(1);
       s.exemptions = {{std::nullopt, PortRange{7, 7}, Protocol::kIcmp}};
       return s;
     },
     "exemptions: icmp has no ports"},
    {"exemption_port_zero",
     [] {
       FaultSpec s = WithLoss(1);
       s.exemptions = {{std::nullopt, PortRange{0, 0}, Protocol::kUdp}};
       return s;
     },
     "exemptions: port 0 is not a port"},
};

class MatchTable : public testing::TestWithParam<Case> {};

TEST_P(MatchTable, AcceptsOrNamesTheProblem) {
  const Case& c = GetParam();
  Status s = ValidateFaultSpec(c.spec());
  if (c.error.empty()) {
    EXPECT_TRUE(s.ok()) << s.message();
    return;
  }
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find(c.error), std::string::npos) << s.message();
}

INSTANTIATE_TEST_SUITE_P(Match, MatchTable, testing::ValuesIn(kMatchCases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace chaosnet::model
