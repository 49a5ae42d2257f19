#include "daemon/netlink/nl_message.h"

#include <netlink/attr.h>
#include <netlink/msg.h>

#include <cstdlib>
#include <cstring>

namespace chaosnet::netlink {

void NlMessage::Free::operator()(nl_msg* m) const { nlmsg_free(m); }

NlMessage NlMessage::Allocate(size_t capacity) {
  nl_msg* m = nlmsg_alloc_size(capacity);
  // Allocation failure of a few KiB is not an environment condition we can
  // report meaningfully; treat it like operator new would.
  if (m == nullptr) std::abort();
  return NlMessage(m);
}

nlmsghdr* NlMessage::header() const { return nlmsg_hdr(msg_.get()); }

std::vector<uint8_t> NlMessage::Bytes() const {
  const nlmsghdr* h = header();
  const auto* p = reinterpret_cast<const uint8_t*>(h);
  return std::vector<uint8_t>(p, p + h->nlmsg_len);
}

nlattr* OpenUnflaggedNest(nl_msg* msg, int type, size_t fixed_size, void** fixed_payload) {
  nlattr* nest = nla_reserve(msg, type, static_cast<int>(fixed_size));
  if (nest == nullptr) return nullptr;
  if (fixed_payload != nullptr) *fixed_payload = nla_data(nest);
  return nest;
}

void CloseUnflaggedNest(nl_msg* msg, nlattr* nest) {
  auto* tail = static_cast<char*>(nlmsg_tail(nlmsg_hdr(msg)));
  nest->nla_len = static_cast<uint16_t>(tail - reinterpret_cast<char*>(nest));
}

}  // namespace chaosnet::netlink
