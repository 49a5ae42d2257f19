#include "daemon/guard/guard_spec.h"

#include <sys/socket.h>

#include <charconv>
#include <cstring>
#include <limits>

#include "common/net_parse.h"
#include "common/units.h"

namespace chaosnet::guard {
namespace {

constexpr size_t kMaxSpecBytes = 1024;
constexpr char kForms[] =
    "tcp:IP:PORT, tcp:[IPv6]:PORT, http://IP[:PORT]/PATH[,status=200-399], drops<N%, "
    "backlog<N or retransmits<N/s";

Status SpecError(std::string_view text, const std::string& why) {
  return InvalidArgument("guard " + units::QuoteInput(text) + ": " + why);
}

// Strict decimal digits, at most `max`.
std::optional<uint64_t> Number(std::string_view s, uint64_t max) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value > max) return std::nullopt;
  return value;
}

// A positive decimal such as "50" or "2.5", with no sign or exponent.
std::optional<double> PositiveDecimal(std::string_view s) {
  if (s.empty() || s.size() > 32 || s.find_first_not_of("0123456789.") != std::string_view::npos) {
    return std::nullopt;
  }
  double value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || !(value > 0)) return std::nullopt;
  return value;
}

bool Unspecified(const model::Cidr& address) {
  for (uint8_t b : address.address) {
    if (b != 0) return false;
  }
  return true;
}

// "10.0.0.5:80", "[2001:db8::5]:80"; without a port, `default_port` (0: required).
Result<Endpoint> ParseEndpoint(std::string_view spec, std::string_view text, uint16_t default_port,
                               std::string_view example) {
  std::string_view host = text;
  std::string_view port_text;
  bool has_port = false;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return SpecError(spec, "missing \"]\" after the address");
    host = text.substr(1, close - 1);
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return SpecError(spec, "expected \":PORT\" after \"]\"");
      port_text = rest.substr(1);
      has_port = true;
    }
  } else {
    const size_t colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
      return SpecError(spec, std::string("an IPv6 address needs brackets, e.g. ") +
                                 std::string(example) + " with [2001:db8::5]");
    }
    host = text.substr(0, colon);
    if (colon != std::string_view::npos) {
      port_text = text.substr(colon + 1);
      has_port = true;
    }
  }
  if (host.empty())
    return SpecError(spec, "missing the address (e.g. " + std::string(example) + ")");
  auto address = host.find('/') == std::string_view::npos
                     ? ParseCidr(host)
                     : Result<model::Cidr>(InvalidArgument(""));
  if (!address.ok()) {
    return SpecError(spec, units::QuoteInput(host) +
                               " is not an IP address; guards take IP literals only (the daemon "
                               "resolves no names), e.g. " +
                               std::string(example));
  }
  const bool bracketed = !text.empty() && text.front() == '[';
  if (bracketed != (address->family == AF_INET6)) {
    return SpecError(spec, bracketed ? "brackets are for IPv6 addresses only"
                                     : "an IPv6 address needs brackets, e.g. [2001:db8::5]");
  }
  if (Unspecified(*address)) {
    return SpecError(spec, "the unspecified address " + std::string(host) + " names no host");
  }
  Endpoint endpoint{*address, default_port};
  if (has_port) {
    auto port = Number(port_text, 65535);
    if (!port || *port == 0) {
      return SpecError(spec, units::QuoteInput(port_text) + " is not a port (1..65535)");
    }
    endpoint.port = static_cast<uint16_t>(*port);
  } else if (default_port == 0) {
    return SpecError(spec, "needs a port, e.g. " + std::string(example));
  }
  return endpoint;
}

Result<GuardSpec> ParseTcp(std::string_view spec) {
  ASSIGN_OR_RETURN(Endpoint target, ParseEndpoint(spec, spec.substr(4), 0, "tcp:10.0.0.5:5432"));
  return GuardSpec{std::string(spec), TcpCheck{target}};
}

// status=200 or status=200-399 (100..599).
Status ParseStatusOption(std::string_view spec, std::string_view value, HttpCheck& check) {
  const size_t dash = value.find('-');
  auto first = Number(value.substr(0, dash), 599);
  auto last = dash == std::string_view::npos ? first : Number(value.substr(dash + 1), 599);
  if (!first || !last || *first < 100 || *last < 100) {
    return SpecError(spec, "status=" + std::string(value) +
                               ": expected an HTTP status or range from 100 to 599, e.g. "
                               "status=200-399");
  }
  if (*last < *first) {
    return SpecError(spec, "status=" + std::string(value) + ": the range ends before it starts");
  }
  check.status_first = static_cast<uint16_t>(*first);
  check.status_last = static_cast<uint16_t>(*last);
  return Status::Ok();
}

