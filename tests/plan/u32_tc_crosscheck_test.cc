// Cross-check against tc itself: every u32 rule the plan compiler makes is
// described in tc's words (DescribeU32Rule), handed to the real `tc filter
// add` in a throwaway network namespace, and the keys the kernel then reports
// (`tc filter show`) must be exactly the compiler's keys. This proves both the
// offsets/word packing and that the dry-run text is valid tc syntax.
// Needs root, iproute2 and namespaces; skipped otherwise. Touches only a veth
// pair inside the namespace it creates, and deletes the namespace on every
// path.
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "common/net_parse.h"
#include "daemon/plan/describe.h"
#include "daemon/plan/interface_tree.h"
#include "tests/support/plan_printers.h"
#include "tests/support/run_command.h"
#include "tests/support/test_netns.h"

namespace chaosnet::plan {
namespace {

using chaosnet::testing::IsRoot;
using chaosnet::testing::RunCommand;
using chaosnet::testing::Shell;
using chaosnet::testing::TestNetns;
using namespace std::chrono_literals;

struct Node {
  std::vector<std::string> keys;  // "value/mask at offset", sorted
  bool operator==(const Node&) const = default;
};

std::string KeyText(const U32Key& k) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%08x/%08x at %d", k.value, k.mask, k.offset);
  return buf;
}

model::FaultSpec Delayed(model::Match match) {
  model::FaultSpec s;
  s.delay = model::DelayFault{100ms};
  s.match = std::move(match);
  return s;
}

TEST(U32TcCrossCheck, KernelSeesExactlyTheCompiledKeys) {
  if (!IsRoot()) GTEST_SKIP() << "needs root for a network namespace";
  if (Shell("tc -V") != 0) GTEST_SKIP() << "tc (iproute2) is not installed";
  std::string error;
  auto ns = TestNetns::Create(&error);
  if (!ns) GTEST_SKIP() << "cannot create a network namespace: " << error;
  const std::string tc = "tc -n " + ns->name() + " ";
  ASSERT_TRUE(ns->AddVeth("cn0", "", nullptr, "cn1", "", &error)) << error;
  ASSERT_EQ(Shell(tc + "qdisc add dev cn0 root handle ca00: htb default 0"), 0);

  std::vector<ProtectedRule> protect = DefaultProtectedRules();
  for (const char* text : {"10.0.0.0/8:udp:53", "[2001:db8::/32]:443", "192.168.7.0/24"}) {
    auto rule = ParseProtectedRule(text);
    ASSERT_TRUE(rule.ok()) << rule.status().message();
    protect.push_back(*rule);
  }
  InterfaceTree tree(protect, "cn0");

  std::vector<model::Match> matches(5);
  matches[0].dst = Cidr("10.1.0.0/16");
  matches[0].sport = model::PortRange{1000, 2000};
  matches[0].dport = model::PortRange{80, 80};
  matches[0].protocol = model::Protocol::kTcp;
  matches[1].src = Cidr("2001:db8:2::/47");
  matches[1].dport = model::PortRange{8000, 8100};
  matches[2].protocol = model::Protocol::kIcmp;
  matches[3].dst = Cidr("2001:db8:aaaa:bbbb:cccc:dddd:eeee:ff00/120");
  matches[3].src = Cidr("fe80::/10");
  matches[3].protocol = model::Protocol::kTcp;  // not icmp: that is matches[2]'s
  // matches[4] stays empty: the whole-interface catch-all.

  std::map<uint16_t, std::vector<Node>> expected;
  std::string batch;
  for (size_t i = 0; i < matches.size(); ++i) {
    const std::string id = "f" + std::to_string(i);
    auto objects = tree.PlanFault(id, Delayed(matches[i]));
    ASSERT_TRUE(objects.ok()) << objects.status().message();
    for (const TcObject& step : tree.AddSteps(*objects)) {
      if (const auto* cls = std::get_if<HtbClass>(&step)) {
        const PlanStepText t = DescribeTcObject(*cls);
        batch += "class add dev cn0 parent " + t.parent + " classid " + t.handle + " htb " +
                 t.parameters + "\n";
      }
      const auto* u32 = std::get_if<U32Classifier>(&step);
      if (u32 == nullptr) continue;
      const std::string protocol = u32->protocol == FilterProtocol::kIp ? "ip" : "ipv6";
      for (const U32Rule& rule : u32->rules) {
        batch += "filter add dev cn0 parent " + FormatHandle(u32->parent) + " prio " +
                 std::to_string(u32->priority) + " protocol " + protocol + " u32 " +
                 DescribeU32Rule(rule, u32->protocol) + " flowid " + FormatHandle(u32->flowid) +
                 "\n";
        Node node;
        for (const U32Key& k : rule.keys) node.keys.push_back(KeyText(k));
        std::sort(node.keys.begin(), node.keys.end());
        expected[u32->priority].push_back(node);
      }
    }
    tree.Insert(id, Delayed(matches[i]), *objects);
  }

  const std::string batch_path = "/tmp/chaosnet-tp-" + std::to_string(getpid()) + ".batch";
  std::ofstream(batch_path) << batch;
  const int rc = Shell(tc + "-batch " + batch_path);
  std::remove(batch_path.c_str());
  ASSERT_EQ(rc, 0) << "tc refused the described rules:\n" << batch;

  // "filter parent ca00: protocol ip pref 1002 u32 chain 0 fh 800::800 order ..."
  // followed by "  match 0a010000/ffff0000 at 16" lines.
  std::map<uint16_t, std::vector<Node>> actual;
  const std::regex node_line(R"(pref (\d+) u32 .*fh [0-9a-f]+::[0-9a-f]+ order)");
  const std::regex key_line(R"(^\s+match ([0-9a-f]{8}/[0-9a-f]{8} at \d+))");
  Node* current = nullptr;
  std::istringstream show(RunCommand(tc + "filter show dev cn0"));
  for (std::string line; std::getline(show, line);) {
    std::smatch m;
    if (std::regex_search(line, m, node_line)) {
      auto& nodes = actual[static_cast<uint16_t>(std::stoi(m[1]))];
      nodes.emplace_back();
      current = &nodes.back();
    } else if (current != nullptr && std::regex_search(line, m, key_line)) {
      current->keys.push_back(m[1]);
    }
  }
  for (auto& [prio, nodes] : actual) {
    for (Node& n : nodes) std::sort(n.keys.begin(), n.keys.end());
  }

  size_t rules = 0;
  for (const auto& [prio, nodes] : expected) rules += nodes.size();
  EXPECT_GT(rules, 40u) << "the tree above should exercise many rules";
  ASSERT_EQ(actual.size(), expected.size());
  for (const auto& [prio, nodes] : expected) {
    ASSERT_EQ(actual[prio].size(), nodes.size()) << "prio " << prio;
    for (size_t i = 0; i < nodes.size(); ++i) {
      EXPECT_EQ(actual[prio][i].keys, nodes[i].keys) << "prio " << prio << " rule " << i;
    }
  }
}

}  // namespace
}  // namespace chaosnet::plan
