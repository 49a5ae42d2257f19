// How a batch is cut into sendmsg-sized pieces (batch_chunks.h): pure.
#include "daemon/netlink/batch_chunks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace chaosnet::netlink {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(BatchChunksTest, NothingToSendIsNoPiece) {
  EXPECT_THAT(SplitIntoChunks({}, ChunkLimits{}), IsEmpty());
}

TEST(BatchChunksTest, WhatFitsGoesInOnePiece) {
  EXPECT_THAT(SplitIntoChunks({100, 200, 300}, ChunkLimits{1000, 10}), ElementsAre(Chunk{0, 3}));
}

TEST(BatchChunksTest, BytesBoundAPieceAndAFullPieceIsExactlyTheLimit) {
  EXPECT_THAT(SplitIntoChunks({400, 600, 1, 999, 1000}, ChunkLimits{1000, 10}),
              ElementsAre(Chunk{0, 2}, Chunk{2, 4}, Chunk{4, 5}));
}

TEST(BatchChunksTest, MessagesBoundAPiece) {
  EXPECT_THAT(SplitIntoChunks({1, 1, 1, 1, 1}, ChunkLimits{1000, 2}),
              ElementsAre(Chunk{0, 2}, Chunk{2, 4}, Chunk{4, 5}));
}

TEST(BatchChunksTest, AMessageLargerThanTheLimitGoesAlone) {
  EXPECT_THAT(SplitIntoChunks({10, 5000, 10}, ChunkLimits{1000, 10}),
              ElementsAre(Chunk{0, 1}, Chunk{1, 2}, Chunk{2, 3}));
}

TEST(BatchChunksTest, PiecesCoverEveryMessageInOrder) {
  std::vector<std::size_t> sizes;
  for (std::size_t i = 0; i < 1000; ++i) sizes.push_back(100 + (i * 37) % 900);
  const auto chunks = SplitIntoChunks(sizes, ChunkLimits{4096, 7});
  std::size_t next = 0;
  for (const Chunk& c : chunks) {
    EXPECT_EQ(c.first, next);
    EXPECT_GT(c.last, c.first);
    EXPECT_LE(c.last - c.first, 7u);
    std::size_t bytes = 0;
    for (std::size_t i = c.first; i < c.last; ++i) bytes += sizes[i];
    EXPECT_LE(bytes, 4096u);
    next = c.last;
  }
  EXPECT_EQ(next, sizes.size());
}

TEST(BatchChunksTest, TheReceiveBufferBoundsTheAcksOfAPiece) {
  EXPECT_EQ(LimitsForReceiveBuffer(0).max_messages, 8u);           // unknown: cautious
  EXPECT_EQ(LimitsForReceiveBuffer(425'984).max_messages, 128u);   // rmem_max doubled
  EXPECT_EQ(LimitsForReceiveBuffer(64 * 1024).max_messages, 32u);  // 2 KiB per ack
  EXPECT_EQ(LimitsForReceiveBuffer(2 << 20).max_messages, 128u);
  EXPECT_EQ(LimitsForReceiveBuffer(0).max_bytes, 64u * 1024);
}

}  // namespace
}  // namespace chaosnet::netlink
