#include "daemon/api/audit_log.h"

#include <ctime>

#include <spdlog/sinks/basic_file_sink.h>

#include "daemon/state/json.h"
#include "daemon/state/lease_codec.h"

namespace chaosnet::api {

std::string Rfc3339(core::WallTime t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
  const std::time_t seconds = static_cast<std::time_t>(ms.count() / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[40];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &utc);
  char out[48];
  std::snprintf(out, sizeof(out), "%s.%03dZ", buf, static_cast<int>(ms.count() % 1000));
  return out;
}

Result<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& path,
                                                 core::FaultManager& manager) {
  try {
    auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, /*truncate=*/false);
    auto logger = std::make_shared<spdlog::logger>("audit", std::move(sink));
    logger->set_pattern("%v");
    logger->set_level(spdlog::level::info);
    logger->flush_on(spdlog::level::info);  // every line is on disk as it happens
    return std::unique_ptr<AuditLog>(new AuditLog(std::move(logger), manager));
  } catch (const spdlog::spdlog_ex& e) {
    return Unavailable("cannot open the audit log " + path + ": " + e.what());
  }
}

AuditLog::AuditLog(std::shared_ptr<spdlog::logger> logger, core::FaultManager& manager)
    : logger_(std::move(logger)), manager_(manager) {
  subscription_ = manager_.Subscribe([this](const core::FaultEvent& e) { OnEvent(e); });
}

AuditLog::~AuditLog() { manager_.Unsubscribe(subscription_); }

void AuditLog::OnEvent(const core::FaultEvent& e) {
  const core::FaultRecord& f = e.fault;
  state::json::Writer w;
  w.BeginObject();
  w.Key("time").String(Rfc3339(e.at));
  w.Key("event").String(core::EventTypeLabel(e.type));
  w.Key("fault").String(f.id);
  w.Key("actor").String(e.actor);
  w.Key("owner").String(f.owner);
  w.Key("state").String(core::FaultStateName(f.state));
  if (!f.state_reason.empty()) w.Key("reason").String(f.state_reason);
  w.Key("expires_at").String(Rfc3339(f.expires_at));
  if (!f.request_id.empty()) w.Key("request_id").String(f.request_id);
  w.Key("spec");
  state::WriteFaultSpec(w, f.spec);
  w.EndObject();
  logger_->info(w.str());
}

void AuditLog::Refused(const std::string& rpc, const core::Caller& caller, const Status& status,
                       const model::FaultSpec* spec, const std::string& fault_id) {
  state::json::Writer w;
  w.BeginObject();
  w.Key("time").String(Rfc3339(std::chrono::system_clock::now()));
  w.Key("event").String("refused");
  w.Key("rpc").String(rpc);
  w.Key("actor").String(caller.principal);
  if (caller.local) w.Key("pid").Int(caller.local->pid);
  if (!caller.address.empty()) w.Key("address").String(caller.address);
  w.Key("code").String(StatusCodeName(status.code()));
  w.Key("message").String(status.message());
  if (!fault_id.empty()) w.Key("fault").String(fault_id);
  if (spec != nullptr) {
    w.Key("spec");
    state::WriteFaultSpec(w, *spec);
  }
  w.EndObject();
  logger_->info(w.str());
}

}  // namespace chaosnet::api
