// The audit log's JSON lines (README.md "Audit"), encoded here field by field
// instead of through the lease journal's codec: the journal's records follow
// its own format version, while the audit lines are what operators' tools
// parse, so they change only on purpose (tests/api/audit_format_test.cc pins a
// whole line). Pure: the caller supplies the time.
#pragma once

#include <string>

#include "common/status.h"
#include "daemon/core/caller.h"
#include "daemon/core/clock.h"
#include "daemon/core/fault_record.h"
#include "daemon/model/fault_spec.h"

namespace chaosnet::api {

// A lease event: applied, extended, revoked, expired, lost, failed.
std::string AuditEventLine(const core::FaultEvent& event);

// A request the daemon turned down at `at`. `spec`/`fault_id` when known,
// and the fault's `owner` (its principal), so that a caller turned away from
// someone else's fault is on record with both identities.
std::string AuditRefusalLine(core::WallTime at, const std::string& rpc, const core::Caller& caller,
                             const Status& status, const model::FaultSpec* spec,
                             const std::string& fault_id, const std::string& owner = "");

// "2026-11-24T03:44:07.123Z"
std::string Rfc3339(core::WallTime t);

}  // namespace chaosnet::api
