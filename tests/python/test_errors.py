"""Bad input and refusals come back as typed exceptions with the daemon's own
one-line message, nothing is applied, and no gRPC traceback shows."""

import os
import traceback

import grpc
import pytest

import chaosnet
import helpers

pytestmark = pytest.mark.root


@pytest.mark.parametrize("create, error, message", [
    (lambda c, dev: c.loss(dev, "150%"), chaosnet.InvalidArgument, "loss: 150% is above 100%"),
    (lambda c, dev: c.rate("nosuch0", "1mbit"), chaosnet.NotFound, "no interface named nosuch0"),
    (lambda c, dev: c.rate(dev, "1mbit", ttl="48h"), chaosnet.InvalidArgument,
     "ttl 48h is above the maximum of 24h (the daemon's --max-ttl)"),
    (lambda c, dev: c.rate(dev, "1mbit", ttl=-5), chaosnet.InvalidArgument,
     "ttl must be positive (e.g. 30s)"),
    (lambda c, dev: c.rate(dev, "1mbit", dst="10.0.0.1/8"), chaosnet.InvalidArgument, "10.0.0.1/8"),
])  # fmt: skip
def test_bad_input_raises_the_daemons_message_and_applies_nothing(client, pair, create, error,
                                                                  message):  # fmt: skip
    with pytest.raises(error) as e:
        create(client, pair.if_a)
    assert message in e.value.message and "\n" not in e.value.message
    assert e.value.code == error.code
    assert client.list(include_ended=True) == [] and not pair.chaosnet_tree()
    # No gRPC internals in what the user sees.
    shown = "".join(traceback.format_exception(e.type, e.value, e.tb))
    assert "_InactiveRpcError" not in shown and "debug_error_string" not in shown
    assert e.value.__cause__ is None and e.value.__suppress_context__


def test_unknown_and_ended_faults(client, pair):
    with pytest.raises(chaosnet.NotFound, match="no fault with id 000000000000"):
        client.get("000000000000")
    fault = client.rate(pair.if_a, "1mbit")
    fault.revoke()
    with pytest.raises(chaosnet.FailedPrecondition, match=f"fault {fault.id} has already ended"):
        fault.revoke()
    with pytest.raises(chaosnet.InvalidArgument, match="a fault ID is required"):
        client.revoke("")


def test_unreachable_daemon_is_unavailable(tmp_path):
    with chaosnet.Client(f"unix:{tmp_path}/none.sock", timeout="2s") as c:
        with pytest.raises(chaosnet.Unavailable) as e:
            c.info()
    assert str(e.value).startswith(f"cannot reach chaosnetd at unix:{tmp_path}/none.sock")
    assert e.value.code == grpc.StatusCode.UNAVAILABLE


def test_read_only_callers_get_permission_denied(pair):
    daemon = helpers.Daemon(pair.a, ["--read-only", f"uid:{os.geteuid()}"])
    try:
        with chaosnet.Client(daemon.server) as c:
            assert c.info().caller_read_only
            assert c.list() == []  # reading is allowed
            with pytest.raises(chaosnet.PermissionDenied) as e:
                c.rate(pair.if_a, "1mbit")
            assert f"uid:{os.geteuid()}" in str(e.value)
            assert not pair.chaosnet_tree()
    finally:
        daemon.stop()


def test_every_status_code_has_its_class():
    for code in grpc.StatusCode:
        if code == grpc.StatusCode.OK:
            continue
        error = chaosnet.errors.error_for(code, "m")
        assert error.code == code and isinstance(error, chaosnet.ChaosnetError)
        assert type(error).__name__.lower() == code.name.replace("_", "").lower()
