#include "daemon/guard/guard_policy.h"

#include <sys/socket.h>

#include "common/net_parse.h"
#include "common/units.h"

namespace chaosnet::guard {
namespace {

Status TargetError(std::string_view text, const std::string& why) {
  return InvalidArgument("--allow-guard-target " + units::QuoteInput(text) + ": " + why +
                         " (e.g. 10.0.0.0/8, 10.0.0.5:8080, 10.0.0.0/24:8000-8100, "
                         "[2001:db8::/32]:443)");
}

bool Contains(const model::Cidr& cidr, const model::Cidr& host) {
  if (cidr.family != host.family) return false;
  const int bits = cidr.prefix_length;
  for (int i = 0; i < bits / 8; ++i) {
    if (cidr.address[i] != host.address[i]) return false;
  }
  if (bits % 8 == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xFF << (8 - bits % 8));
  return (cidr.address[bits / 8] & mask) == (host.address[bits / 8] & mask);
}

bool InPorts(const std::optional<model::PortRange>& ports, uint16_t port) {
  return !ports || (port >= ports->first && port <= ports->last);
}

// The guard's connection goes to `target`; a protected rule sends it out
// direct when its address part holds the target and its port part the port
// (for TCP: a rule for udp only does not apply).
bool Protects(const plan::ProtectedRule& rule, const Endpoint& target) {
  if (!rule.cidr && !rule.ports) return false;
  if (rule.cidr && !Contains(*rule.cidr, target.address)) return false;
  if (rule.ports) {
    if (rule.protocol == model::Protocol::kUdp || rule.protocol == model::Protocol::kIcmp) {
      return false;
    }
    if (!InPorts(rule.ports, target.port)) return false;
  }
  return true;
}

}  // namespace

Result<AllowedTarget> ParseAllowedTarget(std::string_view text) {
  if (text.empty()) return TargetError(text, "empty value");
  std::string_view cidr_text = text;
  std::string_view ports_text;
  if (text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return TargetError(text, "missing \"]\"");
    cidr_text = text.substr(1, close - 1);
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':' || rest.size() == 1) {
        return TargetError(text, "expected \":PORTS\" after \"]\"");
      }
      ports_text = rest.substr(1);
    }
  } else if (text.find(':') != text.rfind(':')) {
    // Two colons or more: an unbracketed IPv6 prefix, without ports.
  } else if (const size_t colon = text.find(':'); colon != std::string_view::npos) {
    cidr_text = text.substr(0, colon);
    ports_text = text.substr(colon + 1);
    if (ports_text.empty()) return TargetError(text, "missing the ports after \":\"");
  }
  auto cidr = ParseCidr(cidr_text);
  if (!cidr.ok()) return TargetError(text, cidr.status().message());
  AllowedTarget target{*cidr, std::nullopt};
  if (!ports_text.empty()) {
    auto ports = ParsePortRange(ports_text);
    if (!ports.ok()) return TargetError(text, ports.status().message());
    target.ports = *ports;
  }
  return target;
}

std::string FormatAllowedTarget(const AllowedTarget& target) {
  std::string cidr = FormatCidr(target.cidr);
  if (!target.ports) return cidr;
  if (target.cidr.family == AF_INET6) cidr = "[" + cidr + "]";
  return cidr + ":" + FormatPortRange(*target.ports);
}

Status CheckGuardsAllowed(const GuardPolicy& policy, const std::vector<GuardSpec>& specs,
                          const std::vector<plan::ProtectedRule>& protected_rules) {
  if (specs.size() > policy.max_per_fault) {
    return InvalidArgument(std::to_string(specs.size()) + " guards given; a fault may have " +
                           std::to_string(policy.max_per_fault) +
                           " at most (the daemon's --max-guards-per-fault)");
  }
  for (const GuardSpec& spec : specs) {
    const Endpoint* target = TargetOf(spec.check);
    if (target == nullptr) continue;  // counter guards connect nowhere
    bool allowed = false;
    for (const AllowedTarget& a : policy.allowed_targets) {
      allowed |= Contains(a.cidr, target->address) && InPorts(a.ports, target->port);
    }
    if (!allowed) {
      return PermissionDenied(
          "guard " + spec.text + ": " + FormatEndpoint(*target) +
          (policy.allowed_targets.empty()
               ? " is not an allowed guard target: this daemon allows none (its operator can "
                 "with --allow-guard-target CIDR[:PORTS]); counter guards need none"
               : " matches no --allow-guard-target of this daemon"));
    }
    for (const plan::ProtectedRule& rule : protected_rules) {
      if (!Protects(rule, *target)) continue;
      return FailedPrecondition("guard " + spec.text + ": " + FormatEndpoint(*target) +
                                " is protected traffic (--protect " +
                                plan::FormatProtectedRule(rule) +
                                " or the daemon's own API), which no fault touches, so the guard "
                                "could not see the fault; guard another port or address");
    }
  }
  return Status::Ok();
}

Status CheckGuardCapacity(const GuardPolicy& policy, std::size_t live, std::size_t adding) {
  if (adding == 0 || live + adding <= policy.max_total) return Status::Ok();
  return ResourceExhausted(std::to_string(live) + " guards are live and this fault adds " +
                           std::to_string(adding) + ", past the daemon's limit of " +
                           std::to_string(policy.max_total) +
                           " (--max-guards); revoke guarded faults or wait for them to end");
}

}  // namespace chaosnet::guard
