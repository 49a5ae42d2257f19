// DescribeTcObject and the u32 key decoding behind it: the inverse of
// u32_keys.h's layouts, in the words of tc's own selector syntax (f_u32.c),
// so a dry run reads like the commands one would type.
#include <arpa/inet.h>
#include <sys/socket.h>

#include <array>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>

#include "common/units.h"
#include "daemon/plan/describe.h"
#include "daemon/plan/u32_keys.h"

namespace chaosnet::plan {
namespace {

std::string Hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%x", v);
  return buf;
}

std::string RawKey(uint32_t value, uint32_t mask, int32_t offset) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "match u32 0x%08x 0x%08x at %d", value, mask, offset);
  return buf;
}

// The prefix length of a mask that is ones then zeros, or nullopt.
std::optional<int> PrefixLength(const std::array<uint8_t, 16>& mask, int bytes) {
  int length = 0;
  bool ended = false;
  for (int i = 0; i < bytes; ++i) {
    for (int bit = 7; bit >= 0; --bit) {
      const bool one = (mask[i] >> bit) & 1;
      if (one && ended) return std::nullopt;
      if (one) ++length;
      if (!one) ended = true;
    }
  }
  return length;
}

// An address field spread over `words` keys starting at `offset`, if every
// key of that range is in the rule and together they form one prefix.
struct AddressField {
  int32_t offset;
  int words;
  const char* name;  // "ip src", "ip6 dst"
};

std::optional<std::string> DescribeAddress(const U32Rule& rule, const AddressField& field) {
  std::array<uint8_t, 16> addr{};
  std::array<uint8_t, 16> mask{};
  bool any = false;
  for (const U32Key& key : rule.keys) {
    if (key.offset < field.offset || key.offset >= field.offset + 4 * field.words) continue;
    any = true;
    const int at = key.offset - field.offset;
    for (int b = 0; b < 4; ++b) {
      addr[at + b] = static_cast<uint8_t>(key.value >> (24 - 8 * b));
      mask[at + b] = static_cast<uint8_t>(key.mask >> (24 - 8 * b));
    }
  }
  if (!any) return std::nullopt;
  const auto length = PrefixLength(mask, 4 * field.words);
  if (!length) return std::nullopt;
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(field.words == 1 ? AF_INET : AF_INET6, addr.data(), text, sizeof(text));
  return std::string("match ") + field.name + " " + text + "/" + std::to_string(*length);
}

bool InField(int32_t offset, const AddressField& f) {
  return offset >= f.offset && offset < f.offset + 4 * f.words;
}

// Words holding two 16-bit ports: "match ip sport 1000 0xfff8 match ip dport 80 0xffff".
std::string DescribePorts(const U32Key& key, const char* family) {
  std::string out;
  const uint32_t smask = key.mask >> 16, dmask = key.mask & 0xFFFF;
  if (smask) {
    out += std::string("match ") + family + " sport " + std::to_string(key.value >> 16) + " " +
           Hex(smask);
  }
  if (dmask) {
    if (!out.empty()) out += ' ';
    out += std::string("match ") + family + " dport " + std::to_string(key.value & 0xFFFF) + " " +
           Hex(dmask);
  }
  return out;
}

bool RuleIsIcmpv6(const U32Rule& rule) {
  const U32Field proto = ProtocolField(IpFamily::kIpv6, kIpProtoIcmpv6);
  for (const U32Key& key : rule.keys) {
    if (key.offset == proto.offset && (key.mask & proto.mask) == proto.mask &&
        (key.value & proto.mask) == proto.value) {
      return true;
    }
  }
  return false;
}

std::string DescribeKey(const U32Key& key, FilterProtocol protocol, bool icmpv6) {
  if (key.offset == 0 && key.mask == 0) return "match u32 0 0 at 0";
  if (protocol == FilterProtocol::kIp) {
    const U32Field proto = ProtocolField(IpFamily::kIpv4, 0);
    if (key.offset == proto.offset && key.mask == proto.mask) {
      return "match ip protocol " + std::to_string(key.value >> 16) + " 0xff";
    }
    if (key.offset == kIpv4SportOffset && key.mask != 0) return DescribePorts(key, "ip");
  } else if (protocol == FilterProtocol::kIpv6) {
    const U32Field proto = ProtocolField(IpFamily::kIpv6, 0);
    if (key.offset == proto.offset && key.mask == proto.mask) {
      return "match ip6 protocol " + std::to_string(key.value >> 8) + " 0xff";
    }
    if (key.offset == kIcmpv6TypeOffset && icmpv6 && (key.mask & 0x00FFFFFF) == 0) {
      return "match ip6 icmp_type " + std::to_string(key.value >> 24) + " " + Hex(key.mask >> 24);
    }
    if (key.offset == kIpv6SportOffset && !icmpv6 && key.mask != 0) {
      return DescribePorts(key, "ip6");
    }
  }
  return RawKey(key.value, key.mask, key.offset);
}

