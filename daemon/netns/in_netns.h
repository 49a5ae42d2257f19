// Acting inside another network namespace without moving the event loop: a
// short-lived thread joins the namespace (setns only changes the calling
// thread) and creates the netlink socket there; the socket stays bound to
// that namespace for the rest of its life, whichever thread uses it.
#pragma once

#include "common/result.h"
#include "daemon/netlink/netlink_socket.h"
#include "daemon/netns/netns_ref.h"

namespace chaosnet::netns {

// PERMISSION_DENIED when joining needs a capability the daemon lacks
// (CAP_SYS_ADMIN).
Result<netlink::NetlinkSocket> OpenNetlinkSocketIn(const NetnsRef& ns);

}  // namespace chaosnet::netns
