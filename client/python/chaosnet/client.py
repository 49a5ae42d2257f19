"""The client: typed methods for every RPC, faults as context managers."""

from __future__ import annotations

import abc
import functools
import threading
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Union

import grpc

from chaosnet import connection, units
from chaosnet.errors import (ChaosnetError, FailedPrecondition, InvalidArgument, NotAllRevoked,
                             NotFound, from_rpc_error)  # fmt: skip
from chaosnet.features import FeatureGate
from chaosnet.keepalive import KeepAliveStream
from chaosnet.requests import (TARGET_ARGUMENTS, Labels, build_create, extend_request,
                               labels_dict)  # fmt: skip
from chaosnet.results import Event, FaultRecord, Info
from chaosnet.v1 import chaosnet_pb2 as pb
from chaosnet.v1 import chaosnet_pb2_grpc as pb_grpc

FaultOrId = Union["Fault", str]


@dataclass(eq=False, repr=False)
class Fault(FaultRecord):
    """An applied fault (or a dry run's plan), bound to the client that made it.

    `with client.delay(...) as fault:` binds it to a keep-alive stream on
    entering and revokes it on leaving, however the block ends; if the process
    dies meanwhile, even by SIGKILL, the stream breaks and the daemon rolls the
    fault back. `refresh()`, `extend()` and `revoke()` update it in place.
    """

    dry_run: bool = False
    replayed: bool = False  # a retry with a known request_id returned this fault
    client: Optional["Client"] = field(default=None, compare=False)
    _held: Optional["FaultGroup"] = field(default=None, compare=False)

    @classmethod
    def from_proto(cls, client: "Client", proto: pb.Fault, **extra) -> "Fault":
        return cls(**FaultRecord.values_of(proto), client=client, **extra)

    def update(self, proto: pb.Fault) -> "Fault":
        for name, value in FaultRecord.values_of(proto).items():
            setattr(self, name, value)
        return self

    def refresh(self) -> "Fault":
        """Reads the record again (state, counters, deadline)."""
        return self.update(self.client._unary("GetFault", pb.GetFaultRequest(id=self.id)))

    def extend(self, ttl: units.Duration) -> "Fault":
        """Moves the deadline to now + ttl."""
        return self.update(self.client._unary("ExtendFault", extend_request(self.id, ttl)))

    def revoke(self) -> "Fault":
        """Rolls the fault back now."""
        return self.update(self.client._unary("RevokeFault", pb.RevokeFaultRequest(id=self.id)))

    def __enter__(self) -> "Fault":
        if self._held is not None:
            raise FailedPrecondition(f"fault {self.id} is already held by a with block")
        group = FaultGroup([self])
        group.__enter__()
        self._held = group
        return self

    def __exit__(self, *exc_info) -> bool:
        group, self._held = self._held, None
        return group.__exit__(*exc_info) if group is not None else False

    def __call__(self, func: Callable) -> Callable:
        raise TypeError(
            f"fault {self.id} was applied when it was made, so it cannot decorate a function; "
            "to apply a fault for each call, use client.scoped.delay(...) (or loss, partition, "
            "...) as the decorator"
        )

    def __repr__(self) -> str:
        what = "dry run" if self.dry_run else self.state
        return f"<Fault {self.id or '-'} {what}: {self.spec.summary} on {self.spec.target}>"

    __str__ = __repr__


