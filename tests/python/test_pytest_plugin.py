"""The pytest plugin, run as users run it (a pytest in a subprocess, -p
chaosnet.pytest_plugin): the fixture's faults are revoked at teardown whether
the test passes or fails."""

import pytest


pytestmark = pytest.mark.root

INNER_TESTS = """

def test_passes(chaosnet):
    fault = chaosnet.rate("{dev}", "1mbit")
    assert fault.labels["pytest-test"].startswith("test_inner.py::test_passes#")
    assert fault.expires_at is not None

def test_fails_with_a_fault_applied(chaosnet):
    chaosnet.rate("{dev}", "2mbit", dst="10.79.0.2")
    assert chaosnet.list(), "the fault is there during the test"
    assert False, "the test body failed"

def test_fault_held_by_a_with_block(chaosnet):
    with chaosnet.rate("{dev}", "3mbit") as fault:
        assert fault.keep_alive

def test_ttl_option(chaosnet):
    fault = chaosnet.rate("{dev}", "4mbit")
    left = (fault.expires_at - fault.created_at).total_seconds()
    assert round(left) == 45, left  # created_at and expires_at are rounded to microseconds
"""


def test_faults_are_revoked_at_teardown_even_when_the_test_fails(pytester, client, pair, daemon):
    pytester.makepyfile(test_inner=INNER_TESTS.format(dev=pair.if_a))
    result = pytester.runpytest_subprocess(
        "-p", "chaosnet.pytest_plugin", "-p", "no:cacheprovider",
        "--chaosnet-server", daemon.server, "--chaosnet-ttl", "45s")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*AssertionError: the test body failed*"])
    ended = client.list(include_ended=True)
    assert len(ended) == 4 and all(f.state == "revoked" for f in ended)
    by_rate = {f.spec.rate: f for f in ended}
    assert "keep-alive" not in by_rate[2_000_000].state_reason
    assert by_rate[3_000_000].keep_alive
    assert client.list() == [] and not pair.chaosnet_tree()


def test_options_and_marker_are_registered(pytester):
    result = pytester.runpytest_subprocess("-p", "chaosnet.pytest_plugin", "--help")
    result.stdout.fnmatch_lines(["*chaosnet network faults*", "*--chaosnet-server=VALUE*",
                                 "*--chaosnet-tls-ca=VALUE*", "*--chaosnet-insecure*"])  # fmt: skip
    markers = pytester.runpytest_subprocess("-p", "chaosnet.pytest_plugin", "--markers")
    markers.stdout.fnmatch_lines(["*@pytest.mark.chaosnet:*"])


def test_bad_settings_fail_the_test_with_the_reason(pytester):
    pytester.makepyfile(test_inner="def test_x(chaosnet):\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "chaosnet.pytest_plugin",
                                           "--chaosnet-server", "10.0.0.1:7443")  # fmt: skip
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*InvalidArgument: server 10.0.0.1:7443 is a TCP address*"])
