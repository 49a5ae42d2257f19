#include "daemon/state/lease_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>

#include <functional>

#include "tests/state/state_test_util.h"

namespace chaosnet::state {
namespace {

using namespace std::chrono_literals;
using testing::FullLease;
using ::testing::HasSubstr;
using testing::kT0;

TEST(LeaseCodec, FullLeaseRoundTripsExactly) {
  const StoredLease lease = FullLease();
  auto decoded = DecodeLease(EncodeLease(lease));
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(*decoded, lease);
}

TEST(LeaseCodec, EncodingIsDeterministicAndStableAcrossRoundTrips) {
  const std::string once = EncodeLease(FullLease());
  EXPECT_EQ(once, EncodeLease(FullLease()));
  auto decoded = DecodeLease(once);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(EncodeLease(*decoded), once);
}

// Pins the format: a change here is a change of what is on users' disks, and
// needs a version bump or a compatible reader.
TEST(LeaseCodec, SmallLeaseHasTheDocumentedForm) {
  StoredLease l = testing::SmallLease("abc");
  l.spec.delay = model::DelayFault{100ms, 0ns, 0, model::DelayDistribution::kUniform};
  EXPECT_EQ(
      EncodeLease(l),
      R"({"v":1,"id":"abc","state":"active","owner":"","request_id":"","labels":{},)"
      R"("interface":"eth3","ifindex":3,"qdiscs":[{"handle":3388997632,"parent":4294967295,"kind":"netem"}],)"
      R"("created_ns":1714564800123456789,"deadline_ns":1714564860123456789,)"
      R"("spec":{"interface":"eth3","netns":"","direction":"egress","match":{"protocol":"any"},)"
      R"("delay":{"latency_ns":100000000,"jitter_ns":0,"correlation":0,"distribution":"uniform"},)"
      R"("partition":false}})");
}

// The record's version is the lowest that expresses it: a lease using the
// fleet's fields (address sets, exemptions) says 2, so that a daemon of
// version 1 refuses it rather than re-arming a wider fault; one without them
// stays 1, readable by every daemon.
TEST(LeaseCodec, FleetFieldsNeedVersionTwoAndOthersKeepOne) {
  StoredLease plain = testing::SmallLease("abc");
  EXPECT_EQ(RequiredFormatVersion(plain), 1);
  EXPECT_EQ(EncodeLease(plain).rfind(R"({"v":1,)", 0), 0u);

  StoredLease sets = plain;
  sets.spec.match.dst_cidrs = {testing::V4("10.0.0.2", 32), testing::V4("10.0.0.3", 32)};
  StoredLease exempt = plain;
  exempt.spec.exemptions = {
      {testing::V4("10.0.0.3", 32), model::PortRange{7443, 7443}, model::Protocol::kTcp}};
  for (const StoredLease& lease : {sets, exempt}) {
    EXPECT_EQ(RequiredFormatVersion(lease), 2);
    const std::string text = EncodeLease(lease);
    EXPECT_EQ(text.rfind(R"({"v":2,)", 0), 0u) << text;
    auto decoded = DecodeLease(text);
    ASSERT_TRUE(decoded.ok()) << decoded.status().message();
    EXPECT_EQ(*decoded, lease);
  }
  EXPECT_THAT(EncodeLease(sets),
              HasSubstr(R"("match":{"protocol":"any","dst_cidrs":[)"
                        R"({"family":"inet","address":"10.0.0.2","prefix":32},)"
                        R"({"family":"inet","address":"10.0.0.3","prefix":32}]})"));
  EXPECT_THAT(
      EncodeLease(exempt),
      HasSubstr(R"("exemptions":[{"cidr":{"family":"inet","address":"10.0.0.3","prefix":32},)"
                R"("ports":{"first":7443,"last":7443},"protocol":"tcp"}])"));
  // A removal means the same in every version: always 1.
  EXPECT_EQ(EncodeRemoval("abc"), R"({"v":1,"id":"abc"})");
}

// Every enum word a journal can hold, in a record as earlier releases wrote
// it. The words now come from shared tables (common/fault_enums.h,
// stored_lease.h); renaming one there must fail here, since journals on
// users' disks still say the old word.
struct OldRecordWords {
  const char* state;
  const char* direction;
  const char* protocol;
  const char* distribution;
  LeaseState state_value;
  model::Direction direction_value;
  model::Protocol protocol_value;
  model::DelayDistribution distribution_value;
};

void PrintTo(const OldRecordWords& c, std::ostream* os) {
  *os << c.state << "/" << c.direction << "/" << c.protocol << "/" << c.distribution;
}

class LeaseCodecOldRecord : public ::testing::TestWithParam<OldRecordWords> {};

TEST_P(LeaseCodecOldRecord, DecodesAndEncodesBackByteForByte) {
  const OldRecordWords& c = GetParam();
  const std::string old =
      std::string(R"({"v":1,"id":"abc","state":")") + c.state +
      R"(","owner":"","request_id":"","labels":{},)"
      R"("interface":"eth3","ifindex":3,"qdiscs":[{"handle":3388997632,"parent":4294967295,"kind":"netem"}],)"
      R"("created_ns":1714564800123456789,"deadline_ns":1714564860123456789,)"
      R"("spec":{"interface":"eth3","netns":"","direction":")" +
      c.direction + R"(","match":{"protocol":")" + c.protocol +
      R"("},"delay":{"latency_ns":100000000,"jitter_ns":10000000,"correlation":0,"distribution":")" +
      c.distribution + R"("},"partition":false}})";
  auto decoded = DecodeLease(old);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->state, c.state_value);
  EXPECT_EQ(decoded->spec.direction, c.direction_value);
  EXPECT_EQ(decoded->spec.match.protocol, c.protocol_value);
  ASSERT_TRUE(decoded->spec.delay.has_value());
  EXPECT_EQ(decoded->spec.delay->distribution, c.distribution_value);
  EXPECT_EQ(EncodeLease(*decoded), old);
}

