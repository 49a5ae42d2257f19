#include "client/request_builder.h"

#include <google/protobuf/util/time_util.h>

#include <charconv>
#include <cstdint>
#include <optional>
#include <type_traits>

#include "common/fault_enums.h"
#include "common/net_parse.h"
#include "common/units.h"
#include "proto/wire_enums/wire_enums.h"

namespace chaosnet::client {
namespace {

using std::chrono::nanoseconds;

Status FlagError(std::string_view flag, std::string_view message) {
  return InvalidArgument(std::string(flag) + ": " + std::string(message));
}

// Decimal digits only: from_chars alone would accept "12abc" up to the letters.
Result<uint64_t> ParseUnsigned(std::string_view flag, std::string_view text, uint64_t max) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec == std::errc::invalid_argument || end != text.data() + text.size()) {
    return FlagError(flag, "\"" + std::string(text) + "\" is not a whole number");
  }
  if (ec == std::errc::result_out_of_range || value > max) {
    return FlagError(flag, std::string(text) + " is above " + std::to_string(max));
  }
  return value;
}

Result<double> Percent(std::string_view flag, const std::string& text) {
  auto p = units::ParsePercent(text);
  if (!p.ok()) return FlagError(flag, p.status().message());
  return *p;
}

Result<nanoseconds> Duration(std::string_view flag, const std::string& text) {
  auto d = units::ParseDuration(text);
  if (!d.ok()) return FlagError(flag, d.status().message());
  return *d;
}

void SetDuration(nanoseconds d, google::protobuf::Duration* out) {
  *out = google::protobuf::util::TimeUtil::NanosecondsToDuration(d.count());
}

// A probability fault (loss, duplicate, corrupt): value plus optional correlation.
Status SetProbability(std::string_view name, const std::string& value,
                      const std::string& correlation, v1::Probability* out) {
  auto p = Percent(name, value);
  if (!p.ok()) return p.status();
  out->set_percent(*p);
  if (!correlation.empty()) {
    auto c = Percent(std::string(name) + " correlation", correlation);
    if (!c.ok()) return c.status();
    out->set_correlation_percent(*c);
  }
  return Status::Ok();
}

// A word of the model's table, as its wire value. `unoffered` is a default
// that is chosen by leaving the flag out, not by naming it.
template <typename E, size_t N>
auto EnumFlag(std::string_view flag, const EnumNames<E, N>& table, const std::string& text,
              std::type_identity_t<std::optional<E>> unoffered = std::nullopt)
    -> Result<decltype(wire::ToProto(E{}))> {
  const std::optional<E> value = ValueOf(table, text);
  if (!value || value == unoffered) {
    return FlagError(flag, "unknown \"" + text + "\" (use " + NameList(table, unoffered) + ")");
  }
  return wire::ToProto(*value);
}

Result<v1::DelayDistribution> Distribution(const std::string& text) {
  return EnumFlag("distribution", model::kDelayDistributionNames, text,
                  model::DelayDistribution::kUniform);
}

Result<v1::Direction> DirectionFrom(const std::string& text) {
  if (text.empty()) return v1::DIRECTION_EGRESS;
  return EnumFlag("direction", model::kDirectionNames, text);
}

Result<v1::Protocol> ProtocolFrom(const std::string& text) {
  return EnumFlag("proto", model::kProtocolNames, text, model::Protocol::kAny);
}

Status CheckNetns(const std::string& text) {
  if (text.rfind("pid:", 0) == 0) {
    auto pid = ParseUnsigned("netns", text.substr(4), INT32_MAX);
    if (!pid.ok() || *pid == 0) {
      return FlagError("netns", "\"" + text + "\": pid:N needs a process ID, e.g. pid:4242");
    }
  }
  return Status::Ok();
}

