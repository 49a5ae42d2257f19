// gRPC failures → the user's line and the exit code scripts rely on.
#include <gmock/gmock.h>
#include <grpcpp/support/status_code_enum.h>
#include <gtest/gtest.h>

#include "client/rpc.h"

namespace chaosnet::client {
namespace {

using ::testing::HasSubstr;

constexpr char kServer[] = "unix:/run/chaosnetd/chaosnetd.sock";

struct MappingCase {
  grpc::StatusCode code;
  std::string message;
  bool reached_server;
  int exit_code;
  std::string text;
};

class ExitCodeTest : public ::testing::TestWithParam<MappingCase> {};

TEST_P(ExitCodeTest, MapsStatus) {
  const auto& c = GetParam();
  Outcome o = DescribeRpcFailure(c.code, c.message, kServer, c.reached_server);
  EXPECT_EQ(o.exit_code, c.exit_code);
  EXPECT_EQ(o.message, c.text);
}

INSTANTIATE_TEST_SUITE_P(
    ServerErrors, ExitCodeTest,
    ::testing::Values(
        MappingCase{grpc::StatusCode::INVALID_ARGUMENT, "loss: 150% is above 100%", true, 1,
                    "invalid argument: loss: 150% is above 100%"},
        MappingCase{grpc::StatusCode::NOT_FOUND, "no fault f-1", true, 1,
                    "not found: no fault f-1"},
        MappingCase{grpc::StatusCode::FAILED_PRECONDITION, "kernel has no netem qdisc", true, 1,
                    "failed precondition: kernel has no netem qdisc"},
        MappingCase{grpc::StatusCode::PERMISSION_DENIED, "uid 1000 may not", true, 1,
                    "permission denied: uid 1000 may not"},
        MappingCase{grpc::StatusCode::ALREADY_EXISTS, "x", true, 1, "already exists: x"},
        MappingCase{grpc::StatusCode::RESOURCE_EXHAUSTED, "too many", true, 1,
                    "resource exhausted: too many"},
        MappingCase{grpc::StatusCode::INTERNAL, "", true, 1, "internal"},
        MappingCase{grpc::StatusCode::DEADLINE_EXCEEDED, "Deadline Exceeded", true, 1,
                    "deadline exceeded: Deadline Exceeded (raise --timeout?)"},
        MappingCase{grpc::StatusCode::UNAVAILABLE, "failed to connect to all addresses", false,
                    3,
                    "cannot reach chaosnetd at unix:/run/chaosnetd/chaosnetd.sock: failed to "
                    "connect to all addresses (is chaosnetd running? check --server or "
                    "CHAOSNET_SERVER)"},
        MappingCase{grpc::StatusCode::DEADLINE_EXCEEDED, "Deadline Exceeded", false, 3,
                    "cannot reach chaosnetd at unix:/run/chaosnetd/chaosnetd.sock: Deadline "
                    "Exceeded (is chaosnetd running? check --server or CHAOSNET_SERVER)"}));

TEST(GrpcCodeNameTest, LowerCaseWords) {
  EXPECT_EQ(GrpcCodeName(grpc::StatusCode::INVALID_ARGUMENT), "invalid argument");
  EXPECT_EQ(GrpcCodeName(grpc::StatusCode::UNAUTHENTICATED), "unauthenticated");
  EXPECT_EQ(GrpcCodeName(grpc::StatusCode::DATA_LOSS), "data loss");
  EXPECT_EQ(GrpcCodeName(99), "code 99");
}

TEST(RpcFailureTest, OkIsZero) {
  EXPECT_TRUE(DescribeRpcFailure(grpc::StatusCode::OK, "", kServer, true).ok());
}

}  // namespace
}  // namespace chaosnet::client
