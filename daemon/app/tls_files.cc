#include "daemon/app/tls_files.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

namespace chaosnet::app {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;

Result<std::string> ReadFile(const std::string& flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument(flag + " " + path + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

BioPtr MemoryBio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

std::string OpenSslError() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "not PEM";
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return text;
}

std::string Subject(X509* cert) {
  BioPtr out(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(out.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long length = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

// The certificate's validity, checked now: an expired server certificate
// fails every handshake, so it is refused at start-up instead.
Status CheckDates(const std::string& flag, const std::string& path, X509* cert) {
  if (X509_cmp_current_time(X509_get0_notBefore(cert)) > 0) {
    return FailedPrecondition(flag + " " + path + " is not valid yet");
  }
  if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0) {
    return FailedPrecondition(flag + " " + path + " has expired");
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> CheckServerTlsFiles(const std::string& cert_path, const std::string& key_path,
                                        const std::string& client_ca_path) {
  ASSIGN_OR_RETURN(const std::string cert, ReadFile("--tls-cert", cert_path));
  ASSIGN_OR_RETURN(const std::string key, ReadFile("--tls-key", key_path));
  ASSIGN_OR_RETURN(const std::string ca, ReadFile("--tls-client-ca", client_ca_path));

  X509Ptr leaf(PEM_read_bio_X509(MemoryBio(cert).get(), nullptr, nullptr, nullptr));
  if (!leaf) {
    return InvalidArgument("--tls-cert " + cert_path + ": no PEM certificate (" + OpenSslError() +
                           ")");
  }
  RETURN_IF_ERROR(CheckDates("--tls-cert", cert_path, leaf.get()));
  KeyPtr private_key(PEM_read_bio_PrivateKey(MemoryBio(key).get(), nullptr, nullptr, nullptr));
  if (!private_key) {
    return InvalidArgument("--tls-key " + key_path + ": no unencrypted PEM private key (" +
                           OpenSslError() + ")");
  }
  if (X509_check_private_key(leaf.get(), private_key.get()) != 1) {
    ERR_clear_error();
    return InvalidArgument("--tls-key " + key_path + " is not the key of --tls-cert " + cert_path);
  }
  BioPtr ca_bio = MemoryBio(ca);
  int ca_count = 0;
  while (X509Ptr ca_cert{PEM_read_bio_X509(ca_bio.get(), nullptr, nullptr, nullptr)}) ++ca_count;
  ERR_clear_error();
  if (ca_count == 0) {
    return InvalidArgument("--tls-client-ca " + client_ca_path + ": no PEM certificate");
  }
  return Subject(leaf.get());
}

}  // namespace chaosnet::app
