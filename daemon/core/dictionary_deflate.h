// Raw deflate (zlib) of a text against a dictionary: a similar text the
// compressor may copy from as if it came just before. Ended faults' records
// are nearly alike (same keys, same kind of plan), so one compressed against
// a recent neighbour is a tenth of its size (measured: 1,411 bytes to ~120).
// The streams live as long as this object and are reset for each call, so a
// call allocates nothing but its result; the window is small (4 KiB, which
// bounds the part of a dictionary that is used) to keep their memory at
// ~25 KiB.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace chaosnet::core {

class DictionaryDeflate {
 public:
  DictionaryDeflate();
  ~DictionaryDeflate();
  DictionaryDeflate(const DictionaryDeflate&) = delete;
  DictionaryDeflate& operator=(const DictionaryDeflate&) = delete;

  std::string Compress(std::string_view dictionary, std::string_view text);
  // `size`: the text's length. INVALID_ARGUMENT when the bytes do not
  // expand to exactly that.
  Result<std::string> Expand(std::string_view dictionary, std::string_view compressed,
                             std::size_t size);

 private:
  struct Streams;
  std::unique_ptr<Streams> streams_;
};

}  // namespace chaosnet::core
