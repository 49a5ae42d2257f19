"""What the daemon answers, as small dataclasses (the proto stays in `.proto`).

Times are timezone-aware UTC datetimes, durations timedeltas, percentages
floats (5.0 == 5%), rates bits per second. A Fault's state is a lower-case word:
"active", "expired", "revoked", "lost", "failed" or "halted" (a guard failed).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple

from chaosnet import units
from chaosnet.v1 import chaosnet_pb2 as pb

_UTC = datetime.timezone.utc


def to_datetime(ts) -> Optional[datetime.datetime]:
    """A Timestamp as an aware UTC datetime; None when unset."""
    if ts.seconds == 0 and ts.nanos == 0:
        return None
    return datetime.datetime.fromtimestamp(ts.seconds, _UTC) + datetime.timedelta(
        microseconds=ts.nanos // 1000
    )


def duration_ns(d) -> int:
    return d.seconds * 10**9 + d.nanos


def to_timedelta(d) -> datetime.timedelta:
    return datetime.timedelta(microseconds=duration_ns(d) // 1000)


def _word(enum_name: str, prefix: str) -> str:
    return enum_name[len(prefix):].lower() if enum_name.startswith(prefix) else enum_name.lower()


def state_name(state: int) -> str:
    return _word(pb.FaultState.Name(state), "FAULT_STATE_")


@dataclass(frozen=True)
class Counters:
    """The fault's class counters: live while it is active, final after its end."""

    packets: int = 0
    bytes: int = 0
    drops: int = 0
    overlimits: int = 0
    backlog_packets: int = 0
    backlog_bytes: int = 0
    read_at: Optional[datetime.datetime] = None

    @classmethod
    def from_proto(cls, c: pb.Counters) -> "Counters":
        return cls(c.packets, c.bytes, c.drops, c.overlimits, c.backlog_packets,
                   c.backlog_bytes, to_datetime(c.read_at))  # fmt: skip


@dataclass(frozen=True)
class PlanStep:
    """One kernel object of a fault (qdisc, class, filter, link)."""

    object: str
    kind: str
    interface: str
    handle: str
    parent: str
    parameters: str

    def __str__(self) -> str:
        text = f"{self.object} add dev {self.interface} parent {self.parent}"
        if self.handle:
            text += f" handle {self.handle}"
        return f"{text} {self.kind} {self.parameters}".rstrip()


