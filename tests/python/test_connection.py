"""Where the client connects: arguments, then CHAOSNET_* variables, then the default;
the CLI's TLS rules, refused before connecting."""

import pytest

import chaosnet
from chaosnet import connection


def settings(environ=None, **arguments):
    return connection.settings_from(**arguments, environ=environ or {})


def test_default_and_environment():
    assert settings().server == "unix:/run/chaosnetd/chaosnetd.sock"
    env = {"CHAOSNET_SERVER": "unix:/tmp/x.sock"}
    assert settings(env).server == "unix:/tmp/x.sock"
    assert settings(env, server="unix:/y").server == "unix:/y"  # the argument wins


def test_unix_sockets_ignore_exported_tls_variables():
    env = {"CHAOSNET_TLS_CA": "/ca.pem", "CHAOSNET_TLS_CERT": "/c.pem"}
    assert settings(env, server="unix:/s").transport == "unix"


def test_tls_from_environment():
    env = {"CHAOSNET_SERVER": "chaos.example:7443", "CHAOSNET_TLS_CA": "/ca.pem",
           "CHAOSNET_TLS_CERT": "/c.pem", "CHAOSNET_TLS_KEY": "/c.key",
           "CHAOSNET_TLS_SERVER_NAME": "chaosnetd"}  # fmt: skip
    s = settings(env)
    assert (s.transport, s.tls_ca, s.tls_cert, s.tls_key, s.tls_server_name) == (
        "tls", "/ca.pem", "/c.pem", "/c.key", "chaosnetd")


@pytest.mark.parametrize("arguments, message", [
    (dict(server="10.0.0.1:7443"), "is a TCP address: give tls_ca"),
    (dict(server="h:7443", tls_ca="/ca", tls_cert="/c"), "tls_cert needs tls_key"),
    (dict(server="h:7443", tls_ca="/ca", tls_key="/k"), "tls_key needs tls_cert"),
    (dict(server="h:7443", tls_cert="/c", tls_key="/k"), "tls_cert and tls_key need tls_ca"),
    (dict(server="h:7443", insecure=True, tls_ca="/ca"), "insecure contradicts tls_ca"),
    (dict(server="unix:"), "unix: needs a socket path"),
    (dict(server="host"), '"host" has no port'),
    (dict(server="host:99999"), "has no valid port"),
    (dict(server="::1:7070"), "write IPv6 addresses in brackets"),
])  # fmt: skip
def test_refusals(arguments, message):
    with pytest.raises(chaosnet.InvalidArgument, match=message):
        settings(**arguments)


def test_plaintext_only_when_asked():
    assert settings(server="[::1]:7070", insecure=True).transport == "plaintext"


def test_unreadable_or_wrong_tls_files_are_named(tmp_path):
    cert = tmp_path / "c.pem"
    cert.write_text("-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n")
    key = tmp_path / "k.pem"
    key.write_text("-----BEGIN ENCRYPTED PRIVATE KEY-----\nx\n")
    with pytest.raises(chaosnet.InvalidArgument, match="cannot read tls_ca /nope.pem"):
        chaosnet.Client("h:1", tls_ca="/nope.pem")
    with pytest.raises(chaosnet.InvalidArgument, match="tls_ca .* is not PEM"):
        (tmp_path / "der").write_bytes(b"\x30\x82")
        chaosnet.Client("h:1", tls_ca=str(tmp_path / "der"))
    with pytest.raises(chaosnet.InvalidArgument, match="tls_key .* is encrypted"):
        chaosnet.Client("h:1", tls_ca=str(cert), tls_cert=str(cert), tls_key=str(key))
    with pytest.raises(chaosnet.InvalidArgument, match='tls_key .* holds no "PRIVATE KEY-----"'):
        chaosnet.Client("h:1", tls_ca=str(cert), tls_cert=str(cert), tls_key=str(cert))
