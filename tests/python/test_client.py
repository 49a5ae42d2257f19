"""Every RPC through the typed methods, against a real chaosnetd; rate faults,
which the host kernel has (htb), checked with the kernel's own view (tc)."""

import datetime
import threading

import pytest

import chaosnet
import helpers

pytestmark = pytest.mark.root


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def htb_class_rates(pair):
    out = helpers.run("tc", "-n", pair.a, "class", "show", "dev", pair.if_a).stdout
    return [line.split(" rate ")[1].split()[0] for line in out.splitlines() if " rate " in line]


def test_info(client):
    info = client.info()
    assert isinstance(info, chaosnet.Info)
    assert info.version and info.kernel_release
    assert info.caller == "uid:0(root)" and not info.caller_read_only
    assert info.max_ttl == datetime.timedelta(hours=24)
    assert info.default_ttl == datetime.timedelta(minutes=5)
    assert info.has("htb") and info.has("u32")
    assert info.started_at < now()


def test_rate_fault_lifecycle(client, pair):
    before = now()
    fault = client.rate(pair.if_a, "1mbit", ttl="30s", labels={"suite": "python"})
    assert isinstance(fault, chaosnet.Fault) and len(fault.id) == 12
    assert fault.state == "active" and fault.active and not fault.keep_alive
    assert fault.spec.rate == 1_000_000 and fault.spec.summary == "rate 1mbit"
    assert fault.labels == {"suite": "python"} and fault.owner.startswith("uid:0")
    assert before + datetime.timedelta(seconds=29) < fault.expires_at
    assert fault.expires_at < now() + datetime.timedelta(seconds=31)
    assert any(step.kind == "htb" and step.object == "class" for step in fault.plan)
    # The kernel's own view: the htb root and the fault's class at 1Mbit.
    assert pair.root_qdisc()["handle"] == "ca00:" and "1Mbit" in htb_class_rates(pair)

    assert client.get(fault.id).id == fault.id
    assert [f.id for f in client.list()] == [fault.id]
    assert [f.id for f in client.list(interface=pair.if_a, labels={"suite": "python"})] == [fault.id]
    assert client.list(labels={"suite": "other"}) == []
    assert client.list(interface="nope") == []

    old_deadline = fault.expires_at
    assert client.extend(fault, "2m") is fault and fault.expires_at > old_deadline + datetime.timedelta(seconds=60)
    revoked = client.revoke(fault.id)
    assert revoked.state == "revoked" and revoked.ended_at and "revoked by" in revoked.state_reason
    assert not pair.chaosnet_tree()
    assert client.list() == [] and [f.id for f in client.list(include_ended=True)] == [fault.id]


def test_counters_count_real_traffic(client, pair):
    fault = client.rate(pair.if_a, "100mbit")
    assert fault.counters.packets == 0
    helpers.run("ip", "netns", "exec", pair.a, "ping", "-c", "3", "-i", "0.2", "-q", pair.addr_b)
    fault.refresh()
    assert fault.counters.packets >= 3 and fault.counters.bytes > 0
    assert fault.counters.read_at is not None
    final = fault.revoke().counters
    assert final.packets >= 3


def test_revoke_all_by_labels(client, pair):
    a = client.rate(pair.if_a, "1mbit", dst="10.79.0.2", labels={"run": "1"})
    b = client.rate(pair.if_a, "2mbit", dst="10.79.0.3", labels={"run": "2"})
    assert [f.id for f in client.revoke_all(labels={"run": "1"})] == [a.id]
    assert [f.id for f in client.list()] == [b.id]
    assert [f.id for f in client.revoke_all()] == [b.id]


def test_dry_run_applies_nothing(client, pair):
    plan = client.apply(pair.if_a, rate="5mbit", dport="8000-8100", protocol="tcp", dry_run=True)
    assert plan.dry_run and plan.plan and any("8000" in s.parameters for s in plan.plan)
    assert client.list() == [] and not pair.chaosnet_tree()
    with pytest.raises(chaosnet.FailedPrecondition, match="a dry run applied nothing"):
        with plan:
            pass


def test_request_id_makes_retries_safe(client, pair):
    first = client.rate(pair.if_a, "1mbit", request_id="retry-me")
    again = client.rate(pair.if_a, "1mbit", request_id="retry-me")
    assert again.id == first.id and again.replayed and not first.replayed
    assert len(client.list()) == 1


def test_client_defaults_for_labels_and_ttl(daemon, pair):
    with chaosnet.Client(daemon.server, labels={"team": "db"}, ttl="45s") as c:
        fault = c.rate(pair.if_a, "1mbit", labels=["case=defaults"])
        try:
            assert fault.labels == {"team": "db", "case": "defaults"}
            left = fault.expires_at - now()
            assert datetime.timedelta(seconds=40) < left <= datetime.timedelta(seconds=45)
        finally:
            fault.revoke()


def test_watch_streams_events(client, pair):
    first = client.rate(pair.if_a, "1mbit")
    with client.watch(initial=True) as watch:
        guard = threading.Timer(10, watch.cancel)  # a missing event fails, never hangs
        guard.start()
        events = iter(watch)
        snapshot = next(events)  # the subscription is live from here on
        first.revoke()
        second = client.rate(pair.if_a, "2mbit")
        second.extend("1m")
        second.revoke()
        seen = [next(events) for _ in range(4)]
        guard.cancel()
    assert (snapshot.type, snapshot.fault.id) == ("snapshot", first.id)
    assert [(e.type, e.fault.id) for e in seen] == [
        ("revoked", first.id), ("applied", second.id), ("extended", second.id),
        ("revoked", second.id)]
    assert [e.sequence for e in seen] == sorted(e.sequence for e in seen)
    assert seen[-1].fault.state == "revoked" and seen[-1].at is not None
    # Leaving the block cancelled the stream: iterating further ends quietly.
    assert list(events) == []
