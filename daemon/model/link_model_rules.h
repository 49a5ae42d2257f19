// The rules of the link models (link_model.h), alone and against the rest of
// a FaultSpec, in one pure function that ValidateFaultSpec calls: each rule
// has its own case in tests/model/link_model_rules_test.cc. Where tc itself
// refuses something (ecn without a loss, a slot whose maximum is below its
// minimum) the rule says so in our words; where tc accepts what the kernel
// would silently mangle (probabilities of one draw summing past 100%, a
// negative overhead larger than a packet) the rule is ours.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "daemon/model/fault_spec.h"
#include "daemon/model/validate.h"

namespace chaosnet::model {

// netem keeps the slot jitter in 32 bits of nanoseconds (tabledist's sigma).
inline constexpr std::chrono::nanoseconds kMaxSlotJitter{INT32_MAX};
// Slot limits are signed 32-bit counts in the kernel.
inline constexpr uint32_t kMaxSlotCount = INT32_MAX;
// A negative overhead may take the Ethernet header off (-14), no more: the
// kernel adds it to the length in unsigned arithmetic, so a packet shorter
// than the overhead would take hours to "send".
inline constexpr int32_t kMinPacketOverhead = -14;
inline constexpr int32_t kMaxOverhead = 65535;
inline constexpr uint32_t kMaxCellSize = 65535;
// What a jam may hold, in bytes of packets (the plug qdisc's u32 limit).
inline constexpr uint32_t kMinJamLimitBytes = 1514;  // one full frame
inline constexpr uint32_t kMaxJamLimitBytes = 1u << 30;

// OK, or INVALID_ARGUMENT naming the field ("slot: ...", "ecn: ...").
Status ValidateLinkModels(const FaultSpec& spec, const ValidationLimits& limits);

// The link-model impairments a spec sets, by name ("loss model", "slot",
// "link rate", "in-order", "jam", "ecn"), for the messages that list what a
// fault does.
std::vector<std::string> LinkModelNames(const FaultSpec& spec);

}  // namespace chaosnet::model