Status BuildFaults(const CreateOptions& o, v1::FaultSpec* spec) {
  if (!o.delay.empty()) {
    auto* delay = spec->mutable_delay();
    auto latency = Duration("delay", o.delay);
    if (!latency.ok()) return latency.status();
    SetDuration(*latency, delay->mutable_latency());
    if (!o.jitter.empty()) {
      auto jitter = Duration("jitter", o.jitter);
      if (!jitter.ok()) return jitter.status();
      SetDuration(*jitter, delay->mutable_jitter());
    }
    if (!o.delay_correlation.empty()) {
      auto c = Percent("delay correlation", o.delay_correlation);
      if (!c.ok()) return c.status();
      delay->set_correlation_percent(*c);
    }
    if (!o.distribution.empty()) {
      auto d = Distribution(o.distribution);
      if (!d.ok()) return d.status();
      delay->set_distribution(*d);
    }
  } else if (!o.jitter.empty() || !o.distribution.empty() || !o.delay_correlation.empty()) {
    // Only reachable through `apply`; the delay subcommand always has a latency.
    return InvalidArgument("--jitter, --distribution and --delay-correlation need --delay");
  }

  struct Prob {
    const char* name;
    const std::string& value;
    const std::string& correlation;
    v1::Probability* (v1::FaultSpec::*field)();
  };
  for (const Prob& p :
       {Prob{"loss", o.loss, o.loss_correlation, &v1::FaultSpec::mutable_loss},
        Prob{"duplicate", o.duplicate, o.duplicate_correlation, &v1::FaultSpec::mutable_duplicate},
        Prob{"corrupt", o.corrupt, o.corrupt_correlation, &v1::FaultSpec::mutable_corrupt}}) {
    if (p.value.empty()) {
      if (!p.correlation.empty()) {
        return InvalidArgument(std::string("--") + p.name + "-correlation needs --" + p.name);
      }
      continue;
    }
    Status s = SetProbability(p.name, p.value, p.correlation, (spec->*p.field)());
    if (!s.ok()) return s;
  }

  if (!o.reorder.empty()) {
    auto* reorder = spec->mutable_reorder();
    auto p = Percent("reorder", o.reorder);
    if (!p.ok()) return p.status();
    reorder->set_percent(*p);
    if (!o.reorder_correlation.empty()) {
      auto c = Percent("reorder correlation", o.reorder_correlation);
      if (!c.ok()) return c.status();
      reorder->set_correlation_percent(*c);
    }
    if (!o.gap.empty()) {
      auto gap = ParseUnsigned("gap", o.gap, UINT32_MAX);
      if (!gap.ok()) return gap.status();
      if (*gap == 0) return FlagError("gap", "must be at least 1");
      reorder->set_gap(static_cast<uint32_t>(*gap));
    }
  } else if (!o.gap.empty() || !o.reorder_correlation.empty()) {
    return InvalidArgument("--gap and --reorder-correlation need --reorder");
  }

  if (!o.rate.empty()) {
    auto rate = units::ParseRate(o.rate);
    if (!rate.ok()) return FlagError("rate", rate.status().message());
    spec->mutable_rate()->set_bits_per_second(*rate);
  }
  spec->set_partition(o.partition);

  if (!spec->has_delay() && !spec->has_loss() && !spec->has_duplicate() && !spec->has_corrupt() &&
      !spec->has_reorder() && !spec->has_rate() && !spec->partition()) {
    return InvalidArgument(
        "no fault given: add at least one of --delay, --loss, --duplicate, --corrupt, "
        "--reorder, --rate, --partition");
  }
  return Status::Ok();
}

Status BuildMatch(const CreateOptions& o, v1::FaultSpec* spec) {
  if (o.dst.empty() && o.src.empty() && o.dport.empty() && o.sport.empty() && o.protocol.empty()) {
    return Status::Ok();  // no match = the whole interface
  }
  auto* match = spec->mutable_match();
  if (!o.dst.empty()) {
    auto cidr = ParseCidr("dst", o.dst);
    if (!cidr.ok()) return cidr.status();
    match->set_dst_cidr(*cidr);
  }
  if (!o.src.empty()) {
    auto cidr = ParseCidr("src", o.src);
    if (!cidr.ok()) return cidr.status();
    match->set_src_cidr(*cidr);
  }
  if (!o.dport.empty()) {
    auto ports = ParsePortRange("dport", o.dport);
    if (!ports.ok()) return ports.status();
    *match->mutable_dport() = *ports;
  }
  if (!o.sport.empty()) {
    auto ports = ParsePortRange("sport", o.sport);
    if (!ports.ok()) return ports.status();
    *match->mutable_sport() = *ports;
  }
  if (!o.protocol.empty()) {
    auto proto = ProtocolFrom(o.protocol);
    if (!proto.ok()) return proto.status();
    match->set_protocol(*proto);
  }
  return Status::Ok();
}

// "a", "a and b", "a, b and c".
std::string JoinedAnd(const std::vector<std::string>& words) {
  std::string text;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) text += i + 1 == words.size() ? " and " : ", ";
    text += words[i];
  }
  return text;
}

// An environment variable fills the same field as its flag, so it is named by
// the flag here; the messages say where else it may come from.
std::vector<std::string> TlsFlagsGiven(const GlobalOptions& g) {
  std::vector<std::string> given;
  if (!g.tls_ca.empty()) given.push_back("--tls-ca");
  if (!g.tls_cert.empty()) given.push_back("--tls-cert");
  if (!g.tls_key.empty()) given.push_back("--tls-key");
  if (!g.tls_server_name.empty()) given.push_back("--tls-server-name");
  return given;
}

