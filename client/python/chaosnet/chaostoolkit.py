"""Chaos Toolkit activities: chaosnet as a Python provider.

An experiment names `"module": "chaosnet.chaostoolkit"`, a `func` below and its
`arguments`. Chaos Toolkit passes `configuration` and `secrets` itself; the
daemon is found from the configuration keys `chaosnet_server`,
`chaosnet_tls_ca`, `chaosnet_tls_cert`, `chaosnet_tls_key`,
`chaosnet_tls_server_name` and `chaosnet_insecure` (secrets may hold the same
keys), else from the CHAOSNET_* environment variables, as the CLI does.

Actions tag their faults with `labels`; a rollback cannot see an action's
result, so it revokes by the same labels: `revoke(labels={...})`. Every result
is JSON (Chaos Toolkit journals it). Units are the CLI's strings ("100ms", "5%",
"10mbit") or plain numbers (seconds, percent, bits per second).
"""

from __future__ import annotations

import datetime
import inspect
import platform
import typing
import uuid
from typing import Any, Dict, List, Optional, Union

from chaosnet import __version__
from chaosnet.client import Client
from chaosnet.errors import ChaosnetError, InvalidArgument

Configuration = Optional[Dict[str, Any]]
Secrets = Optional[Dict[str, Any]]
Labels = Optional[Dict[str, str]]
Port = Union[int, str, None]

__all__ = [
    "delay", "loss", "partition", "rate", "apply", "revoke", "revoke_all",
    "list_faults", "active_faults", "fault_counters", "daemon_info", "discover",
]  # fmt: skip

_ACTIONS = ("delay", "loss", "partition", "rate", "apply", "revoke", "revoke_all")
_PROBES = ("list_faults", "active_faults", "fault_counters", "daemon_info")
_CONNECTION_KEYS = ("server", "tls_ca", "tls_cert", "tls_key", "tls_server_name", "insecure",
                    "timeout")  # fmt: skip


def _client(configuration: Configuration, secrets: Secrets) -> Client:
    settings: Dict[str, Any] = {}
    for source in (configuration or {}, _flatten(secrets)):
        for key in _CONNECTION_KEYS:
            if source.get(f"chaosnet_{key}") not in (None, ""):
                settings[key] = source[f"chaosnet_{key}"]
    if isinstance(settings.get("insecure"), str):
        settings["insecure"] = settings["insecure"].lower() in ("1", "true", "yes")
    return Client(**settings)


def _flatten(secrets: Secrets) -> Dict[str, Any]:
    # Chaos Toolkit hands secrets grouped by scope: {"chaosnet": {"chaosnet_tls_key": ...}}.
    flat: Dict[str, Any] = {}
    for key, value in (secrets or {}).items():
        if isinstance(value, dict):
            flat.update(value)
        else:
            flat[key] = value
    return flat


def _create(configuration: Configuration, secrets: Secrets, method: str, *args,
            **arguments) -> Dict[str, Any]:  # fmt: skip
    arguments = {k: v for k, v in arguments.items() if v is not None}
    with _client(configuration, secrets) as client:
        return getattr(client, method)(*args, **arguments).to_dict()


# ------------------------------------------------------------------- actions


def delay(interface: str, latency: str, jitter: str = None, ttl: str = None,
          labels: Labels = None, dst: str = None, src: str = None, dport: Port = None,
          sport: Port = None, protocol: str = None, direction: str = None, netns: str = None,
          configuration: Configuration = None, secrets: Secrets = None) -> Dict[str, Any]:  # fmt: skip
    """Delays packets leaving (or entering, with direction) an interface, e.g. latency "5s"."""
    return _create(configuration, secrets, "delay", interface, latency, jitter=jitter, ttl=ttl,
                   labels=labels, dst=dst, src=src, dport=dport, sport=sport,
                   protocol=protocol, direction=direction, netns=netns)  # fmt: skip


