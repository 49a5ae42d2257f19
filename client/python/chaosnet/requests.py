"""Keyword arguments -> request protos: the library's side of the CLI's flags.

Pure functions (no I/O), so every rule is testable without a daemon. The names
follow chaosnetctl's flags: `jitter` for --jitter, `dport` for --dport, and
`apply()`'s `delay_correlation` for apply's --delay-correlation.
"""

from __future__ import annotations

import ipaddress
from typing import Dict, Iterable, Mapping, Optional, Union

from chaosnet import programs, units
from chaosnet.errors import InvalidArgument
from chaosnet.v1 import chaosnet_pb2 as pb

Labels = Union[Mapping[str, str], Iterable[str], None]

_DIRECTIONS = {
    "egress": pb.DIRECTION_EGRESS,
    "ingress": pb.DIRECTION_INGRESS,
    "both": pb.DIRECTION_BOTH,
}
_PROTOCOLS = {"tcp": pb.PROTOCOL_TCP, "udp": pb.PROTOCOL_UDP, "icmp": pb.PROTOCOL_ICMP}
_DISTRIBUTIONS = {
    "normal": pb.DELAY_DISTRIBUTION_NORMAL,
    "pareto": pb.DELAY_DISTRIBUTION_PARETO,
    "paretonormal": pb.DELAY_DISTRIBUTION_PARETONORMAL,
}

# What every creating method takes besides its fault: where and for how long.
TARGET_ARGUMENTS = (
    "ttl", "dst", "src", "dport", "sport", "protocol", "direction", "netns",
    "labels", "limit", "request_id", "dry_run", "program",
)  # fmt: skip
# The faults apply() combines (and the CLI's apply flags).
FAULT_ARGUMENTS = (
    "delay", "jitter", "delay_correlation", "distribution",
    "loss", "loss_correlation", "duplicate", "duplicate_correlation",
    "corrupt", "corrupt_correlation", "reorder", "reorder_correlation", "gap",
    "rate", "partition",
)  # fmt: skip


def _choice(what: str, value: str, choices: Mapping[str, int]) -> int:
    if value not in choices:
        options = ", ".join(list(choices)[:-1]) + " or " + list(choices)[-1]
        raise InvalidArgument(f"{what}: unknown {units.quote(str(value))} (use {options})")
    return choices[value]


def _set_duration(ns: int, out) -> None:
    # Duration keeps the sign in both fields.
    seconds = abs(ns) // 10**9
    nanos = abs(ns) % 10**9
    out.seconds = -seconds if ns < 0 else seconds
    out.nanos = -nanos if ns < 0 else nanos


