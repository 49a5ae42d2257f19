#include "daemon/core/ended_history.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

#include "common/net_parse.h"
#include "daemon/core/dictionary_deflate.h"
#include "daemon/core/ended_record_codec.h"
#include "daemon/core/ordinal_index.h"
#include "daemon/plan/describe.h"
#include "tests/core/test_callers.h"

namespace chaosnet::core {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

WallTime At(std::chrono::nanoseconds since_epoch) {
  return WallTime(std::chrono::duration_cast<WallTime::duration>(since_epoch));
}

// Everything `get -o json` shows of an ended fault, and more.
FaultRecord RichEndedRecord() {
  FaultRecord r;
  r.id = "a1b2c3d4e5f6";
  r.spec.interface = "eth0";
  r.spec.netns = "pid:4242";
  r.spec.delay = model::DelayFault{100ms, 10ms, 25.5};
  r.spec.loss = model::ProbabilityFault{1.5, 0};
  r.spec.guards.checks = {"tcp:10.0.0.5:80", "drops<5%"};
  program::StepList steps;
  steps.steps = {{1s, {.delay = 50ms}}, {1s, {.delay = 100ms, .loss = 2.0}}};
  r.spec.program = program::Program{steps};
  r.labels = {{"team", "payments"}, {"run", "42"}};
  const Caller alice = testing::LocalUser(1000, "alice");
  r.owner = alice.principal;
  r.owner_identity = alice.identity;
  r.request_id = "req-9";
  r.site.netns_key = "ns:4026532000";
  r.site.ifindex = 17;
  plan::HtbClass cls{.classid = 0xCA000007, .parent = 0xCA000000, .rate_bytes_per_second = 125000};
  plan::NetemQdisc netem;
  netem.latency = 100ms;
  netem.loss = 1.5;
  r.site.added = {{"eth0", cls}, {"eth0", plan::TreeQdisc{0x10070000, 0xCA000007, netem}}};
  r.keep_alive = true;
  r.created_at = At(1714564800123456789ns);
  r.expires_at = At(1714564830123456789ns);
  r.ended_at = At(1714564812000000001ns);
  r.state = FaultState::kHalted;
  r.state_reason = "guard tcp:10.0.0.5:80 failed 3 times: connection refused";
  r.counters = {.packets = 412,
                .bytes = 61234,
                .drops = 31,
                .overlimits = 7,
                .backlog_packets = 2,
                .backlog_bytes = 3000};
  r.counters_read_at = At(1714564811999000000ns);
  r.guards = guard::UncheckedStatuses(r.spec.guards.checks);
  r.guards[0].result = guard::GuardResult::kFail;
  r.guards[0].observed = "connection refused";
  r.guards[0].latency = 3ms;
  r.guards[0].checked_at = At(1714564811000000000ns);
  r.guards[0].consecutive_failures = 3;
  r.guards[0].checks = 12;
  r.guards[0].failures = 3;
  ProgramProgress& p = r.program.emplace();
  p.started = SteadyTime(5s);
  p.position = {.cycle = 1, .index = 1, .started = 3s, .next = 4s};
  p.steps_per_cycle = 2;
  p.values = {.delay = 100ms, .loss = 2.0};
  p.off = true;
  p.step_due_at = At(1714564803123456789ns);
  p.next_step_at = At(1714564804123456789ns);
  p.applied_at = At(1714564803123999999ns);
  p.steps_applied = 3;
  p.last_lag = 543us;
  return r;
}

std::vector<DescribedObject> Described(const FaultSite& site) {
  std::vector<DescribedObject> out = site.described;
  for (const auto& a : site.added) out.push_back({a.device, plan::DescribeTcObject(a.object)});
  return out;
}

// What get/list show is the same (the plan as its text).
void ExpectShownTheSame(const FaultRecord& got, const FaultRecord& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.spec, want.spec);
  EXPECT_EQ(got.labels, want.labels);
  EXPECT_EQ(got.owner, want.owner);
  EXPECT_EQ(got.owner_identity, want.owner_identity);
  EXPECT_EQ(got.request_id, want.request_id);
  EXPECT_EQ(got.keep_alive, want.keep_alive);
  EXPECT_EQ(got.created_at, want.created_at);
  EXPECT_EQ(got.expires_at, want.expires_at);
  EXPECT_EQ(got.ended_at, want.ended_at);
  EXPECT_EQ(got.state, want.state);
  EXPECT_EQ(got.state_reason, want.state_reason);
  EXPECT_EQ(got.counters.packets, want.counters.packets);
  EXPECT_EQ(got.counters.bytes, want.counters.bytes);
  EXPECT_EQ(got.counters.drops, want.counters.drops);
  EXPECT_EQ(got.counters.overlimits, want.counters.overlimits);
  EXPECT_EQ(got.counters.backlog_packets, want.counters.backlog_packets);
  EXPECT_EQ(got.counters.backlog_bytes, want.counters.backlog_bytes);
  EXPECT_EQ(got.counters_read_at, want.counters_read_at);
  EXPECT_EQ(got.guards, want.guards);
  ASSERT_EQ(got.program.has_value(), want.program.has_value());
  if (want.program) {
    const ProgramProgress &g = *got.program, &w = *want.program;
    EXPECT_EQ(g.started, w.started);
    EXPECT_EQ(g.position, w.position);
    EXPECT_EQ(g.steps_per_cycle, w.steps_per_cycle);
    EXPECT_EQ(g.values, w.values);
    EXPECT_EQ(g.off, w.off);
    EXPECT_EQ(g.step_due_at, w.step_due_at);
    EXPECT_EQ(g.next_step_at, w.next_step_at);
    EXPECT_EQ(g.applied_at, w.applied_at);
    EXPECT_EQ(g.steps_applied, w.steps_applied);
    EXPECT_EQ(g.last_lag, w.last_lag);
  }
  EXPECT_EQ(got.site.netns_key, want.site.netns_key);
  EXPECT_EQ(got.site.ifindex, want.site.ifindex);
  EXPECT_EQ(Described(got.site), Described(want.site));
}

