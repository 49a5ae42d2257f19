// Programs (feature "programs") in chaosnetctl: the --ramp, --steps, --repeat
// and --flap flags of every creating command, the request's Program built
// from them, and how `get` and `list` show a fault's program and position.
// Only the shape is judged here (words, numbers, units: exit 2 naming the
// flag and the step); the rules (shortest step, limits such as --max-delay on
// a ramp's peak) are the daemon's, so every client gets the same answer.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "chaosnet/v1/chaosnet.pb.h"
#include "client/options.h"
#include "common/result.h"

namespace CLI {
class App;
}

namespace chaosnet::client {

namespace v1 = ::chaosnet::v1;

void AddProgramFlags(CLI::App* cmd, ProgramOptions& o);
bool HasProgram(const ProgramOptions& o);
// A duration as ParseFlagDuration reads it, but 0 ("0ms", "0s") allowed: a
// fault with a program may start from a delay of 0.
Result<std::chrono::nanoseconds> ParseProgramDuration(std::string_view flag,
                                                      const std::string& text);
Status BuildProgram(const ProgramOptions& o, v1::FaultSpec* spec);

// In a fault's one-line summary: "ramp", "3 steps", "flap 2s/2s".
std::string ProgramSummary(const v1::Program& program);
// "ramp delay=0s .. delay=200ms over 10s step 1s", "1s:delay=50ms, ... x2",
// "flap 2s/2s".
std::string DescribeProgram(const v1::Program& program);
// A dry run's view: a step list one step a line ("+3s        3s       rate=2mbit
// (line 4)") and what follows its end; a ramp or a flap as DescribeProgram.
std::vector<std::string> ProgramStepLines(const v1::Program& program);
// "step 4/11 (next in 0.6s)", "step 2/3 run 2", "off 1/2", "done 11/11".
std::string DescribePosition(const v1::Fault& fault);

}  // namespace chaosnet::client
