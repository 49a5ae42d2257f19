// The commands: build the request (locally, so bad input exits 2 before any
// connection), call the daemon, print the answer.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "client/options.h"
#include "client/outcome.h"

namespace chaosnet::client {

// Runs one parsed invocation, printing results on `out` (progress of `run`,
// whose stdout is the command's, on `err`). A failure's message is returned,
// not printed.
Outcome RunInvocation(const Invocation& invocation, std::ostream& out, std::ostream& err);

// The whole program: parse, run, and report a failure as exactly one line
// "chaosnetctl: <message>" on `err`. Returns the exit code.
int Main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace chaosnet::client