TEST(EndedRecordCodec, KeepsEverythingGetShowsOfAnEndedFault) {
  const FaultRecord r = RichEndedRecord();
  auto back = DecodeEndedRecord(EncodeEndedRecord(r));
  ASSERT_TRUE(back.ok()) << back.status().message();
  ExpectShownTheSame(*back, r);
  // The plan comes back as its text; the objects are gone with the fault.
  EXPECT_TRUE(back->site.added.empty());
  ASSERT_EQ(back->site.described.size(), 2u);
  EXPECT_EQ(back->site.described[1].step.kind, "netem");
  // Encoding what was decoded gives the same bytes.
  EXPECT_EQ(EncodeEndedRecord(*back), EncodeEndedRecord(r));
}

TEST(EndedRecordCodec, KeepsAPlainRecordWithoutGuardsProgramOrOwner) {
  FaultRecord r;
  r.id = "f1";
  r.spec.interface = "eth1";
  r.spec.rate = model::RateFault{8'000'000};
  r.state = FaultState::kExpired;
  r.state_reason = "lease expired";
  r.ended_at = At(5s);
  // An owner shown without an identity stays without one.
  r.owner = "uid:1000(alice)";
  auto back = DecodeEndedRecord(EncodeEndedRecord(r));
  ASSERT_TRUE(back.ok()) << back.status().message();
  ExpectShownTheSame(*back, r);
  // A program whose last step holds has no next step.
  r.program.emplace().position.next.reset();
  back = DecodeEndedRecord(EncodeEndedRecord(r));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(back->program->position.finished());
}