Result<GuardSpec> ParseHttp(std::string_view spec) {
  constexpr std::string_view kExample = "http://10.0.0.5:8080/health";
  std::string_view rest = spec.substr(std::strlen("http://"));
  const size_t comma = rest.find(',');
  const std::string_view url = rest.substr(0, comma);
  const std::string_view options =
      comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  const size_t slash = url.find('/');
  HttpCheck check;
  ASSIGN_OR_RETURN(check.target, ParseEndpoint(spec, url.substr(0, slash), 80, kExample));
  if (slash != std::string_view::npos) check.path = std::string(url.substr(slash));
  for (unsigned char c : check.path) {
    if (c >= 0x80 || c == '#') {
      return SpecError(spec,
                       "the path may hold printable ASCII only, without a #fragment "
                       "(percent-encode the rest)");
    }
  }
  std::string_view left = options;
  while (comma != std::string_view::npos) {
    const size_t next = left.find(',');
    const std::string_view option = left.substr(0, next);
    const size_t eq = option.find('=');
    if (option.substr(0, eq) != "status" || eq == std::string_view::npos) {
      return SpecError(
          spec, "unknown option " + units::QuoteInput(option) + " (http guards take status=A-B)");
    }
    RETURN_IF_ERROR(ParseStatusOption(spec, option.substr(eq + 1), check));
    if (next == std::string_view::npos) break;
    left = left.substr(next + 1);
  }
  return GuardSpec{std::string(spec), std::move(check)};
}

Result<GuardSpec> ParseDrops(std::string_view spec) {
  std::string_view rest = spec.substr(std::strlen("drops<"));
  const size_t comma = rest.find(',');
  auto percent = units::ParsePercent(rest.substr(0, comma));
  if (!percent.ok() || *percent <= 0) {
    return SpecError(spec, "expected a percentage above 0%, e.g. drops<5%");
  }
  DropsCheck check{*percent};
  while (comma != std::string_view::npos) {
    rest = rest.substr(rest.find(',') + 1);
    const size_t next = rest.find(',');
    const std::string_view option = rest.substr(0, next);
    constexpr std::string_view kMin = "min-packets=";
    auto min =
        option.starts_with(kMin) ? Number(option.substr(kMin.size()), 1'000'000'000) : std::nullopt;
    if (!min || *min == 0) {
      return SpecError(spec, "unknown option " + units::QuoteInput(option) +
                                 " (drops guards take min-packets=N, 1 or more)");
    }
    check.min_packets = *min;
    if (next == std::string_view::npos) break;
  }
  return GuardSpec{std::string(spec), check};
}

Result<GuardSpec> ParseBacklog(std::string_view spec) {
  auto packets = Number(spec.substr(std::strlen("backlog<")), std::numeric_limits<uint32_t>::max());
  if (!packets || *packets == 0) {
    return SpecError(spec, "expected a number of packets, 1 or more, e.g. backlog<1000");
  }
  return GuardSpec{std::string(spec), BacklogCheck{static_cast<uint32_t>(*packets)}};
}

Result<GuardSpec> ParseRetransmits(std::string_view spec) {
  std::string_view rate = spec.substr(std::strlen("retransmits<"));
  std::optional<double> value;
  if (rate.ends_with("/s")) value = PositiveDecimal(rate.substr(0, rate.size() - 2));
  if (!value) {
    return SpecError(spec, "expected a rate per second above 0, e.g. retransmits<50/s");
  }
  return GuardSpec{std::string(spec), RetransmitsCheck{*value}};
}

}  // namespace

Result<GuardSpec> ParseGuardSpec(std::string_view text) {
  if (text.empty()) return InvalidArgument(std::string("guard: empty; use ") + kForms);
  if (text.size() > kMaxSpecBytes) {
    return SpecError(text.substr(0, 64), "longer than " + std::to_string(kMaxSpecBytes) + " bytes");
  }
  for (unsigned char c : text) {
    if (c <= ' ' || c == 0x7f) {
      return SpecError(text, "contains whitespace or a control character");
    }
  }
  if (text.starts_with("tcp:")) return ParseTcp(text);
  if (text.starts_with("http://")) return ParseHttp(text);
  if (text.starts_with("https://")) {
    return SpecError(text,
                     "https is not supported (the daemon speaks no TLS); check the port "
                     "with tcp:IP:443 instead");
  }
  if (text.starts_with("drops<")) return ParseDrops(text);
  if (text.starts_with("backlog<")) return ParseBacklog(text);
  if (text.starts_with("retransmits<")) return ParseRetransmits(text);
  for (std::string_view counter : {"drops", "backlog", "retransmits"}) {
    if (text.starts_with(counter)) {
      return SpecError(text, "a counter guard says what must hold, with \"<\": e.g. " +
                                 std::string(counter == "drops"     ? "drops<5%"
                                             : counter == "backlog" ? "backlog<1000"
                                                                    : "retransmits<50/s"));
    }
  }
  return SpecError(text, std::string("unknown kind of guard; use ") + kForms);
}

const char* KindName(const GuardCheck& check) {
  struct Names {
    const char* operator()(const TcpCheck&) const { return "tcp"; }
    const char* operator()(const HttpCheck&) const { return "http"; }
    const char* operator()(const DropsCheck&) const { return "drops"; }
    const char* operator()(const BacklogCheck&) const { return "backlog"; }
    const char* operator()(const RetransmitsCheck&) const { return "retransmits"; }
  };
  return std::visit(Names{}, check);
}

const Endpoint* TargetOf(const GuardCheck& check) {
  if (const auto* tcp = std::get_if<TcpCheck>(&check)) return &tcp->target;
  if (const auto* http = std::get_if<HttpCheck>(&check)) return &http->target;
  return nullptr;
}

std::string FormatEndpoint(const Endpoint& endpoint) {
  std::string host = FormatCidr(endpoint.address);
  host = host.substr(0, host.find('/'));
  if (endpoint.address.family == AF_INET6) host = "[" + host + "]";
  return host + ":" + std::to_string(endpoint.port);
}

}  // namespace chaosnet::guard
