// The unit conversions tc applies before a value reaches the kernel. They are
// reproduced bit for bit (including tc's truncations) so that our requests
// equal tc's, byte for byte, and so that what we read back means the same.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

namespace chaosnet::netlink::tc {

// The packet scheduler's clock: one tick is 64 ns (PSCHED_SHIFT = 6, fixed in
// the kernel since 2.6.31), so /proc/net/psched always reports 1000 / 64 and
// tc's tick_in_usec is 15.625. We do not read /proc: encoders stay pure.
inline constexpr double kTicksPerUsec = 15.625;
inline constexpr uint64_t kNsPerTick = 64;

// tc_core_time2tick: microseconds (an unsigned int in tc) to ticks, truncated.
uint32_t UsecToTicks(uint32_t usec);
// A duration as tc would parse it (whole microseconds) in ticks; saturates at
// UINT32_MAX where tc refuses "time too large".
uint32_t DurationToTicks(std::chrono::nanoseconds d);
bool DurationFitsTicks(std::chrono::nanoseconds d);
std::chrono::nanoseconds TicksToDuration(uint32_t ticks);

// get_percent: rint(p / 100 * UINT32_MAX), p in 0..100.
uint32_t PercentToProbability(double percent);
// The inverse, rounded to a millionth of a percent: the kernel keeps 32 bits
// (2.3e-8 %), so this gives back exactly the decimal a user typed (up to six
// decimals) instead of 1.0000000011641532.
double ProbabilityToPercent(uint32_t probability);

// tc_calc_xmittime(rate, size): ticks to send `size` bytes at `rate` bytes/s.
uint32_t XmitTimeTicks(uint64_t rate_bytes_per_second, uint32_t size_bytes);
// tc_calc_xmitsize: bytes sent at `rate` during `ticks`.
uint64_t XmitSizeBytes(uint64_t rate_bytes_per_second, uint32_t ticks);

// tc_calc_rtable with tc's defaults (mtu 2047 -> cell_log 3, no mpu, Ethernet):
// entry i is the time to send (i + 1) << cell_log bytes. The kernel ignores it
// for tbf since 3.x but tc still sends it, so we do too.
inline constexpr uint8_t kRateTableCellLog = 3;
std::array<uint32_t, 256> RateTable(uint32_t rate_bytes_per_second);

}  // namespace chaosnet::netlink::tc
