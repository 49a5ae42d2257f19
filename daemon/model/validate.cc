#include "daemon/model/validate.h"

#include <cctype>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "common/units.h"
#include "daemon/model/link_model_rules.h"

namespace chaosnet::model {
namespace {

// Linux IFNAMSIZ is 16 including the terminating NUL.
constexpr size_t kMaxInterfaceNameBytes = 15;

Status Field(std::string_view field, const std::string& message) {
  return InvalidArgument(std::string(field) + ": " + message);
}

// Mirrors the kernel's dev_valid_name(), so a bad name is refused here with
// a clear message instead of as a bare ENODEV/EINVAL later.
Status ValidateInterfaceName(const std::string& name) {
  if (name.empty()) return Field("interface", "name is empty (e.g. eth0)");
  if (name.size() > kMaxInterfaceNameBytes) {
    return Field("interface", units::QuoteInput(name) + " is " + std::to_string(name.size()) +
                                  " bytes long; Linux allows at most 15");
  }
  if (name == "." || name == "..") {
    return Field("interface", units::QuoteInput(name) + " is not a valid interface name");
  }
  for (char c : name) {
    if (c == '/' || c == ':') {
      return Field("interface", units::QuoteInput(name) + " contains '" + std::string(1, c) +
                                    "', which interface names cannot");
    }
    if (c == '\0' || std::isspace(static_cast<unsigned char>(c))) {
      return Field("interface", units::QuoteInput(name) + " contains whitespace or a NUL byte");
    }
  }
  return Status::Ok();
}

// A probability impairment must do something: 0% is refused, so is its
// correlation out of range.
Status CheckProbability(std::string_view field, double percent, double correlation) {
  RETURN_IF_ERROR(CheckPercentRange(field, percent));
  if (percent == 0) {
    return Field(field, "0% has no effect; use a value above 0% (e.g. 1%)");
  }
  const std::string corr_field = std::string(field) + " correlation";
  RETURN_IF_ERROR(CheckPercentRange(corr_field, correlation));
  return Status::Ok();
}

Status ValidateDelay(const DelayFault& d, const ValidationLimits& limits) {
  if (d.latency <= Nanos::zero()) return Field("delay", "must be greater than 0 (e.g. 100ms)");
  if (d.latency > limits.max_latency) {
    return Field("delay", units::FormatDuration(d.latency) + " is above the maximum of " +
                              units::FormatDuration(limits.max_latency));
  }
  if (d.jitter < Nanos::zero()) return Field("delay jitter", "must not be negative");
  if (d.jitter > limits.max_jitter) {
    return Field("delay jitter", units::FormatDuration(d.jitter) + " is above the maximum of " +
                                     units::FormatDuration(limits.max_jitter));
  }
  RETURN_IF_ERROR(CheckPercentRange("delay correlation", d.correlation_percent));
  const bool has_jitter = d.jitter > Nanos::zero();
  // netem only uses the correlation and the distribution table to pick the
  // random part of the delay; without jitter they would be silently ignored.
  if (d.correlation_percent > 0 && !has_jitter) {
    return Field("delay correlation", "correlation needs jitter (add e.g. --jitter 10ms)");
  }
  if (d.distribution != DelayDistribution::kUniform && !has_jitter) {
    return Field("delay distribution",
                 std::string(NameOf(kDelayDistributionNames, d.distribution)) +
                     " needs jitter (add e.g. --jitter 10ms)");
  }
  return Status::Ok();
}

Status ValidateReorder(const ReorderFault& r, const std::optional<DelayFault>& delay) {
  RETURN_IF_ERROR(CheckProbability("reorder", r.percent, r.correlation_percent));
  // netem reorders by sending some packets at once while the others wait for
  // the delay; with no delay there is nothing to overtake.
  if (!delay || delay->latency <= Nanos::zero()) {
    return Field("reorder", "reorder needs --delay (e.g. reorder 25% --delay 10ms)");
  }
  return Status::Ok();
}

std::string JoinComma(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += ", ";
    out += parts[i];
  }
  return out;
}

Status ValidateCidr(std::string_view field, const Cidr& c) {
  const int max_prefix = c.family == 2 /*AF_INET*/ ? 32 : c.family == 10 /*AF_INET6*/ ? 128 : -1;
  if (max_prefix < 0) return Field(field, "address family must be IPv4 or IPv6");
  if (c.prefix_length > max_prefix) {
    return Field(field, "prefix length /" + std::to_string(c.prefix_length) + " is above /" +
                            std::to_string(max_prefix));
  }
  return Status::Ok();
}

Status ValidatePorts(std::string_view field, const PortRange& r) {
  if (r.first == 0) return Field(field, "port 0 is not a port a packet can carry (use 1-65535)");
  if (r.last < r.first) {
    return Field(field, "range " + std::to_string(r.first) + "-" + std::to_string(r.last) +
                            " ends before it starts");
  }
  return Status::Ok();
}

// The families of a set: bit 0 IPv4, bit 1 IPv6.
unsigned Families(const std::vector<Cidr>& cidrs) {
  unsigned set = 0;
  for (const Cidr& c : cidrs) set |= c.family == 2 /*AF_INET*/ ? 1u : 2u;
  return set;
}

// fleet (cidr-sets): dst_cidrs or src_cidrs, `side` "dst" or "src".
Status ValidateCidrSet(std::string_view side, const std::optional<Cidr>& single,
                       const std::vector<Cidr>& set, const ValidationLimits& limits) {
  const std::string field = std::string(side) + "_cidrs";
  if (set.empty()) return Status::Ok();
  if (single) {
    return Field(field, "give one " + std::string(side) + " CIDR as " + std::string(side) +
                            "_cidr or several as " + field + ", not both");
  }
  if (set.size() > limits.max_cidrs_per_set) {
    return Field(field, std::to_string(set.size()) + " CIDRs, at most " +
                            std::to_string(limits.max_cidrs_per_set) + "; use wider prefixes");
  }
  for (size_t i = 0; i < set.size(); ++i) {
    RETURN_IF_ERROR(ValidateCidr(field, set[i]));
    for (size_t j = 0; j < i; ++j) {
      if (set[j] == set[i]) return Field(field, "a CIDR is given twice");
    }
  }
  return Status::Ok();
}

// fleet (fault-exemptions): each one as the daemon's --protect rules.
Status ValidateExemptions(const std::vector<TrafficRule>& exemptions,
                          const ValidationLimits& limits) {
  if (exemptions.size() > limits.max_exemptions) {
    return Field("exemptions", std::to_string(exemptions.size()) + " given, at most " +
                                   std::to_string(limits.max_exemptions));
  }
  for (const TrafficRule& e : exemptions) {
    if (!e.cidr && !e.ports) {
      return Field("exemptions", "an exemption needs an address, ports or both");
    }
    if (e.cidr) RETURN_IF_ERROR(ValidateCidr("exemptions", *e.cidr));
    if (e.ports) RETURN_IF_ERROR(ValidatePorts("exemptions", *e.ports));
    if (e.protocol == Protocol::kIcmp && e.ports) {
      return Field("exemptions", "icmp has no ports: use tcp or udp");
    }
  }
  return Status::Ok();
}

Status ValidateMatch(const Match& m, const ValidationLimits& limits) {
  if (m.dst) RETURN_IF_ERROR(ValidateCidr("dst", *m.dst));
  if (m.src) RETURN_IF_ERROR(ValidateCidr("src", *m.src));
  RETURN_IF_ERROR(ValidateCidrSet("dst", m.dst, m.dst_cidrs, limits));
  RETURN_IF_ERROR(ValidateCidrSet("src", m.src, m.src_cidrs, limits));
  if (m.dst && m.src && m.dst->family != m.src->family) {
    return Field("src", "--src and --dst mix IPv4 and IPv6; a packet has one family");
  }
  // With sets, a family is matched only if both sides have members of it.
  const std::vector<Cidr> dst = m.dst ? std::vector<Cidr>{*m.dst} : m.dst_cidrs;
  const std::vector<Cidr> src = m.src ? std::vector<Cidr>{*m.src} : m.src_cidrs;
  if (!dst.empty() && !src.empty() && (Families(dst) & Families(src)) == 0) {
    return Field("src_cidrs",
                 "--src and --dst have no address family in common (one is all IPv4, the "
                 "other all IPv6); a packet has one family");
  }
  if (m.dport) RETURN_IF_ERROR(ValidatePorts("dport", *m.dport));
  if (m.sport) RETURN_IF_ERROR(ValidatePorts("sport", *m.sport));
  if (m.protocol == Protocol::kIcmp && (m.dport || m.sport)) {
    return Field("proto", "icmp has no ports: drop --dport/--sport or use tcp or udp");
  }
  return Status::Ok();
}

Status ValidateNetns(const std::string& netns) {
  if (netns.empty()) return Status::Ok();
  if (netns.find('\0') != std::string::npos) return Field("netns", "contains a NUL byte");
  return Status::Ok();
}

}  // namespace

