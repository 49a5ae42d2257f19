// A StoredLease as one JSON object (see README.md for the fields). The text is
// deterministic (same lease, same bytes) and decodes to an equal lease, every
// field exact: times and durations as integer nanoseconds, percentages in their
// shortest round-trip form, enums by name so that reordering an enum in the
// code cannot silently change what an old record means.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "daemon/state/json.h"
#include "daemon/state/stored_lease.h"

namespace chaosnet::state {

// Bumped when a field changes meaning; readers refuse records newer than this.
// Adding a field does not need a bump: unknown fields are ignored.
inline constexpr int kLeaseFormatVersion = 1;

std::string EncodeLease(const StoredLease& lease);
// INVALID_ARGUMENT naming the field that is missing or malformed;
// FAILED_PRECONDITION for a record of a newer format version.
Result<StoredLease> DecodeLease(std::string_view text);

// The payload of a REMOVE journal entry: {"v":1,"id":"..."}.
std::string EncodeRemoval(const std::string& id);
Result<std::string> DecodeRemoval(std::string_view text);

}  // namespace chaosnet::state
