// How a batch of netlink requests is cut into the pieces that each go in one
// sendmsg. Pure: sizes in, boundaries out.
//
// The kernel handles a sendmsg's messages one after another inside the call,
// and queues one ack per message on the sender's socket without waiting for
// room (netlink_ack uses MSG_DONTWAIT): acks beyond the receive buffer are
// dropped and the next read fails with ENOBUFS. So a piece is bounded both in
// bytes (what one sendmsg may carry, sk_sndbuf) and in messages (how many acks
// the receive buffer holds; each ack is its own skb of about 1 KiB truesize).
#pragma once

#include <cstddef>
#include <vector>

namespace chaosnet::netlink {

struct ChunkLimits {
  std::size_t max_bytes = 64 * 1024;
  std::size_t max_messages = 128;
};

// The limits for a socket whose receive buffer is `rcvbuf_bytes` as the
// kernel reports it (SO_RCVBUF, already doubled): 2 KiB of it per ack, at
// least 8 and at most 128 messages.
ChunkLimits LimitsForReceiveBuffer(std::size_t rcvbuf_bytes);

// Half-open index ranges [first, last) over `sizes` (the messages' lengths,
// already aligned), in order, covering all of them. A message larger than
// max_bytes goes alone. Empty for no messages.
struct Chunk {
  std::size_t first = 0;
  std::size_t last = 0;
  bool operator==(const Chunk&) const = default;
};
std::vector<Chunk> SplitIntoChunks(const std::vector<std::size_t>& sizes,
                                   const ChunkLimits& limits);

}  // namespace chaosnet::netlink
