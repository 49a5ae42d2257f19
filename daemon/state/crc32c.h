// CRC-32C (Castagnoli), the checksum of journal entries. Chosen over zlib's
// CRC-32 for its better error detection on short records; software only, a
// journal entry is small and fsync dominates its cost by orders of magnitude.
#pragma once

#include <cstdint>
#include <string_view>

namespace chaosnet::state {

// Extends `crc` (the value of an earlier call, or 0 to start) over `data`.
uint32_t Crc32c(std::string_view data, uint32_t crc = 0);

}  // namespace chaosnet::state
