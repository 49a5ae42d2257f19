// Fuzzes the lease record codec (daemon/state/lease_codec.h), which reads the
// journal's records back after a crash, on any bytes. A record DecodeLease
// accepts is a lease with an id; EncodeLease writes it as a record that
// decodes to the same lease, and encoding that again gives the same bytes.
// A refusal is INVALID_ARGUMENT (damage) or FAILED_PRECONDITION (a record of
// a newer format, which the daemon must not rewrite), in one printable line:
// the daemon logs it. The same for the payload of a removal entry.
#include "daemon/state/lease_codec.h"
#include "fuzz/fuzz_check.h"

using namespace chaosnet;

namespace {

void CheckRefusal(const Status& status, const char* decoder) {
  fuzz::Check(status.code() == StatusCode::kInvalidArgument ||
                  status.code() == StatusCode::kFailedPrecondition,
              "a refused record is INVALID_ARGUMENT or FAILED_PRECONDITION", status.message());
  fuzz::CheckOneLine(status.message(), decoder);
}

void CheckLease(std::string_view text) {
  auto lease = state::DecodeLease(text);
  if (!lease.ok()) {
    CheckRefusal(lease.status(), "DecodeLease refused");
    return;
  }
  fuzz::Check(!lease->id.empty(), "a decoded lease has an id", text);
  const std::string encoded = state::EncodeLease(*lease);
  auto again = state::DecodeLease(encoded);
  fuzz::Check(again.ok(), "EncodeLease writes a record DecodeLease reads",
              again.ok() ? encoded : again.status().message());
  fuzz::Check(*again == *lease, "EncodeLease -> DecodeLease gives the same lease", encoded);
  fuzz::Check(state::EncodeLease(*again) == encoded, "the encoding is stable", encoded);
}

void CheckRemoval(std::string_view text) {
  auto id = state::DecodeRemoval(text);
  if (!id.ok()) {
    CheckRefusal(id.status(), "DecodeRemoval refused");
    return;
  }
  fuzz::Check(!id->empty(), "a decoded removal names an id", text);
  const std::string encoded = state::EncodeRemoval(*id);
  auto again = state::DecodeRemoval(encoded);
  fuzz::Check(again.ok() && *again == *id, "EncodeRemoval -> DecodeRemoval gives the same id",
              encoded);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::AsText(data, size);
  CheckLease(text);
  CheckRemoval(text);
  return 0;
}
