// Turns the argument model into API requests. Pure: every unit, port, CIDR and
// label is parsed here, so a typo fails locally (exit 2) and never reaches the
// daemon. Errors are INVALID_ARGUMENT whose message names the flag.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "chaosnet/v1/chaosnet.pb.h"
#include "client/options.h"
#include "common/result.h"

namespace chaosnet::client {

namespace v1 = ::chaosnet::v1;

enum class OutputFormat { kTable, kJson };

// A unix: socket is guarded by its file mode; over TCP the daemon is trusted
// only through mTLS, unless it was started with a plaintext --insecure-listen.
enum class Transport { kUnixSocket, kTls, kPlaintextTcp };

// File paths as typed: they are read when connecting (client/tls_files.h), so
// that this builder stays pure.
struct TlsSettings {
  std::string ca_file;    // always set: the daemon's certificate is verified
  std::string cert_file;  // with key_file, or neither (then no client certificate)
  std::string key_file;
  std::string server_name;  // checked in the daemon's certificate instead of the --server host
};

struct Settings {
  std::string server;  // a gRPC target: "unix:/path" or "host:port"
  OutputFormat output = OutputFormat::kTable;
  std::chrono::nanoseconds timeout{std::chrono::seconds(10)};
  Transport transport = Transport::kUnixSocket;
  TlsSettings tls;  // only for Transport::kTls
};

Result<Settings> BuildSettings(const GlobalOptions& global);

Result<v1::CreateFaultRequest> BuildCreateRequest(const CreateOptions& options);
Result<v1::ListFaultsRequest> BuildListRequest(const ListOptions& options);
Result<v1::GetFaultRequest> BuildGetRequest(const LeaseOptions& options);
Result<v1::ExtendFaultRequest> BuildExtendRequest(const LeaseOptions& options);
Result<v1::RevokeFaultRequest> BuildRevokeRequest(const LeaseOptions& options);
Result<v1::RevokeAllFaultsRequest> BuildRevokeAllRequest(const LeaseOptions& options);
v1::WatchRequest BuildWatchRequest(const WatchOptions& options);

// Building blocks, exposed for tests.
Result<std::map<std::string, std::string>> ParseLabels(const std::vector<std::string>& pairs);
// "80" or "8000-8100", ports 1..65535.
Result<v1::PortRange> ParsePortRange(std::string_view flag, std::string_view text);
// "10.0.0.0/8", "2001:db8::/32" or a bare address; returned unchanged when valid.
Result<std::string> ParseCidr(std::string_view flag, std::string_view text);
// "unix:/path", "unix:///path", "host:port", "[v6]:port".
Result<std::string> ParseServerAddress(std::string_view text);

}  // namespace chaosnet::client
