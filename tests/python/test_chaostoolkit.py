"""Chaos Toolkit activities, called as Chaos Toolkit calls them (module, func,
arguments, plus configuration and secrets), and the two example experiments run
end to end through them (netem: in the guest)."""

import json
import os
import subprocess

import pytest

import chaosnet
import ctk_runner
import helpers
from chaosnet import chaostoolkit as ctk

pytestmark = pytest.mark.root

EXAMPLES = os.path.join(helpers.SOURCE_DIR, "client", "python", "examples")
RUNNER = os.path.join(os.path.dirname(__file__), "ctk_runner.py")


def example(name):
    with open(os.path.join(EXAMPLES, name)) as f:
        return json.load(f)


@pytest.fixture
def configuration(client, daemon):
    return {"chaosnet_server": daemon.server}


def test_actions_and_probes_with_a_rate_fault(configuration, pair):
    labels = {"experiment": "ctk-rate"}
    made = ctk.rate(pair.if_a, "1mbit", ttl="1m", labels=labels, configuration=configuration)
    json.dumps(made)  # Chaos Toolkit journals every result
    assert made["state"] == "active" and made["fault"] == "rate 1mbit"
    assert made["labels"] == labels and made["plan"] and pair.chaosnet_tree()
    assert ctk.active_faults(interface=pair.if_a, labels=labels, configuration=configuration) == 1
    assert [f["id"] for f in ctk.list_faults(labels=labels, configuration=configuration)] == [
        made["id"]]
    helpers.run("ip", "netns", "exec", pair.a, "ping", "-c", "3", "-i", "0.2", "-q", pair.addr_b)
    counters = ctk.fault_counters(labels=labels, configuration=configuration)
    assert counters["packets"] >= 3 and counters["faults"][made["id"]]["packets"] >= 3
    rolled_back = ctk.revoke(labels=labels, configuration=configuration)
    assert [(f["id"], f["state"]) for f in rolled_back] == [(made["id"], "revoked")]
    assert ctk.active_faults(labels=labels, configuration=configuration) == 0
    assert not pair.chaosnet_tree()
    # Ended faults keep their final counters.
    assert ctk.fault_counters(fault_id=made["id"], configuration=configuration)["packets"] >= 3


def test_apply_revoke_by_id_and_revoke_all(configuration, pair):
    made = ctk.apply(pair.if_a, rate="2mbit", dport=5432, protocol="tcp",
                     configuration=configuration)  # fmt: skip
    assert made["target"] == f"{pair.if_a} (dport 5432 proto tcp)"
    assert ctk.revoke(fault_id=made["id"], configuration=configuration)[0]["state"] == "revoked"
    ctk.rate(pair.if_a, "1mbit", configuration=configuration)
    assert len(ctk.revoke_all(configuration=configuration)) == 1
    with pytest.raises(chaosnet.InvalidArgument, match="either fault_id or labels"):
        ctk.revoke(configuration=configuration)


def test_the_daemon_from_secrets_or_the_environment(daemon, pair, monkeypatch, client):
    info = ctk.daemon_info(secrets={"chaosnet": {"chaosnet_server": daemon.server}})
    json.dumps(info)
    assert info["capabilities"]["htb"] and info["caller"] == "uid:0(root)"
    monkeypatch.setenv("CHAOSNET_SERVER", daemon.server)
    assert ctk.active_faults() == 0


def test_bad_input_is_the_typed_exception(configuration, pair):
    with pytest.raises(chaosnet.InvalidArgument, match="loss: 150% is above 100%"):
        ctk.loss(pair.if_a, "150%", configuration=configuration)


def test_discover_lists_the_activities_and_the_daemon(configuration):
    found = ctk.discover(configuration=configuration)
    json.dumps(found)
    kinds = {a["name"]: a["type"] for a in found["activities"]}
    assert kinds == {
        "delay": "action", "loss": "action", "partition": "action", "rate": "action",
        "apply": "action", "revoke": "action", "revoke_all": "action",
        "list_faults": "probe", "active_faults": "probe", "fault_counters": "probe",
        "daemon_info": "probe"}  # fmt: skip
    delay = next(a for a in found["activities"] if a["name"] == "delay")
    assert delay["mod"] == "chaosnet.chaostoolkit" and delay["doc"]
    assert delay["arguments"][:2] == [{"name": "interface", "type": "string"},
                                      {"name": "latency", "type": "string"}]  # fmt: skip
    assert {"name": "labels", "type": "mapping", "default": None} in delay["arguments"]
    assert all(a["name"] not in ("configuration", "secrets") for a in delay["arguments"])
    assert found["system"]["chaosnetd"]["version"]
    assert found["extension"] == {"name": "chaosnet", "version": chaosnet.__version__}


def test_discover_without_a_daemon_says_why(tmp_path):
    found = ctk.discover(configuration={"chaosnet_server": f"unix:{tmp_path}/none"})
    assert found["system"]["chaosnetd"] is None and "cannot reach" in found["system"]["error"]
    assert ctk.discover(discover_system=False)["system"] is None


