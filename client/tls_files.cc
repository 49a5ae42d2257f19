#include "client/tls_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace chaosnet::client {
namespace {

// Far above any CA bundle (the system's is a few hundred KiB); stops a path
// such as /dev/zero from being read forever.
constexpr std::size_t kMaxPemBytes = 4 << 20;

Status CannotRead(std::string_view flag, const std::string& path, int error) {
  return InvalidArgument("cannot read " + std::string(flag) + " " + path + ": " +
                         std::strerror(error));
}

Result<std::string> ReadSmallFile(std::string_view flag, const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return CannotRead(flag, path, errno);
  std::string text;
  char buffer[16384];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;  // a directory fails here, with EISDIR
      ::close(fd);
      return CannotRead(flag, path, error);
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > kMaxPemBytes) {
      ::close(fd);
      return InvalidArgument(std::string(flag) + " " + path +
                             " is over 4 MiB, too big for a PEM file");
    }
  }
  ::close(fd);
  return text;
}

// The checks catch what gRPC would otherwise only report as a failed
// handshake: a DER file, the certificate and key swapped, an encrypted key.
Result<std::string> ReadCertificates(std::string_view flag, const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadSmallFile(flag, path));
  if (text.find("-----BEGIN ") == std::string::npos) {
    return InvalidArgument(std::string(flag) + " " + path +
                           " is not PEM (no \"-----BEGIN \" line; convert DER with openssl x509 "
                           "-inform der)");
  }
  if (text.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    return InvalidArgument(std::string(flag) + " " + path +
                           " holds no certificate (no \"-----BEGIN CERTIFICATE-----\" block)");
  }
  return text;
}

Result<std::string> ReadPrivateKey(std::string_view flag, const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadSmallFile(flag, path));
  if (text.find("-----BEGIN ") == std::string::npos) {
    return InvalidArgument(std::string(flag) + " " + path +
                           " is not PEM (no \"-----BEGIN \" line; convert DER with openssl pkey "
                           "-inform der)");
  }
  if (text.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string::npos ||
      text.find("Proc-Type: 4,ENCRYPTED") != std::string::npos) {
    return InvalidArgument(std::string(flag) + " " + path +
                           " is encrypted, and gRPC takes only a plain key (openssl pkey -in KEY "
                           "-out PLAIN-KEY)");
  }
  if (text.find("PRIVATE KEY-----") == std::string::npos) {
    return InvalidArgument(std::string(flag) + " " + path +
                           " holds no private key (no \"PRIVATE KEY-----\" block; is it the "
                           "certificate?)");
  }
  return text;
}

}  // namespace

Result<TlsPem> ReadTlsFiles(const Settings& settings) {
  TlsPem pem;
  if (settings.transport != Transport::kTls) return pem;
  ASSIGN_OR_RETURN(pem.root_certs, ReadCertificates("--tls-ca", settings.tls.ca_file));
  if (settings.tls.cert_file.empty()) return pem;
  ASSIGN_OR_RETURN(pem.cert_chain, ReadCertificates("--tls-cert", settings.tls.cert_file));
  ASSIGN_OR_RETURN(pem.private_key, ReadPrivateKey("--tls-key", settings.tls.key_file));
  return pem;
}

}  // namespace chaosnet::client