INSTANTIATE_TEST_SUITE_P(
    EveryWord, LeaseCodecOldRecord,
    ::testing::Values(OldRecordWords{"pending", "egress", "any", "uniform", LeaseState::kPending,
                                     model::Direction::kEgress, model::Protocol::kAny,
                                     model::DelayDistribution::kUniform},
                      OldRecordWords{"active", "ingress", "tcp", "normal", LeaseState::kActive,
                                     model::Direction::kIngress, model::Protocol::kTcp,
                                     model::DelayDistribution::kNormal},
                      OldRecordWords{"ended", "both", "udp", "pareto", LeaseState::kEnded,
                                     model::Direction::kBoth, model::Protocol::kUdp,
                                     model::DelayDistribution::kPareto},
                      OldRecordWords{"active", "egress", "icmp", "paretonormal",
                                     LeaseState::kActive, model::Direction::kEgress,
                                     model::Protocol::kIcmp,
                                     model::DelayDistribution::kParetoNormal}));

// Each row changes one field of the full lease. The encoding must change and
// the change must survive the round trip: a field the codec forgot or mixed up
// with another fails here.
struct FieldCase {
  const char* name;
  std::function<void(StoredLease&)> mutate;
};

// Failure messages name the row instead of dumping its bytes.
void PrintTo(const FieldCase& c, std::ostream* os) { *os << c.name; }

class LeaseCodecField : public ::testing::TestWithParam<FieldCase> {};

TEST_P(LeaseCodecField, ChangeIsEncodedAndRoundTrips) {
  const StoredLease base = FullLease();
  StoredLease changed = base;
  GetParam().mutate(changed);
  ASSERT_NE(changed, base) << "the case must change something";
  const std::string text = EncodeLease(changed);
  EXPECT_NE(text, EncodeLease(base));
  auto decoded = DecodeLease(text);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(*decoded, changed);
}

