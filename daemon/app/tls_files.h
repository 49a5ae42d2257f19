// The mTLS listener's files (--tls-cert, --tls-key, --tls-client-ca), read and
// checked at start-up, so that a wrong path, a key that does not belong to
// the certificate or an expired certificate stops the daemon with a message
// instead of failing every handshake later.
#pragma once

#include <string>

#include "common/result.h"

namespace chaosnet::app {

// gRPC reads the files itself (and again when they change); this only checks
// them. Returns the subject of the daemon's certificate, for the log.
Result<std::string> CheckServerTlsFiles(const std::string& cert_path, const std::string& key_path,
                                        const std::string& client_ca_path);

}  // namespace chaosnet::app