Status ChooseTransport(const GlobalOptions& g, Settings* settings) {
  if (settings->server.starts_with("unix:")) {
    // The TLS variables may be exported for remote daemons in the whole shell;
    // a local socket needs none of them, and --insecure changes nothing here.
    settings->transport = Transport::kUnixSocket;
    return Status::Ok();
  }
  const std::vector<std::string> tls_flags = TlsFlagsGiven(g);
  if (g.insecure) {
    if (!tls_flags.empty()) {
      return InvalidArgument("--insecure contradicts " + JoinedAnd(tls_flags) +
                             " (flags or their CHAOSNET_TLS_* variables): drop --insecure to "
                             "use TLS, or the TLS settings for a plaintext connection");
    }
    settings->transport = Transport::kPlaintextTcp;
    return Status::Ok();
  }
  if (!g.tls_cert.empty() && g.tls_key.empty()) {
    return InvalidArgument("--tls-cert needs --tls-key, the private key of that certificate");
  }
  if (g.tls_cert.empty() && !g.tls_key.empty()) {
    return InvalidArgument("--tls-key needs --tls-cert, the certificate of that key");
  }
  if (g.tls_ca.empty()) {
    if (!tls_flags.empty()) {
      // Without a CA, gRPC would fall back to the system's roots, which never
      // signed a chaosnetd certificate; the user meant their own CA.
      return InvalidArgument(JoinedAnd(tls_flags) + (tls_flags.size() == 1 ? " needs" : " need") +
                             " --tls-ca, the CA bundle that signed the daemon's certificate "
                             "(it is always verified)");
    }
    return InvalidArgument("--server " + settings->server +
                           " is a TCP address: give --tls-ca (and --tls-cert/--tls-key) for the "
                           "daemon's mTLS listener, or --insecure for a plaintext one");
  }
  settings->transport = Transport::kTls;
  settings->tls = {g.tls_ca, g.tls_cert, g.tls_key, g.tls_server_name};
  return Status::Ok();
}

Status CheckId(const std::string& id) {
  if (id.empty()) return InvalidArgument("a fault ID is required (see chaosnetctl list)");
  return Status::Ok();
}

}  // namespace

Result<Settings> BuildSettings(const GlobalOptions& global) {
  Settings settings;
  auto server = ParseServerAddress(global.server);
  if (!server.ok()) return server.status();
  settings.server = *server;
  if (global.output == "table") {
    settings.output = OutputFormat::kTable;
  } else if (global.output == "json") {
    settings.output = OutputFormat::kJson;
  } else {
    return FlagError("output", "unknown \"" + global.output + "\" (use table or json)");
  }
  auto timeout = Duration("timeout", global.timeout);
  if (!timeout.ok()) return timeout.status();
  settings.timeout = *timeout;
  if (Status s = ChooseTransport(global, &settings); !s.ok()) return s;
  return settings;
}

Result<v1::CreateFaultRequest> BuildCreateRequest(const CreateOptions& o) {
  v1::CreateFaultRequest request;
  auto* spec = request.mutable_spec();
  if (o.interface.empty()) return InvalidArgument("an interface is required, e.g. eth0");
  spec->set_interface(o.interface);

  if (!o.netns.empty()) {
    Status s = CheckNetns(o.netns);
    if (!s.ok()) return s;
    spec->set_netns(o.netns);
  }
  auto direction = DirectionFrom(o.direction);
  if (!direction.ok()) return direction.status();
  spec->set_direction(*direction);

  if (Status s = BuildFaults(o, spec); !s.ok()) return s;
  if (Status s = BuildMatch(o, spec); !s.ok()) return s;

  if (!o.limit.empty()) {
    auto limit = ParseUnsigned("limit", o.limit, UINT32_MAX);
    if (!limit.ok()) return limit.status();
    if (*limit == 0) return FlagError("limit", "must be at least 1 packet");
    spec->set_queue_limit(static_cast<uint32_t>(*limit));
  }
  if (!o.ttl.empty()) {
    auto ttl = Duration("ttl", o.ttl);
    if (!ttl.ok()) return ttl.status();
    SetDuration(*ttl, request.mutable_ttl());
  }
  auto labels = ParseLabels(o.labels);
  if (!labels.ok()) return labels.status();
  request.mutable_labels()->insert(labels->begin(), labels->end());
  request.set_request_id(o.request_id);
  request.set_dry_run(o.dry_run);
  return request;
}

Result<v1::ListFaultsRequest> BuildListRequest(const ListOptions& o) {
  v1::ListFaultsRequest request;
  request.set_interface(o.interface);
  auto labels = ParseLabels(o.labels);
  if (!labels.ok()) return labels.status();
  request.mutable_label_selector()->insert(labels->begin(), labels->end());
  request.set_include_ended(o.all);
  return request;
}

