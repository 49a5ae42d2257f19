#include "daemon/state/stored_lease.h"

namespace chaosnet::state {

const char* LeaseStateName(LeaseState s) { return NameOf(kLeaseStateNames, s); }

}  // namespace chaosnet::state
