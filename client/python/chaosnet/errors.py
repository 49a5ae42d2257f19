"""Typed errors: one exception class per gRPC status code.

Every error the daemon returns reaches the caller as a subclass of
`ChaosnetError` carrying the status code and the daemon's one-line message,
never as a raw `grpc.RpcError` (whose traceback and debug string say more about
gRPC than about the fault). Input the library can refuse before connecting (a
malformed duration, a TLS setting without its pair) raises the class the daemon
would have used, so callers catch one type whichever side found the problem.
"""

from __future__ import annotations

from typing import Iterable, Optional

import grpc


class ChaosnetError(Exception):
    """A request failed. `code` is the grpc.StatusCode, `message` the reason in one line."""

    code: grpc.StatusCode = grpc.StatusCode.UNKNOWN

    def __init__(self, message: str, *, code: Optional[grpc.StatusCode] = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class Cancelled(ChaosnetError):
    code = grpc.StatusCode.CANCELLED


class Unknown(ChaosnetError):
    code = grpc.StatusCode.UNKNOWN


class InvalidArgument(ChaosnetError, ValueError):
    """Bad input, refused by the daemon or (for syntax) by the library itself."""

    code = grpc.StatusCode.INVALID_ARGUMENT


class DeadlineExceeded(ChaosnetError):
    code = grpc.StatusCode.DEADLINE_EXCEEDED


class NotFound(ChaosnetError):
    code = grpc.StatusCode.NOT_FOUND


class AlreadyExists(ChaosnetError):
    code = grpc.StatusCode.ALREADY_EXISTS


class PermissionDenied(ChaosnetError):
    code = grpc.StatusCode.PERMISSION_DENIED


class ResourceExhausted(ChaosnetError):
    code = grpc.StatusCode.RESOURCE_EXHAUSTED


class FailedPrecondition(ChaosnetError):
    code = grpc.StatusCode.FAILED_PRECONDITION


class Aborted(ChaosnetError):
    code = grpc.StatusCode.ABORTED


class OutOfRange(ChaosnetError):
    code = grpc.StatusCode.OUT_OF_RANGE


class Unimplemented(ChaosnetError):
    code = grpc.StatusCode.UNIMPLEMENTED


class Internal(ChaosnetError):
    code = grpc.StatusCode.INTERNAL


class Unavailable(ChaosnetError):
    """The daemon could not be reached (or went away mid-call)."""

    code = grpc.StatusCode.UNAVAILABLE


class DataLoss(ChaosnetError):
    code = grpc.StatusCode.DATA_LOSS


class Unauthenticated(ChaosnetError):
    code = grpc.StatusCode.UNAUTHENTICATED


class NotAllRevoked(PermissionDenied):
    """revoke_all() ended what the caller may end and left the rest: faults of
    other callers, under a daemon run with --revoke-others owner.

    `revoked` are the faults it ended; `not_revoked` (fault, reason) pairs, each
    reason naming the owner and the flag that would allow it.
    """

    def __init__(self, revoked: list, not_revoked: list):
        self.revoked = revoked
        self.not_revoked = not_revoked
        total = len(revoked) + len(not_revoked)
        reasons = "; ".join(reason for _, reason in not_revoked)
        super().__init__(f"{len(not_revoked)} of {total} faults not revoked: {reasons}")


class FeatureNotSupported(FailedPrecondition):
    """The request sets a field the daemon does not implement (see Info.features).

    Raised before anything is sent: an older daemon would ignore the field and
    apply a different fault. `features` names what is missing.
    """

    def __init__(self, features: Iterable[str], server: str, daemon_version: str):
        self.features = tuple(sorted(features))
        self.server = server
        self.daemon_version = daemon_version
        names = ", ".join(self.features)
        noun = "feature" if len(self.features) == 1 else "features"
        super().__init__(
            f"chaosnetd {daemon_version} at {server} does not implement the {noun} {names} "
            "that this request uses; upgrade the daemon or leave those fields out"
        )


_BY_CODE = {
    cls.code: cls
    for cls in (
        Cancelled,
        Unknown,
        InvalidArgument,
        DeadlineExceeded,
        NotFound,
        AlreadyExists,
        PermissionDenied,
        ResourceExhausted,
        FailedPrecondition,
        Aborted,
        OutOfRange,
        Unimplemented,
        Internal,
        Unavailable,
        DataLoss,
        Unauthenticated,
    )
}


def error_for(code: grpc.StatusCode, message: str) -> ChaosnetError:
    """The exception of `code` with `message` (Unknown for a code without its own class)."""
    cls = _BY_CODE.get(code, Unknown)
    return cls(message, code=code)


def from_rpc_error(error: grpc.RpcError, server: str) -> ChaosnetError:
    """Turns a failed call into its typed exception; raise it `from None`."""
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    details = (error.details() if hasattr(error, "details") else None) or ""
    details = " ".join(details.split())  # the contract is one line
    if code == grpc.StatusCode.UNAVAILABLE:
        details = (
            f"cannot reach chaosnetd at {server}: {details} "
            "(is chaosnetd running? check server= or CHAOSNET_SERVER)"
        )
    return error_for(code, details or code.name.lower().replace("_", " "))
