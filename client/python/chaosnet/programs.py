"""Programs: how a fault's parameters change over its lease (feature "programs").

    from chaosnet import programs

    client.delay("eth0", "0ms", program=programs.ramp("delay", "0ms", "500ms", over="60s"))
    client.apply("eth0", program=programs.steps(
        [("10s", {"delay": "50ms"}), ("10s", {"delay": "200ms", "loss": "1%"})], repeat=2))
    client.partition("eth0", dst="10.0.0.5", program=programs.flap("5s", "10s"))

The daemon runs the program on its own clock and changes the fault in place at
every step (README, "Programs"). These functions only build the request's
Program: pure, no I/O. The daemon validates every step up front with a single
fault's rules and its operator's limits, and names what is wrong.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Optional, Sequence, Tuple, Union

from chaosnet import units
from chaosnet.errors import InvalidArgument
from chaosnet.v1 import chaosnet_pb2 as pb

# What a step may set, as chaosnetctl's --steps keys.
KEYS = ("delay", "jitter", "loss", "duplicate", "corrupt", "rate")

Step = Tuple[units.Duration, Mapping[str, object]]


def _set_duration(ns: int, out) -> None:
    out.seconds, out.nanos = divmod(ns, 10**9)


def _non_negative_ns(value: units.Duration, what: str) -> int:
    ns = units.duration_ns(value, what)
    if ns < 0:
        raise InvalidArgument(f"{what}: must not be negative")
    return ns


def _positive_ns(value: units.Duration, what: str) -> int:
    ns = units.duration_ns(value, what)
    if ns <= 0:
        raise InvalidArgument(f"{what}: must be above 0")
    return ns


def values(settings: Mapping[str, object], what: str = "step") -> pb.ProgramValues:
    """ProgramValues of {"delay": "50ms", "loss": "1%", "rate": "10mbit"}; a key left out
    keeps its previous value in a step list."""
    out = pb.ProgramValues()
    for key, value in settings.items():
        where = f"{what}: {key}"
        if key in ("delay", "jitter"):
            _set_duration(_non_negative_ns(value, where), getattr(out, key))
        elif key in ("loss", "duplicate", "corrupt"):
            setattr(out, f"{key}_percent", units.percent(value, where))
        elif key == "rate":
            out.rate_bits_per_second = units.rate_bits(value, where)
        else:
            raise InvalidArgument(f"{what}: unknown parameter {units.quote(str(key))} "
                                  f"(one of {', '.join(KEYS)})")  # fmt: skip
    return out


def ramp(param: Optional[str] = None, start=None, end=None, *, over: units.Duration,
         step: units.Duration = "1s", **ranges: Sequence) -> pb.Program:  # fmt: skip
    """From `start` to `end` over `over`, one step every `step` (step k holds the
    linear value at k * step; the last, at `over`, holds `end` until the lease ends).

    ramp("delay", "0ms", "500ms", over="60s") moves one parameter;
    ramp(delay=("0ms", "200ms"), loss=("0%", "5%"), over="30s") moves several.
    """
    if param is not None:
        if param in ranges:
            raise InvalidArgument(f"ramp: {param} given twice")
        if start is None or end is None:
            raise InvalidArgument(f"ramp: {param} needs a start and an end, e.g. "
                                  f"ramp(\"delay\", \"0ms\", \"200ms\", over=\"10s\")")  # fmt: skip
        ranges[param] = (start, end)
    elif start is not None or end is not None:
        raise InvalidArgument("ramp: a start and an end need the parameter's name first")
    if not ranges:
        raise InvalidArgument("ramp: sets no parameter, e.g. ramp(\"delay\", \"0ms\", \"200ms\", "
                              "over=\"10s\")")  # fmt: skip
    starts, ends = {}, {}
    for key, pair in ranges.items():
        if isinstance(pair, str) or len(pair) != 2:
            raise InvalidArgument(f"ramp: {key} needs (start, end), e.g. (\"0ms\", \"200ms\")")
        starts[key], ends[key] = pair
    program = pb.Program()
    getattr(program.ramp, "from").CopyFrom(values(starts, "ramp start"))
    program.ramp.to.CopyFrom(values(ends, "ramp end"))
    _set_duration(_positive_ns(over, "ramp over"), program.ramp.over)
    _set_duration(_positive_ns(step, "ramp step"), program.ramp.step)
    return program


def steps(step_list: Iterable[Step], *, repeat: Union[int, str, None] = None,
          source: Optional[str] = None) -> pb.Program:  # fmt: skip
    """Each step holds its values for its duration: [("10s", {"delay": "50ms"}),
    ("10s", {"delay": "200ms", "loss": "1%"})]. repeat=N runs the list N times,
    repeat="forever" until the lease ends. `source` says where the steps came from
    (shown by `chaosnetctl get`)."""
    program = pb.Program()
    for i, item in enumerate(step_list, start=1):
        where = f"step {i}"
        try:
            duration, settings = item
        except (TypeError, ValueError):
            raise InvalidArgument(f"{where}: expected (duration, {{key: value}}), "
                                  f"e.g. (\"10s\", {{\"delay\": \"50ms\"}})") from None  # fmt: skip
        if not isinstance(settings, Mapping):
            raise InvalidArgument(f"{where}: the values must be a mapping such as "
                                  f"{{\"delay\": \"50ms\"}}")  # fmt: skip
        if i == 1 and not settings:
            raise InvalidArgument(f"{where}: sets nothing; e.g. (\"10s\", {{\"delay\": \"50ms\"}})")
        step = program.steps.steps.add()
        _set_duration(_positive_ns(duration, f"{where}: duration"), step.duration)
        step.values.CopyFrom(values(settings, where))
    if not program.steps.steps:
        raise InvalidArgument("steps: the list is empty")
    if repeat == "forever":
        program.forever = True
    elif repeat is not None:
        if isinstance(repeat, bool) or not isinstance(repeat, int) or not 1 <= repeat < 2**32:
            raise InvalidArgument(f"repeat: {repeat!r} is not a whole number from 1, "
                                  f"or \"forever\"")  # fmt: skip
        program.repeat = repeat
    if source:
        program.source = str(source)
    return program


def flap(on: units.Duration, off: units.Duration) -> pb.Program:
    """In effect for `on`, out for `off` (traffic passes untouched), repeating until
    the lease ends: flap("5s", "10s")."""
    program = pb.Program()
    _set_duration(_positive_ns(on, "flap on"), program.flap.on)
    _set_duration(_positive_ns(off, "flap off"), program.flap.off)
    return program


def sets_parameters(program: pb.Program) -> bool:
    """Whether the program sets parameters of its own (a ramp or a step list does; a
    flap switches the fault's own)."""
    return program.WhichOneof("shape") in ("ramp", "steps")
