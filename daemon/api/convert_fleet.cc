#include "daemon/api/convert_fleet.h"

#include <string>

#include "common/net_parse.h"
#include "daemon/plan/protected_traffic.h"

namespace chaosnet::api {
namespace {

namespace pb = ::chaosnet::v1;

Status CidrsFromProto(const char* field, const google::protobuf::RepeatedPtrField<std::string>& in,
                      std::vector<model::Cidr>* out) {
  for (const std::string& text : in) {
    auto cidr = ParseCidr(text);
    if (!cidr.ok()) return InvalidArgument(std::string(field) + ": " + cidr.status().message());
    out->push_back(*cidr);
  }
  return Status::Ok();
}

}  // namespace

Status FleetFieldsFromProto(const pb::FaultSpec& in, model::FaultSpec* spec) {
  RETURN_IF_ERROR(CidrsFromProto("dst_cidrs", in.match().dst_cidrs(), &spec->match.dst_cidrs));
  RETURN_IF_ERROR(CidrsFromProto("src_cidrs", in.match().src_cidrs(), &spec->match.src_cidrs));
  for (const std::string& text : in.exemptions()) {
    auto rule = plan::ParseTrafficRule(text, "exemption");
    if (!rule.ok()) return InvalidArgument("exemptions: " + rule.status().message());
    spec->exemptions.push_back(*rule);
  }
  return Status::Ok();
}

void FleetFieldsToProto(const model::FaultSpec& spec, pb::FaultSpec* out) {
  for (const model::Cidr& c : spec.match.dst_cidrs) {
    out->mutable_match()->add_dst_cidrs(FormatCidr(c));
  }
  for (const model::Cidr& c : spec.match.src_cidrs) {
    out->mutable_match()->add_src_cidrs(FormatCidr(c));
  }
  for (const model::TrafficRule& rule : spec.exemptions) {
    out->add_exemptions(plan::FormatProtectedRule(rule));
  }
}

}  // namespace chaosnet::api