class FaultGroup:
    """Faults held together, possibly on several daemons.

    Entering binds each daemon's faults to one keep-alive stream of that
    daemon; leaving revokes them all and closes the streams. `chaosnet.hold(a,
    b)` makes one. This is also what multi-daemon shapes return (the fleet
    issue's `client.fleet(file).partition(shape=...)` is meant to build its
    faults, one per daemon, and hand them to a FaultGroup).
    """

    def __init__(self, faults: Iterable[Fault]):
        self.faults = list(faults)
        self._streams: List[tuple] = []
        for f in self.faults:
            if f.dry_run:
                raise FailedPrecondition(
                    f"a dry run applied nothing, so there is nothing to hold ({f.spec.summary} "
                    f"on {f.spec.target})"
                )

    def __enter__(self) -> "FaultGroup":
        by_client: Dict[int, tuple] = {}
        for f in self.faults:
            by_client.setdefault(id(f.client), (f.client, []))[1].append(f)
        try:
            for client, faults in by_client.values():
                stream = client._keep_alive([f.id for f in faults])
                self._streams.append((client, stream))
                for f in faults:
                    latest = stream.latest(f.id)
                    if latest is not None:
                        f.update(latest)
        except BaseException:
            self._release(raise_errors=False)
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        self._release(raise_errors=exc_type is None)
        return False

    def __call__(self, func: Callable) -> Callable:
        raise TypeError(
            "a FaultGroup holds faults that exist already; to apply a fault for each call of a "
            "function, decorate it with client.scoped.delay(...) (or loss, partition, ...)"
        )

    def _release(self, raise_errors: bool) -> None:
        first_error: Optional[ChaosnetError] = None
        try:
            for f in self.faults:
                if not any(s.latest(f.id) is not None for _, s in self._streams):
                    continue  # never bound: nothing of ours to revoke
                try:
                    f.revoke()
                except (NotFound, FailedPrecondition):
                    # It ended on its own meanwhile (expiry, someone's revoke, loss).
                    _refresh_quietly(f)
                except ChaosnetError as e:
                    first_error = first_error or e
        finally:
            # Closing also rolls back anything a failed revoke left behind.
            for client, stream in self._streams:
                stream.close(client.timeout_s)
            self._streams = []
        if first_error is not None and raise_errors:
            raise first_error


def _refresh_quietly(fault: Fault) -> None:
    try:
        fault.refresh()
    except ChaosnetError:
        pass


def hold(*faults: Fault) -> FaultGroup:
    """`with chaosnet.hold(a, b):` binds existing faults for the block, revokes them after."""
    return FaultGroup(faults)


class ScopedFault:
    """A fault applied only while a block or a decorated function runs.

    `client.scoped.delay("eth0", "100ms")` checks its arguments at once but
    applies nothing until entered: `with` applies and holds it for the block
    (yielding the Fault), and as a decorator it applies a fresh fault for each
    call of the function and revokes it when the call returns or raises.
    """

    def __init__(self, client: "Client", request: pb.CreateFaultRequest):
        self._client = client
        self._request = request
        self._local = threading.local()

    def __enter__(self) -> Fault:
        fault = self._client._submit_now(self._request)
        try:
            fault.__enter__()
        except BaseException:
            try:
                fault.revoke()
            except ChaosnetError:
                pass
            raise
        self._local.__dict__.setdefault("stack", []).append(fault)
        return fault

    def __exit__(self, *exc_info) -> bool:
        return self._local.stack.pop().__exit__(*exc_info)

    def __call__(self, func: Callable) -> Callable:
        @functools.wraps(func)
        def with_fault(*args, **kwargs):
            with ScopedFault(self._client, self._request):
                return func(*args, **kwargs)

        return with_fault


class Watch:
    """Lease events as they happen: iterate it; cancel() or leave a with block to stop."""

    def __init__(self, client: "Client", initial: bool, mine: bool = False):
        self._server = client.server
        self._cancelled = False
        request = pb.WatchRequest(send_initial=initial, mine=mine)
        client._features.check(request)
        self._call = client._stub.Watch(request)

    def __iter__(self) -> Iterator[Event]:
        try:
            for event in self._call:
                yield Event.from_proto(event)
        except grpc.RpcError as e:
            if self._cancelled and e.code() == grpc.StatusCode.CANCELLED:
                return
            raise from_rpc_error(e, self._server) from None

    def cancel(self) -> None:
        self._cancelled = True
        self._call.cancel()

    def __enter__(self) -> "Watch":
        return self

    def __exit__(self, *exc_info) -> bool:
        self.cancel()
        return False


