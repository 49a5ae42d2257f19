"""The compatibility rule in the Python client: a request that sets a field marked
with a feature is refused, naming the feature, unless the daemon announces it."""

import threading

import pytest
from google.protobuf import (descriptor_pb2, descriptor_pool, duration_pb2, message_factory,
                             timestamp_pb2)  # fmt: skip

import chaosnet
import feature_marks_test_pb2 as marks
from chaosnet import features
from chaosnet.v1 import chaosnet_pb2 as pb

# ------------------------------------------------------------ generic walking


def test_declared_by_walks_nested_messages_once():
    assert features.declared_by(marks.Sample.DESCRIPTOR) == {"inner-sets", "sample-feature"}
    assert features.declared_by(marks.Inner.DESCRIPTOR) == {"inner-sets"}


def test_unset_marked_fields_are_not_used():
    sample = marks.Sample(plain="x", labels={"k": "v"})
    sample.inner.plain = "y"
    assert features.used_by(sample) == set()


def test_set_marked_fields_are_used_at_any_depth():
    assert features.used_by(marks.Sample(marked="x")) == {"sample-feature"}
    nested = marks.Sample()
    nested.inner.cidrs.append("10.0.0.0/8")
    assert features.used_by(nested) == {"inner-sets"}
    in_repeated = marks.Sample()
    in_repeated.many.add()  # an element without the marked field
    in_repeated.many.add().cidrs.append("fd00::/8")
    assert features.used_by(in_repeated) == {"inner-sets"}


def test_missing_names_what_the_daemon_did_not_announce():
    sample = marks.Sample(marked="x")
    sample.again.cidrs.append("10.0.0.1")
    assert features.missing(sample, []) == ["inner-sets", "sample-feature"]
    assert features.missing(sample, ["sample-feature"]) == ["inner-sets"]
    assert features.missing(sample, ["inner-sets", "sample-feature", "other"]) == []


# ---------------------------------------------------------------- the gate


class FakeDaemon:
    def __init__(self, announced):
        self.announced = announced
        self.calls = 0

    def info(self):
        self.calls += 1
        return pb.Info(version="0.0.9", features=self.announced)


def test_the_gate_asks_only_when_a_marked_field_is_set_and_only_once():
    daemon = FakeDaemon(["inner-sets"])
    gate = features.FeatureGate(daemon.info, "unix:/old.sock")
    gate.check(marks.Sample(plain="x"))
    assert daemon.calls == 0  # nothing marked: no round trip
    nested = marks.Sample()
    nested.inner.cidrs.append("10.0.0.0/8")
    gate.check(nested)
    gate.check(nested)
    assert daemon.calls == 1
    with pytest.raises(chaosnet.FeatureNotSupported) as e:
        gate.check(marks.Sample(marked="x"))
    assert e.value.features == ("sample-feature",)
    assert e.value.code.name == "FAILED_PRECONDITION"
    assert isinstance(e.value, chaosnet.FailedPrecondition)
    assert str(e.value) == (
        "chaosnetd 0.0.9 at unix:/old.sock does not implement the feature sample-feature that "
        "this request uses; upgrade the daemon or leave those fields out")
    assert daemon.calls == 1


def test_the_gate_fetches_once_under_concurrency():
    daemon = FakeDaemon(["sample-feature"])
    gate = features.FeatureGate(daemon.info, "unix:/s")
    threads = [threading.Thread(target=gate.check, args=(marks.Sample(marked="x"),))
               for _ in range(8)]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert daemon.calls == 1


# ---------------------------------- a newer client against a real, older daemon


def newer_api_with(field_name: str, feature: str):
    """chaosnet.v1 as a newer release might have it: Match with one more field, marked.
    Built in a private descriptor pool, so the client's own stubs are untouched."""
    file = descriptor_pb2.FileDescriptorProto()
    pb.DESCRIPTOR.CopyToProto(file)
    match = next(m for m in file.message_type if m.name == "Match")
    added = match.field.add(name=field_name, number=100,
                            type=descriptor_pb2.FieldDescriptorProto.TYPE_STRING,
                            label=descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED)  # fmt: skip
    added.options.Extensions[pb.feature] = feature
    pool = descriptor_pool.DescriptorPool()
    for dependency in (descriptor_pb2, duration_pb2, timestamp_pb2):
        proto = descriptor_pb2.FileDescriptorProto()
        dependency.DESCRIPTOR.CopyToProto(proto)
        pool.Add(proto)
    pool.Add(file)
    factory = message_factory.MessageFactory(pool)
    return factory.GetPrototype(pool.FindMessageTypeByName("chaosnet.v1.CreateFaultRequest"))


def test_the_daemon_announces_what_the_client_proto_declares(client):
    # Both are built from the same proto/: what the library knows, the daemon lists.
    declared = set()
    for method in pb.DESCRIPTOR.services_by_name["FaultService"].methods:
        declared |= features.declared_by(method.input_type)
    assert set(client.info().features) == declared


def test_a_marked_field_is_refused_before_it_reaches_an_older_daemon(client, pair):
    # A field and feature no release has (cidr-sets is real now, and announced).
    NewerCreate = newer_api_with("future_cidrs", "future-sets")
    request = NewerCreate()
    request.spec.interface = pair.if_a
    request.spec.rate.bits_per_second = 1_000_000
    request.spec.match.future_cidrs.append("10.0.0.0/8")
    assert "future-sets" not in client.info().features
    with pytest.raises(chaosnet.FeatureNotSupported) as e:
        client.call("CreateFault", request)
    assert e.value.features == ("future-sets",)
    assert "does not implement the feature future-sets" in str(e.value)
    assert client.list() == [] and not pair.chaosnet_tree()  # nothing was applied
    # The same request without the marked field goes through the same path.
    del request.spec.match.future_cidrs[:]
    plain = pb.CreateFaultRequest.FromString(request.SerializeToString())
    fault = client.call("CreateFault", plain).fault
    assert fault.state == pb.FAULT_STATE_ACTIVE and pair.chaosnet_tree()


def test_call_names_only_unary_rpcs(client):
    with pytest.raises(chaosnet.InvalidArgument, match="'KeepAlive' is not a unary"):
        client.call("KeepAlive", pb.KeepAliveRequest())
    with pytest.raises(chaosnet.InvalidArgument, match="'Nope' is not a unary"):
        client.call("Nope", pb.GetInfoRequest())
