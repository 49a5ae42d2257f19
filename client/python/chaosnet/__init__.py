"""chaosnet: network faults under leases, from Python.

    import chaosnet

    client = chaosnet.Client()                     # $CHAOSNET_SERVER or the local socket
    with client.delay("eth0", "100ms", ttl="5m") as fault:
        run_load_test()                            # revoked when the block ends;
                                                   # rolled back if this process dies
    @client.scoped.loss("eth0", "5%")
    def test_retries(): ...                        # a fresh fault for each call

Errors are ChaosnetError subclasses (InvalidArgument, PermissionDenied, ...)
carrying the gRPC status code and the daemon's message.
"""

from chaosnet.client import Client, Fault, FaultGroup, ScopedFault, Watch, hold
from chaosnet.errors import (
    Aborted,
    AlreadyExists,
    Cancelled,
    ChaosnetError,
    DataLoss,
    DeadlineExceeded,
    FailedPrecondition,
    FeatureNotSupported,
    Internal,
    InvalidArgument,
    NotAllRevoked,
    NotFound,
    OutOfRange,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
    Unimplemented,
    Unknown,
)
from chaosnet.results import Capability, Counters, Event, FaultRecord, Info, PlanStep, Spec

from chaosnet._version import __version__

__all__ = [
    "__version__", "Client", "Fault", "FaultGroup", "ScopedFault", "Watch", "hold",
    "Capability", "Counters", "Event", "FaultRecord", "Info", "PlanStep", "Spec",
    "ChaosnetError", "Aborted", "AlreadyExists", "Cancelled", "DataLoss", "DeadlineExceeded",
    "FailedPrecondition", "FeatureNotSupported", "Internal", "InvalidArgument", "NotAllRevoked",
    "NotFound", "OutOfRange", "PermissionDenied", "ResourceExhausted", "Unauthenticated",
    "Unavailable", "Unimplemented", "Unknown",
]  # fmt: skip
