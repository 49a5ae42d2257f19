// A program: how a fault's parameters change over its lease (feature
// "programs"). Pure data, held by model::FaultSpec; schedule.h says which
// step runs when, step_spec.h what the fault is during a step, validate.h
// which programs are accepted.
//
// Four shapes reach the daemon as three: a ramp, a list of steps (a trace
// file becomes one in the client: the daemon never reads a caller's files)
// and a flap.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace chaosnet::program {

using Nanos = std::chrono::nanoseconds;

// The parameters a program moves. Unset: the value stays what it was (the
// previous step's, or the fault's own before the first step that sets it).
struct Values {
  std::optional<Nanos> delay{};  // latency
  std::optional<Nanos> jitter{};
  std::optional<double> loss{};  // percent, 0..100
  std::optional<double> duplicate{};
  std::optional<double> corrupt{};
  std::optional<uint64_t> rate{};  // bits per second (the htb class, not netem)

  // `later` on top of these: what it sets wins.
  Values Then(const Values& later) const;
  bool empty() const { return !delay && !jitter && !loss && !duplicate && !corrupt && !rate; }
  // Any parameter that lives in the netem leaf (everything but the rate).
  bool SetsNetem() const { return delay || jitter || loss || duplicate || corrupt; }
  bool operator==(const Values&) const = default;
};

struct Step {
  Nanos duration{0};
  Values values{};
  uint32_t source_line = 0;  // the trace file's line it came from; 0: none
  bool operator==(const Step&) const = default;
};

// From `from` to `to` in steps of `step`: step k (k = 0 .. ceil(over/step))
// starts at k * step, the last one, at `over`, holds `to`. `from` and `to`
// set the same parameters; several may ramp together.
struct Ramp {
  Values from{};
  Values to{};
  Nanos over{0};
  Nanos step{0};
  bool operator==(const Ramp&) const = default;
};

// In effect for `on`, out for `off` (the fault's class passes traffic
// untouched), repeating until the lease ends.
struct Flap {
  Nanos on{0};
  Nanos off{0};
  bool operator==(const Flap&) const = default;
};

struct StepList {
  std::vector<Step> steps;
  bool operator==(const StepList&) const = default;
};

struct Program {
  std::variant<Ramp, StepList, Flap> shape;
  // A step list runs `repeat` times (at least once), or until the lease ends
  // when `forever`. A ramp runs once; a flap runs until the lease ends.
  uint32_t repeat = 1;
  bool forever = false;
  // Where the steps came from ("trace lte-handover.csv"): shown, never used.
  std::string source{};

  // Any step sets a netem parameter: the fault needs a netem leaf even if
  // its own spec has none (a rate fault whose steps add delay). Inline: the
  // fault model (model::FaultSpec::needs_netem) asks, below this library.
  bool SetsNetem() const {
    if (const auto* ramp = std::get_if<Ramp>(&shape)) return ramp->from.SetsNetem();
    if (const auto* list = std::get_if<StepList>(&shape)) {
      for (const Step& s : list->steps) {
        if (s.values.SetsNetem()) return true;
      }
    }
    return false;  // a flap switches the fault's own parameters
  }
  bool operator==(const Program&) const = default;
};

// "ramp", "steps", "flap": for records and messages.
const char* ShapeName(const Program& program);

}  // namespace chaosnet::program
