#include "client/connection_settings.h"

#include <vector>

#include "client/flag_values.h"

namespace chaosnet::client {
namespace {

// "a", "a and b", "a, b and c".
std::string JoinedAnd(const std::vector<std::string>& words) {
  std::string text;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) text += i + 1 == words.size() ? " and " : ", ";
    text += words[i];
  }
  return text;
}

// An environment variable fills the same field as its flag, so it is named by
// the flag here; the messages say where else it may come from.
std::vector<std::string> TlsFlagsGiven(const GlobalOptions& g) {
  std::vector<std::string> given;
  if (!g.tls_ca.empty()) given.push_back("--tls-ca");
  if (!g.tls_cert.empty()) given.push_back("--tls-cert");
  if (!g.tls_key.empty()) given.push_back("--tls-key");
  if (!g.tls_server_name.empty()) given.push_back("--tls-server-name");
  return given;
}

Status ChooseTransport(const GlobalOptions& g, Settings* settings) {
  if (settings->server.starts_with("unix:")) {
    // The TLS variables may be exported for remote daemons in the whole shell;
    // a local socket needs none of them, and --insecure changes nothing here.
    settings->transport = Transport::kUnixSocket;
    return Status::Ok();
  }
  const std::vector<std::string> tls_flags = TlsFlagsGiven(g);
  if (g.insecure) {
    if (!tls_flags.empty()) {
      return InvalidArgument("--insecure contradicts " + JoinedAnd(tls_flags) +
                             " (flags or their CHAOSNET_TLS_* variables): drop --insecure to "
                             "use TLS, or the TLS settings for a plaintext connection");
    }
    settings->transport = Transport::kPlaintextTcp;
    return Status::Ok();
  }
  if (!g.tls_cert.empty() && g.tls_key.empty()) {
    return InvalidArgument("--tls-cert needs --tls-key, the private key of that certificate");
  }
  if (g.tls_cert.empty() && !g.tls_key.empty()) {
    return InvalidArgument("--tls-key needs --tls-cert, the certificate of that key");
  }
  if (g.tls_ca.empty()) {
    if (!tls_flags.empty()) {
      // Without a CA, gRPC would fall back to the system's roots, which never
      // signed a chaosnetd certificate; the user meant their own CA.
      return InvalidArgument(JoinedAnd(tls_flags) + (tls_flags.size() == 1 ? " needs" : " need") +
                             " --tls-ca, the CA bundle that signed the daemon's certificate "
                             "(it is always verified)");
    }
    return InvalidArgument("--server " + settings->server +
                           " is a TCP address: give --tls-ca (and --tls-cert/--tls-key) for the "
                           "daemon's mTLS listener, or --insecure for a plaintext one");
  }
  settings->transport = Transport::kTls;
  settings->tls = {g.tls_ca, g.tls_cert, g.tls_key, g.tls_server_name};
  return Status::Ok();
}

}  // namespace

Result<Settings> BuildSettings(const GlobalOptions& global) {
  Settings settings;
  ASSIGN_OR_RETURN(settings.server, ParseServerAddress(global.server));
  if (global.output == "table") {
    settings.output = OutputFormat::kTable;
  } else if (global.output == "json") {
    settings.output = OutputFormat::kJson;
  } else {
    return FlagError("output", "unknown \"" + global.output + "\" (use table or json)");
  }
  ASSIGN_OR_RETURN(settings.timeout, ParseFlagDuration("timeout", global.timeout));
  RETURN_IF_ERROR(ChooseTransport(global, &settings));
  return settings;
}

Result<std::string> ParseServerAddress(std::string_view text) {
  static constexpr char kHint[] = " (use unix:PATH or HOST:PORT)";
  if (text.rfind("unix:", 0) == 0) {
    if (text.size() == 5)
      return FlagError("server", "unix: needs a socket path" + std::string(kHint));
    return std::string(text);
  }
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return FlagError("server", "\"" + std::string(text) + "\" has no port" + kHint);
  }
  auto port = ParseUnsigned("server", text.substr(colon + 1), 65535);
  if (!port.ok() || *port == 0) {
    return FlagError("server", "\"" + std::string(text) + "\" has no valid port" + kHint);
  }
  std::string_view host = text.substr(0, colon);
  // A bare IPv6 address has colons of its own and must be bracketed.
  if (host.find(':') != std::string_view::npos && host.front() != '[') {
    return FlagError("server", "write IPv6 addresses in brackets, e.g. [::1]:7070");
  }
  return std::string(text);
}

}  // namespace chaosnet::client