INSTANTIATE_TEST_SUITE_P(
    EveryField, LeaseCodecField,
    ::testing::Values(
        FieldCase{"id", [](StoredLease& l) { l.id = "ffffffffffff"; }},
        FieldCase{"state_pending", [](StoredLease& l) { l.state = LeaseState::kPending; }},
        FieldCase{"state_ended", [](StoredLease& l) { l.state = LeaseState::kEnded; }},
        FieldCase{"owner", [](StoredLease& l) { l.owner = "uid:0"; }},
        FieldCase{"owner_uid", [](StoredLease& l) { l.owner_identity = model::UidIdentity(0); }},
        FieldCase{"owner_certificate",
                  [](StoredLease& l) {
                    l.owner_identity = model::CertificateIdentity("CN=runner-1,O=chaosnet");
                  }},
        FieldCase{"owner_address",
                  [](StoredLease& l) { l.owner_identity = model::AddressIdentity("fd00::5"); }},
        // As older daemons wrote records: the principal alone.
        FieldCase{"owner_identity_absent", [](StoredLease& l) { l.owner_identity = {}; }},
        FieldCase{"request_id", [](StoredLease& l) { l.request_id = "other"; }},
        FieldCase{"labels_value", [](StoredLease& l) { l.labels["team"] = "search"; }},
        FieldCase{"labels_none", [](StoredLease& l) { l.labels.clear(); }},
        FieldCase{"interface", [](StoredLease& l) { l.interface = "eth9"; }},
        FieldCase{"ifindex", [](StoredLease& l) { l.ifindex = 2147483647; }},
        FieldCase{"qdisc_handle", [](StoredLease& l) { l.qdiscs[1].handle = 0xCAFF0000u; }},
        FieldCase{"qdisc_parent", [](StoredLease& l) { l.qdiscs[1].parent = 0xCA010002u; }},
        FieldCase{"qdisc_kind", [](StoredLease& l) { l.qdiscs[0].kind = "htb"; }},
        FieldCase{"qdiscs_none", [](StoredLease& l) { l.qdiscs.clear(); }},
        FieldCase{"created_at", [](StoredLease& l) { l.created_at += 1ns; }},
        FieldCase{"created_before_epoch", [](StoredLease& l) { l.created_at = WallTime(-5s); }},
        FieldCase{"deadline", [](StoredLease& l) { l.deadline += 1ns; }},
        FieldCase{"keep_alive", [](StoredLease& l) { l.keep_alive = true; }},
        FieldCase{"spec_interface", [](StoredLease& l) { l.spec.interface = "lo"; }},
        FieldCase{"spec_netns_path", [](StoredLease& l) { l.spec.netns = "/run/netns/x y"; }},
        FieldCase{"spec_netns_empty", [](StoredLease& l) { l.spec.netns.clear(); }},
        FieldCase{"direction_egress",
                  [](StoredLease& l) { l.spec.direction = model::Direction::kEgress; }},
        FieldCase{"direction_ingress",
                  [](StoredLease& l) { l.spec.direction = model::Direction::kIngress; }},
        FieldCase{"dst_prefix", [](StoredLease& l) { l.spec.match.dst->prefix_length = 17; }},
        FieldCase{"dst_v6", [](StoredLease& l) { l.spec.match.dst = testing::V6("fe80::1", 128); }},
        FieldCase{"dst_absent", [](StoredLease& l) { l.spec.match.dst.reset(); }},
        FieldCase{"dst_v4_stray_bytes", [](StoredLease& l) { l.spec.match.dst->address[9] = 7; }},
        FieldCase{"dst_unknown_family", [](StoredLease& l) { l.spec.match.dst->family = 0; }},
        FieldCase{"src_address",
                  [](StoredLease& l) { l.spec.match.src = testing::V6("2001:db8:1::", 48); }},
        FieldCase{"src_absent", [](StoredLease& l) { l.spec.match.src.reset(); }},
        FieldCase{"dport_first", [](StoredLease& l) { l.spec.match.dport->first = 1; }},
        FieldCase{"dport_last", [](StoredLease& l) { l.spec.match.dport->last = 65535; }},
        FieldCase{"dport_absent", [](StoredLease& l) { l.spec.match.dport.reset(); }},
        FieldCase{"sport", [](StoredLease& l) { l.spec.match.sport = model::PortRange{22, 23}; }},
        FieldCase{"sport_absent", [](StoredLease& l) { l.spec.match.sport.reset(); }},
        FieldCase{"protocol_tcp",
                  [](StoredLease& l) { l.spec.match.protocol = model::Protocol::kTcp; }},
        FieldCase{"protocol_icmp",
                  [](StoredLease& l) { l.spec.match.protocol = model::Protocol::kIcmp; }},
        FieldCase{"protocol_any",
                  [](StoredLease& l) { l.spec.match.protocol = model::Protocol::kAny; }},
        FieldCase{"delay_latency", [](StoredLease& l) { l.spec.delay->latency = 1ns; }},
        FieldCase{"delay_jitter", [](StoredLease& l) { l.spec.delay->jitter = 292h; }},
        FieldCase{"delay_correlation",
                  [](StoredLease& l) { l.spec.delay->correlation_percent = 0.1 + 0.2; }},
        FieldCase{
            "delay_normal",
            [](StoredLease& l) { l.spec.delay->distribution = model::DelayDistribution::kNormal; }},
        FieldCase{
            "delay_pareto",
            [](StoredLease& l) { l.spec.delay->distribution = model::DelayDistribution::kPareto; }},
        FieldCase{"delay_uniform",
                  [](StoredLease&
                         l) { l.spec.delay->distribution = model::DelayDistribution::kUniform; }},
        FieldCase{"delay_absent", [](StoredLease& l) { l.spec.delay.reset(); }},
        FieldCase{"loss_percent", [](StoredLease& l) { l.spec.loss->percent = 100; }},
        FieldCase{"loss_correlation",
                  [](StoredLease& l) { l.spec.loss->correlation_percent = 1e-9; }},
        FieldCase{"loss_absent", [](StoredLease& l) { l.spec.loss.reset(); }},
        FieldCase{"duplicate_percent",
                  [](StoredLease& l) { l.spec.duplicate->percent = 2.0 / 3.0; }},
        FieldCase{"duplicate_absent", [](StoredLease& l) { l.spec.duplicate.reset(); }},
        FieldCase{"corrupt_percent", [](StoredLease& l) { l.spec.corrupt->percent = 5e-324; }},
        FieldCase{"corrupt_correlation",
                  [](StoredLease& l) { l.spec.corrupt->correlation_percent = 99.999; }},
        FieldCase{"corrupt_absent", [](StoredLease& l) { l.spec.corrupt.reset(); }},
        FieldCase{"reorder_percent", [](StoredLease& l) { l.spec.reorder->percent = 1; }},
        FieldCase{"reorder_correlation",
                  [](StoredLease& l) { l.spec.reorder->correlation_percent = 3; }},
        FieldCase{"reorder_gap", [](StoredLease& l) { l.spec.reorder->gap = 4294967295u; }},
        FieldCase{"reorder_absent", [](StoredLease& l) { l.spec.reorder.reset(); }},
        FieldCase{"rate_max",
                  [](StoredLease& l) { l.spec.rate->bits_per_second = 18446744073709551615ull; }},
        FieldCase{"rate_absent", [](StoredLease& l) { l.spec.rate.reset(); }},
        FieldCase{"partition", [](StoredLease& l) { l.spec.partition = false; }},
        FieldCase{"queue_limit", [](StoredLease& l) { l.spec.queue_limit = 0; }},
        FieldCase{"queue_limit_absent", [](StoredLease& l) { l.spec.queue_limit.reset(); }},
        // fleet (format version 2): address sets and exemptions.
        FieldCase{"dst_cidrs",
                  [](StoredLease& l) {
                    l.spec.match.dst.reset();
                    l.spec.match.dst_cidrs = {testing::V4("10.0.0.2", 32),
                                              testing::V6("fd00::2", 128)};
                  }},
        FieldCase{"src_cidrs",
                  [](StoredLease& l) {
                    l.spec.match.src.reset();
                    l.spec.match.src_cidrs = {testing::V6("2001:db8::", 32)};
                  }},
        FieldCase{"exemption_endpoint",
                  [](StoredLease& l) {
                    l.spec.exemptions = {{testing::V4("10.0.0.3", 32), model::PortRange{7443, 7443},
                                          model::Protocol::kTcp}};
                  }},
        FieldCase{"exemption_ports_only",
                  [](StoredLease& l) {
                    l.spec.exemptions = {
                        {std::nullopt, model::PortRange{53, 53}, model::Protocol::kUdp},
                        {testing::V6("fd00::", 64), std::nullopt, model::Protocol::kAny}};
                  }}),
    [](const ::testing::TestParamInfo<FieldCase>& info) { return info.param.name; });

