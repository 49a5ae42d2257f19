// The gRPC server and the sockets it serves: the Unix socket (where each
// caller is known by its kernel credentials), an optional mTLS TCP listener
// (--listen) and an optional plaintext one (--insecure-listen). Bind() takes
// the sockets before the daemon touches the kernel; Start() serves them.
// Limits on what one client may cost (message size, streams per connection,
// memory) are set here, once, for every transport.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "common/result.h"
#include "daemon/api/peer_registry.h"

namespace grpc {
class Server;
class Service;
}  // namespace grpc

namespace chaosnet::app {

struct ApiServerOptions {
  std::string socket_path;
  unsigned socket_mode = 0660;
  std::optional<gid_t> socket_gid;
  // mTLS: all four or none.
  std::string tls_listen;
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;
  // How often the three files are read again: certificates rotate without a
  // restart (what a short-lived certificate from an internal CA needs).
  unsigned tls_reload_seconds = 60;
  std::string insecure_listen;
  // A request larger than this is refused with RESOURCE_EXHAUSTED. Room for
  // a CreateFaults of 10,000 targeted faults (about 1 MiB), not much more:
  // the memory quota below bounds what many such requests at once cost.
  int max_message_bytes = 4 * 1024 * 1024;
  // Per HTTP/2 connection.
  int max_concurrent_streams = 128;
  // gRPC's buffers and per-call state, for all connections together.
  std::size_t memory_quota_bytes = 256u << 20;
};

class ApiServer {
 public:
  static Result<std::unique_ptr<ApiServer>> Bind(boost::asio::io_context& loop,
                                                 const ApiServerOptions& options);
  ~ApiServer();

  // TCP ports the API listens on (after a requested 0 is resolved): traffic
  // no fault may cut.
  std::vector<uint16_t> tcp_ports() const;

  // Builds the gRPC server with `services` and starts accepting. Loop thread.
  Status Start(const std::vector<grpc::Service*>& services);
  // Loop thread: no new connections from now on.
  void StopAccepting();
  grpc::Server& server();

  const api::PeerRegistry& peers() const;

 private:
  struct Impl;
  explicit ApiServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace chaosnet::app
