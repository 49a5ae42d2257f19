// A trace file (--trace) read and turned into a program's steps, refused
// whole at its first bad line and when it gives more steps than the daemon
// takes in one program (program::kMaxSteps), so nothing is sent.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"
#include "daemon/program/program_spec.h"

namespace chaosnet::trace {

enum class TraceFormat { kCsv, kMahimahi };

inline constexpr std::chrono::milliseconds kDefaultWindow{100};
// A trace file is read whole; a Mahimahi recording of a minute of a fast
// link is a few MiB.
inline constexpr std::size_t kMaxTraceBytes = 64u << 20;

// `named` ("csv", "mahimahi") when given, else from the file's name: .csv is
// CSV; .mahimahi, .up and .down (Mahimahi's own traces) are Mahimahi.
Result<TraceFormat> TraceFormatFor(const std::string& path, const std::string& named);

// The steps of `text` in `format`, at most program::kMaxSteps of them: a
// Mahimahi trace that gives more is refused with the narrowest window that
// gives few enough. `window` applies to Mahimahi only.
Result<program::StepList> ParseTrace(std::string_view text, TraceFormat format,
                                     std::chrono::milliseconds window = kDefaultWindow);

// ParseTrace of the file at `path`; errors name the file ("lte.csv: line 3: ...").
Result<program::StepList> ReadTrace(const std::string& path, TraceFormat format,
                                    std::chrono::milliseconds window = kDefaultWindow);

// "trace lte.csv": the program's source, as get and list show it.
std::string TraceSource(const std::string& path);

}  // namespace chaosnet::trace
