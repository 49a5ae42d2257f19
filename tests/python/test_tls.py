"""The client over the daemon's mTLS listener: settings from arguments or from the
CLI's CHAOSNET_* variables, a certificate's identity, read-only certificates, and
what revoke_all() says when it may not revoke another certificate's fault."""

import json

import pytest

import chaosnet
import helpers
from conftest import TLS_PORT

pytestmark = pytest.mark.root

# Run inside the daemon's namespace; prints what it saw as JSON.
HOLD_OVER_TLS = """
import json, sys, chaosnet
client = chaosnet.Client()  # everything from CHAOSNET_SERVER and CHAOSNET_TLS_*
info = client.info()
with client.rate(sys.argv[1], "1mbit", ttl="1m") as fault:
    held = client.get(fault.id).keep_alive
print(json.dumps({"caller": info.caller, "read_only": info.caller_read_only,
                  "id": fault.id, "held": held, "state": fault.state}))
"""

READ_ONLY_CERTIFICATE = """
import json, sys, chaosnet
client = chaosnet.Client(sys.argv[1], tls_ca=sys.argv[2], tls_cert=sys.argv[3],
                         tls_key=sys.argv[4], tls_server_name="localhost")
info = client.info()
try:
    client.rate(sys.argv[5], "1mbit")
    refused = None
except chaosnet.PermissionDenied as e:
    refused = str(e)
print(json.dumps({"caller": info.caller, "read_only": info.caller_read_only, "refused": refused}))
"""

WRONG_CA = """
import sys, chaosnet
try:
    chaosnet.Client(sys.argv[1], tls_ca=sys.argv[2], tls_cert=sys.argv[3], tls_key=sys.argv[4],
                    timeout="3s").info()
except chaosnet.Unavailable as e:
    print(type(e).__name__, e)
"""


def test_environment_variables_as_the_cli_and_a_held_fault_over_tls(tls_daemon, pair, certs):
    env = {"CHAOSNET_SERVER": f"127.0.0.1:{TLS_PORT}", "CHAOSNET_TLS_CA": str(certs / "ca.pem"),
           "CHAOSNET_TLS_CERT": str(certs / "runner-1.pem"),
           "CHAOSNET_TLS_KEY": str(certs / "runner-1.key")}  # fmt: skip
    out = helpers.python_in_namespace(pair.a, HOLD_OVER_TLS, pair.if_a, env=env)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout)
    assert seen["caller"] == "x509:CN=runner-1,O=chaosnet" and not seen["read_only"]
    assert seen["held"] and seen["state"] == "revoked"
    with chaosnet.Client(tls_daemon.server) as local:
        assert local.get(seen["id"]).owner == "x509:CN=runner-1,O=chaosnet"
    assert not pair.chaosnet_tree()


def test_a_read_only_certificate_is_refused_changes(tls_daemon, pair, certs):
    out = helpers.python_in_namespace(
        pair.a, READ_ONLY_CERTIFICATE, f"127.0.0.1:{TLS_PORT}", str(certs / "ca.pem"),
        str(certs / "observer-1.pem"), str(certs / "observer-1.key"), pair.if_a)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout)
    assert seen["caller"] == "x509:CN=observer-1,O=chaosnet" and seen["read_only"]
    assert seen["refused"] and "cn:observer-*" in seen["refused"]
    assert not pair.chaosnet_tree()


def test_a_daemon_certificate_from_another_ca_is_unreachable(tls_daemon, pair, certs):
    out = helpers.python_in_namespace(
        pair.a, WRONG_CA, f"localhost:{TLS_PORT}", str(certs / "other" / "ca.pem"),
        str(certs / "runner-1.pem"), str(certs / "runner-1.key"))
    assert out.stdout.startswith(f"Unavailable cannot reach chaosnetd at localhost:{TLS_PORT}"), (
        out.stdout + out.stderr)


# Two certificates in one process: runner-2 lists its own and revokes all it may.
OTHERS_FAULTS = """
import json, sys, chaosnet
server, ca, certs, iface = sys.argv[1:5]
def as_runner(name):
    return chaosnet.Client(server, tls_ca=ca, tls_cert=f"{certs}/{name}.pem",
                           tls_key=f"{certs}/{name}.key", tls_server_name="localhost")
owner, other = as_runner("runner-1"), as_runner("runner-2")
theirs = owner.rate(iface, "1mbit", ttl="1m", dst="10.79.0.2")
mine = other.rate(iface, "1mbit", ttl="1m", dst="10.79.0.3")
seen = {"theirs": theirs.id, "mine": mine.id, "owner_key": other.get(theirs.id).owner_key,
        "listed_mine": [f.id for f in other.list(mine=True)]}
try:
    other.revoke_all()
except chaosnet.NotAllRevoked as e:
    seen.update(revoked=[f.id for f in e.revoked], message=str(e),
                left=[[f.id, f.owner, reason] for f, reason in e.not_revoked])
seen["theirs_state"] = owner.get(theirs.id).state
owner.revoke_all()
print(json.dumps(seen))
"""


def test_revoke_all_says_which_faults_of_others_it_left(pair, certs):
    port = TLS_PORT + 1  # beside the module's tls_daemon, in the same namespace
    daemon = helpers.Daemon(pair.a, [
        "--listen", f"127.0.0.1:{port}", "--tls-cert", str(certs / "chaosnetd.pem"),
        "--tls-key", str(certs / "chaosnetd.key"), "--tls-client-ca", str(certs / "ca.pem"),
        "--revoke-others", "owner"])  # fmt: skip
    try:
        out = helpers.python_in_namespace(pair.a, OTHERS_FAULTS, f"127.0.0.1:{port}",
                                          str(certs / "ca.pem"), str(certs), pair.if_a)  # fmt: skip
    finally:
        daemon.stop()
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout)
    assert seen["owner_key"] == "x509:CN=runner-1,O=chaosnet"
    assert seen["listed_mine"] == [seen["mine"]]
    assert seen["revoked"] == [seen["mine"]]
    [(left_id, left_owner, reason)] = seen["left"]
    assert left_id == seen["theirs"] and left_owner == "x509:CN=runner-1,O=chaosnet"
    assert "it belongs to x509:CN=runner-1,O=chaosnet" in reason and "--revoke-others" in reason
    assert seen["message"].startswith("1 of 2 faults not revoked: ")
    assert seen["theirs_state"] == "active"
    assert not pair.chaosnet_tree()
