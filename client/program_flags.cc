#include "client/program_flags.h"

#include <google/protobuf/util/time_util.h>

#include <cstdio>

#include <CLI/CLI.hpp>

#include "client/flag_values.h"
#include "client/trace/trace_file.h"
#include "client/trace/trace_text.h"
#include "common/units.h"
#include "daemon/api/convert_programs.h"

namespace chaosnet::client {
namespace {

using google::protobuf::util::TimeUtil;

constexpr char kKeys[] = "delay, jitter, loss, duplicate, corrupt, rate";

// One parameter's value, as `key` takes it; `where` names the flag and step.
Status SetValue(const std::string& where, const std::string& key, const std::string& text,
                v1::ProgramValues* out) {
  auto duration = [&](google::protobuf::Duration* d) -> Status {
    ASSIGN_OR_RETURN(const auto ns, ParseProgramDuration(where + ": " + key, text));
    *d = TimeUtil::NanosecondsToDuration(ns.count());
    return Status::Ok();
  };
  auto percent = [&](void (v1::ProgramValues::*set)(double)) -> Status {
    auto p = units::ParsePercent(text);
    if (!p.ok()) return FlagError(where, key + ": " + p.status().message());
    (out->*set)(*p);
    return Status::Ok();
  };
  if (key == "delay") return duration(out->mutable_delay());
  if (key == "jitter") return duration(out->mutable_jitter());
  if (key == "loss") return percent(&v1::ProgramValues::set_loss_percent);
  if (key == "duplicate") return percent(&v1::ProgramValues::set_duplicate_percent);
  if (key == "corrupt") return percent(&v1::ProgramValues::set_corrupt_percent);
  if (key == "rate") {
    auto bps = units::ParseRate(text);
    if (!bps.ok()) return FlagError(where, key + ": " + bps.status().message());
    out->set_rate_bits_per_second(*bps);
    return Status::Ok();
  }
  return FlagError(where, "unknown parameter \"" + key + "\" (one of " + kKeys + ")");
}

Status BuildRamp(const ProgramOptions& o, v1::ProgramRamp* ramp) {
  // CLI11 gives --ramp exactly two values: PARAM FROM..TO.
  if (o.ramp.size() != 2) return FlagError("--ramp", "needs PARAM FROM..TO, e.g. delay 0ms..200ms");
  const std::string& key = o.ramp[0];
  const std::string& range = o.ramp[1];
  const auto dots = range.find("..");
  if (dots == std::string::npos || dots == 0 || dots + 2 >= range.size()) {
    return FlagError("--ramp", "\"" + range + "\" is not FROM..TO, e.g. 0ms..200ms");
  }
  RETURN_IF_ERROR(SetValue("--ramp", key, range.substr(0, dots), ramp->mutable_from()));
  RETURN_IF_ERROR(SetValue("--ramp", key, range.substr(dots + 2), ramp->mutable_to()));
  if (o.over.empty()) return FlagError("--ramp", "needs --over DUR, the ramp's length");
  ASSIGN_OR_RETURN(const auto over, ParseFlagDuration("--over", o.over));
  *ramp->mutable_over() = TimeUtil::NanosecondsToDuration(over.count());
  ASSIGN_OR_RETURN(const auto step, ParseFlagDuration("--step", o.step.empty() ? "1s" : o.step));
  *ramp->mutable_step() = TimeUtil::NanosecondsToDuration(step.count());
  return Status::Ok();
}

std::vector<std::string> Split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::string part;
  for (char c : text) {
    if (c == sep) {
      parts.push_back(std::move(part));
      part.clear();
    } else {
      part += c;
    }
  }
  parts.push_back(std::move(part));
  return parts;
}

std::string Trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\n");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t\n") - first + 1);
}

