#include "daemon/app/accept_loop.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

namespace chaosnet::app {

AcceptLoop::AcceptLoop(boost::asio::io_context& loop, state::UniqueFd listener, std::string name,
                       std::function<void(int fd)> on_connection)
    : listener_(loop),
      pause_(loop),
      name_(std::move(name)),
      on_connection_(std::move(on_connection)) {
  // Ownership moves to the descriptor object, which closes it.
  listener_.assign(listener.Release());
}

AcceptLoop::~AcceptLoop() {
  boost::system::error_code ignored;
  listener_.close(ignored);
}

void AcceptLoop::Start() { Wait(); }

void AcceptLoop::Wait() {
  listener_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                       [this](const boost::system::error_code& ec) {
                         if (!ec) AcceptReady();
                       });
}

void AcceptLoop::AcceptReady() {
  // Drain the backlog: one wake-up may stand for many connections.
  for (int burst = 0; burst < 256; ++burst) {
    int fd = ::accept4(listener_.native_handle(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      on_connection_(fd);
      continue;
    }
    const int err = errno;
    if (err == EAGAIN || err == EWOULDBLOCK) break;
    if (err == EINTR || err == ECONNABORTED || err == EPROTO) continue;
    if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
      // Out of descriptors or memory: the pending connections wait in the
      // backlog (or time out) while the daemon keeps serving the others.
      if (refusals_++ % 100 == 0) {
        spdlog::warn("{}: cannot accept a connection ({}); pausing 100ms ({} time(s) so far)",
                     name_, std::strerror(err), refusals_);
      }
      pause_.expires_after(std::chrono::milliseconds(100));
      pause_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) Wait();
      });
      return;
    }
    spdlog::error("{}: accept failed: {}", name_, std::strerror(err));
    break;
  }
  Wait();
}

}  // namespace chaosnet::app
