// A StoredLease as one JSON object (see README.md for the fields). The text is
// deterministic (same lease, same bytes) and decodes to an equal lease, every
// field exact: times and durations as integer nanoseconds, percentages in their
// shortest round-trip form, enums by name so that reordering an enum in the
// code cannot silently change what an old record means.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "daemon/state/stored_lease.h"

namespace chaosnet::state {

// The newest record format this build reads and writes. Readers refuse records
// newer than this. Adding a field that only adds information needs no bump
// (unknown fields are ignored); a field that changes what fault a record
// describes (a feature of chaosnet.proto's compatibility rule) does: records
// that use it are written with the version that introduced it, so an older
// daemon refuses the state directory instead of re-arming a different fault.
inline constexpr int kLeaseFormatVersion = 2;

// The version a record must carry: the lowest one that can express it, so
// records that use no newer feature stay readable by older daemons.
int RequiredFormatVersion(const StoredLease& lease);

std::string EncodeLease(const StoredLease& lease);
// INVALID_ARGUMENT naming the field that is missing or malformed;
// FAILED_PRECONDITION for a record of a newer format version.
Result<StoredLease> DecodeLease(std::string_view text);

// The payload of a REMOVE journal entry: {"v":1,"id":"..."} (version 1 always).
std::string EncodeRemoval(const std::string& id);
Result<std::string> DecodeRemoval(std::string_view text);

}  // namespace chaosnet::state