TEST(LeaseCodec, ArbitraryBytesInStringsRoundTrip) {
  StoredLease l = FullLease();
  std::string every_byte;
  for (int b = 1; b < 256; ++b) every_byte += static_cast<char>(b);
  l.owner = every_byte;
  l.labels = {{"k\"ey\\", "v\nal\tue"}, {"\xC3\xA9t\xC3\xA9", std::string("nul\0inside", 10)}};
  l.request_id = "\xFF\xFE invalid utf-8";
  const std::string text = EncodeLease(l);
  EXPECT_EQ(text.find('\n'), std::string::npos) << "a record is one line";
  auto decoded = DecodeLease(text);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(*decoded, l);
}

TEST(LeaseCodec, UnknownFieldsAreIgnoredForForwardCompatibility) {
  std::string text = EncodeLease(FullLease());
  text.insert(1, R"("added_later":{"x":[1,2,{"y":null}]},)");
  auto decoded = DecodeLease(text);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(*decoded, FullLease());
}

struct BadRecord {
  const char* name;
  std::function<std::string(std::string)> damage;
  StatusCode code;
  const char* message_part;
};

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  const size_t at = s.find(from);
  if (at == std::string::npos) return "replace target not found: " + from;
  return s.replace(at, from.size(), to);
}

// Failure messages name the row instead of dumping its bytes.
void PrintTo(const BadRecord& c, std::ostream* os) { *os << c.name; }

