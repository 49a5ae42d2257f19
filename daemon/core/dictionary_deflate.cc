#include "daemon/core/dictionary_deflate.h"

#include <zlib.h>

#include <stdexcept>

namespace chaosnet::core {
namespace {

constexpr int kWindowBits = 12;  // 4 KiB; negative below: raw deflate, no header
constexpr int kMemLevel = 5;
constexpr int kLevel = 6;

const Bytef* BytesOf(std::string_view s) { return reinterpret_cast<const Bytef*>(s.data()); }

}  // namespace

struct DictionaryDeflate::Streams {
  z_stream deflate{};
  z_stream inflate{};
};

DictionaryDeflate::DictionaryDeflate() : streams_(std::make_unique<Streams>()) {
  if (deflateInit2(&streams_->deflate, kLevel, Z_DEFLATED, -kWindowBits, kMemLevel,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::bad_alloc();
  }
  if (inflateInit2(&streams_->inflate, -kWindowBits) != Z_OK) {
    deflateEnd(&streams_->deflate);
    throw std::bad_alloc();
  }
}

DictionaryDeflate::~DictionaryDeflate() {
  deflateEnd(&streams_->deflate);
  inflateEnd(&streams_->inflate);
}

std::string DictionaryDeflate::Compress(std::string_view dictionary, std::string_view text) {
  z_stream& z = streams_->deflate;
  deflateReset(&z);
  if (!dictionary.empty()) {
    deflateSetDictionary(&z, BytesOf(dictionary), static_cast<uInt>(dictionary.size()));
  }
  std::string out(deflateBound(&z, text.size()), '\0');
  z.next_in = const_cast<Bytef*>(BytesOf(text));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  // deflateBound leaves room for everything: one call finishes.
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) throw std::logic_error("deflate did not finish");
  out.resize(z.total_out);
  return out;
}

Result<std::string> DictionaryDeflate::Expand(std::string_view dictionary,
                                              std::string_view compressed, std::size_t size) {
  z_stream& z = streams_->inflate;
  inflateReset(&z);
  if (!dictionary.empty() &&
      inflateSetDictionary(&z, BytesOf(dictionary), static_cast<uInt>(dictionary.size())) != Z_OK) {
    return InvalidArgument("compressed record: the dictionary was refused");
  }
  std::string out(size, '\0');
  z.next_in = const_cast<Bytef*>(BytesOf(compressed));
  z.avail_in = static_cast<uInt>(compressed.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&z, Z_FINISH);
  if (rc != Z_STREAM_END || z.total_out != size) {
    return InvalidArgument("compressed record: does not expand to " + std::to_string(size) +
                           " bytes");
  }
  return out;
}

}  // namespace chaosnet::core
