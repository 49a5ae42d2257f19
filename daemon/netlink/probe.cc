#include "daemon/netlink/probe.h"

#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_mirred.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>
#include <utility>

#include "daemon/netlink/netem_encoder.h"
#include "daemon/netlink/netlink_socket.h"
#include "daemon/netlink/plug_encoder.h"
#include "daemon/netlink/qdisc_parser.h"
#include "daemon/netlink/qdisc_requests.h"
#include "daemon/netlink/tbf_encoder.h"

namespace chaosnet::netlink {
namespace {

constexpr int kLoopback = 1;  // lo is always ifindex 1 in a fresh namespace
constexpr uint32_t kProbeHandle = 0xCAFF0000;

std::string Outcome(const KernelError& e) {
  if (e.ok()) return "yes";
  std::string s = std::string("no (") + std::strerror(e.error);
  if (!e.ext_ack.empty()) s += "; kernel says: " + e.ext_ack;
  return s + ")";
}

const char* Label(kernel::FeatureId id) { return kernel::FeatureInfo(id).probe_label; }

// Adds `req` as lo's root, then deletes it again.
bool TryRootQdisc(NetlinkSocket& sock, NlMessage req, kernel::FeatureId id,
                  kernel::Capabilities* caps) {
  KernelError e = sock.Transact(req);
  if (e.error == EAGAIN) e = sock.Transact(req);  // module autoloaded: replay
  caps->notes.push_back(std::string(Label(id)) + ": " + Outcome(e));
  if (!e.ok()) return false;
  NlMessage del = EncodeQdiscDelete({kLoopback, kProbeHandle, TC_H_ROOT});
  sock.Transact(del);
  return true;
}

NlMessage HtbRoot() {
  NlMessage m = StartTcMessage(RTM_NEWQDISC, QdiscAddFlags(), {kLoopback, kProbeHandle, TC_H_ROOT});
  nla_put_string(m.get(), TCA_KIND, "htb");
  nlattr* opts = OpenUnflaggedNest(m.get(), TCA_OPTIONS, 0, nullptr);
  tc_htb_glob glob{};
  glob.version = TC_HTB_PROTOVER;
  glob.rate2quantum = 10;
  nla_put(m.get(), TCA_HTB_INIT, sizeof(glob), &glob);
  CloseUnflaggedNest(m.get(), opts);
  return m;
}

NlMessage IngressQdisc() {
  NlMessage m = StartTcMessage(RTM_NEWQDISC, QdiscAddFlags(),
                               {kLoopback, TC_H_MAKE(TC_H_INGRESS, 0), TC_H_INGRESS});
  nla_put_string(m.get(), TCA_KIND, "ingress");
  return m;
}

NlMessage IfbLink(const char* name) {
  NlMessage m = NlMessage::Allocate();
  nlmsghdr* h = nlmsg_put(m.get(), 0, 0, RTM_NEWLINK, sizeof(ifinfomsg),
                          NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
  std::memset(nlmsg_data(h), 0, sizeof(ifinfomsg));
  nla_put_string(m.get(), IFLA_IFNAME, name);
  nlattr* info = nla_nest_start(m.get(), IFLA_LINKINFO);
  nla_put_string(m.get(), IFLA_INFO_KIND, "ifb");
  nla_nest_end(m.get(), info);
  return m;
}

// u32 "match u32 0 0" on lo's ingress, optionally redirecting to `mirred_to`.
NlMessage U32Filter(uint16_t prio, int mirred_to) {
  const uint32_t info = TC_H_MAKE(static_cast<uint32_t>(prio) << 16, htons(ETH_P_ALL));
  NlMessage m =
      StartTcMessage(RTM_NEWTFILTER, QdiscAddFlags(), {kLoopback, 0, TC_H_MAKE(TC_H_INGRESS, 0)});
  reinterpret_cast<tcmsg*>(nlmsg_data(m.header()))->tcm_info = info;
  nla_put_string(m.get(), TCA_KIND, "u32");
  nlattr* opts = OpenUnflaggedNest(m.get(), TCA_OPTIONS, 0, nullptr);
  // One all-zero key (mask 0 matches every packet) after the selector.
  unsigned char sel_buf[sizeof(tc_u32_sel) + sizeof(tc_u32_key)] = {};
  tc_u32_sel sel{};
  sel.flags = TC_U32_TERMINAL;
  sel.nkeys = 1;
  std::memcpy(sel_buf, &sel, sizeof(sel));
  nla_put(m.get(), TCA_U32_SEL, sizeof(sel_buf), sel_buf);
  if (mirred_to > 0) {
    nlattr* acts = OpenUnflaggedNest(m.get(), TCA_U32_ACT, 0, nullptr);
    nlattr* act = OpenUnflaggedNest(m.get(), 1, 0, nullptr);
    nla_put_string(m.get(), TCA_ACT_KIND, "mirred");
    nlattr* aopts = OpenUnflaggedNest(m.get(), TCA_ACT_OPTIONS, 0, nullptr);
    tc_mirred parms{};
    parms.action = TC_ACT_STOLEN;
    parms.eaction = TCA_EGRESS_REDIR;
    parms.ifindex = static_cast<uint32_t>(mirred_to);
    nla_put(m.get(), TCA_MIRRED_PARMS, sizeof(parms), &parms);
    CloseUnflaggedNest(m.get(), aopts);
    CloseUnflaggedNest(m.get(), act);
    CloseUnflaggedNest(m.get(), acts);
  }
  CloseUnflaggedNest(m.get(), opts);
  return m;
}

int LinkIndex(NetlinkSocket& sock, const char* name) {
  NlMessage req = EncodeLinkGetByName(name);
  int index = 0;
  sock.Transact(req, [&](const nlmsghdr* h) {
    if (h->nlmsg_type == RTM_NEWLINK)
      index = static_cast<const ifinfomsg*>(nlmsg_data(h))->ifi_index;
  });
  return index;
}

// An older netem accepts a request with attributes it does not know and
// ignores them, so adding one proves nothing: the probe adds a netem with
// every link-model attribute and reads it back.
void ProbeNetemAttributes(NetlinkSocket& sock, kernel::Capabilities* caps) {
  using kernel::FeatureId;
  const std::pair<FeatureId, bool kernel::Capabilities::*> kAttributes[] = {
      {FeatureId::kNetemLossModels, &kernel::Capabilities::netem_loss_models},
      {FeatureId::kNetemEcn, &kernel::Capabilities::netem_ecn},
      {FeatureId::kNetemSlot, &kernel::Capabilities::netem_slot},
      {FeatureId::kNetemRate, &kernel::Capabilities::netem_rate},
      {FeatureId::kNetemSeed, &kernel::Capabilities::netem_seed},
  };
  auto note_all = [&](const std::string& outcome) {
    for (const auto& [id, field] : kAttributes) {
      caps->notes.push_back(std::string(Label(id)) + ": " + outcome);
    }
  };
  if (!caps->netem) return note_all("no (no netem)");
  plan::NetemQdisc netem;
  netem.loss_model = model::GilbertElliottLoss{1, 10, 100, 0};
  netem.ecn = true;
  model::SlotFault slot;
  slot.max_delay = std::chrono::milliseconds(1);
  netem.slot = slot;
  netem.rate = {125000, 24, 0, 0};
  constexpr uint64_t kSeed = 0x5EED5EED5EED5EEDULL;
  netem.seed = kSeed;
  auto add = EncodeNetemAdd({kLoopback, kProbeHandle, TC_H_ROOT}, netem, DistributionTables{});
  if (!add.ok()) return note_all("not probed (" + add.status().message() + ")");
  KernelError e = sock.Transact(*add);
  if (!e.ok()) return note_all(Outcome(e));
  std::optional<plan::NetemQdisc> back;
  std::optional<uint64_t> seed_back;
  NlMessage get = EncodeQdiscGet(kLoopback, kProbeHandle);
  sock.Transact(get, [&](const nlmsghdr* h) {
    if (h->nlmsg_type != RTM_NEWQDISC) return;
    auto info = ParseQdiscMessage(h);
    if (info.ok() && info->netem) {
      back = info->netem;
      seed_back = info->netem_seed;
    }
  });
  NlMessage del = EncodeQdiscDelete({kLoopback, kProbeHandle, TC_H_ROOT});
  sock.Transact(del);
  if (!back) return note_all("no (the netem qdisc could not be read back)");
  caps->netem_loss_models = back->loss_model == netem.loss_model;
  caps->netem_ecn = back->ecn;
  caps->netem_slot = back->slot.has_value() && back->slot->max_delay == slot.max_delay;
  caps->netem_rate = back->rate == netem.rate;
  // Newer kernels dump a seed always (a random one if none was given): only
  // ours coming back says the kernel took it.
  caps->netem_seed = seed_back == kSeed;
  for (const auto& [id, field] : kAttributes) {
    caps->notes.push_back(std::string(Label(id)) + ": " +
                          (caps->*field ? "yes" : "no (the kernel's netem ignored it)"));
  }
}

void ProbeInNamespace(kernel::Capabilities* caps) {
  auto sock = NetlinkSocket::Open();
  if (!sock.ok()) {
    caps->notes.push_back("probe: " + sock.status().message());
    return;
  }
  plan::NetemQdisc netem;
  auto netem_req =
      EncodeNetemAdd({kLoopback, kProbeHandle, TC_H_ROOT}, netem, DistributionTables{});
  caps->netem = netem_req.ok() &&
                TryRootQdisc(*sock, std::move(netem_req).value(), kernel::FeatureId::kNetem, caps);
  caps->tbf = TryRootQdisc(
      *sock, EncodeTbfAdd({kLoopback, kProbeHandle, TC_H_ROOT}, {125000, 10000, 10000}),
      kernel::FeatureId::kTbf, caps);
  caps->htb = TryRootQdisc(*sock, HtbRoot(), kernel::FeatureId::kHtb, caps);
  caps->plug = TryRootQdisc(*sock, EncodePlugAdd({kLoopback, kProbeHandle, TC_H_ROOT}, {100000}),
                            kernel::FeatureId::kPlug, caps);
  ProbeNetemAttributes(*sock, caps);

  NlMessage ifb = IfbLink("cnprobe0");
  KernelError e = sock->Transact(ifb);
  caps->ifb = e.ok();
  caps->notes.push_back(std::string(Label(kernel::FeatureId::kIfb)) + ": " + Outcome(e));
  const int redirect_to = caps->ifb ? LinkIndex(*sock, "cnprobe0") : kLoopback;

  NlMessage ingress = IngressQdisc();
  e = sock->Transact(ingress);
  if (!e.ok()) {
    caps->notes.push_back(std::string(Label(kernel::FeatureId::kIngress)) + ": " + Outcome(e) +
                          "; u32 and mirred not probed");
    return;
  }
  NlMessage u32 = U32Filter(1, 0);
  e = sock->Transact(u32);
  caps->u32 = e.ok();
  caps->notes.push_back(std::string(Label(kernel::FeatureId::kU32)) + ": " + Outcome(e));
  if (!caps->u32) {
    caps->notes.push_back(std::string(Label(kernel::FeatureId::kMirred)) +
                          ": not probed (needs u32)");
    return;
  }
  NlMessage mirred = U32Filter(2, redirect_to);
  e = sock->Transact(mirred);
  caps->mirred = e.ok();
  caps->notes.push_back(std::string(Label(kernel::FeatureId::kMirred)) + ": " + Outcome(e));
}

bool Exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

bool FileMentions(const std::string& path, const std::string& needle) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find(needle) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

kernel::Capabilities ProbeFromModuleFiles(const std::string& sys_module,
                                          const std::string& modules_dir) {
  kernel::Capabilities caps;
  for (const kernel::Feature& f : kernel::kFeatures) {
    if (f.available == nullptr) continue;
    if (f.id == kernel::FeatureId::kNetemSeed) {
      // Only a netem that dumps the seed back has it; a module file cannot
      // say (6.1's sch_netem is there too), and a wrong yes would apply an
      // unseeded fault.
      caps.notes.push_back(std::string(f.probe_label) + ": unknown without the namespace probe");
      continue;
    }
    const std::string module = f.module;
    const std::string ko = "/" + module + ".ko";
    std::string how;
    if (Exists(sys_module + "/" + module))
      how = "loaded";
    else if (FileMentions(modules_dir + "/modules.builtin", ko))
      how = "built in";
    else if (FileMentions(modules_dir + "/modules.dep", ko))
      how = "loadable module";
    caps.notes.push_back(std::string(f.probe_label) + ": " + (how.empty() ? "not found" : how));
    caps.*f.available = !how.empty();
  }
  return caps;
}

kernel::Capabilities ProbeKernel() {
  kernel::Capabilities caps;
  int unshare_errno = 0;
  // unshare() moves only this thread; the daemon's own threads stay where
  // they are, and the namespace is gone when the thread ends.
  std::thread t([&] {
    if (unshare(CLONE_NEWNET) != 0) {
      unshare_errno = errno;
      return;
    }
    ProbeInNamespace(&caps);
  });
  t.join();
  if (unshare_errno == 0) {
    caps.notes.insert(caps.notes.begin(),
                      "probed by trying each feature in a throwaway network namespace");
    return caps;
  }
  utsname u{};
  uname(&u);
  kernel::Capabilities guess =
      ProbeFromModuleFiles("/sys/module", std::string("/lib/modules/") + u.release);
  guess.notes.insert(guess.notes.begin(),
                     std::string("could not unshare a network namespace to try features (") +
                         std::strerror(unshare_errno) +
                         "); guessed from /sys/module and /lib/modules instead: a module listed "
                         "there may still fail to load");
  return guess;
}

}  // namespace chaosnet::netlink
