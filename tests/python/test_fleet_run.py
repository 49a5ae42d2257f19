"""`chaosnetctl run fleet ... -- CMD` against two real chaosnetd, one per
namespace of a pair: every node's fault is in the kernel while CMD runs, the
exit status is CMD's, and every node heals when CMD exits or when chaosnetctl
is SIGKILLed (the keep-alive streams). Rate faults, which the host kernel has."""

import json
import os
import signal
import subprocess

import pytest

import helpers

pytestmark = pytest.mark.root

CTL = os.path.join(helpers.BIN_DIR, "chaosnetctl")


@pytest.fixture(scope="module")
def pair():
    if os.geteuid() != 0:
        pytest.skip("needs root (network namespaces and qdiscs)")
    made = helpers.NamespacePair(f"f{os.urandom(2).hex()}", subnet="10.78.0")
    yield made
    made.remove()


@pytest.fixture(scope="module")
def fleet(pair, tmp_path_factory):
    daemons = [helpers.Daemon(pair.a), helpers.Daemon(pair.b)]
    path = tmp_path_factory.mktemp("fleet") / "fleet.toml"
    path.write_text(f"""
[nodes.a]
server = "{daemons[0].server}"
interface = "{pair.if_a}"
addresses = ["{pair.addr_a}"]
[nodes.b]
server = "{daemons[1].server}"
interface = "{pair.if_b}"
addresses = ["{pair.addr_b}"]
""")
    yield str(path)
    for d in daemons:
        d.stop()


def trees(pair) -> list:
    """Per node, whether a chaosnet tree is its interface's root (as `tc -j` sees it)."""
    found = []
    for ns, dev in ((pair.a, pair.if_a), (pair.b, pair.if_b)):
        out = helpers.run("tc", "-j", "-n", ns, "qdisc", "show", "dev", dev).stdout
        found.append(any(q.get("root") and q.get("handle", "").startswith("ca")
                         for q in json.loads(out or "[]")))
    return found


def active_experiments(fleet_file) -> int:
    out = helpers.run(CTL, "-o", "json", "fleet", "status", "--fleet", fleet_file).stdout
    return sum(1 for node in json.loads(out)["nodes"] for f in node.get("faults", [])
               if f["state"] == "active")


def test_run_holds_every_node_while_the_command_runs_and_returns_its_status(fleet, pair,
                                                                          tmp_path):
    seen = tmp_path / "seen"
    check = (f"tc -j -n {pair.a} qdisc show dev {pair.if_a} > {seen}.a; "
             f"tc -j -n {pair.b} qdisc show dev {pair.if_b} > {seen}.b; echo from-cmd; exit 7")
    r = helpers.run(CTL, "run", "--ttl", "1m", "fleet", "apply", "--fleet", fleet,
                    "--shape", "halves", "--rate", "1mbit", "--", "sh", "-c", check,
                    check=False)  # fmt: skip
    assert r.returncode == 7, r.stderr
    assert r.stdout == "from-cmd\n", "stdout is the command's alone"
    assert "applied in" in r.stderr and "healed" in r.stderr
    for suffix in ("a", "b"):
        qdiscs = json.loads(open(f"{seen}.{suffix}").read())
        assert any(q.get("root") and q["handle"].startswith("ca") for q in qdiscs), suffix
    assert trees(pair) == [False, False]
    assert active_experiments(fleet) == 0


def test_sigkill_of_the_coordinator_heals_every_node(fleet, pair):
    child = subprocess.Popen([CTL, "run", "--ttl", "5m", "fleet", "apply", "--fleet", fleet,
                              "--shape", "halves", "--rate", "1mbit", "--", "sleep", "600"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             start_new_session=True)  # fmt: skip
    try:
        # Printed once every node's stream is bound, just before the command starts.
        for line in child.stderr:
            if b"held on 2 nodes" in line:
                break
        else:
            pytest.fail("chaosnetctl ended before holding the experiment")
        assert trees(pair) == [True, True]
        os.kill(child.pid, signal.SIGKILL)
        took = helpers.wait_until(lambda: trees(pair) == [False, False], timeout=10,
                                  interval=0.002)
        print(f"coordinator SIGKILLed: both nodes healed after {took * 1000:.0f} ms")
        assert active_experiments(fleet) == 0
    finally:
        os.killpg(child.pid, signal.SIGKILL)  # the orphaned sleep too
        child.wait(5)
