// Acting inside another network namespace without moving the event loop: a
// short-lived thread joins the namespace (setns only changes the calling
// thread) and creates the socket or opens the file there; it stays bound to
// that namespace for the rest of its life, whichever thread uses it.
#pragma once

#include <functional>

#include "common/result.h"
#include "daemon/netlink/netlink_socket.h"
#include "daemon/netns/netns_ref.h"

namespace chaosnet::netns {

// Runs `work` on a short-lived thread that has joined `ns`, and waits for it.
// PERMISSION_DENIED when joining needs a capability the daemon lacks
// (CAP_SYS_ADMIN); `work` does not run then.
Status RunIn(const NetnsRef& ns, const std::function<void()>& work);

Result<netlink::NetlinkSocket> OpenNetlinkSocketIn(const NetnsRef& ns);

}  // namespace chaosnet::netns
