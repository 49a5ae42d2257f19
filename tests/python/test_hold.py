"""Faults that cannot leak: with blocks, decorators, groups, and the dead man's
switch when the Python process dies (SIGKILL) or is interrupted (Ctrl-C)."""

import signal
import statistics
import subprocess
import sys

import pytest

import chaosnet
import helpers

pytestmark = pytest.mark.root

HOLDER = """
import sys, time, chaosnet
client = chaosnet.Client(sys.argv[1])
with client.{method} as fault:
    print(fault.id, flush=True)
    time.sleep(600)
"""


def test_with_block_holds_then_revokes(client, pair):
    with client.rate(pair.if_a, "1mbit", ttl="5m") as fault:
        assert fault.keep_alive and client.get(fault.id).keep_alive
        assert pair.chaosnet_tree()
    assert fault.state == "revoked" and "revoked by" in fault.state_reason
    assert not pair.chaosnet_tree()
    assert client.get(fault.id).state == "revoked"


def test_an_exception_in_the_block_revokes_and_propagates(client, pair):
    with pytest.raises(ZeroDivisionError):
        with client.rate(pair.if_a, "1mbit") as fault:
            1 / 0
    assert fault.state == "revoked" and not pair.chaosnet_tree()


def test_a_fault_that_ends_inside_the_block_leaves_quietly(client, pair):
    with client.rate(pair.if_a, "1mbit", ttl="200ms") as fault:
        helpers.wait_until(lambda: client.get(fault.id).state == "expired", timeout=10)
    assert fault.state == "expired" and not pair.chaosnet_tree()


def test_entering_twice_is_refused(client, pair):
    fault = client.rate(pair.if_a, "1mbit")
    with fault:
        with pytest.raises(chaosnet.FailedPrecondition, match="already held"):
            fault.__enter__()
    assert fault.state == "revoked"


def test_scoped_applies_nothing_until_entered(client, pair):
    scoped = client.scoped.rate(pair.if_a, "1mbit")
    assert client.list() == []
    with scoped as fault:
        assert fault.active and fault.keep_alive and pair.chaosnet_tree()
    assert fault.state == "revoked" and not pair.chaosnet_tree()
    with pytest.raises(chaosnet.InvalidArgument, match="invalid rate"):
        client.scoped.rate(pair.if_a, "1 mbit")  # arguments are checked at once


def test_scoped_as_a_decorator_applies_a_fresh_fault_per_call(client, pair):
    seen = []

    @client.scoped.rate(pair.if_a, "3mbit", labels={"via": "decorator"})
    def under_fault(fail=False):
        [fault] = client.list(labels={"via": "decorator"})
        seen.append(fault.id)
        assert fault.keep_alive and pair.chaosnet_tree()
        if fail:
            raise RuntimeError("the test body failed")
        return "result"

    assert client.list() == []  # decorating applied nothing
    assert under_fault() == "result"
    with pytest.raises(RuntimeError):
        under_fault(fail=True)
    assert len(set(seen)) == 2 and under_fault.__name__ == "under_fault"
    assert client.list() == [] and not pair.chaosnet_tree()
    assert all(client.get(i).state == "revoked" for i in seen)


def test_hold_groups_existing_faults(client, pair):
    a = client.rate(pair.if_a, "1mbit", dst="10.79.0.2")
    b = client.rate(pair.if_a, "2mbit", dst="10.79.0.3")
    with chaosnet.hold(a, b) as group:
        assert [f.keep_alive for f in group.faults] == [True, True]
    assert (a.state, b.state) == ("revoked", "revoked") and not pair.chaosnet_tree()


def start_holder(daemon, method: str) -> "tuple[subprocess.Popen, str]":
    child = subprocess.Popen([sys.executable, "-c", HOLDER.format(method=method), daemon.server],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=helpers.python_env())  # fmt: skip
    fault_id = child.stdout.readline().strip()
    assert fault_id, "the holder printed no fault id"
    return child, fault_id


def test_sigkill_of_the_holding_process_rolls_back(client, daemon, pair):
    """The dead man's switch, timed: SIGKILL to the kernel's tree gone."""
    timings = []
    for _ in range(3):
        child, fault_id = start_holder(daemon, f'rate("{pair.if_a}", "1mbit", ttl="5m")')
        assert client.get(fault_id).keep_alive and pair.chaosnet_tree()
        timings.append(helpers.kill_and_time_rollback(child, fault_id, client, pair))
    by_daemon = [t[0] for t in timings]
    print(f"\n[python] SIGKILL inside `with client.rate(...)` -> rolled back "
          f"{', '.join(f'{t:.1f}' for t in by_daemon)} ms later by the daemon's clock "
          f"(median {statistics.median(by_daemon):.1f}); tc saw it gone after "
          f"{', '.join(f'{t[1]:.0f}' for t in timings)} ms")
    assert max(t[1] for t in timings) < 5000


def test_ctrl_c_leaves_the_block_and_revokes(client, daemon, pair):
    child, fault_id = start_holder(daemon, f'rate("{pair.if_a}", "1mbit", ttl="5m")')
    child.send_signal(signal.SIGINT)
    _, stderr = child.communicate(timeout=10)
    assert child.returncode != 0 and "KeyboardInterrupt" in stderr  # raised through the block
    fault = client.get(fault_id)
    assert fault.state == "revoked" and fault.state_reason.startswith("revoked by")
    assert not pair.chaosnet_tree()


def test_an_applied_fault_refuses_to_decorate_and_says_what_does(client, pair):
    fault = client.rate(pair.if_a, "1mbit")
    with pytest.raises(TypeError, match=r"use client.scoped.delay\(...\)"):

        @fault
        def body():
            pass

    with pytest.raises(TypeError, match="client.scoped.delay"):
        chaosnet.hold(fault)(lambda: None)
