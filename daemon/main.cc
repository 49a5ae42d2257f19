// chaosnetd: the privileged network-fault daemon.
#include <iostream>
#include <tuple>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "common/units.h"
#include "daemon/app/daemon.h"
#include "daemon/app/metrics_server.h"
#include "daemon/app/user_database.h"
#include "daemon/core/caller_pattern.h"
#include "daemon/plan/protected_traffic.h"

namespace {

// A CLI11 validator that parses a duration flag ("30s", "5m") into `out`.
CLI::Validator DurationInto(std::chrono::nanoseconds& out) {
  return CLI::Validator(
      [&out](std::string& text) -> std::string {
        auto parsed = chaosnet::units::ParseDuration(text);
        if (!parsed.ok()) return parsed.status().message();
        out = *parsed;
        return {};
      },
      "DURATION");
}

}  // namespace

int main(int argc, char** argv) {
  chaosnet::app::DaemonConfig config;
  CLI::App app{"chaosnetd: network faults under leases, driven through netlink"};
  app.set_version_flag("--version", std::string(CHAOSNET_VERSION));
  app.add_option("--socket", config.socket_path, "Unix socket of the API")->capture_default_str();
  app.add_option("--socket-group", config.socket_group,
                 "Group allowed to use the API socket (mode 0660); default: root only");
  app.add_option("--state-dir", config.state_dir, "Directory for the daemon's state")
      ->capture_default_str();
  std::string default_ttl = "5m", max_ttl = "24h";
  app.add_option("--default-ttl", default_ttl, "Lease length when a request names none")
      ->capture_default_str()
      ->check(DurationInto(config.default_ttl));
  app.add_option("--max-ttl", max_ttl, "Longest lease a request may ask for")
      ->capture_default_str()
      ->check(DurationInto(config.max_ttl));
  app.add_option("--log-level", config.log_level, "trace, debug, info, warn, error")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  std::vector<std::string> protect;
  app.add_option("--protect", protect,
                 "Traffic no fault may touch, repeatable: PORT, PROTO:PORT, PORT-PORT, CIDR or "
                 "CIDR:PORT (default: tcp:22). Give 'none' to protect nothing")
      ->take_all();
  auto& policy = config.policy;
  app.add_option("--allow-interface", policy.allow_interfaces,
                 "Only interfaces matching this glob may be faulted (repeatable)")
      ->take_all();
  app.add_option("--deny-interface", policy.deny_interfaces,
                 "Interfaces matching this glob may not be faulted (repeatable; wins over allow)")
      ->take_all();
  app.add_option("--allow-netns", policy.allow_netns,
                 "Only these network namespaces (globs over --netns values) may be faulted")
      ->take_all();
  app.add_option("--deny-netns", policy.deny_netns,
                 "Network namespaces (globs) that may not be faulted (repeatable)")
      ->take_all();
  std::string max_delay, max_loss;
  app.add_option("--max-delay", max_delay, "Largest delay (latency + jitter) a fault may add");
  app.add_option("--max-loss", max_loss,
                 "Largest loss a fault may cause, e.g. 50% (a partition is 100%)");
  app.add_option("--max-faults", policy.max_faults, "Live faults at most (0: no limit)")
      ->capture_default_str();
  app.add_option("--max-faults-per-caller", policy.max_faults_per_caller,
                 "Live faults at most per caller identity (0: no limit)")
      ->capture_default_str();
  app.add_option("--audit-log", config.audit_log_path,
                 "Append a JSON line per lease event and refused request to this file");
  app.add_option("--metrics-listen", config.metrics_listen,
                 "Serve Prometheus metrics over HTTP at HOST:PORT (GET /metrics)");
  app.add_option("--listen", config.listen,
                 "Serve the API to remote callers over mTLS at HOST:PORT (needs --tls-cert, "
                 "--tls-key, --tls-client-ca)");
  app.add_option("--tls-cert", config.tls_cert, "PEM certificate (chain) of the --listen port");
  app.add_option("--tls-key", config.tls_key, "PEM private key of --tls-cert");
  app.add_option("--tls-client-ca", config.tls_client_ca,
                 "PEM CA bundle: only clients with a certificate it signed may connect");
  std::string tls_reload = "60s";
  app.add_option("--tls-reload", tls_reload,
                 "Read the TLS files again this often, so renewed certificates take effect")
      ->capture_default_str()
      ->check(DurationInto(config.tls_reload));
  app.add_option("--insecure-listen", config.insecure_listen,
                 "Serve the API in PLAINTEXT at HOST:PORT: no authentication, for labs only");
  std::vector<std::string> read_only;
  app.add_option("--read-only", read_only,
                 "Callers that may only get, list, watch and read info (repeatable): uid:N, "
                 "user:NAME, gid:N, group:NAME, cn:GLOB, subject:GLOB, tcp:GLOB or *")
      ->take_all();
  std::vector<std::string> admins;
  app.add_option("--admin", admins,
                 "Callers who may extend, bind and revoke faults of others, not only their own "
                 "(repeatable; patterns as for --read-only; root always may)")
      ->take_all();
  std::string revoke_others = "any";
  app.add_option("--revoke-others", revoke_others,
                 "Who may revoke a fault someone else owns: any caller allowed to write, or only "
                 "its owner and admins")
      ->capture_default_str()
      ->check(CLI::IsMember({"any", "owner"}));
  std::vector<std::string> guard_targets;
  app.add_option("--allow-guard-target", guard_targets,
                 "Where tcp: and http:// guards may connect (repeatable): CIDR or CIDR:PORTS, "
                 "e.g. 10.0.0.0/24:8080 (default: none, so only counter guards are accepted)")
      ->take_all();
  app.add_option("--max-guards-per-fault", config.guards.max_per_fault,
                 "Guards one fault may carry at most")
      ->capture_default_str();
  app.add_option("--max-guards", config.guards.max_total, "Guards of all live faults at most")
      ->capture_default_str();
  app.set_config("--config", "", "Read these options from a TOML/INI file (key = value)");
  // A misspelt key in the file must stop the daemon, not be dropped silently.
  app.allow_config_extras(false);
  bool cleanup = false;
  app.add_flag("--cleanup", cleanup,
               "Remove every chaosnet-owned qdisc left in this network namespace, then exit");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (config.default_ttl > config.max_ttl) {
    std::cerr << "chaosnetd: --default-ttl " << default_ttl << " is above --max-ttl " << max_ttl
              << "\n";
    return 2;
  }
  if (!config.metrics_listen.empty()) {
    if (auto s = chaosnet::app::ValidateListenAddress(config.metrics_listen); !s.ok()) {
      std::cerr << "chaosnetd: --metrics-listen " << config.metrics_listen << ": " << s.message()
                << "\n";
      return 2;
    }
  }
  if (!max_delay.empty()) {
    auto d = chaosnet::units::ParseDuration(max_delay);
    if (!d.ok() || *d <= std::chrono::nanoseconds::zero()) {
      std::cerr << "chaosnetd: --max-delay " << max_delay << ": "
                << (d.ok() ? "must be positive" : d.status().message()) << "\n";
      return 2;
    }
    policy.max_delay = *d;
  }
  if (!max_loss.empty()) {
    auto p = chaosnet::units::ParsePercent(max_loss);
    if (!p.ok()) {
      std::cerr << "chaosnetd: --max-loss " << max_loss << ": " << p.status().message() << "\n";
      return 2;
    }
    policy.max_loss_percent = *p;
  }
  if (config.tls_reload < std::chrono::seconds(1)) {
    std::cerr << "chaosnetd: --tls-reload " << tls_reload << ": at least 1s\n";
    return 2;
  }
  for (auto [flag, texts, patterns] : {std::tuple{"--read-only", &read_only, &policy.read_only},
                                       std::tuple{"--admin", &admins, &policy.admins}}) {
    for (const auto& text : *texts) {
      auto pattern = chaosnet::core::ParseCallerPattern(text, chaosnet::app::UserIdByName,
                                                        chaosnet::app::GroupIdByName);
      if (!pattern.ok()) {
        std::cerr << "chaosnetd: " << flag << " " << text << ": " << pattern.status().message()
                  << "\n";
        return 2;
      }
      patterns->push_back(*pattern);
    }
  }
  policy.revoke_others = revoke_others == "owner" ? chaosnet::core::RevokeOthers::kOwner
                                                  : chaosnet::core::RevokeOthers::kAny;
  for (const auto* flag : {&config.listen, &config.insecure_listen}) {
    if (flag->empty()) continue;
    if (auto s = chaosnet::app::ValidateListenAddress(*flag); !s.ok()) {
      std::cerr << "chaosnetd: " << (flag == &config.listen ? "--listen " : "--insecure-listen ")
                << *flag << ": " << s.message() << "\n";
      return 2;
    }
  }
  if (!protect.empty()) {
    config.protected_rules.clear();
    for (const auto& text : protect) {
      if (text == "none") continue;
      auto rule = chaosnet::plan::ParseProtectedRule(text);
      if (!rule.ok()) {
        std::cerr << "chaosnetd: --protect " << text << ": " << rule.status().message() << "\n";
        return 2;
      }
      config.protected_rules.push_back(*rule);
    }
  }
  for (const auto& text : guard_targets) {
    auto target = chaosnet::guard::ParseAllowedTarget(text);
    if (!target.ok()) {
      std::cerr << "chaosnetd: " << target.status().message() << "\n";
      return 2;
    }
    config.guards.allowed_targets.push_back(*target);
  }
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  return cleanup ? chaosnet::app::RunCleanup() : chaosnet::app::RunDaemon(config);
}
