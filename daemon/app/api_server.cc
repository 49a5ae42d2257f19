#include "daemon/app/api_server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <grpcpp/server_posix.h>
#include <grpcpp/support/channel_arguments.h>
#include <spdlog/spdlog.h>

#include "daemon/app/accept_loop.h"
#include "daemon/app/api_listeners.h"
#include "daemon/app/tls_files.h"
#include "daemon/app/user_database.h"

namespace chaosnet::app {
namespace {

constexpr int kBacklog = 1024;
using Acceptor = grpc::experimental::ExternalConnectionAcceptor;
using ConnectionType = grpc::ServerBuilder::experimental_type::ExternalConnectionType;

// uid -> name, looked up once per uid: a caller's name is for people reading
// records, its uid is what rules match.
class UserNames {
 public:
  const std::string& Of(uint32_t uid) {
    auto it = names_.find(uid);
    if (it != names_.end()) return it->second;
    if (names_.size() > 4096) names_.clear();
    return names_.emplace(uid, UserNameById(uid)).first->second;
  }

 private:
  std::map<uint32_t, std::string> names_;
};

struct TcpPort {
  TcpListener listener;
  bool tls = false;
  std::unique_ptr<Acceptor> acceptor;
  std::unique_ptr<AcceptLoop> loop;
};

}  // namespace

struct ApiServer::Impl {
  boost::asio::io_context& loop;
  ApiServerOptions options;
  state::UniqueFd unix_fd;
  std::unique_ptr<AcceptLoop> unix_loop;
  std::string tls_subject;  // of the daemon's certificate; "" without --listen
  std::vector<TcpPort> tcp;
  std::unique_ptr<grpc::Server> server;
  api::PeerRegistry peers;
  UserNames users;

  Impl(boost::asio::io_context& l, ApiServerOptions o) : loop(l), options(std::move(o)) {}

