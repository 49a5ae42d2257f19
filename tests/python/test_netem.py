"""netem faults through the library, measured with real traffic (ping between the
test's namespaces): runs in the qemu guest, skips on a kernel without netem."""

import subprocess
import sys

import pytest

import helpers

pytestmark = pytest.mark.netem


def test_delay_context_manager_raises_rtt_and_leaving_restores_it(netem, client, pair):
    base = pair.baseline_rtt_ms()
    with client.delay(pair.if_a, "100ms", ttl="1m") as fault:
        assert fault.keep_alive
        under = [pair.ping_rtt_ms() for _ in range(2)]
    after = pair.ping_rtt_ms()
    print(f"\n[python] RTT {base:.2f} ms before, {under} ms inside `with client.delay(..., "
          f"\"100ms\")`, {after:.2f} ms after")
    assert all(90 <= rtt - base <= 200 for rtt in under)
    assert after - base < 30 and fault.state == "revoked" and not pair.chaosnet_tree()


def test_sigkill_inside_a_delay_block_restores_the_rtt(netem, client, daemon, pair):
    script = ("import sys, time, chaosnet\n"
              "with chaosnet.Client(sys.argv[1]).delay(sys.argv[2], '100ms', ttl='5m') as f:\n"
              "    print(f.id, flush=True)\n"
              "    time.sleep(600)\n")  # fmt: skip
    base = pair.baseline_rtt_ms()
    timings = []
    # Each holder is a Python process importing grpc: seconds in the emulated guest,
    # so fewer rounds than the host's rate-fault version of this test.
    for _ in range(2):
        child = subprocess.Popen([sys.executable, "-c", script, daemon.server, pair.if_a],
                                 stdout=subprocess.PIPE, text=True, env=helpers.python_env())
        fault_id = child.stdout.readline().strip()
        assert client.get(fault_id).keep_alive
        assert pair.ping_rtt_ms(count=3) - base >= 90
        timings.append(helpers.kill_and_time_rollback(child, fault_id, client, pair))
    after = pair.ping_rtt_ms()
    by_daemon = [t[0] for t in timings]
    print(f"\n[python] SIGKILL inside `with client.delay(...)` -> rolled back "
          f"{', '.join(f'{t:.1f}' for t in by_daemon)} ms later by the daemon's clock; tc saw "
          f"it gone after {', '.join(f'{t[1]:.0f}' for t in timings)} ms; RTT {after:.2f} ms "
          f"after (base {base:.2f})")
    assert max(t[1] for t in timings) < 5000 and after - base < 30


def test_scoped_partition_as_a_decorator(netem, client, pair):
    def answers():
        return helpers.run("ip", "netns", "exec", pair.a, "ping", "-c", "1", "-W", "1",
                           pair.addr_b, check=False).returncode == 0  # fmt: skip

    @client.scoped.partition(pair.if_a, dst=pair.addr_b, ttl="1m")
    def while_partitioned():
        return answers()

    assert answers()
    assert while_partitioned() is False
    assert answers() and client.list() == []