Result<v1::GetFaultRequest> BuildGetRequest(const LeaseOptions& o) {
  if (Status s = CheckId(o.id); !s.ok()) return s;
  v1::GetFaultRequest request;
  request.set_id(o.id);
  return request;
}

Result<v1::ExtendFaultRequest> BuildExtendRequest(const LeaseOptions& o) {
  if (Status s = CheckId(o.id); !s.ok()) return s;
  if (o.ttl.empty()) return InvalidArgument("extend needs the new TTL, e.g. extend ID 30s");
  auto ttl = Duration("ttl", o.ttl);
  if (!ttl.ok()) return ttl.status();
  v1::ExtendFaultRequest request;
  request.set_id(o.id);
  SetDuration(*ttl, request.mutable_ttl());
  return request;
}

Result<v1::RevokeFaultRequest> BuildRevokeRequest(const LeaseOptions& o) {
  if (o.all) return InvalidArgument("give either a fault ID or --all, not both");
  if (!o.labels.empty()) return InvalidArgument("--label selects faults only with --all");
  if (Status s = CheckId(o.id); !s.ok()) return s;
  v1::RevokeFaultRequest request;
  request.set_id(o.id);
  return request;
}

Result<v1::RevokeAllFaultsRequest> BuildRevokeAllRequest(const LeaseOptions& o) {
  if (!o.id.empty()) return InvalidArgument("give either a fault ID or --all, not both");
  auto labels = ParseLabels(o.labels);
  if (!labels.ok()) return labels.status();
  v1::RevokeAllFaultsRequest request;
  request.mutable_label_selector()->insert(labels->begin(), labels->end());
  return request;
}

v1::WatchRequest BuildWatchRequest(const WatchOptions& o) {
  v1::WatchRequest request;
  request.set_send_initial(o.initial);
  return request;
}

Result<std::map<std::string, std::string>> ParseLabels(const std::vector<std::string>& pairs) {
  std::map<std::string, std::string> labels;
  for (const std::string& pair : pairs) {
    auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      return FlagError("label", "\"" + pair + "\" is not key=value, e.g. --label team=db");
    }
    std::string key = pair.substr(0, eq);
    if (!labels.emplace(key, pair.substr(eq + 1)).second) {
      return FlagError("label", "key \"" + key + "\" given twice");
    }
  }
  return labels;
}

Result<v1::PortRange> ParsePortRange(std::string_view flag, std::string_view text) {
  auto port = [&](std::string_view part) -> Result<uint32_t> {
    auto n = ParseUnsigned(flag, part, UINT64_MAX);
    if (!n.ok() || *n == 0 || *n > 65535) {
      return FlagError(flag, "\"" + std::string(part) + "\" is not a port (1..65535)");
    }
    return static_cast<uint32_t>(*n);
  };
  v1::PortRange range;
  auto dash = text.find('-');
  auto first = port(text.substr(0, dash));
  if (!first.ok()) return first.status();
  range.set_first(*first);
  if (dash != std::string_view::npos) {
    auto last = port(text.substr(dash + 1));
    if (!last.ok()) return last.status();
    if (*last < *first) {
      return FlagError(flag, "range " + std::string(text) + " ends before it starts");
    }
    range.set_last(*last);
  }
  return range;
}

Result<std::string> ParseCidr(std::string_view flag, std::string_view text) {
  // The daemon's own rules, so that what it would refuse (host bits set, a
  // zone index) fails here, before connecting.
  auto cidr = chaosnet::ParseCidr(text);
  if (!cidr.ok()) return FlagError(flag, cidr.status().message());
  return std::string(text);
}

Result<std::string> ParseServerAddress(std::string_view text) {
  static constexpr char kHint[] = " (use unix:PATH or HOST:PORT)";
  if (text.rfind("unix:", 0) == 0) {
    if (text.size() == 5)
      return FlagError("server", "unix: needs a socket path" + std::string(kHint));
    return std::string(text);
  }
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return FlagError("server", "\"" + std::string(text) + "\" has no port" + kHint);
  }
  auto port = ParseUnsigned("server", text.substr(colon + 1), 65535);
  if (!port.ok() || *port == 0) {
    return FlagError("server", "\"" + std::string(text) + "\" has no valid port" + kHint);
  }
  std::string_view host = text.substr(0, colon);
  // A bare IPv6 address has colons of its own and must be bracketed.
  if (host.find(':') != std::string_view::npos && host.front() != '[') {
    return FlagError("server", "write IPv6 addresses in brackets, e.g. [::1]:7070");
  }
  return std::string(text);
}

}  // namespace chaosnet::client
