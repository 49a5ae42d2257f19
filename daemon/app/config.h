// chaosnetd's settings, from its command line.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "daemon/core/access_policy.h"
#include "daemon/guard/guard_policy.h"
#include "daemon/plan/protected_traffic.h"

namespace chaosnet::app {

struct DaemonConfig {
  std::string socket_path = "/run/chaosnetd/chaosnetd.sock";
  // On /run: the journal need only outlive the daemon, not a reboot (which
  // takes every fault with it); daemon/state/README.md, "Why no fsync".
  std::string state_dir = "/run/chaosnetd/state";
  std::chrono::nanoseconds default_ttl = std::chrono::minutes(5);
  std::chrono::nanoseconds max_ttl = std::chrono::hours(24);
  unsigned socket_mode = 0660;
  // Group that may use the socket (--socket-group NAME or GID); "" = root's.
  std::string socket_group;
  std::string log_level = "info";
  // Traffic no fault touches (--protect); default: SSH.
  std::vector<plan::ProtectedRule> protected_rules = plan::DefaultProtectedRules();
  // What callers may fault, how hard, how many (--allow-/--deny-, --max-*).
  core::AccessPolicy policy;
  // JSON lines of every lease event and refused request (--audit-log); "" = none.
  std::string audit_log_path;
  // Prometheus endpoint (--metrics-listen HOST:PORT); "" = none.
  std::string metrics_listen;
  // Remote API over mTLS (--listen HOST:PORT with --tls-*); "" = none.
  std::string listen;
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;
  std::chrono::nanoseconds tls_reload = std::chrono::seconds(60);
  // Remote API in plaintext (--insecure-listen HOST:PORT); "" = none.
  std::string insecure_listen;
  // Where guards may connect, how many (--allow-guard-target, --max-guards*).
  guard::GuardPolicy guards;
};

}  // namespace chaosnet::app
