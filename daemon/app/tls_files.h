// The mTLS listener's files (--tls-cert, --tls-key, --tls-client-ca), read and
// checked at start-up, so that a wrong path, a key that does not belong to
// the certificate or an expired certificate stops the daemon with a message
// instead of failing every handshake later.
#pragma once

#include <string>

#include "common/result.h"

namespace chaosnet::app {

struct ServerTlsFiles {
  std::string certificate_chain;  // PEM
  std::string private_key;        // PEM
  std::string client_ca;          // PEM bundle of the CAs whose clients may connect
  std::string subject;            // of the daemon's certificate, for the log
};

Result<ServerTlsFiles> LoadServerTlsFiles(const std::string& cert_path, const std::string& key_path,
                                          const std::string& client_ca_path);

}  // namespace chaosnet::app
