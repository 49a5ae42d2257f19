// An owning handle on one netlink request (libnl's nl_msg), built by the pure
// encoders in this folder and sent by NetlinkSocket. Move-only; frees on scope exit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

struct nl_msg;
struct nlattr;
struct nlmsghdr;

namespace chaosnet::netlink {

class NlMessage {
 public:
  // A message with room for `capacity` bytes (libnl never grows a message, so
  // encoders size it up front; a distribution table alone is 8 KiB).
  static NlMessage Allocate(size_t capacity = 4096);

  nl_msg* get() const { return msg_.get(); }
  nlmsghdr* header() const;

  // The whole message as sent, nlmsg_len bytes (seq/pid as filled so far).
  std::vector<uint8_t> Bytes() const;

 private:
  struct Free {
    void operator()(nl_msg* m) const;
  };
  explicit NlMessage(nl_msg* m) : msg_(m) {}
  std::unique_ptr<nl_msg, Free> msg_;
};

// iproute2 opens TCA_OPTIONS without NLA_F_NESTED (libnl's nla_nest_start sets
// it), and for netem puts a fixed struct before the nested attributes. These
// two helpers reproduce that layout: Open reserves the attribute header plus
// `fixed_size` payload bytes and returns them, Close stretches nla_len over
// everything appended since.
nlattr* OpenUnflaggedNest(nl_msg* msg, int type, size_t fixed_size, void** fixed_payload);
void CloseUnflaggedNest(nl_msg* msg, nlattr* nest);

}  // namespace chaosnet::netlink
