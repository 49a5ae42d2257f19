// An ended fault's record as bytes, for the history of ended faults
// (ended_history.h): the journal's lease record (state/lease_codec.h, through
// ToStoredLease) for what the fault was, then, after a newline, one JSON
// object for how it ended, which the journal has no use for:
//   {"state":"EXPIRED","reason":"...","ended_ns":N,"netns_key":"...",
//    "counters":{"packets":N,"bytes":N,"drops":N,"overlimits":N,
//                "backlog_packets":N,"backlog_bytes":N,"read_ns":N},
//    "guards":[{"check":"...","result":"fail","observed":"...","latency_ns":N,
//               "checked_ns":N,"consecutive_failures":N,"checks":N,"failures":N}],
//    "program":{"started_ns":N,"cycle":N,"index":N,"step_started_ns":N,
//               "next_ns":N,"steps_per_cycle":N,"values":V,"off":true,
//               "step_due_ns":N,"next_step_ns":N,"applied_ns":N,
//               "steps_applied":N,"last_lag_ns":N},
//    "plan":[{"device":"eth0","object":"qdisc","kind":"htb","handle":"ca00:",
//             "parent":"root","parameters":"..."}]}
// ("result" only once checked, "program" only with one, "next_ns" only while
// the program has a next step). The plan is kept as the text `get` shows:
// the objects themselves are gone with the fault. Everything `get` and `list`
// show of an ended fault decodes as it was; the live-only parts (the deadline
// on this run's clock, the placements) are not kept.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "daemon/core/fault_record.h"

namespace chaosnet::core {

std::string EncodeEndedRecord(const FaultRecord& record);
// INVALID_ARGUMENT naming what is malformed (bytes this file did not write).
Result<FaultRecord> DecodeEndedRecord(std::string_view bytes);

}  // namespace chaosnet::core
