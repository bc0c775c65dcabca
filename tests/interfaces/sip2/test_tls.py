"""The SIP2 server over TLS (`octavo sip2 --tls-cert PEM --tls-key PEM`), with a certificate
from a throwaway authority (trustme): a kiosk that trusts the authority logs in and talks
SIP2; a kiosk speaking plain text to the TLS port is told nothing."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from octavo.interfaces.sip2.server import Listen, Server, tls_context

from .conftest import KIOSK_PASSWORD, Kiosk, Running, serving
from .test_kiosk_bytes import fields, sealed

pytestmark = pytest.mark.usefixtures("sip2_world")


@pytest.fixture
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_server(flushable_append_only, authority, tmp_path: Path) -> Iterator[Running]:
    issued = authority.issue_cert("127.0.0.1", "localhost")
    cert, key = tmp_path / "sip2.pem", tmp_path / "sip2.key"
    for blob in issued.cert_chain_pems:
        blob.write_to_path(str(cert), append=True)
    issued.private_key_pem.write_to_path(str(key))
    server = Server(Listen("127.0.0.1", 0), tls=tls_context(str(cert), str(key)), idle_timeout=5.0)
    with serving(server) as running:
        yield running


def test_a_kiosk_trusting_the_certificate_logs_in_over_tls(tls_server, authority):
    context = ssl.create_default_context()
    authority.configure_trust(context)
    kiosk = Kiosk(tls_server)
    kiosk.socket = context.wrap_socket(kiosk.socket, server_hostname="127.0.0.1")
    try:
        assert kiosk.socket.version() in ("TLSv1.2", "TLSv1.3")
        assert kiosk.ask(sealed(f"9300CNkiosk1|CO{KIOSK_PASSWORD}|CPNES|", 0)) == sealed("941", 0)
        answer = kiosk.ask(sealed("9900302.00", 1))
        assert answer.startswith(b"98YYYYY")
        assert fields(answer)["AM"] == ["North Elementary"]
    finally:
        kiosk.close()


def test_plain_text_to_the_tls_port_gets_no_sip2_answer(tls_server, caplog):
    kiosk = Kiosk(tls_server)
    try:
        kiosk.send(sealed(f"9300CNkiosk1|CO{KIOSK_PASSWORD}|CPNES|", 0))
        kiosk.send(sealed("9900302.00", 1))
        heard = b""
        try:
            while chunk := kiosk.socket.recv(4096):
                heard += chunk
        except (ConnectionResetError, TimeoutError):
            pass  # closed without a word, or reset
    finally:
        kiosk.close()
    assert b"94" not in heard and b"98" not in heard and b"AZ" not in heard
    assert "kiosk-pass-1" not in caplog.text


def test_the_tls_port_shows_the_certificate_it_was_given(tls_server, authority):
    context = ssl.create_default_context()
    authority.configure_trust(context)
    with (
        socket.create_connection((tls_server.host, tls_server.port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        names = dict(tls.getpeercert()["subjectAltName"])
    assert names["IP Address"] == "127.0.0.1"
    untrusting = ssl.create_default_context()  # the system's authorities only
    with (
        socket.create_connection((tls_server.host, tls_server.port), timeout=10) as raw,
        pytest.raises(ssl.SSLCertVerificationError),
    ):
        untrusting.wrap_socket(raw, server_hostname="127.0.0.1")
