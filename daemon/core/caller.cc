#include "daemon/core/caller.h"

namespace chaosnet::core {

std::string Caller::Describe() const {
  if (local) return principal + " pid " + std::to_string(local->pid);
  return principal;
}

Caller LocalCaller(const LocalCredentials& credentials) {
  Caller c;
  c.transport = Caller::Transport::kUnix;
  c.identity = model::UidIdentity(credentials.uid);
  c.principal = "uid:" + std::to_string(credentials.uid);
  if (!credentials.user.empty()) c.principal += "(" + credentials.user + ")";
  c.local = credentials;
  return c;
}

Caller CertificateCaller(std::string subject, std::string common_name, std::string address) {
  Caller c;
  c.transport = Caller::Transport::kTls;
  c.identity = model::CertificateIdentity(subject);
  c.principal = "x509:" + subject;
  c.subject = std::move(subject);
  c.common_name = std::move(common_name);
  c.address = std::move(address);
  return c;
}

Caller PlaintextCaller(std::string address) {
  Caller c;
  c.transport = Caller::Transport::kPlaintextTcp;
  c.identity = model::AddressIdentity(address);
  c.principal = "tcp:" + address;
  c.address = std::move(address);
  return c;
}

Caller UnknownCaller(std::string peer) {
  Caller c;
  c.principal = "unknown:" + peer;
  return c;
}

}  // namespace chaosnet::core
