// Parsing and printing of the units users type: durations, percentages and
// rates, as tc spells them. Pure functions; errors say what was wrong and what
// would be right, in one line fit for a CLI or a gRPC status message.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace chaosnet::units {

// "3000ms", "1.5s", "250us", "2m", "1h", "100ns". A unit is required; the value
// must be > 0 and at most ~292 years of nanoseconds. Returns INVALID_ARGUMENT.
Result<std::chrono::nanoseconds> ParseDuration(std::string_view text);

// "5%", "0.1%", "100%" -> 5.0, 0.1, 100.0. The % sign is required; 0..100.
Result<double> ParsePercent(std::string_view text);

// tc's rate units: bit kbit mbit gbit tbit, bps kbps mbps gbps tbps (bytes/s),
// and the IEC kibit/mibit/gibit/kibps/...; "1mbit" -> 1000000 bits/s. > 0.
Result<uint64_t> ParseRate(std::string_view text);

// Shortest exact form: 3s, 1500ms, 250us, 7ns.
std::string FormatDuration(std::chrono::nanoseconds d);
// "5%", "0.1%", "33.333%": up to 3 decimals, trailing zeros removed.
std::string FormatPercent(double percent);
// "1mbit", "10gbit", "1500bit": the largest exact SI bit unit.
std::string FormatRate(uint64_t bits_per_second);

// User input echoed in an error message: in double quotes, with control bytes
// escaped ("eth0\n" -> "\"eth0\\n\""), so a message always stays one line.
// Shared by every parser and validator that quotes what it refused.
std::string QuoteInput(std::string_view text);

}  // namespace chaosnet::units
