// Accepts connections on a listening socket from the event loop and hands
// each one, non-blocking and close-on-exec, to `on_connection`, which owns it
// from then on. When the daemon runs out of file descriptors (thousands of
// clients), accepting pauses for a moment instead of spinning, and the
// connections already served go on being served.
#pragma once

#include <functional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/state/unique_fd.h"

namespace chaosnet::app {

class AcceptLoop {
 public:
  // `name` says which listener in logs ("unix:/run/chaosnetd/chaosnetd.sock").
  AcceptLoop(boost::asio::io_context& loop, state::UniqueFd listener, std::string name,
             std::function<void(int fd)> on_connection);
  ~AcceptLoop();
  AcceptLoop(const AcceptLoop&) = delete;
  AcceptLoop& operator=(const AcceptLoop&) = delete;

  void Start();

 private:
  void Wait();
  void AcceptReady();

  boost::asio::posix::stream_descriptor listener_;
  boost::asio::steady_timer pause_;
  std::string name_;
  std::function<void(int fd)> on_connection_;
  uint64_t refusals_ = 0;
};

}  // namespace chaosnet::app