class LeaseCodecBad : public ::testing::TestWithParam<BadRecord> {};

TEST_P(LeaseCodecBad, IsRefusedWithAClearMessage) {
  const std::string text = GetParam().damage(EncodeLease(FullLease()));
  auto decoded = DecodeLease(text);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), GetParam().code);
  EXPECT_THAT(decoded.status().message(), HasSubstr(GetParam().message_part));
}

INSTANTIATE_TEST_SUITE_P(
    Table, LeaseCodecBad,
    ::testing::Values(
        BadRecord{"not_json", [](std::string) { return std::string("{\"v\":1,"); },
                  StatusCode::kInvalidArgument, "json"},
        BadRecord{"not_object", [](std::string) { return std::string("[1]"); },
                  StatusCode::kInvalidArgument, "expected an object"},
        BadRecord{"trailing", [](std::string s) { return s + "x"; }, StatusCode::kInvalidArgument,
                  "after the value"},
        BadRecord{"newer_version", [](std::string s) { return Replace(s, "\"v\":1", "\"v\":3"); },
                  StatusCode::kFailedPrecondition, "upgrade chaosnetd"},
        BadRecord{"version_zero", [](std::string s) { return Replace(s, "\"v\":1", "\"v\":0"); },
                  StatusCode::kInvalidArgument, "invalid version"},
        BadRecord{"missing_id", [](std::string s) { return Replace(s, "\"id\":", "\"xid\":"); },
                  StatusCode::kInvalidArgument, "id: missing"},
        BadRecord{"empty_id", [](std::string s) { return Replace(s, "\"a1b2c3d4e5f6\"", "\"\""); },
                  StatusCode::kInvalidArgument, "id: empty"},
        BadRecord{"owner_identity_kind",
                  [](std::string s) { return Replace(s, "\"kind\":\"uid\"", "\"kind\":\"role\""); },
                  StatusCode::kInvalidArgument, "owner_identity.kind: unknown value \"role\""},
        BadRecord{"owner_identity_uid",
                  [](std::string s) { return Replace(s, "\"uid\":1000", "\"uid\":-1"); },
                  StatusCode::kInvalidArgument, "owner_identity.uid"},
        BadRecord{"bad_state", [](std::string s) { return Replace(s, "\"active\"", "\"zombie\""); },
                  StatusCode::kInvalidArgument, "state: unknown value \"zombie\""},
        BadRecord{"ifindex_type",
                  [](std::string s) { return Replace(s, "\"ifindex\":17", "\"ifindex\":\"17\""); },
                  StatusCode::kInvalidArgument, "ifindex"},
        BadRecord{
            "ifindex_range",
            [](std::string s) { return Replace(s, "\"ifindex\":17", "\"ifindex\":4294967296"); },
            StatusCode::kInvalidArgument, "ifindex: out of range"},
        BadRecord{"handle_range",
                  [](std::string s) {
                    return Replace(s, "\"handle\":3389063168", "\"handle\":4294967296");
                  },
                  StatusCode::kInvalidArgument, "qdiscs[0].handle: out of range"},
        BadRecord{"negative_port",
                  [](std::string s) { return Replace(s, "\"first\":8000", "\"first\":-1"); },
                  StatusCode::kInvalidArgument, "spec.match.dport.first"},
        BadRecord{"port_range",
                  [](std::string s) { return Replace(s, "\"first\":8000", "\"first\":65536"); },
                  StatusCode::kInvalidArgument, "spec.match.dport.first: out of range"},
        BadRecord{"bad_address",
                  [](std::string s) { return Replace(s, "10.20.0.0", "10.20.0.300"); },
                  StatusCode::kInvalidArgument, "spec.match.dst.address"},
        BadRecord{"bad_distribution",
                  [](std::string s) { return Replace(s, "paretonormal", "gauss"); },
                  StatusCode::kInvalidArgument, "spec.delay.distribution"},
        BadRecord{"percent_type",
                  [](std::string s) { return Replace(s, "\"percent\":0.1", "\"percent\":true"); },
                  StatusCode::kInvalidArgument, "spec.loss.percent"},
        BadRecord{"fraction_as_int",
                  [](std::string s) {
                    return Replace(s, "\"latency_ns\":3000000000", "\"latency_ns\":3e9");
                  },
                  StatusCode::kInvalidArgument, "spec.delay.latency_ns"},
        BadRecord{"missing_spec",
                  [](std::string s) { return Replace(s, "\"spec\":", "\"spek\":"); },
                  StatusCode::kInvalidArgument, "spec: missing"},
        BadRecord{"keep_alive_type",
                  [](std::string s) {
                    return Replace(s, "\"deadline_ns\":", "\"keep_alive\":1,\"deadline_ns\":");
                  },
                  StatusCode::kInvalidArgument, "keep_alive"},
        BadRecord{"label_not_string", [](std::string s) { return Replace(s, "\"payments\"", "7"); },
                  StatusCode::kInvalidArgument, "labels.\"team\""}),
    [](const ::testing::TestParamInfo<BadRecord>& info) { return info.param.name; });