def loss(interface: str, percent: str, correlation: str = None, ttl: str = None,
         labels: Labels = None, dst: str = None, src: str = None, dport: Port = None,
         sport: Port = None, protocol: str = None, direction: str = None, netns: str = None,
         configuration: Configuration = None, secrets: Secrets = None) -> Dict[str, Any]:  # fmt: skip
    """Drops a share of packets, e.g. percent "5%"."""
    return _create(configuration, secrets, "loss", interface, percent, correlation=correlation,
                   ttl=ttl, labels=labels, dst=dst, src=src, dport=dport, sport=sport,
                   protocol=protocol, direction=direction, netns=netns)  # fmt: skip


def partition(interface: str, ttl: str = None, labels: Labels = None, dst: str = None,
              src: str = None, dport: Port = None, sport: Port = None, protocol: str = None,
              direction: str = None, netns: str = None, configuration: Configuration = None,
              secrets: Secrets = None) -> Dict[str, Any]:  # fmt: skip
    """Drops every matching packet: cuts the interface, or only traffic to dst/dport."""
    return _create(configuration, secrets, "partition", interface, ttl=ttl, labels=labels,
                   dst=dst, src=src, dport=dport, sport=sport, protocol=protocol,
                   direction=direction, netns=netns)  # fmt: skip


def rate(interface: str, rate: str, ttl: str = None, labels: Labels = None, dst: str = None,
         src: str = None, dport: Port = None, sport: Port = None, protocol: str = None,
         direction: str = None, netns: str = None, configuration: Configuration = None,
         secrets: Secrets = None) -> Dict[str, Any]:  # fmt: skip
    """Limits bandwidth, e.g. rate "1mbit"."""
    return _create(configuration, secrets, "rate", interface, rate, ttl=ttl, labels=labels,
                   dst=dst, src=src, dport=dport, sport=sport, protocol=protocol,
                   direction=direction, netns=netns)  # fmt: skip


def apply(interface: str, delay: str = None, jitter: str = None, loss: str = None,
          duplicate: str = None, corrupt: str = None, rate: str = None,
          partition: bool = False, ttl: str = None, labels: Labels = None, dst: str = None,
          src: str = None, dport: Port = None, sport: Port = None, protocol: str = None,
          direction: str = None, netns: str = None, configuration: Configuration = None,
          secrets: Secrets = None) -> Dict[str, Any]:  # fmt: skip
    """Several faults as one: e.g. delay "100ms", loss "1%" and rate "10mbit" together."""
    return _create(configuration, secrets, "apply", interface, delay=delay, jitter=jitter,
                   loss=loss, duplicate=duplicate, corrupt=corrupt, rate=rate,
                   partition=partition, ttl=ttl, labels=labels, dst=dst, src=src, dport=dport,
                   sport=sport, protocol=protocol, direction=direction, netns=netns)  # fmt: skip


def revoke(fault_id: str = None, labels: Labels = None, configuration: Configuration = None,
           secrets: Secrets = None) -> List[Dict[str, Any]]:  # fmt: skip
    """Rolls back one fault by id, or every active fault carrying all of `labels`
    (what a rollback uses: it cannot see the action's result)."""
    if bool(fault_id) == bool(labels):
        raise InvalidArgument("revoke: give either fault_id or labels (use revoke_all for all)")
    with _client(configuration, secrets) as client:
        if fault_id:
            return [client.revoke(fault_id).to_dict()]
        return [f.to_dict() for f in client.revoke_all(labels=labels)]


def revoke_all(labels: Labels = None, configuration: Configuration = None,
               secrets: Secrets = None) -> List[Dict[str, Any]]:  # fmt: skip
    """Rolls back every active fault, or those carrying all of `labels`."""
    with _client(configuration, secrets) as client:
        return [f.to_dict() for f in client.revoke_all(labels=labels)]


# -------------------------------------------------------------------- probes


def list_faults(interface: str = None, labels: Labels = None, include_ended: bool = False,
                configuration: Configuration = None,
                secrets: Secrets = None) -> List[Dict[str, Any]]:  # fmt: skip
    """The faults on an interface and/or carrying labels (active ones unless include_ended)."""
    with _client(configuration, secrets) as client:
        return [f.to_dict() for f in client.list(interface, labels, include_ended)]


