// Where tests find the built binaries and the source tree, on the host and in
// the qemu guest alike: CHAOSNET_BIN_DIR and CHAOSNET_SOURCE_DIR when set
// (the guest runner sets both; ctest only the first, as gtest_discover_tests
// keeps one ENVIRONMENT entry), else the directories of the build that
// compiled the tests.
#pragma once

#include <string>

namespace chaosnet::testing {

// BUILD/bin.
std::string BinDir();
// The checkout the tests were built from.
std::string SourceDir();
// A built binary: BinDir()/name, e.g. BinaryPath("chaosnetd").
std::string BinaryPath(const std::string& name);

// A positive whole number from the environment (a test's size knob, such as
// CHAOSNET_LOAD_CLIENTS), else `fallback`.
int EnvInt(const char* name, int fallback);

}  // namespace chaosnet::testing
