"""Feature marks (the `chaosnet.v1.feature` field option): the compatibility rule.

proto3 ignores unknown fields, so an older daemon handed a field that changes a
fault's meaning would silently apply a different fault. Such fields carry the
name of their feature; a daemon lists the features it implements in
Info.features; a client refuses to send a marked field to a daemon that does
not list it. Everything here is generic over messages, so a field marked
tomorrow is covered without touching this file.
"""

from __future__ import annotations

import threading
from typing import Callable, Iterable, List, Optional, Sequence, Set

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from chaosnet.errors import FeatureNotSupported
from chaosnet.v1 import chaosnet_pb2 as pb


def mark_of(field: FieldDescriptor) -> str:
    """The feature name a field is marked with, or ""."""
    return field.GetOptions().Extensions[pb.feature]


def _is_map(field: FieldDescriptor) -> bool:
    t = field.message_type
    return t is not None and t.GetOptions().map_entry


def declared_by(root: Descriptor) -> Set[str]:
    """Every feature marked on a field of `root` or of a message reachable from it."""
    seen: Set[str] = set()
    out: Set[str] = set()

    def walk(d: Descriptor) -> None:
        if d.full_name in seen:
            return
        seen.add(d.full_name)
        for f in d.fields:
            if mark_of(f):
                out.add(mark_of(f))
            if f.message_type is not None:
                walk(f.message_type)

    walk(root)
    return out


def used_by(message: Message) -> Set[str]:
    """The features whose marked fields are set in `message`, at any depth
    (a repeated field counts when it has elements)."""
    out: Set[str] = set()

    def walk(m: Message) -> None:
        for f, value in m.ListFields():  # only fields that are set
            if mark_of(f):
                out.add(mark_of(f))
            if f.type != FieldDescriptor.TYPE_MESSAGE or _is_map(f):
                continue
            if f.label == FieldDescriptor.LABEL_REPEATED:
                for element in value:
                    walk(element)
            else:
                walk(value)

    walk(message)
    return out


def missing(message: Message, announced: Iterable[str]) -> List[str]:
    """The features `message` uses that `announced` lacks, sorted."""
    return sorted(used_by(message) - set(announced))


class FeatureGate:
    """Checks requests against one daemon's Info.features.

    The Info is fetched lazily, once, and only when a request sets a marked
    field: clients that never use a new field never pay for the round trip.
    """

    def __init__(self, fetch_info: Callable[[], pb.Info], server: str):
        self._fetch_info = fetch_info
        self._server = server
        self._lock = threading.Lock()
        self._announced: Optional[Sequence[str]] = None
        self._version = ""

    def check(self, request: Message) -> None:
        used = used_by(request)
        if not used:
            return
        with self._lock:
            if self._announced is None:
                info = self._fetch_info()
                self._announced = tuple(info.features)
                self._version = info.version
        lacking = sorted(used - set(self._announced))
        if lacking:
            raise FeatureNotSupported(lacking, self._server, self._version)