// 'DUR:KEY=VAL[ KEY=VAL...],DUR:...'
Status BuildSteps(const std::string& text, v1::ProgramSteps* steps) {
  const std::vector<std::string> items = Split(text, ',');
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string where = "--steps: step " + std::to_string(i + 1);
    const std::string item = Trim(items[i]);
    const auto colon = item.find(':');
    if (colon == std::string::npos) {
      return FlagError(where, "\"" + item + "\" is not DUR:KEY=VAL, e.g. 10s:delay=50ms");
    }
    v1::ProgramStep* step = steps->add_steps();
    auto duration = units::ParseDuration(Trim(item.substr(0, colon)));
    if (!duration.ok()) return FlagError(where, duration.status().message());
    *step->mutable_duration() = TimeUtil::NanosecondsToDuration(duration->count());
    bool any = false;
    for (const std::string& word : Split(item.substr(colon + 1), ' ')) {
      if (word.empty()) continue;
      const auto eq = word.find('=');
      if (eq == std::string::npos || eq == 0) {
        return FlagError(where, "\"" + word + "\" is not KEY=VAL (" + kKeys + ")");
      }
      RETURN_IF_ERROR(
          SetValue(where, word.substr(0, eq), word.substr(eq + 1), step->mutable_values()));
      any = true;
    }
    if (!any && i == 0) return FlagError(where, "sets nothing; e.g. 10s:delay=50ms");
  }
  return Status::Ok();
}

Status BuildFlap(const std::string& text, v1::ProgramFlap* flap) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) return FlagError("--flap", "needs ON/OFF, e.g. 5s/10s");
  ASSIGN_OR_RETURN(const auto on, ParseProgramDuration("--flap", text.substr(0, slash)));
  ASSIGN_OR_RETURN(const auto off, ParseProgramDuration("--flap", text.substr(slash + 1)));
  if (on.count() <= 0 || off.count() <= 0) {
    return FlagError("--flap", "\"" + text + "\": both durations must be above 0");
  }
  *flap->mutable_on() = TimeUtil::NanosecondsToDuration(on.count());
  *flap->mutable_off() = TimeUtil::NanosecondsToDuration(off.count());
  return Status::Ok();
}

// --trace FILE [--trace-format F] [--trace-window W]: the file read here,
// its steps sent (the daemon never reads a caller's files).
Status BuildTrace(const ProgramOptions& o, v1::Program* out) {
  ASSIGN_OR_RETURN(const trace::TraceFormat format, trace::TraceFormatFor(o.trace, o.trace_format));
  std::chrono::milliseconds window = trace::kDefaultWindow;
  if (!o.trace_window.empty()) {
    if (format != trace::TraceFormat::kMahimahi) {
      return FlagError("--trace-window",
                       "applies to Mahimahi traces; a CSV row says how long it holds");
    }
    ASSIGN_OR_RETURN(const auto ns, ParseFlagDuration("--trace-window", o.trace_window));
    window = std::chrono::duration_cast<std::chrono::milliseconds>(ns);
    if (window != ns || window < std::chrono::milliseconds(10)) {
      return FlagError("--trace-window", "must be whole milliseconds, at least 10ms");
    }
  }
  ASSIGN_OR_RETURN(program::StepList steps, trace::ReadTrace(o.trace, format, window));
  program::Program parsed{.shape = std::move(steps), .source = trace::TraceSource(o.trace)};
  api::ProgramToProto(parsed, out);
  return Status::Ok();
}

std::string Seconds(const google::protobuf::Duration& d) {
  return units::FormatDuration(std::chrono::nanoseconds(TimeUtil::DurationToNanoseconds(d)));
}

std::string Percent(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g%%", p);
  return buf;
}

std::string Rate(uint64_t bps) {
  char buf[32];
  if (bps >= 1'000'000) {
    std::snprintf(buf, sizeof buf, "%gmbit", static_cast<double>(bps) / 1e6);
  } else {
    std::snprintf(buf, sizeof buf, "%gkbit", static_cast<double>(bps) / 1e3);
  }
  return buf;
}

google::protobuf::Duration RunLength(const v1::ProgramSteps& steps) {
  int64_t ns = 0;
  for (const v1::ProgramStep& s : steps.steps())
    ns += TimeUtil::DurationToNanoseconds(s.duration());
  return TimeUtil::NanosecondsToDuration(ns);
}

