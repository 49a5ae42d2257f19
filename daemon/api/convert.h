// Translation between the wire messages (chaosnet.v1) and the daemon's model.
// Anything the wire can express but the model cannot (out-of-range enums,
// unparsable CIDRs, ports above 65535) is refused here with INVALID_ARGUMENT.
#pragma once

#include <chrono>
#include <optional>

#include "chaosnet/v1/chaosnet.pb.h"
#include "common/result.h"
#include "daemon/core/fault_manager.h"
#include "daemon/core/fault_record.h"
#include "daemon/kernel/kernel.h"

namespace chaosnet::api {

namespace pb = ::chaosnet::v1;

inline constexpr int kMaxLabels = 64;
inline constexpr std::size_t kMaxLabelKeyBytes = 128;
inline constexpr std::size_t kMaxLabelValueBytes = 1024;
inline constexpr std::size_t kMaxRequestIdBytes = 128;

Result<model::FaultSpec> FromProto(const pb::FaultSpec& spec);
Result<core::CreateRequest> FromProto(const pb::CreateFaultRequest& request);
Result<std::chrono::nanoseconds> FromProto(const google::protobuf::Duration& d);

void ToProto(const model::FaultSpec& spec, pb::FaultSpec* out);
void ToProto(const core::FaultRecord& record, pb::Fault* out);
void ToProto(const core::FaultEvent& event, pb::FaultEvent* out);
void ToProto(std::chrono::nanoseconds d, google::protobuf::Duration* out);
void ToProto(core::WallTime t, google::protobuf::Timestamp* out);
void ToProto(const kernel::Capabilities& caps, pb::Info* out);

}  // namespace chaosnet::api
