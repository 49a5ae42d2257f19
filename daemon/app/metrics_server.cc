#include "daemon/app/metrics_server.h"

#include <spdlog/spdlog.h>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

namespace chaosnet::app {
namespace {

using boost::asio::ip::tcp;

// One connection: read the request head, answer, close.
class MetricsConnection : public std::enable_shared_from_this<MetricsConnection> {
 public:
  MetricsConnection(tcp::socket socket, api::Metrics& metrics)
      : socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        metrics_(metrics),
        head_(8192) {}

  void Start() {
    auto self = shared_from_this();
    timer_.expires_after(std::chrono::seconds(5));
    timer_.async_wait([self](const boost::system::error_code& ec) {
      if (!ec) self->socket_.close();
    });
    boost::asio::async_read_until(
        socket_, head_, "\r\n\r\n",
        [self](const boost::system::error_code& ec, std::size_t) { self->OnHead(ec); });
  }

 private:
  void OnHead(const boost::system::error_code& ec) {
    if (ec) return Close();
    std::string line(boost::asio::buffers_begin(head_.data()),
                     boost::asio::buffers_end(head_.data()));
    line = line.substr(0, line.find("\r\n"));
    std::string status = "200 OK", body, type = "text/plain; version=0.0.4; charset=utf-8";
    if (line.rfind("GET /metrics ", 0) == 0 || line == "GET /metrics") {
      body = metrics_.Render();
    } else {
      status = "404 Not Found";
      type = "text/plain; charset=utf-8";
      body = "only GET /metrics is served here\n";
    }
    reply_ = "HTTP/1.1 " + status + "\r\nContent-Type: " + type +
             "\r\nContent-Length: " + std::to_string(body.size()) +
             "\r\nConnection: close\r\n\r\n" + body;
    auto self = shared_from_this();
    boost::asio::async_write(
        socket_, boost::asio::buffer(reply_),
        [self](const boost::system::error_code&, std::size_t) { self->Close(); });
  }
  void Close() {
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  tcp::socket socket_;
  boost::asio::steady_timer timer_;
  api::Metrics& metrics_;
  boost::asio::streambuf head_;
  std::string reply_;
};

}  // namespace

Result<std::pair<std::string, uint16_t>> ParseListenAddress(const std::string& listen) {
  std::string host, port;
  if (!listen.empty() && listen.front() == '[') {
    auto close = listen.find("]:");
    if (close == std::string::npos) return InvalidArgument("\"" + listen + "\" is not [V6]:PORT");
    host = listen.substr(1, close - 1);
    port = listen.substr(close + 2);
  } else {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos || listen.find(':') != colon) {
      return InvalidArgument("\"" + listen + "\" is not HOST:PORT (write IPv6 as [addr]:port)");
    }
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
  }
  if (host.empty() || port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) > 65535) {
    return InvalidArgument("\"" + listen + "\" is not HOST:PORT with a port 0..65535");
  }
  return std::make_pair(host, static_cast<uint16_t>(std::stoul(port)));
}

Status ValidateListenAddress(const std::string& listen) {
  ASSIGN_OR_RETURN(const auto parsed, ParseListenAddress(listen));
  boost::system::error_code ec;
  boost::asio::ip::make_address(parsed.first, ec);
  if (ec) return InvalidArgument("\"" + parsed.first + "\" is not an IP address");
  return Status::Ok();
}

Result<std::unique_ptr<MetricsServer>> MetricsServer::Start(boost::asio::io_context& loop,
                                                            const std::string& listen,
                                                            api::Metrics& metrics) {
  auto parsed = ParseListenAddress(listen);
  if (!parsed.ok()) return InvalidArgument("--metrics-listen: " + parsed.status().message());
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(parsed->first, ec);
  if (ec)
    return InvalidArgument("--metrics-listen: \"" + parsed->first + "\" is not an IP address");
  tcp::acceptor acceptor(loop);
  tcp::endpoint endpoint(address, parsed->second);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(64, ec);
  if (ec) return Unavailable("--metrics-listen " + listen + ": " + ec.message());
  auto server = std::unique_ptr<MetricsServer>(new MetricsServer(std::move(acceptor), metrics));
  server->Accept();
  return server;
}

MetricsServer::MetricsServer(tcp::acceptor acceptor, api::Metrics& metrics)
    : acceptor_(std::move(acceptor)), metrics_(metrics) {}

void MetricsServer::Accept() {
  acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
    if (ec == boost::asio::error::operation_aborted) return;
    if (!ec) std::make_shared<MetricsConnection>(std::move(socket), metrics_)->Start();
    Accept();
  });
}

}  // namespace chaosnet::app