def active_faults(interface: str = None, labels: Labels = None,
                  configuration: Configuration = None, secrets: Secrets = None) -> int:  # fmt: skip
    """How many faults are active (on an interface, with labels): 0 is the steady state."""
    with _client(configuration, secrets) as client:
        return len(client.list(interface, labels))


def fault_counters(fault_id: str = None, labels: Labels = None,
                   configuration: Configuration = None,
                   secrets: Secrets = None) -> Dict[str, Any]:  # fmt: skip
    """Packets, bytes and drops of one fault or of the faults with `labels` (ended ones
    included, with their final counters), as totals and per fault."""
    with _client(configuration, secrets) as client:
        if fault_id:
            faults = [client.get(fault_id)]
        else:
            faults = client.list(labels=labels, include_ended=True)
    per_fault = {f.id: f.to_dict()["counters"] for f in faults}
    totals = {k: sum(c[k] for c in per_fault.values())
              for k in ("packets", "bytes", "drops", "overlimits")}  # fmt: skip
    return {**totals, "faults": per_fault}


def daemon_info(configuration: Configuration = None, secrets: Secrets = None) -> Dict[str, Any]:
    """The daemon's version, lease limits, kernel capabilities and features."""
    with _client(configuration, secrets) as client:
        info = client.info()
    return {
        "version": info.version,
        "default_ttl_seconds": info.default_ttl.total_seconds(),
        "max_ttl_seconds": info.max_ttl.total_seconds(),
        "capabilities": {c.name: c.available for c in info.capabilities},
        "active_faults": info.active_faults,
        "kernel_release": info.kernel_release,
        "caller": info.caller,
        "caller_read_only": info.caller_read_only,
        "features": list(info.features),
    }


# ----------------------------------------------------------------- discovery

_PORTABLE_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean",
                   dict: "mapping", list: "list"}  # fmt: skip


def _portable_type(annotation: Any) -> str:
    # Chaos Toolkit's names for argument types; Optional[X] and Union[...] are "object"
    # unless they resolve to one plain type.
    origin = getattr(annotation, "__origin__", None)
    if origin in (dict, list):
        return _PORTABLE_TYPES[origin]
    if origin is Union:
        kinds = {_portable_type(a) for a in annotation.__args__ if a is not type(None)}
        return kinds.pop() if len(kinds) == 1 else "object"
    return _PORTABLE_TYPES.get(annotation, "object")


def _activity(name: str, kind: str) -> Dict[str, Any]:
    func = globals()[name]
    hints = typing.get_type_hints(func)  # resolves the postponed annotations
    arguments = []
    for parameter in inspect.signature(func).parameters.values():
        if parameter.name in ("configuration", "secrets"):
            continue
        argument = {"name": parameter.name, "type": _portable_type(hints.get(parameter.name))}
        if parameter.default is not inspect.Parameter.empty:
            argument["default"] = parameter.default
        arguments.append(argument)
    return {
        "type": kind,
        "name": name,
        "mod": __name__,
        "doc": inspect.getdoc(func),
        "arguments": arguments,
    }


def discover(discover_system: bool = True, configuration: Configuration = None,
             secrets: Secrets = None) -> Dict[str, Any]:  # fmt: skip
    """What `chaos discover chaosnet` reports: the activities, and the daemon if reachable."""
    system = None
    if discover_system:
        try:
            system = {"chaosnetd": daemon_info(configuration, secrets)}
        except ChaosnetError as e:
            system = {"chaosnetd": None, "error": str(e)}
    return {
        "chaoslib_version": None,  # not run through chaoslib
        "id": str(uuid.uuid4()),
        "target": "chaosnet",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "platform": {"system": platform.system(), "node": platform.node(),
                     "release": platform.release(), "machine": platform.machine(),
                     "python": platform.python_version()},  # fmt: skip
        "extension": {"name": "chaosnet", "version": __version__},
        "activities": [_activity(n, "action") for n in _ACTIONS]
        + [_activity(n, "probe") for n in _PROBES],
        "system": system,
    }
