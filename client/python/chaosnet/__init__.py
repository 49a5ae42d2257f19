"""chaosnet: network faults under leases, from Python.

    import chaosnet

    client = chaosnet.Client()                     # $CHAOSNET_SERVER or the local socket
    with client.delay("eth0", "100ms", ttl="5m") as fault:
        run_load_test()                            # revoked when the block ends;
                                                   # rolled back if this process dies
    @client.scoped.loss("eth0", "5%")
    def test_retries(): ...                        # a fresh fault for each call

    with client.batch(ttl="5m") as batch:          # one CreateFaults, all or nothing
        for ip in targets:
            batch.delay("eth0", "100ms", dst=ip)

    from chaosnet import programs                  # faults that change over time
    client.apply("eth0", program=programs.ramp("delay", "0ms", "500ms", over="60s"))

Errors are ChaosnetError subclasses (InvalidArgument, PermissionDenied, ...)
carrying the gRPC status code and the daemon's message.
"""

from chaosnet import programs
from chaosnet.client import Batch, Client, Fault, FaultGroup, ScopedFault, Watch, hold
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
    "__version__", "programs", "Batch", "Client", "Fault", "FaultGroup", "ScopedFault", "Watch", "hold",
    "Capability", "Counters", "Event", "FaultRecord", "Info", "PlanStep", "Spec",
    "ChaosnetError", "Aborted", "AlreadyExists", "Cancelled", "DataLoss", "DeadlineExceeded",
    "FailedPrecondition", "FeatureNotSupported", "Internal", "InvalidArgument", "NotAllRevoked",
    "NotFound", "OutOfRange", "PermissionDenied", "ResourceExhausted", "Unauthenticated",
    "Unavailable", "Unimplemented", "Unknown",
]  # fmt: skip
