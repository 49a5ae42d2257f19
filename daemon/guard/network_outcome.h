// What a network guard's check concludes from what happened on the wire: an
// HTTP status, a connection error, or no answer in time. Pure; the adapter
// (guard_runner) does the I/O and passes the facts in.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "daemon/guard/guard_spec.h"
#include "daemon/guard/guard_verdicts.h"

namespace chaosnet::guard {

// The request an http guard sends: HTTP/1.0, so that the server closes the
// connection after the answer, whose status line is all the guard reads.
std::string HttpRequest(const HttpCheck& check);
// The status of a status line ("HTTP/1.1 503 Service Unavailable"); none
// when the line is not one.
std::optional<unsigned> StatusOfStatusLine(std::string_view line);

// A tcp guard connected.
GuardOutcome ConnectedOutcome(Nanos latency);
// An http guard's answer: a pass when the status is in the check's range.
GuardOutcome HttpStatusOutcome(const HttpCheck& check, unsigned status, Nanos latency);
// The connection or the exchange failed: `what` as the system says it
// ("Connection refused"), shown in lower case.
GuardOutcome ErrorOutcome(std::string_view what, Nanos latency);
// Nothing within the timeout.
GuardOutcome TimeoutOutcome(Nanos timeout);

}  // namespace chaosnet::guard
