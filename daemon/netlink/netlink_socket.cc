#include "daemon/netlink/netlink_socket.h"
#include "daemon/netlink/batch_chunks.h"
#include "daemon/netlink/error_tally.h"

#include <linux/netlink.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <sys/socket.h>

#include <algorithm>
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
  // The receive buffer bounds how many acks one batch piece may ask for
  // (batch_chunks.h). SO_RCVBUF stops at net.core.rmem_max (208 KiB by
  // default); the daemon has CAP_NET_ADMIN and may go past it.
  const int rcvbuf = 1 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
  int granted = 0;
  socklen_t len = sizeof(granted);
  if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &len) == 0 && granted > 0) {
    sock.rcvbuf_bytes_ = static_cast<std::size_t>(granted);
  }
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

std::vector<NetlinkSocket::BatchReply> NetlinkSocket::TransactBatch(std::span<NlMessage> requests) {
  std::vector<BatchReply> replies(requests.size());
  nl_sock* sk = sock_.get();
  const uint32_t port = nl_socket_get_local_port(sk);
  std::vector<std::size_t> sizes;
  sizes.reserve(requests.size());
  for (NlMessage& request : requests) {
    nlmsghdr* h = request.header();
    h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
    h->nlmsg_pid = port;
    sizes.push_back(NLMSG_ALIGN(h->nlmsg_len));
  }
  auto give_up = [&](std::size_t from, const std::string& why) {
    for (std::size_t i = from; i < replies.size(); ++i) {
      replies[i].error = KernelError{EIO, why};
    }
  };
  for (const Chunk& chunk : SplitIntoChunks(sizes, LimitsForReceiveBuffer(rcvbuf_bytes_))) {
    batch_buffer_.clear();
    uint32_t first_seq = 0;
    for (std::size_t i = chunk.first; i < chunk.last; ++i) {
      nlmsghdr* h = requests[i].header();
      h->nlmsg_seq = nl_socket_use_seq(sk);
      if (i == chunk.first) first_seq = h->nlmsg_seq;
      const auto* bytes = reinterpret_cast<const unsigned char*>(h);
      batch_buffer_.insert(batch_buffer_.end(), bytes, bytes + h->nlmsg_len);
      batch_buffer_.resize(batch_buffer_.size() + (sizes[i] - h->nlmsg_len), 0);
    }
    if (int err = nl_sendto(sk, batch_buffer_.data(), batch_buffer_.size()); err < 0) {
      CountKernelError(EIO);
      give_up(chunk.first, std::string("send failed: ") + nl_geterror(err));
      return replies;
    }
    for (std::size_t i = chunk.first; i < chunk.last; ++i) {
      replies[i].state = BatchReply::State::kNoAnswer;
    }
    auto piece = std::span<BatchReply>(replies).subspan(chunk.first, chunk.last - chunk.first);
    if (!ReadAcks(first_seq, piece)) {
      give_up(chunk.last, "not sent: an earlier part of the batch got no answer");
      return replies;
    }
  }
  return replies;
}

bool NetlinkSocket::ReadAcks(uint32_t first_seq, std::span<BatchReply> replies) {
  // Every ack is a datagram of its own: recvmmsg takes up to kSlots of them
  // per system call (MSG_WAITFORONE: wait for the first, then take what is
  // queued). With NETLINK_CAP_ACK an ack is a few hundred bytes; a slot
  // holds an uncapped one too (a kernel without CAP_ACK echoes the request).
  constexpr std::size_t kSlots = 16;
  constexpr std::size_t kSlotBytes = 16 * 1024;
  ack_buffer_.resize(kSlots * kSlotBytes);
  const int fd = nl_socket_get_fd(sock_.get());
  std::size_t pending = replies.size();
  while (pending > 0) {
    iovec iov[kSlots];
    mmsghdr msgs[kSlots]{};
    for (std::size_t i = 0; i < kSlots; ++i) {
      iov[i] = iovec{ack_buffer_.data() + i * kSlotBytes, kSlotBytes};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    const unsigned int want = static_cast<unsigned int>(std::min(kSlots, pending));
    const int got = recvmmsg(fd, msgs, want, MSG_WAITFORONE, nullptr);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      // ENOBUFS: acks were dropped for lack of room; which ones is unknown.
      const std::string why = std::string("receive failed: ") +
                              (got < 0 ? std::strerror(errno) : "the socket was closed");
      CountKernelError(EIO);
      for (BatchReply& r : replies) {
        if (r.state == BatchReply::State::kNoAnswer) r.error = KernelError{EIO, why};
      }
      return false;
    }
    for (int m = 0; m < got; ++m) {
      int remaining = static_cast<int>(msgs[m].msg_len);
      for (auto* h = static_cast<nlmsghdr*>(iov[m].iov_base); NLMSG_OK(h, remaining);
           h = NLMSG_NEXT(h, remaining)) {
        if (h->nlmsg_type != NLMSG_ERROR) continue;
        // Unsigned: a sequence number before first_seq (an answer to a
        // request abandoned earlier) wraps far out of range.
        const uint32_t index = h->nlmsg_seq - first_seq;
        if (index >= replies.size()) continue;
        BatchReply& r = replies[index];
        if (r.state == BatchReply::State::kAnswered) continue;
        const auto* err = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
        if (err->error != 0) CountKernelError(-err->error);
        r.state = BatchReply::State::kAnswered;
        r.error = KernelError{-err->error, ExtAckMessage(h)};
        --pending;
      }
    }
  }
  return true;
}

}  // namespace chaosnet::netlink
