"""Batches (CreateFaults / RevokeFaults) and programs through the typed client,
against a real chaosnetd; rate faults (htb), which the host kernel has, read
back with tc."""

import json

import pytest

import chaosnet
import helpers
from chaosnet import client as client_module
from chaosnet import programs

pytestmark = pytest.mark.root


def filter_count(pair) -> int:
    out = helpers.run("tc", "-n", pair.a, "-j", "filter", "show", "dev", pair.if_a).stdout
    return len([f for f in json.loads(out or "[]") if f.get("options", {}).get("flowid")])


def class_rates(pair):
    # "class htb ca00:3 root ... rate 1Mbit ceil ...": tc -j prints htb classes as text.
    out = helpers.run("tc", "-n", pair.a, "class", "show", "dev", pair.if_a).stdout
    return {line.split()[2]: line.split(" rate ")[1].split()[0]
            for line in out.splitlines() if " rate " in line}


def test_batch_applies_every_request_in_one_call(client, pair):
    with client.batch(ttl="60s", labels={"suite": "batch"}) as batch:
        for i in range(40):
            assert batch.rate(pair.if_a, "50mbit", dst=f"10.80.{i // 200}.{i % 200 + 1}") == i
    assert len(batch.faults) == 40 and all(f.active for f in batch.faults)
    assert [f.spec.target for f in batch.faults][:1] and len({f.id for f in batch.faults}) == 40
    # The kernel's own view: one class per fault (plus none else), one filter each.
    classes = [h for h in class_rates(pair) if h != "ca00:"]
    assert len(classes) == 40
    assert filter_count(pair) >= 40
    revoked = client.revoke_many(batch.faults[:30] + ["no-such-id"])
    assert len(revoked) == 30 and all(f.state == "revoked" for f in revoked)
    assert len(client.list(labels={"suite": "batch"})) == 10
    assert len([h for h in class_rates(pair) if h != "ca00:"]) == 10
    # Revoking what ended already is no error: nothing left to do.
    assert client.revoke_many(batch.faults[:30]) == []


def test_a_bad_item_applies_nothing(client, pair):
    batch = client.batch()
    batch.rate(pair.if_a, "10mbit", dst="10.81.0.1")
    batch.rate(pair.if_a, "10mbit", dst="10.81.0.2")
    batch.rate("cn-no-such-if", "10mbit")
    with pytest.raises(chaosnet.NotFound, match="item 2"):
        batch.commit()
    assert client.list() == [] and not pair.chaosnet_tree()


def test_a_block_that_raises_applies_nothing(client, pair):
    with pytest.raises(RuntimeError):
        with client.batch() as batch:
            batch.rate(pair.if_a, "10mbit", dst="10.82.0.1")
            raise RuntimeError("the experiment's set-up failed")
    assert batch.faults == [] and client.list() == []


def test_dry_run_batch_plans_against_each_other(client, pair):
    batch = client.batch(dry_run=True)
    batch.rate(pair.if_a, "10mbit", dst="10.83.0.0/24")
    batch.rate(pair.if_a, "10mbit", dst="10.83.0.7")  # overlaps the first
    with pytest.raises(chaosnet.FailedPrecondition, match="overlaps"):
        batch.commit()
    batch = client.batch(dry_run=True)
    batch.rate(pair.if_a, "10mbit", dst="10.83.0.1")
    faults = batch.commit()
    assert all(f.dry_run for f in faults) and not pair.chaosnet_tree()


def test_groups_are_all_or_nothing_together(client, pair, monkeypatch):
    # Groups of 4: the third group's refusal takes back what the first two made.
    monkeypatch.setattr(client_module, "MAX_BATCH_ITEMS", 4)
    requests = [chaosnet.requests.build_create(pair.if_a, rate="10mbit", dst=f"10.84.0.{i + 1}")
                for i in range(10)]
    requests[9].spec.interface = "cn-no-such-if"
    with pytest.raises(chaosnet.NotFound):
        client.create_many(requests)
    assert client.list() == [] and not pair.chaosnet_tree()
    made = client.create_many(requests[:9])
    assert len(made) == 9 and len(client.list()) == 9


def test_steps_program_changes_the_class_rate_in_place(client, pair):
    fault = client.apply(pair.if_a, dst="10.85.0.1", ttl="60s", program=programs.steps(
        [("300ms", {"rate": "1mbit"}), ("300ms", {"rate": "3mbit"})], repeat="forever"))
    assert fault.spec.proto.program.forever and fault.program_position is not None
    assert fault.spec.summary == "program 2 steps forever"
    seen = set()

    def both_rates_seen():
        seen.update(r for r in class_rates(pair).values() if r in ("1Mbit", "3Mbit"))
        return len(seen) == 2

    helpers.wait_until(both_rates_seen, timeout=10, interval=0.05)
    assert seen == {"1Mbit", "3Mbit"}
    position = fault.refresh().program_position
    assert fault.active and position.steps_per_cycle == 2 and position.steps_applied >= 1
