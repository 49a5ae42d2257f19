// chaosnetctl apply --from FILE (issue 19): many faults through the batch API
// (CreateFaults), all or nothing. FILE holds JSON lines, each a
// CreateFaultRequest in protobuf's JSON form; "-" is stdin.
#pragma once

#include <cstddef>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "chaosnet/v1/chaosnet.pb.h"
#include "client/outcome.h"
#include "common/result.h"

namespace chaosnet::client {

class FaultClient;
struct Settings;

// One request per non-blank line, with the line it came from (1-based).
struct BatchFile {
  std::vector<v1::CreateFaultRequest> requests;
  std::vector<int> lines;
};

// INVALID_ARGUMENT "line N: ..." for the first line that is not a
// CreateFaultRequest (unknown fields included); an empty file is refused too.
Result<BatchFile> ParseBatchFile(std::istream& in);

// Groups of consecutive requests, each at most `max_items` requests and
// `max_bytes` of encoded requests (a single larger request is a group of its
// own, for the daemon to refuse). Returned as [begin, end) index pairs.
std::vector<std::pair<std::size_t, std::size_t>> SplitIntoGroups(
    const std::vector<v1::CreateFaultRequest>& requests, std::size_t max_items,
    std::size_t max_bytes);

// A daemon message "... item I: why" about request I of a group starting at
// `group_begin`, reworded as "... line N: why" for the user.
std::string NameLine(const std::string& message, std::size_t group_begin,
                     const std::vector<int>& lines);

// What one CreateFaults may carry: the daemon's limits (10,000 requests, 4
// MiB), with room to spare for the message's framing.
inline constexpr std::size_t kMaxGroupItems = 10'000;
inline constexpr std::size_t kMaxGroupBytes = 3u << 20;

// Reads `path` ("-": `in`), applies the faults group by group and prints the
// ids (-o json: the responses). A group refused after earlier groups were
// applied revokes what this command created, so the whole file stays all or
// nothing for the ids it made (replayed ones are left alone: they belong to
// an earlier run).
Outcome ApplyFrom(const std::string& path, bool dry_run, const Settings& settings,
                  FaultClient& client, std::istream& in, std::ostream& out);

}  // namespace chaosnet::client
