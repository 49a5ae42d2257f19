// Named link conditions (`--profile NAME`): a table the daemon holds, so
// every client, local or remote, gets the same one (`chaosnetctl profiles`
// lists it), and each number in it carries the public source it comes from.
// Static conditions only: a condition that changes over time (a handover)
// is a program, not a profile. Pure.
//
// A profile describes what the packets crossing the fault meet, in the
// fault's direction (egress unless --direction says otherwise): the source's
// downlink rate as --link-rate (netem serialises packet by packet, as a slow
// link does, and keeps jittered packets in order), the source's latency as
// the added delay, its loss as netem's loss. Apply it on the interface that
// sends towards the emulated device. With --direction both, both directions
// get it, so a round trip meets the delay twice.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "daemon/model/fault_spec.h"

namespace chaosnet::linkmodel {

struct LinkProfile {
  std::string name;
  std::string description;
  // Where each number comes from: the document, its section or row, and how
  // it was turned into netem's terms.
  std::string source;
  model::FaultSpec impairments;  // only the impairment fields are set
};

// In the order `chaosnetctl profiles` lists them.
const std::vector<LinkProfile>& Profiles();

const LinkProfile* FindProfile(std::string_view name);

// The spec with its profile's impairments filled in. Explicit settings win,
// one impairment at a time: a request's own delay replaces the profile's
// delay (latency, jitter and all), its loss or loss model the profile's loss,
// its --rate, --link-rate, slot, duplicate, corrupt or reorder the profile's
// own. --ecn and --in-order add to whatever results. A spec without a
// profile comes back unchanged. INVALID_ARGUMENT for an unknown name, and for
// a profile with --partition or --jam (they replace every impairment).
Result<model::FaultSpec> ApplyProfile(const model::FaultSpec& spec);

}  // namespace chaosnet::linkmodel
