// Runs a shell command and returns what it printed (stdout and stderr).
#pragma once

#include <string>

namespace chaosnet::testing {

// `exit_code` (optional) gets the command's exit status, or -1 when it did
// not exit normally.
std::string RunCommand(const std::string& command, int* exit_code = nullptr);

// The same the other way round: returns the exit code (-1 as above) and
// appends what the command printed to *out when given.
int Shell(const std::string& command, std::string* out = nullptr);

// Quotes one argument for /bin/sh.
std::string ShellQuote(const std::string& arg);

bool IsRoot();

}  // namespace chaosnet::testing