// A damaged record's bytes reach the daemon's log through these messages, so
// whatever they hold, a message stays one printable line (lease_codec_fuzz
// found a DEL byte echoed raw).
TEST(LeaseCodec, MessagesQuoteDamagedBytesInOneLine) {
  const std::string record = EncodeLease(FullLease());
  const std::pair<std::string, std::string> cases[] = {
      {"\x7f" + record, "unexpected character \"\\x7f\""},
      {Replace(record, "\"req-9\"", "\"req\\\x01\""), "unknown escape character \"\\x01\""},
      {Replace(record, "\"active\"", "\"act\\nive\\u001b[2J\""),
       "state: unknown value \"act\\nive\\x1b[2J\""},
      {Replace(record, "\"inet\"", "\"in\\u0000et\""), "family: unknown value \"in\\x00et\""},
      {Replace(record, "\"team\":\"payments\"", "\"te\\ram\":7"), "labels.\"te\\x0dam\""},
  };
  for (const auto& [bad, part] : cases) {
    auto decoded = DecodeLease(bad);
    ASSERT_FALSE(decoded.ok()) << part;
    const std::string& message = decoded.status().message();
    EXPECT_THAT(message, HasSubstr(part));
    for (unsigned char c : message) EXPECT_TRUE(c >= 0x20 && c != 0x7f) << message;
  }
}

TEST(LeaseCodec, RemovalRoundTripsAndRefusesGarbage) {
  auto id = DecodeRemoval(EncodeRemoval("x\"y"));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "x\"y");
  EXPECT_FALSE(DecodeRemoval(R"({"v":1})").ok());
  EXPECT_FALSE(DecodeRemoval(R"({"v":1,"id":""})").ok());
  EXPECT_EQ(DecodeRemoval(R"({"v":9,"id":"a"})").status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace chaosnet::state
