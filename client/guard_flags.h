// Guards (feature "guards") in chaosnetctl: the --guard flags of every
// creating command, the request's Guards built from them, and how `get` shows
// each guard's last check. The spec language is the daemon's to judge
// (daemon/guard/guard_spec.h): a malformed guard comes back as one line that
// names it, before anything is applied.
#pragma once

#include <string>
#include <vector>

#include "chaosnet/v1/chaosnet.pb.h"
#include "client/options.h"
#include "common/result.h"

namespace CLI {
class App;
}

namespace chaosnet::client {

namespace v1 = ::chaosnet::v1;

void AddGuardFlags(CLI::App* cmd, CreateOptions& o);
Status BuildGuards(const CreateOptions& o, v1::FaultSpec* spec);
// "guard:" rows for `get`: each guard, its last result, latency and what it saw.
std::vector<std::vector<std::string>> GuardRows(const v1::Fault& fault);

}  // namespace chaosnet::client
