// Runs a shell command and returns what it printed (stdout and stderr).
#pragma once

#include <string>

namespace chaosnet::testing {

// `exit_code` (optional) gets the command's exit status, or -1 when it did
// not exit normally.
std::string RunCommand(const std::string& command, int* exit_code = nullptr);

// Quotes one argument for /bin/sh.
std::string ShellQuote(const std::string& arg);

bool IsRoot();

}  // namespace chaosnet::testing
