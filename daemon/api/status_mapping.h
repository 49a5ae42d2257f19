// The one place where chaosnet::Status becomes a gRPC status.
#pragma once

#include <grpcpp/support/status.h>

#include "common/status.h"

namespace chaosnet::api {

grpc::Status ToGrpc(const Status& status);

}  // namespace chaosnet::api
