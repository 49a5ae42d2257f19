"""The dead man's switch: a KeepAlive stream that holds faults.

While the stream is open the daemon keeps the faults bound to it; when it ends,
whichever way (closed here, this process exiting or killed, the connection
dropping), the daemon rolls them back. One stream per held group of faults, so
a binding that fails cannot take down faults held elsewhere.
"""

from __future__ import annotations

import queue
import threading
from typing import Dict, Iterable, Optional

import grpc

from chaosnet.errors import ChaosnetError, DeadlineExceeded, from_rpc_error
from chaosnet.v1 import chaosnet_pb2 as pb


class KeepAliveStream:
    """Binds `fault_ids` on a new stream and waits for the daemon to confirm."""

    def __init__(self, stub, fault_ids: Iterable[str], server: str, timeout_s: float):
        self._server = server
        self._requests: "queue.SimpleQueue[Optional[pb.KeepAliveRequest]]" = queue.SimpleQueue()
        self._requests.put(pb.KeepAliveRequest(fault_ids=list(fault_ids)))
        self._lock = threading.Lock()
        self._latest: Dict[str, pb.Fault] = {}
        self._closing = False
        self._error: Optional[ChaosnetError] = None
        self._answered = threading.Event()
        self._ended = threading.Event()
        # No deadline: the stream lives as long as the block that holds it.
        self._call = stub.KeepAlive(self._outgoing())
        self._reader = threading.Thread(target=self._read, name="chaosnet-keepalive", daemon=True)
        self._reader.start()
        if not self._answered.wait(timeout_s):
            self._call.cancel()  # rolls back whatever the daemon did bind
            raise DeadlineExceeded(
                f"chaosnetd at {server} did not confirm the keep-alive binding within "
                f"{timeout_s:g}s"
            )
        if self._error is not None:
            raise self._error

    def _outgoing(self):
        while True:
            request = self._requests.get()
            if request is None:
                return  # half-close: the switch the daemon acts on
            yield request

    def _read(self) -> None:
        try:
            for response in self._call:
                with self._lock:
                    for fault in response.faults:
                        self._latest[fault.id] = fault
                self._answered.set()
        except grpc.RpcError as e:
            if not self._closing:
                self._error = from_rpc_error(e, self._server)
        finally:
            self._ended.set()
            self._answered.set()

    def latest(self, fault_id: str) -> Optional[pb.Fault]:
        """The daemon's last word on a bound fault (sent on binding and when it ends)."""
        with self._lock:
            return self._latest.get(fault_id)

    @property
    def ended(self) -> bool:
        return self._ended.is_set()

    def close(self, timeout_s: float) -> None:
        """Ends the stream: the daemon rolls back what it still holds, then finishes."""
        self._closing = True
        self._requests.put(None)
        if not self._ended.wait(timeout_s):
            self._call.cancel()  # a cancelled stream ends too, with the same effect
            self._ended.wait(timeout_s)
