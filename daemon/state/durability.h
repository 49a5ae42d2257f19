// How durable a lease store write must be when it returns: shared by the
// journal and the core's view of it (core/lease_store.h), which sees no more of
// the journal than this.
#pragma once

namespace chaosnet::state {

// kOnReturn: on disk (fdatasync) before the call returns. kWithNextSync:
// written now, on disk with the next kOnReturn write (or compaction); for a
// record whose loss a crash recovery tolerates, to save a disk flush.
enum class Durability { kOnReturn, kWithNextSync };

}  // namespace chaosnet::state
