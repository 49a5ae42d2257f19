// Whether the kernel the daemon probed can do the link models a spec asks
// for: the plug qdisc for a jam, and the netem attributes an older netem
// would silently ignore (the probe read them back: netlink/probe.cc). Pure.
#pragma once

#include "common/status.h"
#include "daemon/kernel/capabilities.h"
#include "daemon/model/fault_spec.h"

namespace chaosnet::linkmodel {

// FAILED_PRECONDITION naming what is missing and how to get it.
Status CheckKernelSupportsLinkModels(const kernel::Capabilities& caps,
                                     const model::FaultSpec& spec);

}  // namespace chaosnet::linkmodel