std::vector<std::string> ImpairmentsBesidesPartition(const FaultSpec& spec) {
  std::vector<std::string> names;
  if (spec.delay) names.push_back("delay");
  if (spec.loss) names.push_back("loss");
  if (spec.duplicate) names.push_back("duplicate");
  if (spec.corrupt) names.push_back("corrupt");
  if (spec.reorder) names.push_back("reorder");
  if (spec.rate) names.push_back("rate");
  for (auto& name : LinkModelNames(spec)) names.push_back(std::move(name));
  return names;
}

Status CheckPercentRange(std::string_view what, double value) {
  if (!std::isfinite(value)) return Field(what, "must be a number from 0% to 100%");
  if (value < 0) return Field(what, units::FormatPercent(value) + " is below 0%");
  if (value > 100) return Field(what, units::FormatPercent(value) + " is above 100%");
  return Status::Ok();
}

Status ValidateFaultSpec(const FaultSpec& spec, const ValidationLimits& limits) {
  RETURN_IF_ERROR(ValidateInterfaceName(spec.interface));
  RETURN_IF_ERROR(ValidateMatch(spec.match, limits));
  RETURN_IF_ERROR(ValidateExemptions(spec.exemptions, limits));
  RETURN_IF_ERROR(ValidateNetns(spec.netns));

  const std::vector<std::string> others = ImpairmentsBesidesPartition(spec);
  if (!spec.partition && others.empty()) {
    return InvalidArgument(
        "no impairment given: add at least one of delay, loss, duplicate, corrupt, reorder, "
        "rate, partition, a loss model, slot, link rate or jam");
  }
  RETURN_IF_ERROR(ValidateLinkModels(spec, limits));
  if (spec.partition && !others.empty()) {
    return Field("partition",
                 "drops every packet, so it cannot be combined with other "
                 "impairments (remove " +
                     JoinComma(others) + ")");
  }

  if (spec.delay) RETURN_IF_ERROR(ValidateDelay(*spec.delay, limits));
  if (spec.loss) {
    RETURN_IF_ERROR(CheckProbability("loss", spec.loss->percent, spec.loss->correlation_percent));
  }
  if (spec.duplicate) {
    RETURN_IF_ERROR(CheckProbability("duplicate", spec.duplicate->percent,
                                     spec.duplicate->correlation_percent));
  }
  if (spec.corrupt) {
    RETURN_IF_ERROR(
        CheckProbability("corrupt", spec.corrupt->percent, spec.corrupt->correlation_percent));
  }
  if (spec.reorder) RETURN_IF_ERROR(ValidateReorder(*spec.reorder, spec.delay));
  if (spec.rate) {
    const uint64_t bits = spec.rate->bits_per_second;
    if (bits < limits.min_rate_bits_per_second) {
      return Field("rate", units::FormatRate(bits) + " is below the minimum of " +
                               units::FormatRate(limits.min_rate_bits_per_second));
    }
    if (bits > limits.max_rate_bits_per_second) {
      return Field("rate", units::FormatRate(bits) + " is above the maximum of " +
                               units::FormatRate(limits.max_rate_bits_per_second));
    }
  }
  if (spec.queue_limit) {
    const uint32_t q = *spec.queue_limit;
    if (q == 0 || q > limits.max_queue_limit) {
      return Field("queue_limit", std::to_string(q) + " packets is out of range; use 1 to " +
                                      std::to_string(limits.max_queue_limit));
    }
    // The limit sizes netem's queue; a rate-only fault has no netem, and a
    // value that would be silently ignored is worse than an error.
    if (!spec.needs_netem()) {
      return Field("queue_limit",
                   "sets the netem queue, which a rate-only fault does not "
                   "have; remove --limit or add a netem impairment");
    }
  }
  return Status::Ok();
}

}  // namespace chaosnet::model
