"""gRPC server reflection: a client without the proto file lists the API and calls
it, on the Unix socket and on the mTLS listener, read-only callers included."""

import json
import os

import pytest

import chaosnet
import helpers
from conftest import TLS_PORT

pytestmark = pytest.mark.root

CLIENT = os.path.join(os.path.dirname(__file__), "reflection_client.py")
# Only the reflection stubs: neither chaosnet's package nor its proto.
REFLECTION_ONLY = os.path.join(helpers.BUILD_DIR, "tests", "python", "proto")
RPCS = ["CreateFault", "GetFault", "ListFaults", "ExtendFault", "RevokeFault",
        "RevokeAllFaults", "Watch", "KeepAlive", "GetInfo", "ListProfiles",
        "CreateFaults", "RevokeFaults"]  # fmt: skip


def reflect(netns, *args):
    with open(CLIENT) as f:
        out = helpers.python_in_namespace(netns, f.read(), *args, pythonpath=REFLECTION_ONLY)
    assert out.returncode == 0, out.stdout + out.stderr
    return json.loads(out.stdout)


def test_lists_and_calls_the_api_over_the_unix_socket(daemon, pair):
    seen = reflect(pair.a, daemon.server)
    assert "chaosnet.v1.FaultService" in seen["services"]
    assert {"grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"} <= set(
        seen["services"])
    assert seen["methods"] == RPCS
    assert "chaosnet/v1/chaosnet.proto" in seen["files"]
    with chaosnet.Client(daemon.server) as client:
        assert seen["version"] == client.info().version
    assert seen["caller"] == "uid:0(root)"


def test_read_only_callers_may_use_it(pair):
    read_only = helpers.Daemon(pair.a, ["--read-only", f"uid:{os.geteuid()}"])
    try:
        seen = reflect(pair.a, read_only.server)
    finally:
        read_only.stop()
    assert "chaosnet.v1.FaultService" in seen["services"] and seen["read_only"]


@pytest.mark.parametrize("name, read_only", [("runner-1", False), ("observer-1", True)])
def test_over_the_tls_listener(tls_daemon, pair, certs, name, read_only):
    seen = reflect(pair.a, f"127.0.0.1:{TLS_PORT}", str(certs / "ca.pem"),
                   str(certs / f"{name}.pem"), str(certs / f"{name}.key"))  # fmt: skip
    assert "chaosnet.v1.FaultService" in seen["services"] and seen["methods"] == RPCS
    assert seen["caller"] == f"x509:CN={name},O=chaosnet" and seen["read_only"] == read_only
