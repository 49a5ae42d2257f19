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
  Outcome o =
      DescribeRpcFailure(c.code, c.message, kServer, c.reached_server, Transport::kUnixSocket);
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
        MappingCase{grpc::StatusCode::UNAVAILABLE, "failed to connect to all addresses", false, 3,
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
  EXPECT_TRUE(
      DescribeRpcFailure(grpc::StatusCode::OK, "", kServer, true, Transport::kUnixSocket).ok());
}

// A failed TLS handshake is UNAVAILABLE, like an absent daemon: over TLS the
// hint adds the certificates; a daemon's own answer gets no hint.
struct TransportCase {
  Transport transport;
  grpc::StatusCode code;
  bool reached_server;
  int exit_code;
  std::string text;
};

class TransportHintTest : public ::testing::TestWithParam<TransportCase> {};

TEST_P(TransportHintTest, NamesWhatToCheck) {
  const auto& c = GetParam();
  Outcome o =
      DescribeRpcFailure(c.code, "Socket closed", "10.0.0.5:7443", c.reached_server, c.transport);
  EXPECT_EQ(o.exit_code, c.exit_code);
  EXPECT_EQ(o.message, c.text);
}

constexpr char kTlsUnreachable[] =
    "cannot reach chaosnetd at 10.0.0.5:7443: Socket closed (is chaosnetd running? check "
    "--server or CHAOSNET_SERVER; or the TLS handshake failed: check --tls-ca and "
    "--tls-cert/--tls-key, that the daemon's certificate names the --server host (or "
    "--tls-server-name), and that the daemon trusts your certificate's CA)";

INSTANTIATE_TEST_SUITE_P(
    Transports, TransportHintTest,
    ::testing::Values(
        TransportCase{Transport::kTls, grpc::StatusCode::UNAVAILABLE, false, 3, kTlsUnreachable},
        TransportCase{Transport::kTls, grpc::StatusCode::UNAVAILABLE, true, 3, kTlsUnreachable},
        TransportCase{Transport::kTls, grpc::StatusCode::DEADLINE_EXCEEDED, false, 3,
                      kTlsUnreachable},
        TransportCase{Transport::kTls, grpc::StatusCode::DEADLINE_EXCEEDED, true, 1,
                      "deadline exceeded: Socket closed (raise --timeout?)"},
        TransportCase{Transport::kTls, grpc::StatusCode::PERMISSION_DENIED, true, 1,
                      "permission denied: Socket closed"},
        TransportCase{Transport::kPlaintextTcp, grpc::StatusCode::UNAVAILABLE, false, 3,
                      "cannot reach chaosnetd at 10.0.0.5:7443: Socket closed (is chaosnetd "
                      "running? check --server or CHAOSNET_SERVER; --insecure reaches only a "
                      "daemon's --insecure-listen port, not its TLS one)"},
        TransportCase{Transport::kUnixSocket, grpc::StatusCode::UNAVAILABLE, false, 3,
                      "cannot reach chaosnetd at 10.0.0.5:7443: Socket closed (is chaosnetd "
                      "running? check --server or CHAOSNET_SERVER)"}));

}  // namespace
}  // namespace chaosnet::client