TEST(EndedRecordCodec, RefusesBytesItDidNotWrite) {
  EXPECT_EQ(DecodeEndedRecord("{}").status().code(), StatusCode::kInvalidArgument);
  std::string bytes = EncodeEndedRecord(RichEndedRecord());
  const std::size_t at = bytes.find("\"counters\"");
  ASSERT_NE(at, std::string::npos);
  bytes.replace(at, 10, "\"countless\"");
  auto broken = DecodeEndedRecord(bytes);
  EXPECT_EQ(broken.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(broken.status().message(), HasSubstr("counters: missing"));
}

FaultRecord Ended(const std::string& id, const std::string& request_id = "") {
  FaultRecord r;
  r.id = id;
  r.request_id = request_id;
  r.spec.interface = "eth0";
  r.spec.delay = model::DelayFault{100ms};
  r.state = FaultState::kRevoked;
  r.state_reason = "revoked by root";
  return r;
}

std::vector<std::string> Ids(const EndedHistory& h) {
  std::vector<std::string> ids;
  h.ForEach([&](const FaultRecord& r) { ids.push_back(r.id); });
  return ids;
}

TEST(EndedHistory, KeepsTheNewestUpToItsCapacityOldestFirst) {
  EndedHistory h(3);
  for (const char* id : {"f1", "f2", "f3", "f4", "f5"}) h.Add(Ended(id));
  EXPECT_EQ(h.size(), 3u);
  EXPECT_THAT(Ids(h), ElementsAre("f3", "f4", "f5"));
  EXPECT_FALSE(h.Find("f2"));
  EXPECT_FALSE(h.Contains("f1"));
  ASSERT_TRUE(h.Find("f4"));
  ExpectShownTheSame(*h.Find("f4"), Ended("f4"));
  EXPECT_TRUE(h.Contains("f5"));
}

TEST(EndedHistory, ARichRecordComesBackAsItWent) {
  EndedHistory h(2);
  h.Add(RichEndedRecord());
  auto back = h.Find("a1b2c3d4e5f6");
  ASSERT_TRUE(back);
  ExpectShownTheSame(*back, RichEndedRecord());
}

TEST(EndedHistory, RequestIdsNameTheNewestKeptFault) {
  EndedHistory h(2);
  h.Add(Ended("f1", "run-1"));
  h.Add(Ended("f2", "run-2"));
  EXPECT_EQ(h.IdOfRequest("run-1"), "f1");
  EXPECT_FALSE(h.IdOfRequest(""));
  // A restart may bring back a request id already kept: the newer wins, and
  // the older one's leaving does not take it away.
  h.Add(Ended("f3", "run-2"));
  EXPECT_FALSE(h.IdOfRequest("run-1"));  // f1 left
  EXPECT_EQ(h.IdOfRequest("run-2"), "f3");
  h.Add(Ended("f4"));  // f2 leaves
  EXPECT_EQ(h.IdOfRequest("run-2"), "f3");
  h.Add(Ended("f5"));  // f3 leaves
  EXPECT_FALSE(h.IdOfRequest("run-2"));
}

TEST(EndedHistory, ARecordKeptTwiceIsFoundAsItsNewestUntilBothLeave) {
  EndedHistory h(3);
  FaultRecord first = Ended("f1");
  h.Add(first);
  FaultRecord again = Ended("f1");
  again.state = FaultState::kLost;
  h.Add(again);
  h.Add(Ended("f2"));
  EXPECT_EQ(h.Find("f1")->state, FaultState::kLost);
  h.Add(Ended("f3"));  // the first f1 leaves
  EXPECT_EQ(h.Find("f1")->state, FaultState::kLost);
  h.Add(Ended("f4"));
  EXPECT_FALSE(h.Contains("f1"));
}

TEST(EndedHistory, StaysOneBoundedEncodingThroughTensOfThousandsOfEnds) {
  EndedHistory h(256);
  std::size_t peak_bytes = 0;
  for (int i = 0; i < 5000; ++i) {
    h.Add(Ended("f" + std::to_string(i), i % 3 == 0 ? "req-" + std::to_string(i) : ""));
    peak_bytes = std::max(peak_bytes, h.encoded_bytes());
  }
  EXPECT_EQ(h.size(), 256u);
  const std::size_t one = EncodeEndedRecord(Ended("f4999")).size() + 16;
  EXPECT_LE(peak_bytes, 256 * one);
  EXPECT_TRUE(h.Contains("f4744"));
  EXPECT_FALSE(h.Contains("f4743"));
  EXPECT_EQ(h.IdOfRequest("req-4998"), "f4998");
  EXPECT_FALSE(h.IdOfRequest("req-4743"));
  h.Compact();
  std::vector<std::string> ids = Ids(h);
  ASSERT_EQ(ids.size(), 256u);
  EXPECT_EQ(ids.front(), "f4744");
  EXPECT_EQ(ids.back(), "f4999");
  for (int i = 4744; i < 5000; ++i) ASSERT_TRUE(h.Contains("f" + std::to_string(i))) << i;
  EXPECT_EQ(h.IdOfRequest("req-4998"), "f4998");
}

// Like the bench's faults: rate limits on one host each, ending in turn.
FaultRecord HostRateLimit(int i) {
  FaultRecord r = Ended("id" + std::to_string(100000 + i));
  r.spec.delay.reset();
  r.spec.rate = model::RateFault{10'000'000};
  r.spec.match.dst =
      ParseCidr("10.0." + std::to_string(i / 256 % 256) + "." + std::to_string(i % 256) + "/32")
          .value();
  r.created_at = At(std::chrono::seconds(1764680000) + std::chrono::microseconds(i * 137));
  r.expires_at = r.created_at + 1h;
  r.ended_at = r.expires_at + std::chrono::microseconds(i % 700);
  r.counters.packets = static_cast<uint64_t>(i) * 3;
  r.site.described = {
      {"cnb0", {"class", "htb", "ca00:" + std::to_string(i), "ca00:", "rate 10mbit ceil 10mbit"}},
      {"cnb0",
       {"filter", "u32", std::to_string(i) + "::1",
        "ca00:", "prio 65280 protocol ip match ip dst"}}};
  return r;
}

TEST(EndedHistory, AlikeRecordsAreKeptDeflatedAndComeBackExactly) {
  EndedHistory h(300);
  std::size_t plain = 0;
  for (int i = 0; i < 1000; ++i) {
    plain += EncodeEndedRecord(HostRateLimit(i)).size();
    h.Add(HostRateLimit(i));
  }
  // Most are a small fraction of their encoding (keyframes, every 64, whole).
  EXPECT_LT(h.encoded_bytes(), plain / 1000 * 300 / 4);
  // Every kept one decodes exactly, across keyframes and after they left.
  for (int i = 700; i < 1000; ++i) {
    auto back = h.Find("id" + std::to_string(100000 + i));
    ASSERT_TRUE(back) << i;
    ExpectShownTheSame(*back, HostRateLimit(i));
  }
  h.Compact();
  std::vector<std::string> ids = Ids(h);
  ASSERT_EQ(ids.size(), 300u);
  EXPECT_EQ(ids.front(), "id100700");
  ExpectShownTheSame(*h.Find("id100999"), HostRateLimit(999));
  // After the compaction, new records still deflate against a keyframe kept.
  h.Add(HostRateLimit(1000));
  ExpectShownTheSame(*h.Find("id101000"), HostRateLimit(1000));
  h.Add(RichEndedRecord());  // unlike the others: kept whole, a new keyframe
  ExpectShownTheSame(*h.Find("a1b2c3d4e5f6"), RichEndedRecord());
}

TEST(DictionaryDeflate, RoundTripsAgainstADictionaryAndRefusesAWrongSize) {
  DictionaryDeflate deflate;
  const std::string dictionary = EncodeEndedRecord(HostRateLimit(1));
  const std::string text = EncodeEndedRecord(HostRateLimit(2));
  const std::string small = deflate.Compress(dictionary, text);
  EXPECT_LT(small.size() * 4, text.size());
  auto back = deflate.Expand(dictionary, small, text.size());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, text);
  EXPECT_EQ(deflate.Expand(dictionary, small, text.size() + 1).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(deflate.Expand("", small, text.size()).ok() &&
               *deflate.Expand("", small, text.size()) == text);
  // Without a dictionary too.
  const std::string alone = deflate.Compress("", text);
  EXPECT_EQ(*deflate.Expand("", alone, text.size()), text);
}

TEST(EndedHistory, ACapacityOfZeroKeepsNothing) {
  EndedHistory h(0);
  h.Add(Ended("f1", "r"));
  EXPECT_EQ(h.size(), 0u);
  EXPECT_FALSE(h.Contains("f1"));
  EXPECT_FALSE(h.IdOfRequest("r"));
}

// Random puts and erases against std::unordered_map: backward-shift deletion
// must keep every probe run reachable, collisions and wrap-around included.
TEST(OrdinalIndex, AgreesWithAMapThroughRandomPutsAndErases) {
  std::vector<std::string> keys;  // by ordinal
  OrdinalIndex::KeyOf key_of = [&keys](uint64_t o) { return std::string_view(keys[o]); };
  OrdinalIndex index;
  std::unordered_map<std::string, uint64_t> model;
  std::mt19937 rng(19);
  for (int step = 0; step < 20000; ++step) {
    const std::string key = "k" + std::to_string(rng() % 300);
    if (rng() % 3 != 0) {
      keys.push_back(key);
      index.Put(key, keys.size() - 1, key_of);
      model[key] = keys.size() - 1;
    } else if (auto it = model.find(key); it != model.end()) {
      // Erasing with a stale ordinal leaves the key alone.
      if (it->second > 0 && keys[it->second - 1] == key) {
        index.Erase(key, it->second - 1, key_of);
      }
      index.Erase(key, it->second, key_of);
      model.erase(it);
    }
    if (step % 997 == 0) index.Compact();
    ASSERT_EQ(index.size(), model.size()) << "step " << step;
  }
  for (int k = 0; k < 300; ++k) {
    const std::string key = "k" + std::to_string(k);
    auto it = model.find(key);
    EXPECT_EQ(index.Find(key, key_of),
              it == model.end() ? std::nullopt : std::optional<uint64_t>(it->second))
        << key;
  }
}

}  // namespace
}  // namespace chaosnet::core
