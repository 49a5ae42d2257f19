// Reads one netlink notification of the RTNLGRP_TC / RTNLGRP_LINK groups into
// a TcEvent: what happened to which tc object or link. Pure: bytes in, value
// out. TcMonitor (tc_monitor.h) feeds it; the fault manager decides which
// events concern a lease.
//
//   nlmsghdr   len | RTM_{NEW,DEL}{QDISC,TCLASS,TFILTER} | flags | seq | pid
//   tcmsg      family | ifindex | handle | parent | info (prio << 16 | proto)
//   TCA_KIND "tbf\0", TCA_OPTIONS, TCA_STATS2 ...
// or
//   nlmsghdr   len | RTM_{NEW,DEL}LINK | flags | seq | pid
//   ifinfomsg  family | type | ifindex | flags | change
//   IFLA_IFNAME "cnv0\0", ...
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"

struct nlmsghdr;

namespace chaosnet::netlink {

enum class TcEventKind {
  kQdiscDeleted,
  // RTM_NEWQDISC. The kernel sends the same message for a create, a
  // `tc qdisc change` and a `replace`, so "changed" is only true of a handle
  // the reader already knew: a foreign party cannot create a handle that
  // exists (EEXIST), so for an owned handle any NEW not sent by the owner
  // itself (see sender_port) is a change.
  kQdiscChanged,
  kClassDeleted,
  kClassChanged,   // RTM_NEWTCLASS: create or change, as for qdiscs
  kFilterDeleted,  // handle 0: every filter of that parent/priority went
  kFilterChanged,  // RTM_NEWTFILTER: create or change
  kLinkDeleted,    // also sent when a link moves to another namespace
  kLinkChanged,    // any RTM_NEWLINK: rename, up/down, carrier, address...
  // Not from the parser: TcMonitor reports that the kernel dropped
  // notifications (ENOBUFS), so the reader must re-read the state by dumping.
  kResync,
};

const char* TcEventKindName(TcEventKind kind);

struct TcEvent {
  TcEventKind kind = TcEventKind::kResync;
  int ifindex = 0;
  uint32_t handle = 0;  // qdisc/class handle, or the filter's handle
  uint32_t parent = 0;
  std::string tc_kind;  // TCA_KIND: "tbf", "htb", "u32"... (tc events)
  std::string ifname;   // IFLA_IFNAME (link events)
  // Filters only, from tcm_info: together with parent and handle they name
  // the filter. protocol is in host order (ETH_P_IP = 0x0800, ETH_P_ALL = 3).
  uint16_t priority = 0;
  uint16_t protocol = 0;
  // nlmsg_pid: the netlink port id of the socket whose request caused the
  // change, or 0 when the kernel acted on its own (a device going away). This
  // is how the daemon tells its own changes from foreign ones: it compares it
  // with its request socket's port in that namespace.
  uint32_t sender_port = 0;
  uint32_t sender_seq = 0;  // the causing request's nlmsg_seq
  // NLM_F_REPLACE on a NEW: the object took the place of another one at the
  // same parent (a graft; the old one comes as a DEL just before).
  bool replaced = false;
};

// One notification -> an event. std::nullopt for messages that are not about
// tc objects or links (NLMSG_DONE, chains, addresses, routes) and for link
// messages of another family (AF_BRIDGE port notifications also arrive as
// RTM_DELLINK although the link stays). INTERNAL when the message is too short
// for its header.
Result<std::optional<TcEvent>> ParseTcEvent(const nlmsghdr* message);

}  // namespace chaosnet::netlink
