#include "client/fleet/os_random.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>

namespace chaosnet::fleet {

Result<uint64_t> DrawSeed() {
  uint64_t value = 0;
  // 8 bytes from the urandom pool: getrandom returns them whole or fails
  // (requests of up to 256 bytes are not interrupted once the pool is ready).
  ssize_t got;
  do {
    got = getrandom(&value, sizeof(value), 0);
  } while (got < 0 && errno == EINTR);
  if (got != static_cast<ssize_t>(sizeof(value))) {
    return Internal(std::string("cannot draw a random seed: getrandom: ") +
                    (got < 0 ? std::strerror(errno) : "short read"));
  }
  return value;
}

Result<std::string> NewExperimentId() {
  ASSIGN_OR_RETURN(const uint64_t bits, DrawSeed());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(16, '0');
  for (int i = 0; i < 16; ++i) id[i] = kHex[(bits >> (60 - 4 * i)) & 0xF];
  return id;
}

}  // namespace chaosnet::fleet