class _FaultMethods(abc.ABC):
    """The creating methods, shared by Client (apply now) and Client.scoped (apply
    when entered). Common keyword arguments, as chaosnetctl's flags: ttl, dst,
    src, dport, sport, protocol, direction, netns, labels, limit, request_id,
    dry_run."""

    @abc.abstractmethod
    def _submit(self, request: pb.CreateFaultRequest):
        """Applies the request now (Client) or when entered (Client.scoped)."""

    @abc.abstractmethod
    def _labels_and_ttl(self, target: dict) -> dict:
        """`target` with the client's default labels and ttl filled in."""

    def _build(self, interface: str, faults: dict, target: dict) -> pb.CreateFaultRequest:
        unexpected = sorted(set(target) - set(TARGET_ARGUMENTS))
        if unexpected:
            raise TypeError(f"unexpected keyword argument {unexpected[0]!r}")
        faults = {k: v for k, v in faults.items() if v is not None}
        return build_create(interface, **faults, **self._labels_and_ttl(target))

    def delay(self, interface: str, latency: units.Duration, *, jitter=None, correlation=None,
              distribution: Optional[str] = None, **target):  # fmt: skip
        """Delays packets: delay("eth0", "100ms", jitter="10ms", ttl="30s")."""
        return self._submit(self._build(interface, dict(
            delay=latency, jitter=jitter, delay_correlation=correlation,
            distribution=distribution), target))  # fmt: skip

    def loss(self, interface: str, percent: units.Percent, *, correlation=None, **target):
        """Drops packets: loss("eth0", "5%") or loss("eth0", 5)."""
        return self._submit(self._build(
            interface, dict(loss=percent, loss_correlation=correlation), target))

    def duplicate(self, interface: str, percent: units.Percent, *, correlation=None, **target):
        return self._submit(self._build(
            interface, dict(duplicate=percent, duplicate_correlation=correlation), target))

    def corrupt(self, interface: str, percent: units.Percent, *, correlation=None, **target):
        return self._submit(self._build(
            interface, dict(corrupt=percent, corrupt_correlation=correlation), target))

    def reorder(self, interface: str, percent: units.Percent, *, delay: units.Duration,
                correlation=None, gap: Optional[int] = None, **target):  # fmt: skip
        """Sends `percent` of packets at once and delays the rest by `delay`."""
        return self._submit(self._build(interface, dict(
            reorder=percent, delay=delay, reorder_correlation=correlation, gap=gap), target))

    def rate(self, interface: str, rate: units.Rate, **target):
        """Limits bandwidth: rate("eth0", "1mbit") or rate("eth0", 1_000_000)."""
        return self._submit(self._build(interface, dict(rate=rate), target))

    def partition(self, interface: str, **target):
        """Drops every matching packet: partition("eth0", dst="10.0.0.5", dport=5432)."""
        return self._submit(self._build(interface, dict(partition=True), target))

    def apply(self, interface: str, *, delay=None, jitter=None, delay_correlation=None,
              distribution=None, loss=None, loss_correlation=None, duplicate=None,
              duplicate_correlation=None, corrupt=None, corrupt_correlation=None, reorder=None,
              reorder_correlation=None, gap=None, rate=None, partition: bool = False,
              **target):  # fmt: skip
        """Several faults at once: apply("eth0", delay="100ms", loss="1%", rate="10mbit")."""
        return self._submit(self._build(interface, dict(
            delay=delay, jitter=jitter, delay_correlation=delay_correlation,
            distribution=distribution, loss=loss, loss_correlation=loss_correlation,
            duplicate=duplicate, duplicate_correlation=duplicate_correlation, corrupt=corrupt,
            corrupt_correlation=corrupt_correlation, reorder=reorder,
            reorder_correlation=reorder_correlation, gap=gap, rate=rate,
            partition=partition or None), target))  # fmt: skip


