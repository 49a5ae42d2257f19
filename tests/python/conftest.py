"""Fixtures: a namespace pair with a chaosnetd in it, shared by a test module's
tests (each test leaves no fault behind), and the netem gate."""

from __future__ import annotations

import os
import signal

import pytest

import chaosnet
import helpers


def pytest_sessionstart(session):
    # A SIGTERM (a timeout, CI cancelling) becomes a KeyboardInterrupt, so the
    # fixtures' teardown still removes the namespaces and stops the daemons.
    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGHUP, interrupt)
    # What a SIGKILLed run left behind (no teardown can run then).
    if os.geteuid() == 0:
        for name in helpers.remove_orphaned_pairs():
            print(f"removed namespace {name}, left by a pytest run that was killed")


def _require_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root (network namespaces and qdiscs)")


@pytest.fixture(scope="module")
def pair():
    _require_root()
    made = helpers.NamespacePair(f"m{os.urandom(2).hex()}")
    yield made
    made.remove()


@pytest.fixture(scope="module")
def daemon(pair):
    d = helpers.Daemon(pair.a)
    yield d
    d.stop()


@pytest.fixture
def client(daemon, pair):
    """A client of the module's daemon; whatever a test leaves active is revoked after it,
    and the interface must be back to the kernel's default by then."""
    with chaosnet.Client(daemon.server) as c:
        yield c
        c.revoke_all()
    assert not pair.chaosnet_tree(), "a chaosnet tree outlived its faults"


@pytest.fixture
def netem(client):
    """Skips (on the host) unless the daemon's kernel has netem; in the guest, where
    CHAOSNET_REQUIRE_NETEM=1, a missing netem fails instead."""
    if not client.info().has("netem"):
        if os.environ.get("CHAOSNET_REQUIRE_NETEM") == "1":
            pytest.fail("CHAOSNET_REQUIRE_NETEM=1 but the kernel has no netem")
        pytest.skip("the kernel has no netem (these run in the qemu guest)")


TLS_PORT = 7443


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    """A CA, the daemon's certificate (localhost, 127.0.0.1) and clients' certificates,
    made by scripts/make-certs.sh as the README documents."""
    directory = tmp_path_factory.mktemp("certs")
    script = os.path.join(helpers.SOURCE_DIR, "scripts", "make-certs.sh")
    helpers.run(script, "ca", str(directory))
    helpers.run(script, "server", str(directory), "chaosnetd", "localhost", "127.0.0.1")
    for name in ("runner-1", "runner-2", "observer-1"):
        helpers.run(script, "client", str(directory), name)
    helpers.run(script, "ca", str(directory / "other"))
    return directory


@pytest.fixture(scope="module")
def tls_daemon(pair, certs):
    """A daemon with an mTLS listener on 127.0.0.1:7443 inside namespace a (reach it
    with helpers.run_in_namespace); certificates with CN observer-* are read-only."""
    d = helpers.Daemon(pair.a, [
        "--listen", f"127.0.0.1:{TLS_PORT}", "--tls-cert", str(certs / "chaosnetd.pem"),
        "--tls-key", str(certs / "chaosnetd.key"), "--tls-client-ca", str(certs / "ca.pem"),
        "--read-only", "cn:observer-*"])  # fmt: skip
    yield d
    d.stop()
