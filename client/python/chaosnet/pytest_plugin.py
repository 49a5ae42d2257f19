"""pytest plugin: a `chaosnet` fixture whose faults cannot outlive their test.

Loaded automatically once the package is installed (entry point `pytest11`),
or with `-p chaosnet.pytest_plugin` (e.g. with PYTHONPATH=build/python).

    def test_checkout_survives_latency(chaosnet):
        chaosnet.delay("eth0", "200ms", dst="10.0.0.5")
        assert checkout() == "ok"

Every fault the fixture's client creates carries labels naming the session and
the test; at teardown, passed or failed, the fixture revokes every active fault
with those labels (faults held by `with` blocks are gone already). The faults'
ttl defaults to --chaosnet-ttl, so even a killed pytest leaves nothing behind
for long.
"""

from __future__ import annotations

import hashlib
import uuid

import pytest

from chaosnet.client import Client

SESSION_LABEL = "pytest-session"
TEST_LABEL = "pytest-test"
_SESSION_ID = uuid.uuid4().hex[:12]

_OPTIONS = (
    ("server", "unix:PATH or HOST:PORT of chaosnetd (default: $CHAOSNET_SERVER or the local socket)"),
    ("tls-ca", "CA that signed the daemon's certificate (default: $CHAOSNET_TLS_CA)"),
    ("tls-cert", "client certificate for mTLS (default: $CHAOSNET_TLS_CERT)"),
    ("tls-key", "private key of --chaosnet-tls-cert (default: $CHAOSNET_TLS_KEY)"),
    ("tls-server-name", "name in the daemon's certificate, if not the server host"),
    ("ttl", "lease of the fixture's faults unless a test says otherwise (default: 5m)"),
)  # fmt: skip


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("chaosnet", "chaosnet network faults")
    for name, help_text in _OPTIONS:
        group.addoption(f"--chaosnet-{name}", dest=f"chaosnet_{name.replace('-', '_')}",
                        default=None, metavar="VALUE", help=help_text)  # fmt: skip
    group.addoption("--chaosnet-insecure", dest="chaosnet_insecure", action="store_true",
                    help="plaintext TCP, for a daemon's --insecure-listen port only")  # fmt: skip


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "chaosnet: the test injects network faults")


def test_label(nodeid: str) -> str:
    """A label value naming one test: short, and unique within a session."""
    digest = hashlib.sha256(nodeid.encode()).hexdigest()[:12]
    return f"{nodeid[-100:]}#{digest}"


@pytest.fixture
def chaosnet(request: pytest.FixtureRequest) -> Client:
    """A chaosnet.Client whose faults are revoked when the test ends, however it ends."""
    option = request.config.getoption
    labels = {SESSION_LABEL: _SESSION_ID, TEST_LABEL: test_label(request.node.nodeid)}
    client = Client(
        server=option("chaosnet_server"),
        tls_ca=option("chaosnet_tls_ca"),
        tls_cert=option("chaosnet_tls_cert"),
        tls_key=option("chaosnet_tls_key"),
        tls_server_name=option("chaosnet_tls_server_name"),
        insecure=option("chaosnet_insecure"),
        labels=labels,
        ttl=option("chaosnet_ttl") or "5m",
    )
    try:
        yield client
    finally:
        try:
            revoked = client.revoke_all(labels=labels)
            if revoked:
                request.node.user_properties.append(
                    ("chaosnet_revoked_at_teardown", [f.id for f in revoked]))
        finally:
            client.close()
