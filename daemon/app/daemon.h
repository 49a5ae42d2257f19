// Wiring of the running daemon: kernel adapter, fault manager, expiry timer,
// gRPC server, signals and systemd notification, all around one event loop.
#pragma once

#include "daemon/app/config.h"

namespace chaosnet::app {

// Runs until SIGTERM/SIGINT; rolls back every fault before returning.
// Returns the process exit code.
int RunDaemon(const DaemonConfig& config);

// Removes every chaosnet-owned qdisc in this network namespace (by handle
// marker), with or without a state file. Returns the process exit code.
int RunCleanup();

}  // namespace chaosnet::app
