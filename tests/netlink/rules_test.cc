// Pure decision tables of the kernel boundary: the capability table, which
// root qdiscs count as the kernel's default, the probe's module-file fallback.
#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include "daemon/kernel/capabilities.h"
#include "daemon/netlink/netlink_kernel.h"
#include "daemon/netlink/probe.h"
#include "daemon/netlink/root_qdisc_rule.h"

namespace chaosnet::netlink {
namespace {

TEST(CapabilityTableTest, EveryFeatureNamesItsModuleAndConfigOption) {
  EXPECT_EQ(kernel::MissingFeatureMessage(kernel::FeatureInfo(kernel::FeatureId::kTbf)),
            "kernel has no tbf qdisc: load sch_tbf or enable CONFIG_NET_SCH_TBF");
  EXPECT_EQ(kernel::LoadHint(kernel::FeatureInfo(kernel::FeatureId::kIfb)),
            "load ifb or enable CONFIG_IFB");
  for (const kernel::Feature& f : kernel::kFeatures) {
    EXPECT_EQ(kernel::FindFeature(f.name), &f) << f.name;
    EXPECT_EQ(std::string(f.config).rfind("CONFIG_", 0), 0u) << f.name;
    EXPECT_NE(std::string(f.module), "") << f.name;
  }
  EXPECT_EQ(kernel::FindFeature("pfifo"), nullptr);
}

TEST(RootQdiscRuleTest, OnlyKernelAttachedRootsAreDefault) {
  struct Case {
    const char* kind;
    uint32_t handle;
    bool is_default;
  } cases[] = {
      {"noqueue", 0, true},
      {"noop", 0, true},
      {"pfifo_fast", 0, true},
      {"mq", 0, true},
      {"fq_codel", 0, true},
      {"fq", 0, true},
      {"pfifo", 0, true},
      // Added with tc: a handle, asked for or auto-allocated (8001:).
      {"htb", 0x10000, false},
      {"pfifo_fast", 0x80010000, false},
      {"fq_codel", 0x80020000, false},
      {"netem", 0xCA000000, false},
      {"tbf", 0xCA000000, false},
      // Handle 0 but not a kind the kernel attaches by itself.
      {"htb", 0, false},
      {"netem", 0, false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(IsKernelDefaultRoot(c.kind, c.handle), c.is_default)
        << c.kind << " " << std::hex << c.handle;
  }
}

TEST(RootQdiscRuleTest, RootIsTheQdiscWhoseParentIsRoot) {
  std::vector<QdiscInfo> qdiscs(2);
  qdiscs[0].kind = "netem";
  qdiscs[0].handle = 0xCA010000;
  qdiscs[0].parent = 0xCA000001;
  qdiscs[1].kind = "tbf";
  qdiscs[1].handle = 0xCA000000;
  qdiscs[1].parent = plan::kRootParent;
  const auto root = RootOf(qdiscs);
  EXPECT_EQ(root.kind, "tbf");
  EXPECT_EQ(root.handle, 0xCA000000u);
  EXPECT_FALSE(root.is_default);
  EXPECT_TRUE(RootOf({}).is_default);
}

TEST(ProbeFallbackTest, ReadsLoadedBuiltinAndLoadableModules) {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / ("cn-probe-" + std::to_string(getpid()));
  fs::create_directories(root / "sys" / "sch_tbf");
  fs::create_directories(root / "mods");
  std::ofstream(root / "mods" / "modules.builtin") << "kernel/net/sched/sch_htb.ko\n";
  std::ofstream(root / "mods" / "modules.dep")
      << "kernel/net/sched/sch_netem.ko:\nkernel/drivers/net/ifb.ko:\n";
  const auto caps = ProbeFromModuleFiles((root / "sys").string(), (root / "mods").string());
  fs::remove_all(root);
  EXPECT_TRUE(caps.tbf);    // loaded
  EXPECT_TRUE(caps.htb);    // built in
  EXPECT_TRUE(caps.netem);  // loadable
  EXPECT_TRUE(caps.ifb);
  EXPECT_FALSE(caps.u32);
  EXPECT_FALSE(caps.mirred);
  // The link models: plug is its own module; netem's attributes are guessed
  // from sch_netem (only the namespace probe reads them back).
  EXPECT_FALSE(caps.plug);
  EXPECT_TRUE(caps.netem_loss_models && caps.netem_ecn && caps.netem_slot && caps.netem_rate);
  // The seed is not guessed: 6.1's sch_netem has none, and it ignores it.
  EXPECT_FALSE(caps.netem_seed);
  EXPECT_EQ(caps.notes.size(), 12u);
}

}  // namespace
}  // namespace chaosnet::netlink
