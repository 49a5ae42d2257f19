#include "daemon/netlink/tree_requests.h"

#include <optional>

#include "daemon/netlink/filter_requests.h"
#include "daemon/netlink/htb_encoder.h"
#include "daemon/netlink/ingress_encoder.h"
#include "daemon/netlink/netem_encoder.h"
#include "daemon/netlink/plug_encoder.h"
#include "daemon/netlink/qdisc_requests.h"
#include "daemon/netlink/tc_object_text.h"
#include "daemon/netlink/u32_encoder.h"

namespace chaosnet::netlink {
namespace {

FilterTarget FilterOf(int ifindex, const plan::TcObject& object) {
  if (const auto* f = std::get_if<plan::U32Classifier>(&object)) {
    return FilterTarget{ifindex, f->parent, f->priority, f->protocol};
  }
  if (const auto* t = std::get_if<plan::U32HashTable>(&object)) {
    return FilterTarget{ifindex, t->parent, t->priority, t->protocol};
  }
  if (const auto* l = std::get_if<plan::U32HashLink>(&object)) {
    return FilterTarget{ifindex, l->parent, l->priority, l->protocol};
  }
  if (const auto* n = std::get_if<plan::U32Node>(&object)) {
    return FilterTarget{ifindex, n->parent, n->priority, n->protocol};
  }
  const auto& r = std::get<plan::RedirectFilter>(object);
  return FilterTarget{ifindex, r.parent, r.priority, plan::FilterProtocol::kAll};
}

std::string Adding(int ifindex, const plan::TcObject& object) {
  return "adding " + TcObjectName(object) + OnIfindex(ifindex);
}

Status Named(const std::string& what, const Status& s) {
  return Status(s.code(), what + ": " + s.message());
}

// The one request of an object that is not a u32 classifier (whose rules are
// a request each).
Result<NlMessage> EncodeAdd(int ifindex, const plan::TcObject& object,
                            const DistributionTables& tables) {
  if (const auto* q = std::get_if<plan::TreeQdisc>(&object)) {
    const QdiscTarget target{ifindex, q->handle, q->parent};
    if (const auto* htb = std::get_if<plan::HtbQdisc>(&q->params)) {
      return EncodeHtbQdiscAdd(target, *htb);
    }
    if (const auto* netem = std::get_if<plan::NetemQdisc>(&q->params)) {
      return EncodeNetemAdd(target, *netem, tables);
    }
    if (const auto* plug = std::get_if<plan::PlugQdisc>(&q->params)) {
      return EncodePlugAdd(target, *plug);
    }
    return EncodeIngressQdiscAdd(target);
  }
  if (const auto* c = std::get_if<plan::HtbClass>(&object)) return EncodeHtbClassAdd(ifindex, *c);
  if (const auto* t = std::get_if<plan::U32HashTable>(&object)) {
    return EncodeU32HashTableAdd(ifindex, *t);
  }
  if (const auto* l = std::get_if<plan::U32HashLink>(&object)) {
    return EncodeU32HashLinkAdd(ifindex, *l);
  }
  if (const auto* n = std::get_if<plan::U32Node>(&object)) return EncodeU32NodeAdd(ifindex, *n);
  const auto& r = std::get<plan::RedirectFilter>(object);
  if (r.to_ifindex <= 0) return InvalidArgument("the target device has no ifindex");
  return EncodeRedirectFilterAdd(ifindex, r);
}

}  // namespace

std::string OnIfindex(int ifindex) { return " (ifindex " + std::to_string(ifindex) + ")"; }

Result<TreeRequests> EncodeTreeAdds(int ifindex, const std::vector<plan::TcObject>& objects,
                                    const DistributionTables& tables) {
  TreeRequests out;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    const plan::TcObject& object = objects[i];
    if (const auto* f = std::get_if<plan::U32Classifier>(&object)) {
      if (f->rules.empty()) {
        return InvalidArgument(Adding(ifindex, object) + ": the classifier has no rules");
      }
      for (std::size_t r = 0; r < f->rules.size(); ++r) {
        auto m = EncodeU32RuleAdd(ifindex, *f, f->rules[r]);
        if (!m.ok()) return Named(Adding(ifindex, object), m.status());
        out.messages.push_back(std::move(m).value());
        out.origins.push_back({i, r, f->rules.size()});
      }
      continue;
    }
    auto m = EncodeAdd(ifindex, object, tables);
    if (!m.ok()) return Named(Adding(ifindex, object), m.status());
    out.messages.push_back(std::move(m).value());
    out.origins.push_back({i, 0, 0});
  }
  return out;
}

std::string AddRequestName(int ifindex, const std::vector<plan::TcObject>& objects,
                           const TreeRequests::Origin& origin) {
  std::string name = Adding(ifindex, objects[origin.object]);
  if (origin.rules > 0) {
    name += ", rule " + std::to_string(origin.rule + 1) + " of " + std::to_string(origin.rules);
  }
  return name;
}

NlMessage EncodeTreeDelete(int ifindex, const plan::TcObject& object) {
  if (const auto* q = std::get_if<plan::TreeQdisc>(&object)) {
    return EncodeQdiscDelete({ifindex, q->handle, q->parent});
  }
  if (const auto* c = std::get_if<plan::HtbClass>(&object)) {
    return EncodeClassDelete(ifindex, c->classid);
  }
  // Nodes, tables and level-2 links of the host classifier go by handle; the
  // root link cannot (its handle is the kernel's to pick, tc_objects.h) and
  // is only ever undone together with its root, so its priority goes, like a
  // classifier's.
  if (const auto* n = std::get_if<plan::U32Node>(&object)) {
    return EncodeU32HandleDelete(FilterOf(ifindex, object), n->handle);
  }
  if (const auto* t = std::get_if<plan::U32HashTable>(&object)) {
    return EncodeU32HandleDelete(FilterOf(ifindex, object), t->handle);
  }
  if (const auto* l = std::get_if<plan::U32HashLink>(&object); l != nullptr && l->handle != 0) {
    return EncodeU32HandleDelete(FilterOf(ifindex, object), l->handle);
  }
  return EncodeFilterDeletePriority(FilterOf(ifindex, object));
}

Result<std::vector<NlMessage>> EncodeTreeChanges(int ifindex,
                                                 const std::vector<plan::TcObject>& objects) {
  std::vector<NlMessage> out;
  out.reserve(objects.size());
  for (const auto& object : objects) {
    const std::string what = "changing " + TcObjectName(object) + OnIfindex(ifindex);
    if (const auto* c = std::get_if<plan::HtbClass>(&object)) {
      out.push_back(EncodeHtbClassChange(ifindex, *c));
      continue;
    }
    const auto* q = std::get_if<plan::TreeQdisc>(&object);
    if (q == nullptr || !std::holds_alternative<plan::NetemQdisc>(q->params)) {
      return InvalidArgument(what + ": only netem leaves and htb classes change in place");
    }
    auto m =
        EncodeNetemChange({ifindex, q->handle, q->parent}, std::get<plan::NetemQdisc>(q->params));
    if (!m.ok()) return Named(what, m.status());
    out.push_back(std::move(m).value());
  }
  return out;
}

}  // namespace chaosnet::netlink