@dataclass(frozen=True)
class Spec:
    """The fault as requested, in the units of the keyword arguments that make it."""

    interface: str
    netns: str = ""
    direction: str = "egress"
    dst: str = ""
    src: str = ""
    dport: Optional[Tuple[int, int]] = None
    sport: Optional[Tuple[int, int]] = None
    protocol: str = ""
    delay: Optional[datetime.timedelta] = None
    jitter: Optional[datetime.timedelta] = None
    delay_correlation: float = 0.0
    distribution: str = ""
    loss: Optional[float] = None
    loss_correlation: float = 0.0
    duplicate: Optional[float] = None
    duplicate_correlation: float = 0.0
    corrupt: Optional[float] = None
    corrupt_correlation: float = 0.0
    reorder: Optional[float] = None
    reorder_correlation: float = 0.0
    gap: int = 0
    rate: Optional[int] = None
    partition: bool = False
    limit: int = 0
    proto: pb.FaultSpec = field(default_factory=pb.FaultSpec, repr=False, compare=False)

    @classmethod
    def from_proto(cls, s: pb.FaultSpec) -> "Spec":
        def ports(r) -> Optional[Tuple[int, int]]:
            return (r.first, r.last or r.first) if r.first else None

        direction = s.direction or pb.DIRECTION_EGRESS
        values = dict(
            interface=s.interface,
            netns=s.netns,
            direction=_word(pb.Direction.Name(direction), "DIRECTION_"),
            dst=s.match.dst_cidr,
            src=s.match.src_cidr,
            dport=ports(s.match.dport),
            sport=ports(s.match.sport),
            protocol="" if not s.match.protocol else _word(
                pb.Protocol.Name(s.match.protocol), "PROTOCOL_"),
            rate=s.rate.bits_per_second if s.HasField("rate") else None,
            partition=s.partition,
            limit=s.queue_limit,
            proto=s,
        )
        if s.HasField("delay"):
            values.update(
                delay=to_timedelta(s.delay.latency),
                jitter=to_timedelta(s.delay.jitter) if duration_ns(s.delay.jitter) else None,
                delay_correlation=s.delay.correlation_percent,
                distribution="" if not s.delay.distribution else _word(
                    pb.DelayDistribution.Name(s.delay.distribution), "DELAY_DISTRIBUTION_"),
            )
        for name in ("loss", "duplicate", "corrupt", "reorder"):
            if s.HasField(name):
                p = getattr(s, name)
                values[name] = p.percent
                values[f"{name}_correlation"] = p.correlation_percent
        if s.HasField("reorder"):
            values["gap"] = s.reorder.gap
        return cls(**values)

    @property
    def summary(self) -> str:
        """What the fault does, as the CLI says it: "delay 100ms jitter 10ms, loss 1%"."""
        parts = []
        s = self.proto
        if s.HasField("delay"):
            text = "delay " + units.format_duration_ns(duration_ns(s.delay.latency))
            if duration_ns(s.delay.jitter):
                text += " jitter " + units.format_duration_ns(duration_ns(s.delay.jitter))
            if self.delay_correlation:
                text += " correlation " + units.format_percent(self.delay_correlation)
            if self.distribution:
                text += " distribution " + self.distribution
            parts.append(text)
        for name in ("loss", "duplicate", "corrupt", "reorder"):
            value = getattr(self, name)
            if value is not None:
                text = f"{name} {units.format_percent(value)}"
                if getattr(self, f"{name}_correlation"):
                    text += " correlation " + units.format_percent(
                        getattr(self, f"{name}_correlation"))
                parts.append(text)
        if self.rate is not None:
            parts.append("rate " + units.format_rate(self.rate))
        if self.partition:
            parts.append("partition")
        if s.HasField("program"):
            parts.append("program " + _program_summary(s.program))
        return ", ".join(parts)

    @property
    def target(self) -> str:
        """Where: "eth0", "eth0 (netns web, ingress, dst 10.0.0.0/8 dport 5432)"."""
        qualifiers = []
        if self.netns:
            qualifiers.append(f"netns {self.netns}")
        if self.direction != "egress":
            qualifiers.append("both directions" if self.direction == "both" else self.direction)
        match = []
        for name in ("dst", "src"):
            if getattr(self, name):
                match.append(f"{name} {getattr(self, name)}")
        for name in ("dport", "sport"):
            r = getattr(self, name)
            if r:
                match.append(f"{name} {r[0]}" + (f"-{r[1]}" if r[1] != r[0] else ""))
        if self.protocol:
            match.append(f"proto {self.protocol}")
        if match:
            qualifiers.append(" ".join(match))
        return self.interface + (f" ({', '.join(qualifiers)})" if qualifiers else "")


def _program_summary(p: pb.Program) -> str:
    shape = p.WhichOneof("shape")
    if shape == "ramp":
        return f"ramp over {units.format_duration_ns(duration_ns(p.ramp.over))}"
    if shape == "flap":
        return (f"flap {units.format_duration_ns(duration_ns(p.flap.on))}/"
                f"{units.format_duration_ns(duration_ns(p.flap.off))}")  # fmt: skip
    text = f"{len(p.steps.steps)} steps"
    if p.forever:
        text += " forever"
    elif p.repeat > 1:
        text += f" x{p.repeat}"
    return text


@dataclass(frozen=True)
class Capability:
    name: str
    available: bool
    hint: str = ""


