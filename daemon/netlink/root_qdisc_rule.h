// Which root qdiscs chaosnet may replace: the ones the kernel attached itself.
//
// The rule: a root is "default" when there is none, or when its handle major
// is 0 and its kind is one the kernel attaches on its own (noqueue for
// virtual devices, noop while a device is down, pfifo_fast/mq/fq_codel/fq/...
// per net.core.default_qdisc, pfifo when tx_queue_len changes hands).
// Why the handle: the kernel gives its own default qdiscs handle 0:, while a
// qdisc added with tc always gets a non-zero one (the one asked for, or an
// auto-allocated 8001:...), even `tc qdisc add dev X root pfifo_fast`. So an
// operator's qdisc is never taken for a default one, whatever its kind.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/kernel/kernel.h"
#include "daemon/netlink/qdisc_parser.h"

namespace chaosnet::netlink {

bool IsKernelDefaultRoot(const std::string& kind, uint32_t handle);

// The root among one interface's qdiscs (parent TC_H_ROOT). Without one, a
// RootQdisc of kind "none", handle 0, default.
kernel::RootQdisc RootOf(const std::vector<QdiscInfo>& qdiscs_of_interface);

}  // namespace chaosnet::netlink
