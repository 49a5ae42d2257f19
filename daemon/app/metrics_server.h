// The Prometheus endpoint (--metrics-listen HOST:PORT): plain HTTP, GET
// /metrics only, one request per connection, served from the event loop. A
// request head larger than 8 KiB or slower than 5 s is dropped, so a client
// cannot hold the loop or grow the daemon's memory.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "common/result.h"
#include "daemon/api/metrics.h"

namespace chaosnet::app {

class MetricsServer {
 public:
  // "127.0.0.1:9465", "[::1]:9465", "0.0.0.0:9465".
  static Result<std::unique_ptr<MetricsServer>> Start(boost::asio::io_context& loop,
                                                      const std::string& listen,
                                                      api::Metrics& metrics);
  uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  MetricsServer(boost::asio::ip::tcp::acceptor acceptor, api::Metrics& metrics);
  void Accept();

  boost::asio::ip::tcp::acceptor acceptor_;
  api::Metrics& metrics_;
};

// Splits "HOST:PORT" / "[V6]:PORT"; INVALID_ARGUMENT otherwise.
Result<std::pair<std::string, uint16_t>> ParseListenAddress(const std::string& listen);
// ParseListenAddress, and HOST must be an IP address: checked at start-up,
// before the daemon touches anything.
Status ValidateListenAddress(const std::string& listen);

}  // namespace chaosnet::app
