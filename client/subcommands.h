// chaosnetctl's subcommands as a table: name, one-line description, and the
// function that gives the subcommand its options. ParseCommandLine builds the
// options of the one subcommand a command line names and only the name and
// description of the others (enough for the top-level --help and CLI11's
// errors): building all of them cost a tenth of a `chaosnetctl info` (issue 19).
#pragma once

#include <span>

#include <CLI/CLI.hpp>

#include "client/options.h"

namespace chaosnet::client {

struct Subcommand {
  const char* name;
  const char* description;
  // Adds the subcommand's options and positionals, filling `inv`; null for a
  // subcommand without any.
  void (*add_options)(CLI::App* command, Invocation& inv);
};

// In the order --help lists them.
std::span<const Subcommand> Subcommands();

}  // namespace chaosnet::client
