"""Where the daemon is and how to reach it: the CLI's --server and --tls-* rules.

The same environment variables as chaosnetctl (CHAOSNET_SERVER,
CHAOSNET_TLS_CA, CHAOSNET_TLS_CERT, CHAOSNET_TLS_KEY,
CHAOSNET_TLS_SERVER_NAME) fill what the caller leaves out. A `unix:` server
ignores every TLS setting (so the variables may stay exported); a HOST:PORT
server needs tls_ca (mutual TLS with tls_cert/tls_key) or insecure=True for a
daemon's --insecure-listen port. Mistakes are refused before connecting.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Mapping, Optional

import grpc

from chaosnet.errors import InvalidArgument

DEFAULT_SERVER = "unix:/run/chaosnetd/chaosnetd.sock"
ENVIRONMENT = {
    "server": "CHAOSNET_SERVER",
    "tls_ca": "CHAOSNET_TLS_CA",
    "tls_cert": "CHAOSNET_TLS_CERT",
    "tls_key": "CHAOSNET_TLS_KEY",
    "tls_server_name": "CHAOSNET_TLS_SERVER_NAME",
}
_MAX_PEM_BYTES = 4 << 20


@dataclass(frozen=True)
class Settings:
    server: str
    transport: str  # "unix", "tls" or "plaintext"
    tls_ca: str = ""
    tls_cert: str = ""
    tls_key: str = ""
    tls_server_name: str = ""


def _joined(words) -> str:
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def check_server(server: str) -> str:
    hint = " (use unix:PATH or HOST:PORT)"
    if server.startswith("unix:"):
        if server == "unix:":
            raise InvalidArgument("server: unix: needs a socket path" + hint)
        return server
    host, colon, port = server.rpartition(":")
    if not colon or not host:
        raise InvalidArgument(f'server: "{server}" has no port' + hint)
    if not re.fullmatch(r"\d{1,5}", port) or not 0 < int(port) <= 65535:
        raise InvalidArgument(f'server: "{server}" has no valid port' + hint)
    if ":" in host and not host.startswith("["):
        raise InvalidArgument("server: write IPv6 addresses in brackets, e.g. [::1]:7070")
    return server


def settings_from(
    server: Optional[str] = None,
    tls_ca: Optional[str] = None,
    tls_cert: Optional[str] = None,
    tls_key: Optional[str] = None,
    tls_server_name: Optional[str] = None,
    insecure: bool = False,
    environ: Mapping[str, str] = os.environ,
) -> Settings:
    """Arguments first, then the CHAOSNET_* variables, then the default socket."""
    given = dict(server=server, tls_ca=tls_ca, tls_cert=tls_cert, tls_key=tls_key,
                 tls_server_name=tls_server_name)  # fmt: skip
    values = {
        name: str(value) if value else environ.get(ENVIRONMENT[name], "")
        for name, value in given.items()
    }
    server = check_server(values["server"] or DEFAULT_SERVER)
    if server.startswith("unix:"):
        return Settings(server, "unix")
    tls_given = [n for n in ("tls_ca", "tls_cert", "tls_key", "tls_server_name") if values[n]]
    if insecure:
        if tls_given:
            raise InvalidArgument(
                f"insecure contradicts {_joined(tls_given)} (arguments or their CHAOSNET_TLS_* "
                "variables): drop insecure to use TLS, or the TLS settings for a plaintext "
                "connection"
            )
        return Settings(server, "plaintext")
    if values["tls_cert"] and not values["tls_key"]:
        raise InvalidArgument("tls_cert needs tls_key, the private key of that certificate")
    if values["tls_key"] and not values["tls_cert"]:
        raise InvalidArgument("tls_key needs tls_cert, the certificate of that key")
    if not values["tls_ca"]:
        if tls_given:
            verb = "needs" if len(tls_given) == 1 else "need"
            raise InvalidArgument(
                f"{_joined(tls_given)} {verb} tls_ca, the CA bundle that signed the daemon's "
                "certificate (it is always verified)"
            )
        raise InvalidArgument(
            f"server {server} is a TCP address: give tls_ca (and tls_cert/tls_key) for the "
            "daemon's mTLS listener, or insecure=True for a plaintext one"
        )
    return Settings(server, "tls", values["tls_ca"], values["tls_cert"], values["tls_key"],
                    values["tls_server_name"])  # fmt: skip


def _read_pem(what: str, path: str, must_hold: str, is_key: bool) -> bytes:
    try:
        with open(path, "rb") as f:
            data = f.read(_MAX_PEM_BYTES + 1)
    except OSError as e:
        raise InvalidArgument(f"cannot read {what} {path}: {e.strerror}") from None
    if len(data) > _MAX_PEM_BYTES:
        raise InvalidArgument(f"{what} {path} is over 4 MiB, too big for a PEM file")
    if b"-----BEGIN " not in data:
        raise InvalidArgument(f'{what} {path} is not PEM (no "-----BEGIN " line)')
    if is_key and (b"ENCRYPTED PRIVATE KEY-----" in data or b"Proc-Type: 4,ENCRYPTED" in data):
        raise InvalidArgument(
            f"{what} {path} is encrypted, and gRPC takes only a plain key "
            "(openssl pkey -in KEY -out PLAIN-KEY)"
        )
    if must_hold.encode() not in data:
        raise InvalidArgument(f'{what} {path} holds no "{must_hold}" block')
    return data


def open_channel(settings: Settings) -> grpc.Channel:
    if settings.transport != "tls":
        return grpc.insecure_channel(settings.server)
    root = _read_pem("tls_ca", settings.tls_ca, "-----BEGIN CERTIFICATE-----", False)
    key = chain = None
    if settings.tls_cert:
        chain = _read_pem("tls_cert", settings.tls_cert, "-----BEGIN CERTIFICATE-----", False)
        key = _read_pem("tls_key", settings.tls_key, "PRIVATE KEY-----", True)
    credentials = grpc.ssl_channel_credentials(root, key, chain)
    options = []
    if settings.tls_server_name:
        options.append(("grpc.ssl_target_name_override", settings.tls_server_name))
    return grpc.secure_channel(settings.server, credentials, options=options)
