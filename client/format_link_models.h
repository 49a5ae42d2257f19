// How chaosnetctl prints the link models (issue 18): their words in a
// fault's one-line summary, and the profile table of `chaosnetctl profiles`.
// Pure, like format.h.
#pragma once

#include <string>
#include <vector>

#include "chaosnet/v1/chaosnet.pb.h"

namespace chaosnet::client {

namespace v1 = ::chaosnet::v1;

// "loss gemodel 1% 10% 70% 0.1%", "ecn", "slot 800us-10ms packets 42",
// "link-rate 10mbit overhead 24", "in-order", "jam", "profile lte", in that
// order, for what the spec sets.
void AppendLinkModelSummary(const v1::FaultSpec& spec, std::vector<std::string>* parts);

// NAME, DESCRIPTION and what each profile sets, then each one's sources.
std::string ProfilesText(const v1::ListProfilesResponse& response);

}  // namespace chaosnet::client
