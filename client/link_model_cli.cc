#include "client/link_model_cli.h"

#include <CLI/CLI.hpp>

#include "client/link_model_flags.h"

namespace chaosnet::client {
namespace {

void AddSlotFlags(CLI::App* cmd, LinkModelOptions& o) {
  cmd->add_option("--slot", o.slot,
                  "Deliver in bursts: slots open MIN to MAX apart, e.g. 800us,10ms (netem slot)");
  cmd->add_option("--slot-packets", o.slot_packets, "At most N packets per slot");
  cmd->add_option("--slot-bytes", o.slot_bytes, "At most SIZE per slot, e.g. 64kb");
  cmd->add_option(
      "--slot-distribution", o.slot_distribution,
      "Slot gaps from normal, pareto or paretonormal (with --slot-delay, --slot-jitter)");
  cmd->add_option("--slot-delay", o.slot_delay, "Mean slot gap of --slot-distribution");
  cmd->add_option("--slot-jitter", o.slot_jitter, "Slot gap jitter of --slot-distribution");
}

void AddLinkRateFlags(CLI::App* cmd, LinkModelOptions& o) {
  cmd->add_option("--link-rate", o.link_rate,
                  "A slow link: each packet waits its serialisation time at RATE, no bursts, "
                  "order kept (netem rate). Use it for a link's timing and small-packet "
                  "goodput; use --rate for a bandwidth cap that lets bursts through (htb)");
  cmd->add_option("--overhead", o.overhead, "Bytes the link adds to each packet (--link-rate)");
  cmd->add_option("--cell-size", o.cell_size, "Link sends whole cells of SIZE, e.g. 48 for ATM");
  cmd->add_option("--cell-overhead", o.cell_overhead, "Bytes added to each cell, e.g. 5 for ATM");
}

void AddInOrderFlag(CLI::App* cmd, LinkModelOptions& o) {
  cmd->add_flag("--in-order", o.in_order,
                "Jitter without reordering (netem's rate mode; under load, delays bunch up "
                "towards latency + jitter)");
}

}  // namespace

void AddLinkModelFlags(CLI::App* cmd, LinkModelOptions& o, LinkModelFlags which) {
  switch (which) {
    case LinkModelFlags::kApply:
      cmd->add_option("--loss-model", o.loss_model,
                      "Bursty loss in tc's words: 'gemodel P [R [1-H [1-K]]]' or "
                      "'state P13 [P31 [P32 [P23 [P14]]]]'");
      cmd->add_flag("--ecn", o.ecn, "Mark ECN-capable packets (CE) instead of dropping them");
      AddSlotFlags(cmd, o);
      AddLinkRateFlags(cmd, o);
      AddInOrderFlag(cmd, o);
      cmd->add_option("--profile", o.profile,
                      "A named link condition (chaosnetctl profiles); other flags override it");
      break;
    case LinkModelFlags::kDelay:
      AddSlotFlags(cmd, o);
      AddLinkRateFlags(cmd, o);
      AddInOrderFlag(cmd, o);
      break;
    case LinkModelFlags::kLoss:
      cmd->add_flag("--ecn", o.ecn, "Mark ECN-capable packets (CE) instead of dropping them");
      break;
    case LinkModelFlags::kJam:
      cmd->add_option("--queue-bytes", o.queue_bytes,
                      "What the jam may hold, e.g. 64mb (default 16mb); the rest is dropped");
      break;
  }
}

void TakeLossModelFromLossValue(CreateOptions& o) {
  if (o.kind != FaultKind::kLoss || !LooksLikeLossModel(o.loss)) return;
  o.link.loss_model = std::move(o.loss);
  o.loss.clear();
}

}  // namespace chaosnet::client