class ScopedFaults(_FaultMethods):
    """`client.scoped`: the same creating methods, returning ScopedFault (applied
    on entering a block, or on each call of a decorated function)."""

    def __init__(self, client: "Client"):
        self._client = client

    def _labels_and_ttl(self, target: dict) -> dict:
        return self._client._labels_and_ttl(target)

    def _submit(self, request: pb.CreateFaultRequest) -> ScopedFault:
        if request.dry_run:
            raise InvalidArgument("dry_run applies nothing, so there is nothing to scope")
        return ScopedFault(self._client, request)


# CreateFaults takes up to 10,000 requests in at most 4 MiB; larger lists go in
# groups, each all or nothing (as `chaosnetctl apply --from` sends them).
MAX_BATCH_ITEMS = 10_000
MAX_BATCH_BYTES = 3 << 20


def _batch_groups(requests: List[pb.CreateFaultRequest]) -> List[List[pb.CreateFaultRequest]]:
    groups: List[List[pb.CreateFaultRequest]] = [[]]
    size = 0
    for request in requests:
        item = request.ByteSize() + 8  # the field's tag and length
        if groups[-1] and (len(groups[-1]) == MAX_BATCH_ITEMS or size + item > MAX_BATCH_BYTES):
            groups.append([])
            size = 0
        groups[-1].append(request)
        size += item
    return groups if groups[0] else []


class Batch(_FaultMethods):
    """`client.batch()`: the creating methods collect requests instead of applying
    them; leaving the block (or `commit()`) applies them all in one CreateFaults,
    all or nothing. `faults` holds the results, in call order.

        with client.batch(ttl="5m") as batch:
            for ip in targets:
                batch.delay("eth0", "100ms", dst=ip)
        print(len(batch.faults))

    A block that raises applies nothing.
    """

    def __init__(self, client: "Client", dry_run: bool = False,
                 ttl: Optional[units.Duration] = None, labels: Labels = None):  # fmt: skip
        self._client = client
        self._dry_run = dry_run
        self._ttl = ttl
        self._labels = labels_dict(labels)
        if ttl is not None:
            units.duration_ns(ttl, "ttl")
        self.requests: List[pb.CreateFaultRequest] = []
        self.faults: List[Fault] = []

    def _labels_and_ttl(self, target: dict) -> dict:
        # Per call over the batch's over the client's.
        target = dict(target)
        target["labels"] = {**self._labels, **labels_dict(target.get("labels"))}
        if target.get("ttl") is None and self._ttl is not None:
            target["ttl"] = self._ttl
        return self._client._labels_and_ttl(target)

    def _submit(self, request: pb.CreateFaultRequest) -> int:
        """Queues the request; returns its index in `faults` once committed."""
        if self.faults:
            raise FailedPrecondition("this batch was committed already; start a new one")
        self.requests.append(request)
        return len(self.requests) - 1

    def commit(self) -> List[Fault]:
        if not self.faults and self.requests:
            self.faults = self._client.create_many(self.requests, dry_run=self._dry_run)
        return self.faults

    def __enter__(self) -> "Batch":
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            self.commit()
        return False

    def __repr__(self) -> str:
        state = "committed" if self.faults else "pending"
        return f"<chaosnet.Batch {len(self.requests)} request(s), {state}>"


