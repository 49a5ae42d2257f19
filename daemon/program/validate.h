// The rules a fault with a program must satisfy before anything is placed; for
// such a fault they take the place of model::ValidateFaultSpec.
//
// The program itself: every duration at least kMinStep and at most kMaxStep, at
// most kMaxSteps steps in a list and kMaxRampSteps in a ramp, a ramp's ends
// setting the same parameters, repeats for step lists only, a flap of a
// fault that impairs something, and no link model (loss models, ecn, slots,
// --link-rate, --in-order, jam, profiles) beside a program.
//
// Every step: the fault with the step's values in place of its own
// (program_plan.h, WithStep) follows the rules of a single fault, with two
// exceptions: a parameter may be 0 (delay 0, loss 0%; the netem leaf is there
// from the start and a change sets it to 0), and a step may impair nothing at
// all (a flap's "out", a ramp from 0) as long as another step does. A delay
// distribution cannot be taken away in place, so a fault with one keeps a
// delay and a jitter in every step. Errors name the step they are about:
// "program step 3 (trace line 5): loss: 150% is above 100%".
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>

#include "common/status.h"
#include "daemon/model/fault_spec.h"
#include "daemon/model/validate.h"

namespace chaosnet::program {

// A step is one or two netlink round trips; ten a second per fault is the
// finest grain that is still cheap with hundreds of faults, and a 100 ms trace
// window is ten times coarser.
inline constexpr Nanos kMinStep = std::chrono::milliseconds(10);
// Far beyond any lease (the daemon's --max-ttl is 24h by default), and small
// enough that 4096 of them cannot overflow 64-bit nanoseconds.
inline constexpr Nanos kMaxStep = std::chrono::hours(24 * 30);
// A step list travels in one request (at most 256 KiB) and lives in one journal
// record (at most 1 MiB): 4096 steps fit both with every parameter set.
inline constexpr std::size_t kMaxSteps = 4096;
// A ramp's steps are computed, not stored: this only bounds the work of sizing
// the queue for its peak (a few milliseconds).
inline constexpr uint64_t kMaxRampSteps = 100'000;
inline constexpr uint32_t kMaxRepeat = 1'000'000;
inline constexpr std::size_t kMaxSourceBytes = 256;

// OK, or INVALID_ARGUMENT naming the part of the program (or the step) at fault.
// Without a program: model::ValidateFaultSpec.
Status ValidateProgramFault(const model::FaultSpec& spec,
                            const model::ValidationLimits& limits = {});

// Calls `check` with the fault of every distinct step of `spec`'s program (a
// ramp's ends, every step of a list and of its repetitions, a flap's "on"),
// zeros left out (a step's delay 0 or loss 0% as no delay or loss) and steps
// that impair nothing skipped, and returns the first error, its message
// prefixed with the step's name. How the operator's limits (core/access_policy)
// reach every step: --max-delay applies to a ramp's peak. Without a program,
// `check` gets the spec itself.
Status ForEachStepSpec(const model::FaultSpec& spec,
                       const std::function<Status(const model::FaultSpec&)>& check);

}  // namespace chaosnet::program