std::string DescribeHtbQdisc(const HtbQdisc& htb) {
  // tc prints the default class with %#x: "default 0", "default 0x10".
  std::string out = "default " + (htb.default_minor == 0 ? "0" : Hex(htb.default_minor));
  if (htb.direct_qlen != 0) out += " direct_qlen " + std::to_string(htb.direct_qlen);
  out += " r2q " + std::to_string(htb.rate_to_quantum);
  return out;
}

std::string CookieHex(const char* cookie) {
  std::string out;
  char buf[4];
  for (const char* c = cookie; *c != '\0'; ++c) {
    std::snprintf(buf, sizeof(buf), "%02x", static_cast<unsigned char>(*c));
    out += buf;
  }
  return out;
}

}  // namespace

std::string RateInTcWords(uint64_t bytes_per_second) {
  constexpr uint64_t kMaxBytes = std::numeric_limits<uint64_t>::max() / 8;
  return bytes_per_second > kMaxBytes ? std::to_string(bytes_per_second) + "bps"
                                      : units::FormatRate(bytes_per_second * 8);
}

std::string FilterProtocolName(FilterProtocol p) {
  switch (p) {
    case FilterProtocol::kIp: return "ip";
    case FilterProtocol::kIpv6: return "ipv6";
    case FilterProtocol::kAll: return "all";
  }
  return Hex(static_cast<uint16_t>(p));
}

std::string DescribeHtbClass(const HtbClass& cls) {
  std::string out = "rate " + RateInTcWords(cls.rate_bytes_per_second) + " ceil " +
                    RateInTcWords(cls.ceil_bytes_per_second) + " burst " +
                    std::to_string(cls.burst_bytes) + "b cburst " +
                    std::to_string(cls.cburst_bytes) + "b";
  if (cls.quantum_bytes != 0) out += " quantum " + std::to_string(cls.quantum_bytes);
  return out;
}

std::string DescribeU32Rule(const U32Rule& rule, FilterProtocol protocol) {
  std::vector<AddressField> addresses;
  if (protocol == FilterProtocol::kIp) {
    addresses = {{kIpv4SrcOffset, 1, "ip src"}, {kIpv4DstOffset, 1, "ip dst"}};
  } else if (protocol == FilterProtocol::kIpv6) {
    addresses = {{kIpv6SrcOffset, 4, "ip6 src"}, {kIpv6DstOffset, 4, "ip6 dst"}};
  }
  const bool icmpv6 = protocol == FilterProtocol::kIpv6 && RuleIsIcmpv6(rule);

  std::string out;
  std::vector<bool> address_done(addresses.size(), false);
  for (const U32Key& key : rule.keys) {
    std::string words;
    bool handled = false;
    for (size_t i = 0; i < addresses.size(); ++i) {
      if (!InField(key.offset, addresses[i])) continue;
      const auto text = DescribeAddress(rule, addresses[i]);
      if (!text) break;  // not a prefix: raw keys
      handled = true;
      if (!address_done[i]) words = *text;
      address_done[i] = true;
      break;
    }
    if (!handled) words = DescribeKey(key, protocol, icmpv6);
    if (words.empty()) continue;
    if (!out.empty()) out += ' ';
    out += words;
  }
  return out;
}

