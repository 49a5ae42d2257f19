#include "daemon/netlink/batch_chunks.h"

#include <algorithm>

namespace chaosnet::netlink {

ChunkLimits LimitsForReceiveBuffer(std::size_t rcvbuf_bytes) {
  ChunkLimits limits;
  limits.max_messages = std::clamp<std::size_t>(rcvbuf_bytes / 2048, 8, 128);
  return limits;
}

std::vector<Chunk> SplitIntoChunks(const std::vector<std::size_t>& sizes,
                                   const ChunkLimits& limits) {
  std::vector<Chunk> chunks;
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    if (!chunks.empty() && chunks.back().last - chunks.back().first < limits.max_messages &&
        bytes + sizes[i] <= limits.max_bytes) {
      ++chunks.back().last;
      bytes += sizes[i];
      continue;
    }
    chunks.push_back({i, i + 1});
    bytes = sizes[i];
  }
  return chunks;
}

}  // namespace chaosnet::netlink
