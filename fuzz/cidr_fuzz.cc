// Fuzzes ParseCidr: an accepted prefix is in range, has no host bits (refused, never
// masked), was typed in address characters only, and round-trips through FormatCidr.
#include <sys/socket.h>

#include "common/net_parse.h"
#include "fuzz/fuzz_check.h"

using namespace chaosnet;

namespace {

bool HasHostBits(const model::Cidr& cidr) {
  const int bits = cidr.family == AF_INET ? 32 : 128;
  for (int bit = cidr.prefix_length; bit < bits; ++bit) {
    if (cidr.address[bit / 8] & (0x80 >> (bit % 8))) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::AsText(data, size);
  auto cidr = ParseCidr(text);
  if (!cidr.ok()) {
    fuzz::CheckOneLineError(cidr.status(), "ParseCidr refused");
    return 0;
  }
  fuzz::Check(text.find_first_not_of("0123456789abcdefABCDEF.:/") == std::string_view::npos,
              "an accepted CIDR is spelled with address characters only", text);
  const bool v4 = cidr->family == AF_INET;
  fuzz::Check(v4 || cidr->family == AF_INET6, "an accepted CIDR is IPv4 or IPv6", text);
  fuzz::Check(cidr->prefix_length <= (v4 ? 32 : 128), "the prefix length fits the family", text);
  fuzz::Check(!HasHostBits(*cidr), "an accepted CIDR has no host bits set", text);
  if (v4) {
    // Cidr compares all 16 bytes: IPv4's unused tail must be zero.
    for (size_t i = 4; i < cidr->address.size(); ++i) {
      fuzz::Check(cidr->address[i] == 0, "an IPv4 address leaves bytes 4..15 zero", text);
    }
  }
  const std::string formatted = FormatCidr(*cidr);
  auto again = ParseCidr(formatted);
  fuzz::Check(again.ok() && *again == *cidr, "FormatCidr parses back to the same CIDR", formatted);
  fuzz::Check(FormatCidr(*again) == formatted, "FormatCidr is stable", formatted);
  return 0;
}
