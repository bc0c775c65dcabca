"""The desk's receipt by e-mail, through a real SMTP server (aiosmtpd): to the patron, or to
the guardians of a patron without an address, in the patron's language."""

from __future__ import annotations

import time
from email.message import Message as Email

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from tests.interfaces.cli.test_octavo_command import _free_port
from tests.interfaces.staff.test_desk_screens import scan

from octavo.patrons.models import Patron
from octavo.shared.actor import Role

pytestmark = pytest.mark.django_db


class Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.received: list[Email] = []

    def handle_message(self, message: Email) -> None:
        self.received.append(message)


@pytest.fixture
def inbox(settings):
    """A real SMTP server on a free port, and Octavo's mail pointed at it."""
    box = Inbox()
    server = Controller(box, hostname="127.0.0.1", port=_free_port())
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "library@example.org"
    yield box
    server.stop()


def _wait_for(inbox: Inbox, count: int) -> list[Email]:
    deadline = time.monotonic() + 10
    while len(inbox.received) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return inbox.received


def test_the_receipt_goes_to_the_patron(client_as, desk_day, inbox) -> None:
    client = client_as(Role.TECHNICIAN)
    scan(client, "P100")
    scan(client, "B1")
    response = client.post("/staff/desk/receipt/email/", follow=True)
    assert "Receipt sent to ana.family@example.org." in response.content.decode()
    (message,) = _wait_for(inbox, 1)
    assert message["To"] == "ana.family@example.org"
    assert message["From"] == "library@example.org"
    body = message.get_payload(decode=True).decode()
    assert "Hello Ana," in body
    assert "Frog and Toad (B1): due Sept. 15, 2026, 3:30 p.m." in body


def test_without_an_address_it_goes_to_the_guardians_in_the_patrons_language(
    client_as, desk_day, inbox
) -> None:
    Patron.objects.filter(barcode="P100").update(email="", language="es")
    desk_day["ana"].guardians.update(email="rosa.reyes@example.org")
    client = client_as(Role.TECHNICIAN)
    scan(client, "P100")
    scan(client, "B1")
    client.post("/staff/desk/receipt/email/")
    (message,) = _wait_for(inbox, 1)
    assert message["To"] == "rosa.reyes@example.org"
    body = message.get_payload(decode=True).decode()
    assert "Hola Ana," in body


def test_no_address_anywhere_says_so_and_sends_nothing(client_as, desk_day, inbox) -> None:
    Patron.objects.filter(barcode="P100").update(email="")
    client = client_as(Role.TECHNICIAN)
    scan(client, "P100")
    scan(client, "B1")
    response = client.post("/staff/desk/receipt/email/", follow=True)
    assert "No e-mail address for Ana Reyes or their guardians" in response.content.decode()
    assert inbox.received == []
