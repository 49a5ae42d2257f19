// Links chaosnet creates and removes itself: the IFB devices that carry
// ingress faults. Raw rtnetlink requests over a NetlinkSocket.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "daemon/netlink/netlink_socket.h"
#include "daemon/netlink/nl_message.h"

namespace chaosnet::netlink {

// RTM_NEWLINK kind "ifb", created up (what `ip link add NAME up type ifb` sends).
NlMessage EncodeIfbCreate(const std::string& name);
// RTM_DELLINK by index.
NlMessage EncodeLinkDelete(int ifindex);

// An IFB device named `name`, created and up; its ifindex. ALREADY_EXISTS
// when a link of that name exists.
Result<int> CreateIfbLink(NetlinkSocket& sock, const std::string& name);
// NOT_FOUND when it is already gone.
Status DeleteLinkByIndex(NetlinkSocket& sock, int ifindex);
// Every link of the namespace as (name, ifindex).
Result<std::vector<std::pair<std::string, int>>> ListLinks(NetlinkSocket& sock);

}  // namespace chaosnet::netlink
