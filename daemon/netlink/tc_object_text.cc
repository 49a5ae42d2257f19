#include "daemon/netlink/tc_object_text.h"

#include "daemon/plan/describe.h"

namespace chaosnet::netlink {
namespace {

struct KindVisitor {
  std::string operator()(const plan::TreeQdisc& q) const {
    if (std::holds_alternative<plan::HtbQdisc>(q.params)) return "htb";
    if (std::holds_alternative<plan::NetemQdisc>(q.params)) return "netem";
    if (std::holds_alternative<plan::PlugQdisc>(q.params)) return "plug";
    return "ingress";
  }
  std::string operator()(const plan::HtbClass&) const { return "htb"; }
  std::string operator()(const plan::U32Classifier&) const { return "u32"; }
  std::string operator()(const plan::RedirectFilter&) const { return "u32"; }
  std::string operator()(const plan::U32HashTable&) const { return "u32"; }
  std::string operator()(const plan::U32HashLink&) const { return "u32"; }
  std::string operator()(const plan::U32Node&) const { return "u32"; }
};

}  // namespace

std::string TcObjectKind(const plan::TcObject& object) { return std::visit(KindVisitor{}, object); }

std::string TcObjectName(const plan::TcObject& object) {
  const std::string kind = TcObjectKind(object);
  if (const auto* q = std::get_if<plan::TreeQdisc>(&object)) {
    std::string s = kind + " qdisc " + plan::FormatHandle(q->handle);
    if (q->parent != plan::kRootParent && q->parent != plan::kIngressParent) {
      s += " under " + plan::FormatHandle(q->parent);
    }
    return s;
  }
  if (const auto* c = std::get_if<plan::HtbClass>(&object)) {
    return kind + " class " + plan::FormatHandle(c->classid);
  }
  if (const auto* f = std::get_if<plan::U32Classifier>(&object)) {
    return "u32 filter prio " + std::to_string(f->priority) + " protocol " +
           plan::FilterProtocolName(f->protocol) + " on " + plan::FormatHandle(f->parent);
  }
  const auto on = [](uint16_t priority, plan::FilterProtocol protocol, uint32_t parent) {
    return " prio " + std::to_string(priority) + " protocol " + plan::FilterProtocolName(protocol) +
           " on " + plan::FormatHandle(parent);
  };
  if (const auto* t = std::get_if<plan::U32HashTable>(&object)) {
    return "u32 hash table " + plan::FormatU32Handle(t->handle) +
           on(t->priority, t->protocol, t->parent);
  }
  if (const auto* l = std::get_if<plan::U32HashLink>(&object)) {
    return "u32 link to " + plan::FormatU32Handle(l->table) +
           on(l->priority, l->protocol, l->parent);
  }
  if (const auto* n = std::get_if<plan::U32Node>(&object)) {
    return "u32 node " + plan::FormatU32Handle(n->handle) + on(n->priority, n->protocol, n->parent);
  }
  const auto& r = std::get<plan::RedirectFilter>(object);
  return "redirect filter prio " + std::to_string(r.priority) + " on " +
         plan::FormatHandle(r.parent) + " (to " +
         (r.to_device.empty() ? "ifindex " + std::to_string(r.to_ifindex) : r.to_device) + ")";
}

}  // namespace chaosnet::netlink
