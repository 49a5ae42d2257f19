#include "daemon/app/owned_objects.h"

#include <map>

#include "daemon/core/fault_site.h"
#include "daemon/plan/describe.h"
#include "daemon/plan/tc_objects.h"

namespace chaosnet::app {
namespace {

state::KernelObject IngressObject(const std::string& netns, const std::string& interface,
                                  int ifindex) {
  return {netns, interface, ifindex, plan::kIngressHandle, "ingress"};
}

}  // namespace

std::vector<state::KernelObject> OwnedObjectsOn(kernel::Kernel& kernel, const std::string& netns,
                                                const std::string& interface) {
  std::vector<state::KernelObject> out;
  auto ifindex = kernel.InterfaceIndex(interface);
  if (!ifindex.ok()) return out;
  auto root = kernel.GetRootQdisc(*ifindex);
  if (root.ok() && !root->is_default && plan::IsOwnedHandle(root->handle)) {
    out.push_back({netns, interface, *ifindex, root->handle, root->kind});
  }
  if (kernel.InterfaceIndex(core::IfbNameFor(*ifindex)).ok()) {
    out.push_back(IngressObject(netns, interface, *ifindex));
  }
  return out;
}

Result<OwnedScan> ScanOwnedObjects(netlink::NetlinkKernel& kernel, const std::string& netns) {
  OwnedScan scan;
  ASSIGN_OR_RETURN(const auto roots, kernel.FindOwnedRootQdiscs());
  for (const auto& q : roots) {
    scan.objects.push_back({netns, q.interface, q.ifindex, q.handle, q.kind});
  }
  ASSIGN_OR_RETURN(const auto links, kernel.Links());
  std::map<int, std::string> interfaces;
  for (const auto& [name, index] : links) interfaces[index] = name;
  for (const auto& [name, index] : links) {
    if (name.rfind(core::kIfbPrefix, 0) != 0) continue;
    const std::string digits = name.substr(std::char_traits<char>::length(core::kIfbPrefix));
    int parent = 0;
    bool numeric = !digits.empty() && digits.size() <= 10 &&
                   digits.find_first_not_of("0123456789") == std::string::npos;
    if (numeric) parent = std::stoi(digits);
    auto it = interfaces.find(parent);
    if (numeric && it != interfaces.end()) {
      scan.objects.push_back(IngressObject(netns, it->second, parent));
    } else {
      scan.stray_ifbs.emplace_back(name, index);
    }
  }
  return scan;
}

Status RemoveOwnedObject(kernel::Kernel& kernel, const state::KernelObject& object) {
  if (object.handle != plan::kIngressHandle)
    return kernel.RemoveRoot(object.ifindex, object.handle);
  Status hook = kernel.RemoveObjects(
      object.ifindex,
      {plan::TreeQdisc{plan::kIngressHandle, plan::kIngressParent, plan::IngressQdisc{}}});
  Status link = NotFound("no IFB device");
  if (auto ifb = kernel.InterfaceIndex(core::IfbNameFor(object.ifindex)); ifb.ok()) {
    link = kernel.DeleteLink(*ifb);
  }
  if (!hook.ok() && hook.code() != StatusCode::kNotFound) return hook;
  if (!link.ok() && link.code() != StatusCode::kNotFound) return link;
  if (hook.ok() || link.ok()) return Status::Ok();
  return NotFound("the ingress hook of " + object.interface + " was already gone");
}

std::string DescribeOwnedObject(const state::KernelObject& object) {
  std::string where =
      object.interface + (object.netns.empty() ? "" : " (netns " + object.netns + ")");
  if (object.handle == plan::kIngressHandle) {
    return "ingress redirect of " + where + " into " + core::IfbNameFor(object.ifindex);
  }
  return object.kind + " qdisc " + plan::FormatHandle(object.handle) + " on " + where;
}

}  // namespace chaosnet::app
