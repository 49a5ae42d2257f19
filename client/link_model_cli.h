// The link-model flags (issue 18) on chaosnetctl's fault commands, and what
// each command takes: all of them on `apply`; slots, --link-rate and
// --in-order on `delay`; --ecn on `loss` (whose value may also be a loss
// model); --queue-bytes on `jam`.
#pragma once

#include "client/options.h"

namespace CLI {
class App;
}

namespace chaosnet::client {

enum class LinkModelFlags { kApply, kDelay, kLoss, kJam };

void AddLinkModelFlags(CLI::App* command, LinkModelOptions& options, LinkModelFlags which);

// `chaosnetctl loss IFACE 'gemodel 1% 10%'`: the value is a model, not a
// percentage; moves it where the request builder reads models.
void TakeLossModelFromLossValue(CreateOptions& options);

}  // namespace chaosnet::client
