#include "daemon/api/status_mapping.h"

namespace chaosnet::api {

grpc::Status ToGrpc(const Status& status) {
  using grpc::StatusCode;
  switch (status.code()) {
    case chaosnet::StatusCode::kOk: return grpc::Status::OK;
    case chaosnet::StatusCode::kInvalidArgument:
      return {StatusCode::INVALID_ARGUMENT, status.message()};
    case chaosnet::StatusCode::kNotFound: return {StatusCode::NOT_FOUND, status.message()};
    case chaosnet::StatusCode::kAlreadyExists:
      return {StatusCode::ALREADY_EXISTS, status.message()};
    case chaosnet::StatusCode::kFailedPrecondition:
      return {StatusCode::FAILED_PRECONDITION, status.message()};
    case chaosnet::StatusCode::kPermissionDenied:
      return {StatusCode::PERMISSION_DENIED, status.message()};
    case chaosnet::StatusCode::kResourceExhausted:
      return {StatusCode::RESOURCE_EXHAUSTED, status.message()};
    case chaosnet::StatusCode::kUnimplemented: return {StatusCode::UNIMPLEMENTED, status.message()};
    case chaosnet::StatusCode::kUnavailable: return {StatusCode::UNAVAILABLE, status.message()};
    case chaosnet::StatusCode::kInternal: return {StatusCode::INTERNAL, status.message()};
  }
  return {StatusCode::UNKNOWN, status.message()};
}

}  // namespace chaosnet::api
