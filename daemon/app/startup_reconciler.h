// What a previous run of the daemon left behind, settled before the API
// serves: leases whose objects are still in place are re-armed, what expired
// (or belongs to no lease) while the daemon was down is rolled back, and what
// vanished is reported as lost.
#pragma once

#include "common/status.h"
#include "daemon/core/clock.h"
#include "daemon/core/fault_manager.h"
#include "daemon/netlink/netlink_kernel.h"
#include "daemon/state/lease_journal.h"

namespace chaosnet::app {

void LogJournalReport(const state::LeaseJournal& journal);

// `kernel` acts in the daemon's own namespace; `kernels` opens the others that
// recorded leases name. What a previous run left is cleared completely and
// the leases still live are placed again (same id, same deadline): rebuilding
// is simpler and surer than adopting trees that may be half-made.
Status ReconcileAtStart(state::LeaseJournal& journal, netlink::NetlinkKernel& kernel,
                        core::KernelProvider& kernels, core::FaultManager& manager,
                        const core::Clock& clock);

}  // namespace chaosnet::app