class Client(_FaultMethods):
    """A connection to chaosnetd.

    Client() talks to $CHAOSNET_SERVER or the default socket; Client("host:7443",
    tls_ca=..., tls_cert=..., tls_key=...) to a remote daemon's mTLS listener.
    `timeout` bounds each call (not streams). `labels` and `ttl` are defaults
    for every fault this client creates (per-call labels are merged over them).
    Every method raises a ChaosnetError subclass carrying the gRPC code and the
    daemon's message.
    """

    def __init__(self, server: Optional[str] = None, *, tls_ca: Optional[str] = None,
                 tls_cert: Optional[str] = None, tls_key: Optional[str] = None,
                 tls_server_name: Optional[str] = None, insecure: bool = False,
                 timeout: units.Duration = "10s", labels: Labels = None,
                 ttl: Optional[units.Duration] = None):  # fmt: skip
        self.settings = connection.settings_from(server, tls_ca, tls_cert, tls_key,
                                                 tls_server_name, insecure)  # fmt: skip
        self.timeout_s = units.duration_ns(timeout, "timeout") / 1e9
        if self.timeout_s <= 0:
            raise InvalidArgument("timeout: must be greater than 0")
        self.labels = labels_dict(labels)
        self.ttl = ttl
        if ttl is not None:
            units.duration_ns(ttl, "ttl")  # refuse a malformed default now, not at first use
        self._channel = connection.open_channel(self.settings)
        self._stub = pb_grpc.FaultServiceStub(self._channel)
        self._features = FeatureGate(self._info_proto, self.settings.server)
        self.scoped = ScopedFaults(self)

    @property
    def server(self) -> str:
        return self.settings.server

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc_info) -> bool:
        self.close()
        return False

    def __repr__(self) -> str:
        return f"<chaosnet.Client {self.server} ({self.settings.transport})>"

    # ------------------------------------------------------------- transport

    def _call_raw(self, rpc: str, request):
        try:
            return getattr(self._stub, rpc)(request, timeout=self.timeout_s)
        except grpc.RpcError as e:
            raise from_rpc_error(e, self.server) from None

    def _unary(self, rpc: str, request):
        self._features.check(request)
        return self._call_raw(rpc, request)

    def _info_proto(self) -> pb.Info:
        return self._call_raw("GetInfo", pb.GetInfoRequest())

    def _keep_alive(self, fault_ids: List[str]) -> KeepAliveStream:
        self._features.check(pb.KeepAliveRequest(fault_ids=fault_ids))
        return KeepAliveStream(self._stub, fault_ids, self.server, self.timeout_s)

    def call(self, rpc: str, request):
        """Any unary RPC of chaosnet.v1.FaultService with a request proto, returning
        the response proto: for fields the typed methods do not cover yet. The
        request is checked against the daemon's features like every other."""
        if rpc not in pb.DESCRIPTOR.services_by_name["FaultService"].methods_by_name or rpc in (
            "Watch", "KeepAlive"):  # fmt: skip
            raise InvalidArgument(f"call: {rpc!r} is not a unary FaultService RPC")
        return self._unary(rpc, request)

    # ---------------------------------------------------------------- faults

    def _labels_and_ttl(self, target: dict) -> dict:
        target = dict(target)
        target["labels"] = {**self.labels, **labels_dict(target.get("labels"))}
        if target.get("ttl") is None and self.ttl is not None:
            target["ttl"] = self.ttl
        return target

    def _submit_now(self, request: pb.CreateFaultRequest) -> Fault:
        response = self._unary("CreateFault", request)
        return Fault.from_proto(self, response.fault, dry_run=response.dry_run,
                                replayed=response.replayed)  # fmt: skip

    _submit = _submit_now

    def get(self, fault_id: str) -> Fault:
        return Fault.from_proto(self, self._unary("GetFault", pb.GetFaultRequest(id=fault_id)))

    def list(self, interface: Optional[str] = None, labels: Labels = None,
             include_ended: bool = False, mine: bool = False) -> List[Fault]:  # fmt: skip
        """Live faults (and recently ended ones with include_ended), filtered by
        interface, by labels that must all match, and with mine by their owner
        being this caller."""
        request = pb.ListFaultsRequest(interface=interface or "", include_ended=include_ended,
                                       mine=mine)  # fmt: skip
        request.label_selector.update(labels_dict(labels))
        response = self._unary("ListFaults", request)
        return [Fault.from_proto(self, f) for f in response.faults]

    def extend(self, fault: FaultOrId, ttl: units.Duration) -> Fault:
        return self._existing(fault).extend(ttl)

    def revoke(self, fault: FaultOrId) -> Fault:
        return self._existing(fault).revoke()

    def revoke_all(self, labels: Labels = None) -> List[Fault]:
        """Revokes every active fault, or those carrying all of `labels`. Raises
        NotAllRevoked (a PermissionDenied) when the daemon left some because they
        are other callers' (--revoke-others owner); it says which and why."""
        request = pb.RevokeAllFaultsRequest()
        request.label_selector.update(labels_dict(labels))
        response = self._unary("RevokeAllFaults", request)
        revoked = [Fault.from_proto(self, f) for f in response.faults]
        if response.not_revoked:
            raise NotAllRevoked(revoked, [(Fault.from_proto(self, n.fault), n.reason)
                                          for n in response.not_revoked])  # fmt: skip
        return revoked

    def batch(self, dry_run: bool = False, ttl: Optional[units.Duration] = None,
              labels: Labels = None) -> Batch:  # fmt: skip
        """A Batch: creating calls collected and applied together, all or nothing;
        `ttl` and `labels` are defaults for its faults (over the client's)."""
        return Batch(self, dry_run, ttl, labels)

    def create_many(self, requests: Iterable[pb.CreateFaultRequest],
                    dry_run: bool = False) -> List[Fault]:  # fmt: skip
        """Applies CreateFaultRequests in one CreateFaults call, all or nothing, and
        returns the faults in request order. More than 10,000 (or 3 MiB) go in groups,
        each all or nothing; if a later group is refused, the faults the earlier groups
        created are revoked before the error is raised, so the whole list is applied or
        not (faults replayed from an earlier call with the same request_id are left)."""
        requests = list(requests)
        made: List[Fault] = []
        for group in _batch_groups(requests):
            try:
                response = self._unary("CreateFaults",
                                       pb.CreateFaultsRequest(requests=group, dry_run=dry_run))
            except ChaosnetError:
                ours = [f.id for f in made if not f.replayed and not f.dry_run]
                if ours:
                    self._call_raw("RevokeFaults", pb.RevokeFaultsRequest(ids=ours))
                raise
            made += [Fault.from_proto(self, r.fault, dry_run=r.dry_run, replayed=r.replayed)
                     for r in response.results]  # fmt: skip
        return made

    def revoke_many(self, faults: Iterable[FaultOrId]) -> List[Fault]:
        """Revokes the faults named in one RevokeFaults call; returns those revoked.
        Ids the daemon does not know, or faults ended already, are skipped; faults that
        are other callers' (--revoke-others owner) raise NotAllRevoked."""
        ids = [f.id if isinstance(f, Fault) else f for f in faults]
        response = self._unary("RevokeFaults", pb.RevokeFaultsRequest(ids=ids))
        revoked = [Fault.from_proto(self, f) for f in response.faults]
        refused = [(Fault.from_proto(self, n.fault), n.reason) for n in response.not_revoked
                   if n.fault.state == pb.FAULT_STATE_ACTIVE]  # fmt: skip
        if refused:
            raise NotAllRevoked(revoked, refused)
        return revoked

    def watch(self, initial: bool = False, mine: bool = False) -> Watch:
        """An iterator of Events; initial=True starts with a snapshot of live faults,
        mine=True keeps to this caller's own faults."""
        return Watch(self, initial, mine)

    def info(self) -> Info:
        return Info.from_proto(self._unary("GetInfo", pb.GetInfoRequest()))

    def _existing(self, fault: FaultOrId) -> Fault:
        if isinstance(fault, Fault):
            return fault
        if not isinstance(fault, str) or not fault:
            raise InvalidArgument("a fault ID is required (see list())")
        return Fault.from_proto(self, pb.Fault(id=fault, spec=pb.FaultSpec()))
