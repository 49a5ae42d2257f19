// Turns the argument model into API requests. Pure: every unit, port, CIDR and
// label is parsed here, so a typo fails locally (exit 2) and never reaches the
// daemon. Errors are INVALID_ARGUMENT whose message names the flag.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "chaosnet/v1/chaosnet.pb.h"
#include "client/options.h"
#include "common/result.h"

namespace chaosnet::client {

namespace v1 = ::chaosnet::v1;

Result<v1::CreateFaultRequest> BuildCreateRequest(const CreateOptions& options);
Result<v1::ListFaultsRequest> BuildListRequest(const ListOptions& options);
Result<v1::GetFaultRequest> BuildGetRequest(const LeaseOptions& options);
Result<v1::ExtendFaultRequest> BuildExtendRequest(const LeaseOptions& options);
Result<v1::RevokeFaultRequest> BuildRevokeRequest(const LeaseOptions& options);
Result<v1::RevokeAllFaultsRequest> BuildRevokeAllRequest(const LeaseOptions& options);
v1::WatchRequest BuildWatchRequest(const WatchOptions& options);

// Building blocks, exposed for tests.
Result<std::map<std::string, std::string>> ParseLabels(const std::vector<std::string>& pairs);
// "80" or "8000-8100", ports 1..65535.
Result<v1::PortRange> ParsePortRange(std::string_view flag, std::string_view text);
// "10.0.0.0/8", "2001:db8::/32" or a bare address; returned unchanged when valid.
Result<std::string> ParseCidr(std::string_view flag, std::string_view text);

}  // namespace chaosnet::client
