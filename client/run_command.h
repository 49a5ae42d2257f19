// chaosnetctl run: applies a fault, binds it to a keep-alive stream, runs a
// command, and closes the stream when the command exits, which rolls the fault
// back. If chaosnetctl dies instead (SIGKILL, a crash), the stream breaks and
// the daemon rolls the fault back just the same: a fault never outlives the
// run that asked for it (nor, when the command runs longer, its TTL).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "chaosnet/v1/chaosnet.pb.h"
#include "client/connection_settings.h"
#include "client/outcome.h"
#include "client/tls_files.h"

namespace chaosnet::client {

namespace v1 = ::chaosnet::v1;

// The exit status a shell would report for a waitpid() status: the code, or
// 128 + the signal that killed the process.
int ShellExitStatus(int wait_status);

// Runs `command` (PATH searched) with SIGINT/SIGTERM/SIGHUP/SIGQUIT sent to
// chaosnetctl forwarded to it; waits for it. The outcome's exit code is the
// command's shell status (127/126 with a message when it could not start).
Outcome RunForwardingSignals(const std::vector<std::string>& command);

// Progress goes to `err` (stdout belongs to the command). The outcome's exit
// code is the command's; its message is set only when chaosnetctl itself
// failed (the fault could not be applied or held, the command could not run).
// A guard halting the fault is reported; with `halt_kills` the command then
// gets SIGTERM.
Outcome RunHoldingFault(const Settings& settings, const TlsPem& pem,
                        const v1::CreateFaultRequest& request,
                        const std::vector<std::string>& command, bool halt_kills,
                        std::ostream& err);

}  // namespace chaosnet::client
