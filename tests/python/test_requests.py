"""Keyword arguments -> request protos, without a daemon."""

import ipaddress

import pytest

import chaosnet
from chaosnet import requests
from chaosnet.results import Spec
from chaosnet.v1 import chaosnet_pb2 as pb


def test_delay_with_target_and_lease():
    r = requests.build_create("eth0", delay="100ms", jitter=0.01, distribution="normal",
                              ttl="30s", dst="10.0.0.5", dport=5432, protocol="tcp",
                              direction="both", netns="web", labels={"team": "db"},
                              request_id="r1")  # fmt: skip
    s = r.spec
    assert (s.interface, s.netns, s.direction) == ("eth0", "web", pb.DIRECTION_BOTH)
    assert (s.delay.latency.seconds, s.delay.latency.nanos) == (0, 100_000_000)
    assert s.delay.jitter.nanos == 10_000_000
    assert s.delay.distribution == pb.DELAY_DISTRIBUTION_NORMAL
    assert (s.match.dst_cidr, s.match.dport.first, s.match.dport.last) == ("10.0.0.5", 5432, 0)
    assert s.match.protocol == pb.PROTOCOL_TCP
    assert r.ttl.seconds == 30 and dict(r.labels) == {"team": "db"} and r.request_id == "r1"
    assert r.HasField("spec") and not r.dry_run


def test_apply_combines_faults_and_ranges():
    s = requests.fault_spec("eth0", loss="1%", loss_correlation=25, rate="10mbit",
                            reorder=25, delay="10ms", gap=5, sport="8000-8100",
                            src=ipaddress.ip_network("2001:db8::/32"), limit=5000)  # fmt: skip
    assert s.loss.percent == 1 and s.loss.correlation_percent == 25
    assert s.rate.bits_per_second == 10**7
    assert (s.reorder.percent, s.reorder.gap) == (25, 5)
    assert (s.match.sport.first, s.match.sport.last) == (8000, 8100)
    assert s.match.src_cidr == "2001:db8::/32" and s.queue_limit == 5000
    assert s.direction == pb.DIRECTION_EGRESS  # the default, written out as the CLI does


def test_labels_as_cli_pairs():
    assert requests.labels_dict(["a=b", "c=d=e"]) == {"a": "b", "c": "d=e"}
    assert requests.labels_dict("k=") == {"k": ""}
    for bad, why in ((["a"], "not key=value"), (["=x"], "not key=value"),
                     (["a=1", "a=2"], 'key "a" given twice')):  # fmt: skip
        with pytest.raises(chaosnet.InvalidArgument, match=why):
            requests.labels_dict(bad)


@pytest.mark.parametrize("arguments, message", [
    (dict(), "no fault given"),
    (dict(jitter="1ms", loss="1%"), "jitter, distribution and delay correlation need a delay"),
    (dict(loss_correlation="5%", rate="1mbit"), "loss correlation needs loss"),
    (dict(gap=3, delay="1ms"), "gap and reorder correlation need reorder"),
    (dict(rate="1mbit", direction="sideways"), 'direction: unknown "sideways" (use egress, ingress or both)'),
    (dict(rate="1mbit", protocol="sctp"), "protocol: unknown"),
    (dict(delay="1ms", jitter="1ms", distribution="gauss"), "distribution: unknown"),
    (dict(rate="1mbit", limit=0), "limit: 0 is not in 1..4294967295"),
    (dict(rate="1mbit", dst=""), "dst: expected a CIDR"),
])  # fmt: skip
def test_structural_mistakes_are_refused_before_sending(arguments, message):
    with pytest.raises(chaosnet.InvalidArgument, match=message.replace("(", r"\(").replace(")", r"\)")):
        requests.fault_spec("eth0", **arguments)


def test_an_interface_is_required_and_unknown_arguments_are_type_errors():
    with pytest.raises(chaosnet.InvalidArgument, match="interface: a name is required"):
        requests.fault_spec("", rate="1mbit")
    with pytest.raises(TypeError):
        requests.fault_spec("eth0", rate="1mbit", colour="red")


def test_negative_durations_keep_their_sign():
    r = requests.create_request(pb.FaultSpec(interface="x"), ttl="-1.5s")
    assert (r.ttl.seconds, r.ttl.nanos) == (-1, -500_000_000)


def test_spec_dataclass_reads_back_what_was_asked():
    s = Spec.from_proto(requests.fault_spec(
        "eth0", delay="100ms", jitter="10ms", delay_correlation=25, loss="1%", rate="1mbit",
        dst="10.0.0.0/8", dport="80-90", protocol="udp", direction="ingress", netns="web"))
    assert s.delay.total_seconds() == 0.1 and s.jitter.total_seconds() == 0.01
    assert (s.loss, s.rate, s.dport, s.protocol, s.direction) == (1.0, 10**6, (80, 90), "udp", "ingress")
    assert s.summary == "delay 100ms jitter 10ms correlation 25%, loss 1%, rate 1mbit"
    assert s.target == "eth0 (netns web, ingress, dst 10.0.0.0/8 dport 80-90 proto udp)"
    assert Spec.from_proto(requests.fault_spec("lo", partition=True)).summary == "partition"