@pytest.mark.parametrize("name", ["delay-with-rollback.json", "partition-api-from-postgres.json"])
def test_the_examples_are_valid_experiments(name):
    experiment = example(name)
    ctk_runner.validate(experiment)  # also: every func exists and takes its arguments
    method_funcs = [a["provider"].get("func") for a in experiment["method"]]
    assert method_funcs[0] in ("delay", "partition")
    assert experiment["rollbacks"][0]["provider"]["func"] == "revoke"
    assert experiment["rollbacks"][0]["provider"]["arguments"]["labels"] == (
        experiment["method"][0]["provider"]["arguments"]["labels"])


def test_the_validator_catches_what_chaos_toolkit_refuses():
    for broken, message in (({"title": "t", "description": "d"}, "requires a method"),
                            ({**example("delay-with-rollback.json"), "title": ""}, "requires a title")):
        with pytest.raises(ctk_runner.InvalidExperiment, match=message):
            ctk_runner.validate(broken)
    bad_argument = example("delay-with-rollback.json")
    bad_argument["method"][0]["provider"]["arguments"]["colour"] = "red"
    with pytest.raises(ctk_runner.InvalidExperiment, match="takes no argument colour"):
        ctk_runner.validate(bad_argument)


# ------------------------------------------------- the examples, end to end


class Server:
    """A process in a namespace, stopped afterwards."""

    def __init__(self, netns, *command, cwd=None):
        self.proc = subprocess.Popen(["ip", "netns", "exec", netns, *command], cwd=cwd,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self):
        self.proc.kill()
        self.proc.wait(5)


def reachable(netns, host, port):
    return helpers.run("ip", "netns", "exec", netns, "nc", "-z", "-w", "2", host, str(port),
                       check=False).returncode == 0  # fmt: skip


def run_experiment(pair, daemon, name, **env):
    with open(RUNNER) as f:
        out = helpers.python_in_namespace(
            pair.a, f.read(), os.path.join(EXAMPLES, name),
            env={"CHAOSNET_SERVER": daemon.server, "CHAOSNET_INTERFACE": pair.if_a, **env})
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.netem
def test_delay_with_rollback_end_to_end(netem, client, daemon, pair, tmp_path):
    web = Server(pair.b, helpers.PYTHON, "-m", "http.server", "8080", "--bind", pair.addr_b,
                 cwd=str(tmp_path))  # fmt: skip
    try:
        helpers.wait_until(lambda: reachable(pair.a, pair.addr_b, 8080), timeout=20, interval=0.1)
        journal = run_experiment(pair, daemon, "delay-with-rollback.json",
                                 SERVICE_URL=f"http://{pair.addr_b}:8080/")
    finally:
        web.stop()
    assert journal["status"] == "completed", journal
    before, after = journal["steady_states"]["before"], journal["steady_states"]["after"]
    assert before["steady_state_met"] and after["steady_state_met"]
    applied, listed = (r["output"] for r in journal["run"])
    assert applied["fault"] == "delay 5s" and applied["state"] == "active"
    assert [f["id"] for f in listed] == [applied["id"]]
    # The service answered under the delay, and took the delay to do it.
    slow = after["probes"][0]
    fast = before["probes"][0]
    print(f"\n[python] experiment probe: {fast['end'] - fast['start']:.2f}s before, "
          f"{slow['end'] - slow['start']:.2f}s under a 5s delay")
    assert slow["end"] - slow["start"] >= 4.5 > fast["end"] - fast["start"]
    [revoked] = journal["rollbacks"][0]["output"]
    assert (revoked["id"], revoked["state"]) == (applied["id"], "revoked")
    assert client.list() == [] and not pair.chaosnet_tree()


@pytest.mark.netem
def test_partition_api_from_postgres_end_to_end(netem, client, daemon, pair, tmp_path):
    (tmp_path / "health").write_text("ok\n")
    api = Server(pair.a, helpers.PYTHON, "-m", "http.server", "8080", "--bind", "127.0.0.1",
                 cwd=str(tmp_path))  # fmt: skip
    postgres = Server(pair.b, "nc", "-lk", pair.addr_b, "5432")
    try:
        helpers.wait_until(lambda: reachable(pair.a, "127.0.0.1", 8080), timeout=20, interval=0.1)
        helpers.wait_until(lambda: reachable(pair.a, pair.addr_b, 5432), timeout=20, interval=0.1)
        journal = run_experiment(pair, daemon, "partition-api-from-postgres.json",
                                 API_HEALTH_URL="http://127.0.0.1:8080/health",
                                 POSTGRES_HOST=pair.addr_b)  # fmt: skip
        assert reachable(pair.a, pair.addr_b, 5432), "the rollback restored the flow"
    finally:
        api.stop()
        postgres.stop()
    assert journal["status"] == "completed", journal
    partitioned, probe = (r["output"] for r in journal["run"])
    assert partitioned["fault"] == "partition"
    assert partitioned["target"] == f"{pair.if_a} (dst {pair.addr_b}/32 dport 5432 proto tcp)"
    assert probe["status"] != 0  # postgres was unreachable while the API stayed healthy
    assert journal["steady_states"]["after"]["steady_state_met"]
    [revoked] = journal["rollbacks"][0]["output"]
    assert revoked["state"] == "revoked"
    assert client.list() == [] and not pair.chaosnet_tree()
