#include "client/commands.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <iostream>
#include <thread>

#include "client/apply_from.h"
#include "client/cli.h"
#include "client/connection_settings.h"
#include "client/fleet_command.h"
#include "client/format.h"
#include "client/format_link_models.h"
#include "client/request_builder.h"
#include "client/rpc.h"
#include "client/run_command.h"
#include "client/tls_files.h"

namespace chaosnet::client {
namespace {

Outcome LocalError(const Status& status) { return UsageError(status.message()); }

WallClock::time_point Now() { return WallClock::now(); }

Outcome Create(FaultClient& client, const Settings& s, const v1::CreateFaultRequest& request,
               std::ostream& out) {
  v1::CreateFaultResponse response;
  if (Outcome o = client.CreateFault(request, &response); !o.ok()) return o;
  if (s.output == OutputFormat::kJson) {
    out << ToJson(response.fault()) << "\n";
  } else {
    out << CreateText(response, Now());
  }
  return Outcome::Ok();
}

// revoke --all left some faults in place: a refusal (exit 1) saying which and why.
Outcome NotRevokedOutcome(const v1::RevokeAllFaultsResponse& response) {
  if (response.not_revoked().empty()) return Outcome::Ok();
  std::string message = std::to_string(response.not_revoked_size()) + " of " +
                        std::to_string(response.faults_size() + response.not_revoked_size()) +
                        " faults not revoked:";
  for (int i = 0; i < response.not_revoked_size(); ++i) {
    // Each reason names its fault, its owner and the flag that would allow it.
    message += std::string(i == 0 ? " " : "; ") + response.not_revoked(i).reason();
  }
  return {kExitServerError, message};
}

Outcome PrintFault(const Settings& s, const v1::Fault& fault, const char* verb, std::ostream& out) {
  if (s.output == OutputFormat::kJson) {
    out << ToJson(fault) << "\n";
  } else {
    out << FaultLine(fault, verb, Now());
  }
  return Outcome::Ok();
}

// SIGINT/SIGTERM end a watch cleanly (exit 0). The signals are blocked in every
// thread (so gRPC's threads, created later, inherit the mask) and collected by
// one thread with sigwait(), which may safely cancel the call; a handler may not.
class StopSignals {
 public:
  static constexpr int kWakeUp = SIGUSR2;

  StopSignals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, kWakeUp);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  }
  ~StopSignals() {
    if (thread_.joinable()) {
      pthread_kill(thread_.native_handle(), kWakeUp);
      thread_.join();
    }
  }

  void OnStop(FaultClient& client) {
    thread_ = std::thread([this, &client] {
      int signal = 0;
      if (sigwait(&set_, &signal) == 0 && signal != kWakeUp) client.Cancel();
    });
  }

 private:
  sigset_t set_;
  std::thread thread_;
};

Outcome Watch(const Settings& s, const TlsPem& pem, const WatchOptions& options,
              std::ostream& out) {
  StopSignals signals;  // before the channel exists: see StopSignals
  FaultClient client(s, pem);
  signals.OnStop(client);
  return client.Watch(BuildWatchRequest(options), [&](const v1::FaultEvent& event) {
    out << (s.output == OutputFormat::kJson ? ToJson(event) + "\n" : EventLine(event));
    out.flush();  // a watcher piped into another tool wants each event now
  });
}

}  // namespace