// "delay=50ms loss=1%": what a step sets.
std::string DescribeValues(const v1::ProgramValues& v) {
  std::string out;
  auto add = [&out](const std::string& kv) { out += (out.empty() ? "" : " ") + kv; };
  if (v.has_delay()) add("delay=" + Seconds(v.delay()));
  if (v.has_jitter()) add("jitter=" + Seconds(v.jitter()));
  if (v.has_loss_percent()) add("loss=" + Percent(v.loss_percent()));
  if (v.has_duplicate_percent()) add("duplicate=" + Percent(v.duplicate_percent()));
  if (v.has_corrupt_percent()) add("corrupt=" + Percent(v.corrupt_percent()));
  if (v.has_rate_bits_per_second()) add("rate=" + Rate(v.rate_bits_per_second()));
  return out;
}

}  // namespace

Result<std::chrono::nanoseconds> ParseProgramDuration(std::string_view flag,
                                                      const std::string& text) {
  auto d = trace::ParseDurationOrZero(text);
  if (!d.ok()) return FlagError(flag, d.status().message());
  return *d;
}

void AddProgramFlags(CLI::App* cmd, ProgramOptions& o) {
  cmd->add_option("--ramp", o.ramp,
                  "Change PARAM (delay, jitter, loss, rate, ...) from FROM to TO over --over, "
                  "e.g. --ramp delay 0ms..200ms --over 10s")
      ->expected(2);
  cmd->add_option("--over", o.over, "A --ramp's length, e.g. 60s");
  cmd->add_option("--step", o.step, "A --ramp's step (default 1s)");
  cmd->add_option("--steps", o.steps,
                  "Steps 'DUR:KEY=VAL[ KEY=VAL...],...' (delay, jitter, loss, duplicate, corrupt, "
                  "rate); an omitted key keeps its value");
  cmd->add_option("--repeat", o.repeat,
                  "Run --steps or --trace N times, or 'forever' (until the lease ends)");
  cmd->add_option("--flap", o.flap,
                  "In effect for ON, out for OFF, repeating until the lease ends, e.g. 5s/10s");
  cmd->add_option("--trace", o.trace,
                  "Replay a trace FILE: CSV rows duration,delay,jitter,loss,rate, or Mahimahi "
                  "delivery timestamps (read here, sent as steps)");
  cmd->add_option("--trace-format", o.trace_format,
                  "csv or mahimahi (default: from the name: .csv; .mahimahi, .up, .down)");
  cmd->add_option("--trace-window", o.trace_window,
                  "A Mahimahi trace's rate window (default 100ms)");
}

bool HasProgram(const ProgramOptions& o) {
  return !o.ramp.empty() || !o.steps.empty() || !o.flap.empty() || !o.trace.empty();
}

Status BuildProgram(const ProgramOptions& o, v1::FaultSpec* spec) {
  const int shapes = !o.ramp.empty() + !o.steps.empty() + !o.flap.empty() + !o.trace.empty();
  if (o.ramp.empty() && (!o.over.empty() || !o.step.empty())) {
    return InvalidArgument("--over and --step need --ramp");
  }
  if (o.trace.empty() && (!o.trace_format.empty() || !o.trace_window.empty())) {
    return InvalidArgument("--trace-format and --trace-window need --trace");
  }
  if (o.steps.empty() && o.trace.empty() && !o.repeat.empty()) {
    return InvalidArgument("--repeat needs --steps or --trace");
  }
  if (shapes == 0) return Status::Ok();
  if (shapes > 1) return InvalidArgument("give one of --ramp, --steps, --flap or --trace");
  v1::Program* program = spec->mutable_program();
  if (!o.ramp.empty()) return BuildRamp(o, program->mutable_ramp());
  if (!o.flap.empty()) return BuildFlap(o.flap, program->mutable_flap());
  if (!o.trace.empty()) {
    RETURN_IF_ERROR(BuildTrace(o, program));
  } else {
    RETURN_IF_ERROR(BuildSteps(o.steps, program->mutable_steps()));
  }
  if (o.repeat == "forever") {
    program->set_forever(true);
  } else if (!o.repeat.empty()) {
    ASSIGN_OR_RETURN(const uint64_t n, ParseUnsigned("--repeat", o.repeat, UINT32_MAX));
    if (n == 0) return FlagError("--repeat", "must be at least 1, or 'forever'");
    program->set_repeat(static_cast<uint32_t>(n));
  }
  return Status::Ok();
}

