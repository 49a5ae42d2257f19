"""Test support: throwaway network namespaces, real chaosnetd processes, the
kernel's own view through `tc -j`. Everything made here is removed on exit,
also when a test fails."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from typing import List, Optional, Sequence

BIN_DIR = os.environ.get("CHAOSNET_BIN_DIR", os.path.join(os.getcwd(), "build", "bin"))
SOURCE_DIR = os.environ.get(
    "CHAOSNET_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
BUILD_DIR = os.environ.get("CHAOSNET_BUILD_DIR", os.path.dirname(BIN_DIR))
PYTHON = "/usr/bin/python3"


def run(*args: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), check=check, capture_output=True, text=True, **kwargs)


# NamespacePair's names: cnpy<pid of the pytest that made it><tag>a|b.
_PAIR_NAME = re.compile(r"cnpy(\d+)m[0-9a-f]{4}[ab]")


def remove_orphaned_pairs() -> List[str]:
    """Deletes the namespace pairs of pytest processes that no longer exist: a run
    killed with SIGKILL (a timeout, a stopped session) never reaches its teardown.
    Returns what it deleted."""
    removed = []
    for name in sorted(os.listdir("/run/netns")) if os.path.isdir("/run/netns") else []:
        m = _PAIR_NAME.fullmatch(name)
        if not m or int(m.group(1)) == os.getpid():
            continue
        try:
            os.kill(int(m.group(1)), 0)
            continue  # its maker is alive: still in use
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        if run("ip", "netns", "del", name, check=False).returncode == 0:
            removed.append(name)
    return removed


class NamespacePair:
    """Two network namespaces joined by a veth pair: IF_A=SUBNET.1 in a, IF_B=SUBNET.2 in b."""

    def __init__(self, tag: str, subnet: str = "10.79.0", if_a: str = "cn0", if_b: str = "cn1"):
        self.a = f"cnpy{os.getpid()}{tag}a"
        self.b = f"cnpy{os.getpid()}{tag}b"
        self.if_a, self.if_b = if_a, if_b
        self.addr_a, self.addr_b = f"{subnet}.1", f"{subnet}.2"
        try:
            run("ip", "netns", "add", self.a)
            run("ip", "netns", "add", self.b)
            run("ip", "link", "add", if_a, "netns", self.a, "type", "veth", "peer", "name", if_b,
                "netns", self.b)  # fmt: skip
            run("ip", "-n", self.a, "addr", "add", f"{self.addr_a}/24", "dev", if_a)
            run("ip", "-n", self.b, "addr", "add", f"{self.addr_b}/24", "dev", if_b)
            for ns, dev in ((self.a, if_a), (self.b, if_b)):
                run("ip", "-n", ns, "link", "set", "lo", "up")
                run("ip", "-n", ns, "link", "set", dev, "up")
        except BaseException:
            self.remove()
            raise

    def remove(self) -> None:
        for ns in (self.a, self.b):
            run("ip", "netns", "del", ns, check=False)

    def root_qdisc(self, dev: Optional[str] = None) -> Optional[dict]:
        """The interface's root qdisc as `tc -j` reports it (None: the kernel's default)."""
        out = run("tc", "-j", "-n", self.a, "qdisc", "show", "dev", dev or self.if_a).stdout
        for q in json.loads(out or "[]"):
            if q.get("root"):
                return q
        return None

    def chaosnet_tree(self, dev: Optional[str] = None) -> bool:
        """Whether a chaosnet tree (root handle 0xca00-0xcaff) is on the interface."""
        q = self.root_qdisc(dev)
        return bool(q) and q.get("handle", "").startswith("ca")

    def qdiscs(self, dev: Optional[str] = None) -> List[dict]:
        out = run("tc", "-j", "-n", self.a, "qdisc", "show", "dev", dev or self.if_a).stdout
        return json.loads(out or "[]")

    def baseline_rtt_ms(self) -> float:
        """RTT without faults: the first pings pay for ARP and cold caches (tens of ms
        in the emulated guest), so warm up and keep the lower of two measurements."""
        self.ping_rtt_ms(count=2)
        return min(self.ping_rtt_ms(), self.ping_rtt_ms())

    def ping_rtt_ms(self, count: int = 5) -> float:
        """Average RTT of pings from a to b."""
        out = run("ip", "netns", "exec", self.a, "ping", "-n", "-q", "-c", str(count), "-i",
                  "0.2", self.addr_b).stdout  # fmt: skip
        for line in out.splitlines():
            if line.startswith("rtt") or line.startswith("round-trip"):
                return float(line.split("=")[1].split("/")[1])
        raise AssertionError(f"no rtt in ping output: {out!r}")


class Daemon:
    """A chaosnetd inside namespace `netns`, on a socket in a private directory."""

    def __init__(self, netns: str, extra_args: Sequence[str] = ()):
        self.dir = tempfile.mkdtemp(prefix="chaosnet-py-")
        self.socket = os.path.join(self.dir, "chaosnetd.sock")
        self.log_path = os.path.join(self.dir, "chaosnetd.log")
        self.netns = netns
        args = ["ip", "netns", "exec", netns, os.path.join(BIN_DIR, "chaosnetd"),
                "--socket", self.socket, "--state-dir", os.path.join(self.dir, "state"),
                "--log-level", "debug", *extra_args]  # fmt: skip
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    @property
    def server(self) -> str:
        return "unix:" + self.socket

    def _wait_ready(self) -> None:
        import chaosnet

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"chaosnetd exited with {self.proc.returncode}: {self.log()}")
            if os.path.exists(self.socket):
                try:
                    with chaosnet.Client(self.server, timeout="2s") as client:
                        client.info()
                    return
                except chaosnet.ChaosnetError:
                    pass
            time.sleep(0.02)
        raise RuntimeError(f"chaosnetd did not serve within 20s: {self.log()}")

    def log(self) -> str:
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        shutil.rmtree(self.dir, ignore_errors=True)


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.005) -> float:
    """Polls until predicate() is true; returns the seconds it took (raises on timeout)."""
    start = time.monotonic()
    while True:
        if predicate():
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


def kill_and_time_rollback(child: subprocess.Popen, fault_id: str, client, pair) -> tuple:
    """SIGKILLs a process holding `fault_id` on a keep-alive stream; returns how long the
    rollback took in ms: by the daemon's clock (its ended_at) and as `tc` saw it (polled,
    so it includes the cost of running tc, large in the emulated guest)."""
    import datetime

    killed_at = datetime.datetime.now(datetime.timezone.utc)
    os.kill(child.pid, signal.SIGKILL)
    seen = wait_until(lambda: not pair.chaosnet_tree(), timeout=10, interval=0.001)
    child.communicate(timeout=5)
    fault = client.get(fault_id)
    assert fault.state == "revoked" and "keep-alive stream" in fault.state_reason, fault
    return (fault.ended_at - killed_at).total_seconds() * 1000, seen * 1000


def python_env() -> dict:
    """The environment of a child Python: this one's (PYTHONPATH included), no .pyc files."""
    return {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}


def python_in_namespace(netns: str, script: str, *args: str, env: Optional[dict] = None,
                        pythonpath: Optional[str] = None) -> subprocess.CompletedProcess:
    """Runs a Python script inside a namespace (where its 127.0.0.1 listeners are)."""
    child_env = {**python_env(), **(env or {})}
    if pythonpath is not None:
        child_env["PYTHONPATH"] = pythonpath
    return subprocess.run(["ip", "netns", "exec", netns, PYTHON, "-c", script, *args],
                          capture_output=True, text=True, env=child_env, timeout=60)  # fmt: skip
