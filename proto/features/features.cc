#include "proto/features/features.h"

#include <algorithm>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include "chaosnet/v1/chaosnet.pb.h"

namespace chaosnet::features {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

const std::string& MarkOf(const FieldDescriptor& field) {
  return field.options().GetExtension(v1::feature);
}

void Collect(const Descriptor& type, std::set<const Descriptor*>& seen,
             std::set<std::string>& out) {
  if (!seen.insert(&type).second) return;
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor& field = *type.field(i);
    if (!MarkOf(field).empty()) out.insert(MarkOf(field));
    if (field.message_type() != nullptr) Collect(*field.message_type(), seen, out);
  }
}

void CollectUsed(const Message& message, std::set<std::string>& out) {
  const auto* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> set_fields;
  reflection->ListFields(message, &set_fields);  // only fields that are set
  for (const FieldDescriptor* field : set_fields) {
    if (!MarkOf(*field).empty()) out.insert(MarkOf(*field));
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || field->is_map()) continue;
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
        CollectUsed(reflection->GetRepeatedMessage(message, field, i), out);
      }
    } else {
      CollectUsed(reflection->GetMessage(message, field), out);
    }
  }
}

}  // namespace

std::set<std::string> DeclaredBy(const Descriptor& root) {
  std::set<const Descriptor*> seen;
  std::set<std::string> out;
  Collect(root, seen, out);
  return out;
}

std::vector<std::string> DeclaredByApi() {
  std::set<std::string> all;
  const auto* service = v1::Info::descriptor()->file()->FindServiceByName("FaultService");
  for (int i = 0; i < service->method_count(); ++i) {
    all.merge(DeclaredBy(*service->method(i)->input_type()));
  }
  return {all.begin(), all.end()};
}

std::set<std::string> UsedBy(const Message& message) {
  std::set<std::string> out;
  CollectUsed(message, out);
  return out;
}

std::vector<std::string> Missing(const Message& message,
                                 const std::vector<std::string>& announced) {
  std::vector<std::string> missing;
  for (const std::string& name : UsedBy(message)) {
    if (std::find(announced.begin(), announced.end(), name) == announced.end()) {
      missing.push_back(name);
    }
  }
  return missing;
}

}  // namespace chaosnet::features
