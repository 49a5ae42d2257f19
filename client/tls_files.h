// Reading the certificate files a TLS connection is made from. Apart from the
// request builder, which stays pure, and before gRPC, which would report a
// missing or malformed file only as a failed handshake: here it is a local
// error (exit 2) naming the flag and the path.
#pragma once

#include <string>

#include "client/connection_settings.h"
#include "common/result.h"

namespace chaosnet::client {

// PEM text, as gRPC's SslCredentialsOptions takes it.
struct TlsPem {
  std::string root_certs;
  std::string cert_chain;   // empty: no client certificate
  std::string private_key;  // empty exactly when cert_chain is
};

// Reads the files settings.tls names. Nothing is read, and the result is empty,
// unless settings.transport is Transport::kTls.
Result<TlsPem> ReadTlsFiles(const Settings& settings);

}  // namespace chaosnet::client
