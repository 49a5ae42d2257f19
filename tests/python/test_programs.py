"""chaosnet.programs: ramps, step lists and flaps as Program protos (pure)."""

import datetime

import pytest

from chaosnet import programs
from chaosnet.errors import InvalidArgument
from chaosnet.requests import build_create, fault_spec
from chaosnet.v1 import chaosnet_pb2 as pb


def seconds(duration) -> float:
    return duration.seconds + duration.nanos / 1e9


def test_ramp_of_one_parameter():
    p = programs.ramp("delay", "0ms", "500ms", over="60s", step="2s")
    assert p.WhichOneof("shape") == "ramp"
    start = getattr(p.ramp, "from")
    assert start.HasField("delay") and seconds(start.delay) == 0
    assert seconds(p.ramp.to.delay) == 0.5
    assert seconds(p.ramp.over) == 60 and seconds(p.ramp.step) == 2
    assert not p.ramp.to.HasField("loss_percent")


def test_ramp_of_several_parameters_with_default_step():
    p = programs.ramp(loss=("0%", 5), rate=("10mbit", 1_000_000), over=datetime.timedelta(seconds=30))
    start = getattr(p.ramp, "from")
    assert start.loss_percent == 0 and p.ramp.to.loss_percent == 5
    assert start.rate_bits_per_second == 10_000_000 and p.ramp.to.rate_bits_per_second == 1_000_000
    assert seconds(p.ramp.step) == 1 and seconds(p.ramp.over) == 30


@pytest.mark.parametrize("kwargs, message", [
    (dict(param="delay", start="0ms", over="10s"), "needs a start and an end"),
    (dict(over="10s"), "sets no parameter"),
    (dict(param="speed", start="1", end="2", over="10s"), "unknown parameter \"speed\""),
    (dict(param="delay", start="0ms", end="-5ms", over="10s"), "must not be negative"),
    (dict(param="delay", start="0ms", end="5ms", over="0s"), "ramp over: must be above 0"),
    (dict(param="loss", start="0%", end="five", over="10s"), "ramp end: loss"),
])
def test_ramp_refusals(kwargs, message):
    with pytest.raises(InvalidArgument, match=message):
        programs.ramp(**kwargs)


def test_steps_keep_order_repeat_and_source():
    p = programs.steps([("10s", {"delay": "50ms"}), ("10s", {"delay": "200ms", "loss": "1%"}),
                        (2.5, {})], repeat=3, source="hand-made")
    assert [seconds(s.duration) for s in p.steps.steps] == [10, 10, 2.5]
    assert seconds(p.steps.steps[1].values.delay) == 0.2 and p.steps.steps[1].values.loss_percent == 1
    # A step that sets nothing keeps every value (only the first must set one).
    assert p.steps.steps[2].values.ByteSize() == 0
    assert p.repeat == 3 and not p.forever and p.source == "hand-made"
    assert programs.steps([("1s", {"rate": "1mbit"})], repeat="forever").forever


@pytest.mark.parametrize("step_list, repeat, message", [
    ([], None, "the list is empty"),
    ([("1s", {})], None, "step 1: sets nothing"),
    ([("1s",)], None, "step 1: expected \\(duration"),
    ([("1s", "delay=5ms")], None, "must be a mapping"),
    ([("1s", {"delay": "5ms"}), ("0s", {"delay": "6ms"})], None, "step 2: duration: must be above 0"),
    ([("1s", {"delay": "5ms"})], 0, "repeat: 0 is not a whole number"),
    ([("1s", {"delay": "5ms"})], "always", "repeat: 'always'"),
])
def test_steps_refusals(step_list, repeat, message):
    with pytest.raises(InvalidArgument, match=message):
        programs.steps(step_list, repeat=repeat)


def test_flap():
    p = programs.flap("2s", "500ms")
    assert seconds(p.flap.on) == 2 and seconds(p.flap.off) == 0.5
    with pytest.raises(InvalidArgument, match="flap off: must be above 0"):
        programs.flap("2s", 0)


def test_a_program_that_sets_parameters_is_a_fault_of_its_own():
    ramp = programs.ramp("delay", "0ms", "100ms", over="10s")
    spec = fault_spec("eth0", program=ramp)
    assert spec.HasField("program") and not spec.HasField("delay")
    # A flap switches the fault's own parameters: it needs one.
    with pytest.raises(InvalidArgument, match="no fault given"):
        fault_spec("eth0", program=programs.flap("1s", "1s"))
    spec = fault_spec("eth0", partition=True, dst="10.0.0.5", program=programs.flap("1s", "1s"))
    assert spec.program.HasField("flap") and spec.partition
    with pytest.raises(InvalidArgument, match="program: expected one of"):
        fault_spec("eth0", delay="1ms", program="ramp delay")


def test_build_create_carries_the_program_with_ttl():
    request = build_create("eth0", delay="0ms", ttl="1m",
                           program=programs.ramp("delay", "0ms", "100ms", over="10s"))
    assert isinstance(request, pb.CreateFaultRequest)
    assert request.spec.program.HasField("ramp") and request.ttl.seconds == 60