@dataclass(frozen=True)
class Info:
    """What GetInfo says: version, lease limits, kernel capabilities, the caller, features."""

    version: str
    default_ttl: datetime.timedelta
    max_ttl: datetime.timedelta
    capabilities: Tuple[Capability, ...]
    active_faults: int
    kernel_release: str
    started_at: Optional[datetime.datetime]
    caller: str
    caller_read_only: bool
    features: Tuple[str, ...]
    caller_admin: bool = False  # may extend, bind and revoke others' faults
    proto: pb.Info = field(default_factory=pb.Info, repr=False, compare=False)

    @classmethod
    def from_proto(cls, i: pb.Info) -> "Info":
        return cls(
            version=i.version,
            default_ttl=to_timedelta(i.default_ttl),
            max_ttl=to_timedelta(i.max_ttl),
            capabilities=tuple(Capability(c.name, c.available, c.hint) for c in i.capabilities),
            active_faults=i.active_faults,
            kernel_release=i.kernel_release,
            started_at=to_datetime(i.started_at),
            caller=i.caller,
            caller_read_only=i.caller_read_only,
            features=tuple(i.features),
            caller_admin=i.caller_admin,
            proto=i,
        )

    def has(self, capability: str) -> bool:
        """Whether the daemon found a kernel capability ("netem", "tbf", "ifb", ...)."""
        return any(c.name == capability and c.available for c in self.capabilities)


@dataclass
class FaultRecord:
    """A fault's record as last seen: the parts of Fault that change over its life."""

    id: str
    spec: Spec
    labels: Dict[str, str]
    owner: str  # as shown: "uid:1000(alice)"
    owner_key: str  # the identity alone: "uid:1000"; equal keys, same owner
    state: str
    state_reason: str
    created_at: Optional[datetime.datetime]
    expires_at: Optional[datetime.datetime]
    ended_at: Optional[datetime.datetime]
    counters: Counters
    request_id: str
    plan: Tuple[PlanStep, ...]
    keep_alive: bool
    proto: pb.Fault = field(repr=False, compare=False)

    @staticmethod
    def values_of(f: pb.Fault) -> dict:
        return dict(
            id=f.id,
            spec=Spec.from_proto(f.spec),
            labels=dict(f.labels),
            owner=f.owner.identity,
            owner_key=f.owner.key,
            state=state_name(f.state),
            state_reason=f.state_reason,
            created_at=to_datetime(f.created_at),
            expires_at=to_datetime(f.expires_at),
            ended_at=to_datetime(f.ended_at),
            counters=Counters.from_proto(f.counters),
            request_id=f.request_id,
            plan=tuple(PlanStep(s.object, s.kind, s.interface, s.handle, s.parent, s.parameters)
                       for s in f.plan.steps),  # fmt: skip
            keep_alive=f.keep_alive,
            proto=f,
        )

    @property
    def active(self) -> bool:
        return self.state == "active"

    @property
    def program_position(self) -> Optional[pb.ProgramPosition]:
        """Where the fault's program is (cycle, index, values in effect, next step), or
        None for a fault without a program; the program itself is spec.proto.program."""
        return self.proto.program if self.proto.HasField("program") else None

    def to_dict(self) -> dict:
        """JSON-ready: what Chaos Toolkit journals and what `-o json` users expect."""

        def iso(t: Optional[datetime.datetime]) -> Optional[str]:
            return t.isoformat().replace("+00:00", "Z") if t else None

        return {
            "id": self.id,
            "fault": self.spec.summary,
            "target": self.spec.target,
            "interface": self.spec.interface,
            "netns": self.spec.netns,
            "state": self.state,
            "state_reason": self.state_reason,
            "labels": dict(self.labels),
            "owner": self.owner,
            "created_at": iso(self.created_at),
            "expires_at": iso(self.expires_at),
            "ended_at": iso(self.ended_at),
            "keep_alive": self.keep_alive,
            "counters": {
                "packets": self.counters.packets,
                "bytes": self.counters.bytes,
                "drops": self.counters.drops,
                "overlimits": self.counters.overlimits,
                "backlog_packets": self.counters.backlog_packets,
                "backlog_bytes": self.counters.backlog_bytes,
            },
            "plan": [str(step) for step in self.plan],
        }


@dataclass(frozen=True)
class Event:
    """One lease event of watch(): type is "applied", "extended", "expired",
    "revoked", "lost", "failed", "halted" or "snapshot"."""

    type: str
    fault: FaultRecord
    at: Optional[datetime.datetime]
    sequence: int

    @classmethod
    def from_proto(cls, e: pb.FaultEvent) -> "Event":
        return cls(
            type=_word(pb.EventType.Name(e.type), "EVENT_TYPE_"),
            fault=FaultRecord(**FaultRecord.values_of(e.fault)),
            at=to_datetime(e.at),
            sequence=e.sequence,
        )
