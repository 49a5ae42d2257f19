// The grammar of `chaosnetctl fleet ...` (issue 14), apart from cli.cc so the
// fleet's flags stay in one place: partition, delay, loss and apply take the
// fleet file, a shape (or --between) and the effect's flags; status and heal
// take the fleet file and optionally an experiment id.
#pragma once

#include <optional>

#include <CLI/CLI.hpp>

#include "client/options.h"
#include "client/outcome.h"

namespace chaosnet::client {

// Gives the `fleet` subcommand its own subcommands, filling `inv`.
void AddFleetCommands(CLI::App* fleet, Invocation& inv);

// After a successful parse in which `fleet` was given: sets inv.command (and
// the effect's kind), or returns a usage error for a combination CLI11 cannot
// express (--shape and --between, neither, --between on partition).
std::optional<Outcome> FinishFleetParse(const CLI::App& fleet, Invocation& inv);

}  // namespace chaosnet::client