def _cidr(what: str, value) -> str:
    if isinstance(value, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
        return value.with_prefixlen
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return str(value)
    if isinstance(value, str) and value:
        return value  # the daemon applies its CIDR rules and names what is wrong
    raise InvalidArgument(f"{what}: expected a CIDR such as \"10.0.0.0/8\" or an address")


def _whole(what: str, value, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(f"{what}: {value!r} is not a whole number")
    if not minimum <= value <= maximum:
        raise InvalidArgument(f"{what}: {value} is not in {minimum}..{maximum}")
    return value


def labels_dict(labels: Labels, what: str = "labels") -> Dict[str, str]:
    """{"k": "v"} as given, or the CLI's ["k=v", ...]."""
    if labels is None:
        return {}
    if isinstance(labels, Mapping):
        return {str(k): str(v) for k, v in labels.items()}
    if isinstance(labels, str):
        labels = [labels]
    out: Dict[str, str] = {}
    for pair in labels:
        key, eq, value = str(pair).partition("=")
        if not eq or not key:
            raise InvalidArgument(f"{what}: {units.quote(str(pair))} is not key=value, e.g. team=db")
        if key in out:
            raise InvalidArgument(f"{what}: key {units.quote(key)} given twice")
        out[key] = value
    return out


def _probability(name: str, value, correlation, out) -> None:
    out.percent = units.percent(value, name)
    if correlation is not None:
        out.correlation_percent = units.percent(correlation, f"{name} correlation")


def fault_spec(
    interface: str,
    *,
    delay: Optional[units.Duration] = None,
    jitter: Optional[units.Duration] = None,
    delay_correlation: Optional[units.Percent] = None,
    distribution: Optional[str] = None,
    loss: Optional[units.Percent] = None,
    loss_correlation: Optional[units.Percent] = None,
    duplicate: Optional[units.Percent] = None,
    duplicate_correlation: Optional[units.Percent] = None,
    corrupt: Optional[units.Percent] = None,
    corrupt_correlation: Optional[units.Percent] = None,
    reorder: Optional[units.Percent] = None,
    reorder_correlation: Optional[units.Percent] = None,
    gap: Optional[int] = None,
    rate: Optional[units.Rate] = None,
    partition: bool = False,
    dst=None,
    src=None,
    dport: Optional[units.Ports] = None,
    sport: Optional[units.Ports] = None,
    protocol: Optional[str] = None,
    direction: Optional[str] = None,
    netns: Optional[str] = None,
    limit: Optional[int] = None,
    program: Optional[pb.Program] = None,
) -> pb.FaultSpec:
    """A FaultSpec from the CLI's flags; at least one fault is required (a ramp or a
    step list sets its own: programs.py)."""
    if not isinstance(interface, str) or not interface:
        raise InvalidArgument("interface: a name is required, e.g. eth0")
    spec = pb.FaultSpec(interface=interface)
    if netns:
        spec.netns = str(netns)
    spec.direction = _choice("direction", direction or "egress", _DIRECTIONS)

    if delay is not None:
        _set_duration(units.duration_ns(delay, "delay"), spec.delay.latency)
        if jitter is not None:
            _set_duration(units.duration_ns(jitter, "jitter"), spec.delay.jitter)
        if delay_correlation is not None:
            spec.delay.correlation_percent = units.percent(delay_correlation, "delay correlation")
        if distribution is not None:
            spec.delay.distribution = _choice("distribution", distribution, _DISTRIBUTIONS)
    elif jitter is not None or delay_correlation is not None or distribution is not None:
        raise InvalidArgument("jitter, distribution and delay correlation need a delay")

    for name, value, correlation, field in (
        ("loss", loss, loss_correlation, spec.loss),
        ("duplicate", duplicate, duplicate_correlation, spec.duplicate),
        ("corrupt", corrupt, corrupt_correlation, spec.corrupt),
    ):
        if value is not None:
            _probability(name, value, correlation, field)
        elif correlation is not None:
            raise InvalidArgument(f"{name} correlation needs {name}")

    if reorder is not None:
        _probability("reorder", reorder, reorder_correlation, spec.reorder)
        if gap is not None:
            spec.reorder.gap = _whole("gap", gap, 1, 2**32 - 1)
    elif gap is not None or reorder_correlation is not None:
        raise InvalidArgument("gap and reorder correlation need reorder")

    if rate is not None:
        spec.rate.bits_per_second = units.rate_bits(rate)
    spec.partition = bool(partition)
    if program is not None:
        if not isinstance(program, pb.Program):
            raise InvalidArgument("program: expected one of chaosnet.programs.ramp(), steps() "
                                  "or flap()")  # fmt: skip
        spec.program.CopyFrom(program)
    if not any(spec.HasField(f) for f in ("delay", "loss", "duplicate", "corrupt", "reorder",
                                          "rate")) and not spec.partition and not (
            program is not None and programs.sets_parameters(program)):  # fmt: skip
        raise InvalidArgument(
            "no fault given: add at least one of delay, loss, duplicate, corrupt, reorder, "
            "rate, partition"
        )

    if dst is not None:
        spec.match.dst_cidr = _cidr("dst", dst)
    if src is not None:
        spec.match.src_cidr = _cidr("src", src)
    for name, value, field in (("dport", dport, spec.match.dport),
                               ("sport", sport, spec.match.sport)):  # fmt: skip
        if value is not None:
            first, last = units.port_range(value, name)
            field.first = first
            if last != first:
                field.last = last
    if protocol is not None:
        spec.match.protocol = _choice("protocol", protocol, _PROTOCOLS)
    if limit is not None:
        spec.queue_limit = _whole("limit", limit, 1, 2**32 - 1)
    return spec


def create_request(
    spec: pb.FaultSpec,
    *,
    ttl: Optional[units.Duration] = None,
    labels: Labels = None,
    request_id: Optional[str] = None,
    dry_run: bool = False,
) -> pb.CreateFaultRequest:
    request = pb.CreateFaultRequest(spec=spec, dry_run=bool(dry_run))
    if ttl is not None:
        _set_duration(units.duration_ns(ttl, "ttl"), request.ttl)
    request.labels.update(labels_dict(labels))
    if request_id:
        request.request_id = str(request_id)
    return request


def build_create(interface: str, **arguments) -> pb.CreateFaultRequest:
    """fault_spec() and create_request() in one, splitting the keyword arguments."""
    lease = {k: arguments.pop(k) for k in ("ttl", "labels", "request_id", "dry_run")
             if k in arguments}  # fmt: skip
    return create_request(fault_spec(interface, **arguments), **lease)


def extend_request(fault_id: str, ttl: units.Duration) -> pb.ExtendFaultRequest:
    request = pb.ExtendFaultRequest(id=fault_id)
    _set_duration(units.duration_ns(ttl, "ttl"), request.ttl)
    return request