Outcome RunInvocation(const Invocation& inv, std::ostream& out, std::ostream& err) {
  auto settings = BuildSettings(inv.global);
  if (!settings.ok()) return LocalError(settings.status());
  const Settings& s = *settings;
  bool json = s.output == OutputFormat::kJson;
  // A missing certificate file is the user's to fix, like a typo (exit 2);
  // gRPC would only report it as a failed handshake.
  auto pem = ReadTlsFiles(s);
  if (!pem.ok()) return LocalError(pem.status());

  // Every request is built before connecting: bad input never reaches the daemon.
  switch (inv.command) {
    case Command::kCreate: {
      auto request = BuildCreateRequest(inv.create);
      if (!request.ok()) return LocalError(request.status());
      FaultClient client(s, *pem);
      return Create(client, s, *request, out);
    }
    case Command::kList: {
      auto request = BuildListRequest(inv.list);
      if (!request.ok()) return LocalError(request.status());
      FaultClient client(s, *pem);
      v1::ListFaultsResponse response;
      if (Outcome o = client.ListFaults(*request, &response); !o.ok()) return o;
      out << (json ? FaultsToJson(response.faults()) + "\n" : FaultTable(response.faults(), Now()));
      return Outcome::Ok();
    }
    case Command::kGet: {
      auto request = BuildGetRequest(inv.lease);
      if (!request.ok()) return LocalError(request.status());
      FaultClient client(s, *pem);
      v1::Fault fault;
      if (Outcome o = client.GetFault(*request, &fault); !o.ok()) return o;
      out << (json ? ToJson(fault) + "\n" : FaultDetails(fault, Now()));
      return Outcome::Ok();
    }
    case Command::kExtend: {
      auto request = BuildExtendRequest(inv.lease);
      if (!request.ok()) return LocalError(request.status());
      FaultClient client(s, *pem);
      v1::Fault fault;
      if (Outcome o = client.ExtendFault(*request, &fault); !o.ok()) return o;
      return PrintFault(s, fault, "extended", out);
    }
    case Command::kRevoke: {
      auto request = BuildRevokeRequest(inv.lease);
      if (!request.ok()) return LocalError(request.status());
      FaultClient client(s, *pem);
      v1::Fault fault;
      if (Outcome o = client.RevokeFault(*request, &fault); !o.ok()) return o;
      return PrintFault(s, fault, "revoked", out);
    }
    case Command::kRevokeAll: {
      auto request = BuildRevokeAllRequest(inv.lease);
      if (!request.ok()) return LocalError(request.status());
      FaultClient client(s, *pem);
      v1::RevokeAllFaultsResponse response;
      if (Outcome o = client.RevokeAllFaults(*request, &response); !o.ok()) return o;
      if (json) {
        out << FaultsToJson(response.faults()) << "\n";
      } else if (response.faults().empty() && response.not_revoked().empty()) {
        out << "no active faults to revoke\n";
      } else {
        for (const auto& fault : response.faults()) out << FaultLine(fault, "revoked", Now());
        for (const auto& left : response.not_revoked()) out << NotRevokedLine(left);
      }
      return NotRevokedOutcome(response);
    }
    case Command::kWatch: return Watch(s, *pem, inv.watch, out);
    case Command::kRun: {
      auto request = BuildCreateRequest(inv.create);
      if (!request.ok()) return LocalError(request.status());
      out.flush();
      return RunHoldingFault(s, *pem, *request, inv.run.command, inv.run.halt_kills, err);
    }
    case Command::kProfiles: {
      FaultClient client(s, *pem);
      v1::ListProfilesResponse response;
      if (Outcome o = client.ListProfiles(&response); !o.ok()) return o;
      out << (json ? ToJson(response) + "\n" : ProfilesText(response));
      return Outcome::Ok();
    }
    case Command::kFleetApply:
    case Command::kFleetStatus:
    case Command::kFleetHeal: return RunFleetCommand(inv, s, out, err);
    case Command::kApplyFrom: {
      FaultClient client(s, *pem);
      return ApplyFrom(inv.create.from, inv.create.dry_run, s, client, std::cin, out);
    }
    case Command::kInfo: {
      FaultClient client(s, *pem);
      v1::Info info;
      if (Outcome o = client.GetInfo(&info); !o.ok()) return o;
      out << (json ? ToJson(info) + "\n" : InfoText(info, Now()));
      return Outcome::Ok();
    }
  }
  return UsageError("unknown command");
}

int Main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto parsed = ParseCommandLine(args, out);
  Outcome outcome = std::holds_alternative<Outcome>(parsed)
                        ? std::get<Outcome>(parsed)
                        : RunInvocation(std::get<Invocation>(parsed), out, err);
  out.flush();
  // run passes the command's failing status through without a message.
  if (!outcome.ok() && !outcome.message.empty()) {
    // Exactly one line, whatever the server or gRPC put into the message.
    std::string message = outcome.message;
    std::replace(message.begin(), message.end(), '\n', ' ');
    err << "chaosnetctl: " << message << std::endl;
  }
  return outcome.exit_code;
}

}  // namespace chaosnet::client
