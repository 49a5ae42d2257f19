// `chaosnetctl fleet ...`: reads the fleet file, computes the shape and the
// plan (client/fleet/), and drives the coordinator with one FaultClient per
// node. Bad input (file, shape, flags, certificates) exits 2 before any node
// is called; then 1 when a node refused, 3 when one could not be reached.
#pragma once

#include <ostream>

#include "client/connection_settings.h"
#include "client/fleet/fleet.h"
#include "client/options.h"
#include "client/outcome.h"
#include "common/result.h"

namespace chaosnet::client {

// How to call `node`'s daemon: its server and TLS from the fleet file, the
// call timeout and output format of the command line.
Result<Settings> NodeSettings(const fleet::Node& node, const Settings& global);

// Runs kFleetApply, kFleetStatus or kFleetHeal.
Outcome RunFleetCommand(const Invocation& inv, const Settings& global, std::ostream& out,
                        std::ostream& err);

}  // namespace chaosnet::client
