// The audit trail: one JSON line per lease event (applied, extended, revoked,
// expired, lost, failed) and per refused request, each naming who did it, to
// its own file (--audit-log), apart from the operational log. Loop thread only.
// The lines' format: audit_format.h.
#pragma once

#include <memory>
#include <string>

#include <spdlog/logger.h>

#include "common/result.h"
#include "daemon/core/caller.h"
#include "daemon/core/fault_manager.h"

namespace chaosnet::api {

class AuditLog {
 public:
  // Appends to `path` (created if missing) and records every event of
  // `manager` from now on.
  static Result<std::unique_ptr<AuditLog>> Open(const std::string& path,
                                                core::FaultManager& manager);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // A request the daemon turned down. `spec`/`fault_id` when known.
  void Refused(const std::string& rpc, const core::Caller& caller, const Status& status,
               const model::FaultSpec* spec, const std::string& fault_id);

 private:
  AuditLog(std::shared_ptr<spdlog::logger> logger, core::FaultManager& manager);
  void OnEvent(const core::FaultEvent& event);

  std::shared_ptr<spdlog::logger> logger_;
  core::FaultManager& manager_;
  int subscription_ = 0;
};

}  // namespace chaosnet::api
