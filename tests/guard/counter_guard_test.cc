#include "daemon/guard/counter_guard.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/guard/network_outcome.h"

namespace chaosnet::guard {
namespace {

using namespace std::chrono_literals;

GuardCheck Check(const char* text) {
  auto spec = ParseGuardSpec(text);
  EXPECT_TRUE(spec.ok()) << spec.status().message();
  return spec->check;
}

CounterSample Sample(uint64_t packets, uint64_t drops, uint32_t backlog = 0,
                     std::optional<uint64_t> retransmits = std::nullopt,
                     SteadyTime at = SteadyTime{}) {
  return {at, packets, drops, backlog, retransmits};
}

TEST(CounterGuardTest, DropsIsTheShareOfWhatTheFaultSawSinceApply) {
  const GuardCheck drops = Check("drops<5%");
  GuardOutcome high = EvaluateCounterGuard(drops, std::nullopt, Sample(70, 30));
  EXPECT_EQ(high.result, GuardResult::kFail);
  EXPECT_EQ(high.observed, "drops 30% of 100 packets");
  GuardOutcome low = EvaluateCounterGuard(drops, std::nullopt, Sample(990, 10));
  EXPECT_EQ(low.result, GuardResult::kPass);
  EXPECT_EQ(low.observed, "drops 1% of 1000 packets");
  // At the limit is a failure: the guard says what must stay below.
  EXPECT_EQ(EvaluateCounterGuard(drops, std::nullopt, Sample(95, 5)).result, GuardResult::kFail);
}

TEST(CounterGuardTest, DropsDecidesOnlyOnceEnoughPacketsWereSeen) {
  GuardOutcome early = EvaluateCounterGuard(Check("drops<5%"), std::nullopt, Sample(9, 1));
  EXPECT_EQ(early.result, GuardResult::kUndecided);
  EXPECT_EQ(early.observed, "10 packets seen, 100 needed to decide");
  EXPECT_EQ(
      EvaluateCounterGuard(Check("drops<5%,min-packets=10"), std::nullopt, Sample(9, 1)).result,
      GuardResult::kFail);
}

TEST(CounterGuardTest, BacklogIsWhatIsQueuedNow) {
  const GuardCheck backlog = Check("backlog<100");
  EXPECT_EQ(EvaluateCounterGuard(backlog, std::nullopt, Sample(0, 0, 99)).result,
            GuardResult::kPass);
  GuardOutcome full = EvaluateCounterGuard(backlog, std::nullopt, Sample(0, 0, 100));
  EXPECT_EQ(full.result, GuardResult::kFail);
  EXPECT_EQ(full.observed, "backlog 100 packets");
}

TEST(CounterGuardTest, RetransmitsIsARateBetweenTwoSamples) {
  const GuardCheck retransmits = Check("retransmits<10/s");
  const SteadyTime t0{std::chrono::hours(1)};
  const CounterSample first = Sample(0, 0, 0, 500, t0);
  GuardOutcome alone = EvaluateCounterGuard(retransmits, std::nullopt, first);
  EXPECT_EQ(alone.result, GuardResult::kUndecided);
  EXPECT_EQ(alone.observed, "first sample");
  GuardOutcome slow = EvaluateCounterGuard(retransmits, first, Sample(0, 0, 0, 504, t0 + 500ms));
  EXPECT_EQ(slow.result, GuardResult::kPass);
  EXPECT_EQ(slow.observed, "8.0 retransmits/s");
  GuardOutcome fast = EvaluateCounterGuard(retransmits, first, Sample(0, 0, 0, 510, t0 + 500ms));
  EXPECT_EQ(fast.result, GuardResult::kFail);
  EXPECT_EQ(fast.observed, "20.0 retransmits/s");
  // Unreadable, or a counter that went back: no verdict rather than a wrong one.
  EXPECT_EQ(EvaluateCounterGuard(retransmits, first, Sample(0, 0, 0, std::nullopt, t0 + 1s)).result,
            GuardResult::kUndecided);
  EXPECT_EQ(EvaluateCounterGuard(retransmits, first, Sample(0, 0, 0, 10, t0 + 1s)).result,
            GuardResult::kUndecided);
}

TEST(CounterGuardTest, RetransSegsIsReadFromProcNetSnmp) {
  const char* snmp =
      "Ip: Forwarding DefaultTTL InReceives\n"
      "Ip: 2 64 3942\n"
      "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails "
      "EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors\n"
      "Tcp: 1 200 120000 -1 71 59 0 14 0 3912 2764 1234 0 16 0\n"
      "Udp: InDatagrams NoPorts\n"
      "Udp: 29 0\n";
  EXPECT_EQ(RetransSegsFromSnmp(snmp), 1234u);
  EXPECT_EQ(RetransSegsFromSnmp("Ip: Forwarding\nIp: 1\n"), std::nullopt);
  EXPECT_EQ(RetransSegsFromSnmp("Tcp: RetransSegs\nTcp: x\n"), std::nullopt);
  EXPECT_EQ(RetransSegsFromSnmp(""), std::nullopt);
}

TEST(NetworkOutcomeTest, StatusesErrorsAndTimeouts) {
  HttpCheck check;
  check.status_last = 399;
  EXPECT_EQ(HttpStatusOutcome(check, 302, 3ms).result, GuardResult::kPass);
  GuardOutcome unavailable = HttpStatusOutcome(check, 503, 3ms);
  EXPECT_EQ(unavailable.result, GuardResult::kFail);
  EXPECT_EQ(unavailable.observed, "503");
  EXPECT_EQ(ErrorOutcome("Connection refused", 1ms).observed, "connection refused");
  EXPECT_EQ(ErrorOutcome("EOF", 1ms).observed, "EOF");
  GuardOutcome timeout = TimeoutOutcome(450ms);
  EXPECT_EQ(timeout.result, GuardResult::kFail);
  EXPECT_EQ(timeout.observed, "no answer within 450ms");
  EXPECT_EQ(ConnectedOutcome(2ms).result, GuardResult::kPass);
}

TEST(NetworkOutcomeTest, TheRequestAndTheStatusLine) {
  auto spec = ParseGuardSpec("http://10.0.0.5:8080/health?x=1");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(HttpRequest(std::get<HttpCheck>(spec->check)),
            "GET /health?x=1 HTTP/1.0\r\nHost: 10.0.0.5:8080\r\nUser-Agent: chaosnetd-guard\r\n"
            "Connection: close\r\n\r\n");
  EXPECT_EQ(StatusOfStatusLine("HTTP/1.1 503 Service Unavailable\r\n"), 503u);
  EXPECT_EQ(StatusOfStatusLine("HTTP/1.0 200 OK"), 200u);
  EXPECT_EQ(StatusOfStatusLine("HTTP/1.1 204\r\n"), 204u);
  EXPECT_EQ(StatusOfStatusLine("SSH-2.0-OpenSSH_9.2\r\n"), std::nullopt);
  EXPECT_EQ(StatusOfStatusLine("HTTP/1.1 20x OK"), std::nullopt);
  EXPECT_EQ(StatusOfStatusLine("HTTP/1.1 2000 OK"), std::nullopt);
  EXPECT_EQ(StatusOfStatusLine("HTTP/1.1 099 Odd"), std::nullopt);
}

}  // namespace
}  // namespace chaosnet::guard
