#include "daemon/netlink/netlink_socket.h"
#include "daemon/netlink/error_tally.h"

#include <linux/netlink.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace chaosnet::netlink {
namespace {

// The extended-ack attributes after struct nlmsgerr. With NETLINK_CAP_ACK the
// kernel echoes only the header of our request (a netem request with a
// distribution table is 8 KiB: not worth sending back).
std::string ExtAckMessage(const nlmsghdr* h) {
  if (!(h->nlmsg_flags & NLM_F_ACK_TLVS)) return {};
  const auto* err = static_cast<const nlmsgerr*>(nlmsg_data(h));
  size_t offset = NLMSG_HDRLEN + sizeof(nlmsgerr);
  if (!(h->nlmsg_flags & NLM_F_CAPPED)) offset += err->msg.nlmsg_len - NLMSG_HDRLEN;
  const auto* base = reinterpret_cast<const char*>(h);
  while (offset + NLA_HDRLEN <= h->nlmsg_len) {
    const auto* a = reinterpret_cast<const nlattr*>(base + offset);
    if (a->nla_len < NLA_HDRLEN || offset + a->nla_len > h->nlmsg_len) break;
    if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
      std::string s(base + offset + NLA_HDRLEN, a->nla_len - NLA_HDRLEN);
      while (!s.empty() && (s.back() == '\0' || s.back() == '\n')) s.pop_back();
      return s;
    }
    offset += NLA_ALIGN(a->nla_len);
  }
  return {};
}

}  // namespace

void NetlinkSocket::Free::operator()(nl_sock* s) const { nl_socket_free(s); }

Result<NetlinkSocket> NetlinkSocket::Open() {
  nl_sock* raw = nl_socket_alloc();
  if (raw == nullptr) return Internal("netlink: cannot allocate a socket");
  NetlinkSocket sock(raw);
  if (int err = nl_connect(raw, NETLINK_ROUTE); err < 0) {
    return Unavailable(std::string("netlink: cannot open a NETLINK_ROUTE socket: ") +
                       nl_geterror(err));
  }
  // Encoders set the exact flags tc uses; do not let libnl add NLM_F_ACK.
  nl_socket_disable_auto_ack(raw);
  // One recvmsg per read instead of a peek for the size and then the read: a
  // buffer of 64 KiB holds any batch the kernel sends (dumps use at most 32 KiB).
  nl_socket_disable_msg_peek(raw);
  nl_socket_set_msg_buf_size(raw, 64 * 1024);
  nl_socket_set_buffer_size(raw, 1 << 20, 1 << 20);
  const int one = 1;
  const int fd = nl_socket_get_fd(raw);
  // Both are best effort: kernels before 4.12 simply give no extended text.
  setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
  setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
  return sock;
}

KernelError NetlinkSocket::Transact(NlMessage& request, const ReplyHandler& on_reply) {
  nl_sock* sk = sock_.get();
  if (int err = nl_send_auto(sk, request.get()); err < 0) {
    CountKernelError(EIO);
    return KernelError{EIO, std::string("send failed: ") + nl_geterror(err)};
  }
  const uint32_t seq = request.header()->nlmsg_seq;
  const bool dump = request.header()->nlmsg_flags & NLM_F_DUMP;
  const bool acked = request.header()->nlmsg_flags & NLM_F_ACK;

  while (true) {
    sockaddr_nl peer{};
    unsigned char* buf = nullptr;
    const int n = nl_recv(sk, &peer, &buf, nullptr);
    if (n <= 0) {
      std::free(buf);
      CountKernelError(EIO);
      return KernelError{EIO, std::string("receive failed: ") + nl_geterror(n)};
    }
    std::unique_ptr<unsigned char, decltype(&std::free)> owned(buf, &std::free);
    int remaining = n;
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf); nlmsg_ok(h, remaining);
         h = nlmsg_next(h, &remaining)) {
      // Answers to an earlier request that was abandoned half-way: skip.
      if (h->nlmsg_seq != seq) continue;
      if (h->nlmsg_type == NLMSG_DONE) return {};
      if (h->nlmsg_type == NLMSG_ERROR) {
        const auto* err = static_cast<const nlmsgerr*>(nlmsg_data(h));
        if (err->error != 0) CountKernelError(-err->error);
        return KernelError{-err->error, ExtAckMessage(h)};
      }
      if (h->nlmsg_type == NLMSG_NOOP || h->nlmsg_type == NLMSG_OVERRUN) continue;
      if (on_reply) on_reply(h);
      // A GET without NLM_F_ACK is answered by exactly one message.
      if (!dump && !acked) return {};
    }
  }
}

}  // namespace chaosnet::netlink
