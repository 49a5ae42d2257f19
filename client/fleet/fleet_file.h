// The fleet file: TOML, written by hand, read with toml++ (Debian's
// libtomlplusplus). The format is in client/fleet/README.md. Every error is
// one INVALID_ARGUMENT line "FILE:LINE: KEY: what is wrong" (the CLI's exit 2),
// and anything the file does not define (unknown keys, wrong types, bad
// servers or addresses, a node without an interface) is refused: a typo must
// never become a partition of the wrong machines.
#pragma once

#include <string>
#include <string_view>

#include "client/fleet/fleet.h"
#include "common/result.h"

namespace chaosnet::fleet {

// Parses fleet file text. `source` names the file in messages; relative paths
// inside the file (unix: sockets, TLS files) are resolved against its folder.
// Pure: reads no files.
Result<Fleet> ParseFleetFile(std::string_view text, std::string_view source);

// Reads `path` (one read of a regular file, at most 1 MiB), then parses it.
Result<Fleet> LoadFleetFile(const std::string& path);

}  // namespace chaosnet::fleet
