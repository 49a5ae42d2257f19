// The requests that add, delete or change a fault tree's objects
// (plan/tc_objects.h), built up front so that a change goes to the kernel as
// one batch (NetlinkSocket::TransactBatch). Pure: objects in, messages out.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/result.h"
#include "daemon/netlink/distribution_tables.h"
#include "daemon/netlink/nl_message.h"
#include "daemon/plan/tc_objects.h"

namespace chaosnet::netlink {

// The requests for a list of objects, in order, and which object (and, for a
// u32 classifier, which of its rules: one request each, at the same
// priority) each request is for.
struct TreeRequests {
  struct Origin {
    std::size_t object = 0;
    std::size_t rule = 0;   // u32: 0-based rule index
    std::size_t rules = 0;  // u32: how many the classifier has; 0 for others
  };
  std::vector<NlMessage> messages;
  std::vector<Origin> origins;  // parallel to messages
};

// Adds, as tc does them. INVALID_ARGUMENT (naming the object, "adding ...:")
// for an object that cannot be encoded: a classifier without rules, a
// redirect to a device without an ifindex, netem parameters out of range.
Result<TreeRequests> EncodeTreeAdds(int ifindex, const std::vector<plan::TcObject>& objects,
                                    const DistributionTables& tables);

// "adding htb class ca00:5 (ifindex 3)", "adding u32 filter prio 1002 ... ,
// rule 2 of 3": how a failed add request is named in its error.
std::string AddRequestName(int ifindex, const std::vector<plan::TcObject>& objects,
                           const TreeRequests::Origin& origin);

// The delete of one object: a qdisc (and its children), a class (and its
// leaf), or a filter's whole priority.
NlMessage EncodeTreeDelete(int ifindex, const plan::TcObject& object);

// In-place changes (EncodeNetemChange, EncodeHtbClassChange), one per object.
// INVALID_ARGUMENT for an object that does not change in place.
Result<std::vector<NlMessage>> EncodeTreeChanges(int ifindex,
                                                 const std::vector<plan::TcObject>& objects);

// " (ifindex 3)"
std::string OnIfindex(int ifindex);

}  // namespace chaosnet::netlink