  void OnUnixConnection(int fd) {
    auto credentials = PeerCredentials(fd);
    if (!credentials.ok()) {
      spdlog::warn("unix:{}: dropping a connection: {}", options.socket_path,
                   credentials.status().message());
      ::close(fd);
      return;
    }
    credentials->user = users.Of(credentials->uid);
    spdlog::debug("connection from uid {} pid {} on fd {}", credentials->uid, credentials->pid, fd);
    peers.Register(fd, std::move(*credentials));
    grpc::AddInsecureChannelFromFd(server.get(), fd);
  }
};

ApiServer::ApiServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ApiServer::~ApiServer() = default;

Result<std::unique_ptr<ApiServer>> ApiServer::Bind(boost::asio::io_context& loop,
                                                   const ApiServerOptions& options) {
  auto impl = std::make_unique<Impl>(loop, options);
  const bool any_tls = !options.tls_listen.empty() || !options.tls_cert.empty() ||
                       !options.tls_key.empty() || !options.tls_client_ca.empty();
  if (any_tls) {
    if (options.tls_listen.empty() || options.tls_cert.empty() || options.tls_key.empty() ||
        options.tls_client_ca.empty()) {
      return InvalidArgument(
          "--listen needs --tls-cert, --tls-key and --tls-client-ca (clients must present a "
          "certificate from that CA), and those need --listen");
    }
    ASSIGN_OR_RETURN(impl->tls_subject,
                     CheckServerTlsFiles(options.tls_cert, options.tls_key, options.tls_client_ca));
  }

  ASSIGN_OR_RETURN(impl->unix_fd, BindUnixListener(options.socket_path, kBacklog));
  // Created under the daemon's umask (systemd's UMask=0077: owner only), then
  // opened to the group, never wider.
  if (options.socket_gid &&
      ::chown(options.socket_path.c_str(), static_cast<uid_t>(-1), *options.socket_gid) != 0) {
    return FailedPrecondition("cannot give " + options.socket_path + " to group " +
                              std::to_string(*options.socket_gid) + ": " + std::strerror(errno));
  }
  ::chmod(options.socket_path.c_str(), options.socket_mode);

  for (const auto& [listen, tls] :
       {std::pair{options.tls_listen, true}, std::pair{options.insecure_listen, false}}) {
    if (listen.empty()) continue;
    ASSIGN_OR_RETURN(auto bound,
                     BindTcpListener(listen, tls ? "--listen" : "--insecure-listen", kBacklog));
    impl->tcp.push_back(TcpPort{std::move(bound), tls, nullptr, nullptr});
  }
  return std::unique_ptr<ApiServer>(new ApiServer(std::move(impl)));
}

std::vector<uint16_t> ApiServer::tcp_ports() const {
  std::vector<uint16_t> ports;
  for (const auto& port : impl_->tcp) ports.push_back(port.listener.port);
  return ports;
}

Status ApiServer::Start(const std::vector<grpc::Service*>& services) {
  Impl& d = *impl_;
  // Server reflection (grpc.reflection.v1alpha) on every listener, so stock
  // tools list and call the API without the proto file. It only describes
  // the API, so read-only callers may use it too. The plugin is registered
  // globally and picked up by every ServerBuilder made after it: once.
  static std::once_flag reflection_once;
  std::call_once(reflection_once,
                 [] { grpc::reflection::InitProtoReflectionServerBuilderPlugin(); });
  grpc::ServerBuilder builder;
  // A keep-alive stream's client can vanish without closing its connection
  // (a network drop): HTTP/2 pings find that out, and the stream's end rolls
  // its faults back. A closed local socket is seen at once.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 10'000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10'000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  // What one client may cost: no request but a batch is legitimately large, and streams
  // that are never read stay bounded by the per-connection stream limit and
  // the reactors' own queues.
  builder.SetMaxReceiveMessageSize(d.options.max_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, d.options.max_concurrent_streams);
  // A TLS client that connects and never finishes its handshake is dropped.
  builder.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS, 10'000);
  grpc::ResourceQuota quota("chaosnetd");
  quota.Resize(d.options.memory_quota_bytes);
  builder.SetResourceQuota(quota);
  for (grpc::Service* service : services) builder.RegisterService(service);

  for (TcpPort& port : d.tcp) {
    std::shared_ptr<grpc::ServerCredentials> credentials;
    if (port.tls) {
      // The files were checked at Bind(); the watcher reads them again every
      // tls_reload_seconds, so a renewed certificate or CA bundle takes
      // effect for new connections without a restart.
      auto files = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
          d.options.tls_key, d.options.tls_cert, d.options.tls_client_ca,
          d.options.tls_reload_seconds);
      grpc::experimental::TlsServerCredentialsOptions tls(files);
      tls.watch_root_certs();
      tls.watch_identity_key_cert_pairs();
      tls.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
      credentials = grpc::experimental::TlsServerCredentials(tls);
    } else {
      credentials = grpc::InsecureServerCredentials();
    }
    port.acceptor =
        builder.experimental().AddExternalConnectionAcceptor(ConnectionType::FROM_FD, credentials);
  }
  d.server = builder.BuildAndStart();
  if (!d.server) return Unavailable("cannot start the gRPC server");

  d.unix_loop =
      std::make_unique<AcceptLoop>(d.loop, std::move(d.unix_fd), "unix:" + d.options.socket_path,
                                   [&d](int fd) { d.OnUnixConnection(fd); });
  d.unix_loop->Start();
  for (TcpPort& port : d.tcp) {
    Acceptor* acceptor = port.acceptor.get();
    const int listener_fd = port.listener.fd.get();
    port.loop = std::make_unique<AcceptLoop>(
        d.loop, std::move(port.listener.fd), port.listener.Address(),
        [acceptor, listener_fd](int fd) {
          grpc::experimental::ExternalConnectionAcceptor::NewConnectionParameters p;
          p.listener_fd = listener_fd;
          p.fd = fd;
          acceptor->HandleNewConnection(&p);
        });
    port.loop->Start();
    if (port.tls) {
      spdlog::info("serving mTLS on {} as {} (clients need a certificate from {})",
                   port.listener.Address(), d.tls_subject, d.options.tls_client_ca);
    } else {
      spdlog::warn(
          "serving PLAINTEXT on {} (--insecure-listen): anyone who can reach it can "
          "inject faults, and callers are known only by address",
          port.listener.Address());
    }
  }
  return Status::Ok();
}

void ApiServer::StopAccepting() {
  impl_->unix_loop.reset();
  for (TcpPort& port : impl_->tcp) port.loop.reset();
}

grpc::Server& ApiServer::server() { return *impl_->server; }

const api::PeerRegistry& ApiServer::peers() const { return impl_->peers; }

}  // namespace chaosnet::app
