// Reading netlink attributes of tc dump replies defensively: structs may be
// shorter (older kernels) or longer (newer ones) than our headers say. The
// qdisc and class parsers share it.
#pragma once

#include <linux/rtnetlink.h>
#include <netlink/attr.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>

#include "common/result.h"
#include "daemon/kernel/kernel.h"

namespace chaosnet::netlink {

// Copies min(attribute, struct) bytes; missing fields stay zero.
template <typename T>
T ReadAttr(const nlattr* a) {
  T v{};
  std::memcpy(&v, nla_data(a), std::min<size_t>(sizeof(T), static_cast<size_t>(nla_len(a))));
  return v;
}

// netem's seed attribute, added in Linux 6.6 after TCA_NETEM_SLOT_DIST (13);
// Debian 12's linux/pkt_sched.h (6.1) does not name it yet.
inline constexpr int kTcaNetemPrngSeed = 14;

// Walks the attributes in [data, data + len) into tb[type]; the last one of
// a type wins, types beyond N are ignored.
template <size_t N>
void IndexAttrs(const void* data, int len, const nlattr* (&tb)[N]) {
  for (auto& t : tb) t = nullptr;
  const auto* a = static_cast<const nlattr*>(data);
  int rem = len;
  while (nla_ok(a, rem)) {
    const int type = nla_type(a);
    if (type >= 0 && static_cast<size_t>(type) < N) tb[type] = a;
    a = nla_next(a, &rem);
  }
}

// TCA_STATS2's basic and queue counters (64-bit packets when present).
kernel::Counters ParseTcStats2(const nlattr* stats2);

// What every qdisc and class message carries: the tcmsg header, the
// top-level attributes by type, TCA_KIND, and the counters of TCA_STATS2
// (zeros when absent, as in requests).
struct TcMessage {
  tcmsg header{};
  const nlattr* attrs[__TCA_MAX] = {};
  std::string kind;
  kernel::Counters counters;
};

// INTERNAL "<what> message shorter than its tcmsg header" or "... without
// TCA_KIND"; `what` is "qdisc" or "class".
Result<TcMessage> ReadTcMessage(const nlmsghdr* message, const char* what);

}  // namespace chaosnet::netlink