std::string ProgramSummary(const v1::Program& p) {
  switch (p.shape_case()) {
    case v1::Program::kRamp: return "ramp";
    case v1::Program::kSteps:
      return std::to_string(p.steps().steps_size()) + " steps" +
             (p.source().empty() ? "" : " (" + p.source() + ")");
    case v1::Program::kFlap:
      return "flap " + Seconds(p.flap().on()) + "/" + Seconds(p.flap().off());
    default: return "program";
  }
}

std::string DescribeProgram(const v1::Program& p) {
  std::string out;
  switch (p.shape_case()) {
    case v1::Program::kRamp: {
      const v1::ProgramRamp& r = p.ramp();
      out = "ramp " + DescribeValues(r.from()) + " .. " + DescribeValues(r.to()) + " over " +
            Seconds(r.over()) + " step " + Seconds(r.step());
      break;
    }
    case v1::Program::kSteps: {
      // A trace has hundreds of steps: the first few, then how many and how
      // long (a dry run lists them all: ProgramStepLines).
      constexpr int kShown = 6;
      const int n = p.steps().steps_size();
      for (int i = 0; i < n && i < kShown; ++i) {
        const v1::ProgramStep& s = p.steps().steps(i);
        out += (i == 0 ? "" : ", ") + Seconds(s.duration()) + ":" + DescribeValues(s.values());
      }
      if (n > kShown) {
        out +=
            ", ... (" + std::to_string(n) + " steps, " + Seconds(RunLength(p.steps())) + " a run)";
      }
      if (p.forever()) {
        out += " forever";
      } else if (p.repeat() > 1) {
        out += " x" + std::to_string(p.repeat());
      }
      break;
    }
    case v1::Program::kFlap:
      out = "flap " + Seconds(p.flap().on()) + "/" + Seconds(p.flap().off());
      break;
    default: return "";
  }
  if (!p.source().empty()) out += " (" + p.source() + ")";
  return out;
}

std::vector<std::string> ProgramStepLines(const v1::Program& p) {
  if (p.shape_case() != v1::Program::kSteps) return {DescribeProgram(p)};
  std::vector<std::string> lines;
  int64_t at = 0;
  for (const v1::ProgramStep& s : p.steps().steps()) {
    const int64_t ns = TimeUtil::DurationToNanoseconds(s.duration());
    char head[64];
    std::snprintf(head, sizeof head, "%-10s %-8s ",
                  ("+" + units::FormatDuration(std::chrono::nanoseconds(at))).c_str(),
                  units::FormatDuration(std::chrono::nanoseconds(ns)).c_str());
    std::string line = head + DescribeValues(s.values());
    if (s.source_line() > 0) line += "  (line " + std::to_string(s.source_line()) + ")";
    lines.push_back(std::move(line));
    at += ns;
  }
  std::string last = "then ";
  if (p.forever()) {
    last += "again, until the lease ends";
  } else if (p.repeat() > 1) {
    last += "again, " + std::to_string(p.repeat()) + " runs in all";
  } else {
    last += "the last step holds until the lease ends";
  }
  lines.push_back(last);
  return lines;
}

std::string DescribePosition(const v1::Fault& fault) {
  if (!fault.has_program()) return "";
  const v1::ProgramPosition& at = fault.program();
  std::string out = at.off() ? "off " : at.has_next_step_at() ? "step " : "done ";
  out += std::to_string(at.index() + 1) + "/" + std::to_string(at.steps_per_cycle());
  if (at.cycle() > 0) out += " run " + std::to_string(at.cycle() + 1);
  const std::string values = DescribeValues(at.values());
  if (!values.empty()) out += " (" + values + ")";
  return out;
}

}  // namespace chaosnet::client