PlanStepText DescribeTcObject(const TcObject& object) {
  PlanStepText step;
  if (const auto* q = std::get_if<TreeQdisc>(&object)) {
    step.object = "qdisc";
    step.handle = FormatHandle(q->handle);
    step.parent = FormatParent(q->parent);
    if (const auto* htb = std::get_if<HtbQdisc>(&q->params)) {
      step.kind = "htb";
      step.parameters = DescribeHtbQdisc(*htb);
    } else if (const auto* netem = std::get_if<NetemQdisc>(&q->params)) {
      step.kind = "netem";
      step.parameters = DescribeNetem(*netem);
    } else if (const auto* plug = std::get_if<PlugQdisc>(&q->params)) {
      step.kind = "plug";
      step.parameters = DescribePlug(*plug);
    } else {
      step.kind = "ingress";
    }
  } else if (const auto* cls = std::get_if<HtbClass>(&object)) {
    step.object = "class";
    step.kind = "htb";
    step.handle = FormatHandle(cls->classid);
    step.parent = FormatParent(cls->parent);
    step.parameters = DescribeHtbClass(*cls);
  } else if (const auto* u32 = std::get_if<U32Classifier>(&object)) {
    step.object = "filter";
    step.kind = "u32";
    step.parent = FormatParent(u32->parent);
    // Consecutive rules with the same flowid as one group, in the kernel's
    // order: "A or B flowid ca00:, then C flowid ca00:1" (exemptions first).
    std::string groups;
    const auto flowid_of = [&](const U32Rule& rule) { return rule.flowid.value_or(u32->flowid); };
    for (size_t i = 0; i < u32->rules.size();) {
      const uint32_t flowid = flowid_of(u32->rules[i]);
      std::string group;
      for (; i < u32->rules.size() && flowid_of(u32->rules[i]) == flowid; ++i) {
        if (!group.empty()) group += " or ";
        group += DescribeU32Rule(u32->rules[i], u32->protocol);
      }
      if (!groups.empty()) groups += ", then ";
      groups += group + " flowid " + FormatHandle(flowid);
    }
    step.parameters = "prio " + std::to_string(u32->priority) + " protocol " +
                      FilterProtocolName(u32->protocol) + " " + groups;
  } else if (const auto* table = std::get_if<U32HashTable>(&object)) {
    step.object = "filter";
    step.kind = "u32";
    step.handle = FormatU32Handle(table->handle);
    step.parent = FormatParent(table->parent);
    step.parameters = "prio " + std::to_string(table->priority) + " protocol " +
                      FilterProtocolName(table->protocol) + " divisor " +
                      std::to_string(table->divisor);
  } else if (const auto* link = std::get_if<U32HashLink>(&object)) {
    char hashkey[64];
    std::snprintf(hashkey, sizeof(hashkey), "hashkey mask 0x%08x at %d", link->hash_mask,
                  link->hash_offset);
    step.object = "filter";
    step.kind = "u32";
    step.parent = FormatParent(link->parent);
    std::string ht;
    if (link->handle != 0) {
      step.handle = FormatU32Handle(link->handle);
      char bucket[32];
      std::snprintf(bucket, sizeof(bucket), " ht %x:%x:", link->handle >> 20,
                    U32HandleBucket(link->handle));
      ht = bucket;
    }
    step.parameters = "prio " + std::to_string(link->priority) + " protocol " +
                      FilterProtocolName(link->protocol) + ht + " match u32 0 0 at 0 " + hashkey +
                      " link " + FormatU32Handle(link->table);
  } else if (const auto* node = std::get_if<U32Node>(&object)) {
    char ht[32];  // tc's "ht 4:2a:": table and bucket
    std::snprintf(ht, sizeof(ht), "%x:%x:", node->handle >> 20, U32HandleBucket(node->handle));
    step.object = "filter";
    step.kind = "u32";
    step.handle = FormatU32Handle(node->handle);
    step.parent = FormatParent(node->parent);
    step.parameters = "prio " + std::to_string(node->priority) + " protocol " +
                      FilterProtocolName(node->protocol) + " ht " + ht + " " +
                      DescribeU32Rule(U32Rule{node->keys}, node->protocol) + " flowid " +
                      FormatHandle(node->flowid);
  } else if (const auto* redirect = std::get_if<RedirectFilter>(&object)) {
    step.object = "filter";
    step.kind = "mirred";
    step.parent = FormatParent(redirect->parent);
    step.parameters = "prio " + std::to_string(redirect->priority) +
                      " protocol all match u32 0 0 at 0 action mirred egress redirect dev " +
                      redirect->to_device + " cookie " + CookieHex(kRedirectCookie);
  }
  return step;
}

}  // namespace chaosnet::plan
