// One NETLINK_ROUTE socket (RAII over libnl's nl_sock), the one function that
// sends any request and collects the kernel's answer, and the one that sends
// many requests in one sendmsg and collects an answer for each. Extended acks
// are on, so errors come with the kernel's own text. Not thread-safe: one owner.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "common/result.h"
#include "daemon/netlink/netlink_errors.h"
#include "daemon/netlink/nl_message.h"

struct nl_sock;
struct nlmsghdr;

namespace chaosnet::netlink {

class NetlinkSocket {
 public:
  // Connects in the calling thread's current network namespace.
  static Result<NetlinkSocket> Open();

  // Sends `request` (filling seq and port id) and reads until the kernel's
  // ACK, error or end of dump. Every data message of the answer (a dump's
  // entries, a GET's reply) goes to `on_reply` if given.
  using ReplyHandler = std::function<void(const nlmsghdr*)>;
  KernelError Transact(NlMessage& request, const ReplyHandler& on_reply = nullptr);

  // What became of one request of a batch.
  struct BatchReply {
    enum class State {
      kAnswered,  // `error` is the kernel's answer (0: done)
      kNoAnswer,  // sent, but its ack was lost (the socket overran or failed):
                  // it may or may not have been applied
      kNotSent,   // an earlier piece failed; the kernel never saw it
    };
    State state = State::kNotSent;
    KernelError error;
    bool MayHaveApplied() const {
      return state == State::kNoAnswer || (state == State::kAnswered && error.ok());
    }
  };

  // Sends `requests` (changes, not GETs or dumps: their replies are not
  // read) in as few sendmsg calls as the socket's buffers allow
  // (batch_chunks.h), each with its own sequence number and NLM_F_ACK, and
  // reads every piece's acks before the next piece goes. The kernel applies
  // the messages of a piece in order and goes on after a failed one, so every
  // request gets its own answer: one reply per request, in order. After a
  // send or receive failure the rest is kNotSent (or kNoAnswer for the piece
  // in flight), with EIO and the reason in `error`.
  std::vector<BatchReply> TransactBatch(std::span<NlMessage> requests);

  nl_sock* get() const { return sock_.get(); }

 private:
  struct Free {
    void operator()(nl_sock* s) const;
  };
  explicit NetlinkSocket(nl_sock* s) : sock_(s) {}
  // Reads until each of `replies` (the requests sent with sequence numbers
  // first_seq, first_seq + 1, ...) has its ack; false when a receive failed
  // (those without an ack are then kNoAnswer).
  bool ReadAcks(uint32_t first_seq, std::span<BatchReply> replies);

  std::unique_ptr<nl_sock, Free> sock_;
  std::size_t rcvbuf_bytes_ = 0;             // SO_RCVBUF as the kernel granted it
  std::vector<unsigned char> batch_buffer_;  // one piece's messages, kept between batches
  std::vector<unsigned char> ack_buffer_;    // recvmmsg slots for the acks
};

}  // namespace chaosnet::netlink
