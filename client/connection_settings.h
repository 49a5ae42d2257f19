// Turns the global options into how chaosnetctl talks to the daemon: the
// server address, the transport (Unix socket, mTLS, plaintext TCP) with its
// TLS files, the output format and the call timeout. Pure, like the request
// builder: a contradictory or incomplete TLS setup fails locally (exit 2),
// before any file is read or any connection made.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "client/options.h"
#include "common/result.h"

namespace chaosnet::client {

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

// "unix:/path", "unix:///path", "host:port", "[v6]:port".
Result<std::string> ParseServerAddress(std::string_view text);

}  // namespace chaosnet::client
