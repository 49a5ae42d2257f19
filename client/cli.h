// The command line grammar (CLI11), kept apart from what the commands do so
// that parsing can be tested without a server.
#pragma once

#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "client/options.h"
#include "client/outcome.h"

namespace chaosnet::client {

// args[0] is the program name. Returns the invocation, or an Outcome when
// parsing alone ends the run: help or version printed to `out` (exit 0), a
// usage error (exit 2, nothing printed; the caller reports the message).
std::variant<Invocation, Outcome> ParseCommandLine(const std::vector<std::string>& args,
                                                   std::ostream& out);

}  // namespace chaosnet::client
