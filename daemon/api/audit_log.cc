#include "daemon/api/audit_log.h"

#include <spdlog/sinks/basic_file_sink.h>

#include "daemon/api/audit_format.h"

namespace chaosnet::api {

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

void AuditLog::OnEvent(const core::FaultEvent& e) { logger_->info(AuditEventLine(e)); }

void AuditLog::Refused(const std::string& rpc, const core::Caller& caller, const Status& status,
                       const model::FaultSpec* spec, const std::string& fault_id) {
  const std::optional<core::FaultRecord> fault =
      fault_id.empty() ? std::nullopt : manager_.Find(fault_id);
  logger_->info(AuditRefusalLine(std::chrono::system_clock::now(), rpc, caller, status, spec,
                                 fault_id, fault ? fault->owner : ""));
}

}  // namespace chaosnet::api
