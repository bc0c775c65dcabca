"""A week of nightly runs (issue #7, "Done when"): run-jobs as of each day over a seeded school,
with the desk's own services acting between the nights, sends exactly the notices the policy
and the notice schedule imply, once each, in each patron's language, by e-mail through a real
SMTP server (aiosmtpd) or onto the printable stack. Also: the mail server down (retried next
run, reported, nothing marked sent), an address refused, a second run the same day.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from email.header import decode_header, make_header
from email.message import Message as Email

import pytest
from tests.integration.notices.world import lend, local, night
from tests.interfaces.cli.test_octavo_command import _free_port
from tests.interfaces.staff.test_desk_receipt_email import Inbox

from octavo.circulation.models import Loan
from octavo.circulation.services import check_in
from octavo.fines.selectors import balance
from octavo.fines.services import charge
from octavo.fines.states import ChargeType
from octavo.holdings.models import Item
from octavo.holds.services import place_hold
from octavo.notices.models import Notice
from octavo.notices.services import print_stack
from octavo.patrons.models import Patron

pytestmark = pytest.mark.django_db


def notices() -> list[tuple[str, str, str, str, str]]:
    """(day, kind, patron, channel, language) of every notice in the log, in order."""
    return sorted(
        (n.day.isoformat(), n.kind, n.patron.first_name, n.channel, n.language)
        for n in Notice.objects.select_related("patron")
    )


def subject(message: Email) -> str:
    return str(make_header(decode_header(message["Subject"])))


def mail(inbox: Inbox) -> list[tuple[str, str]]:
    return [(m["To"], subject(m)) for m in inbox.received]


def text_part(message: Email) -> str:
    plain = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return plain.get_payload(decode=True).decode()


def test_a_week_of_nights_sends_each_notice_the_policy_implies_once(school, inbox) -> None:
    tue, wed, thu, fri, sat, sun, mon = (date(2026, 9, d) for d in range(8, 15))
    lend(school, "P1", "B1", local(date(2026, 9, 1), 8))  # due Tue 8 Sept, 15:30
    lend(school, "P3", "B3", local(date(2026, 9, 1), 8, 5))  # due Tue 8 Sept
    lend(school, "P2", "B2", local(date(2026, 9, 3), 8))  # due Thu 10 Sept
    charge(
        actor=None,
        patron=school["ana"],
        charge_type=ChargeType.MANUAL,
        amount=Decimal("2.00"),
        site=school["ana"].home_site,
        at=local(date(2026, 9, 1), 9),
        note="lost bookmark",
    )
    place_hold(
        actor=school["tech"],
        patron_id=school["dee"].pk,
        record_id=school["owl"].pk,
        pickup_site_code="NES",
        at=local(date(2026, 9, 2), 9),
    )

    # Tuesday: courtesy notices for what falls due by Thursday; Dee's card runs out this month.
    outcome = {o.job: o for o in night(tue)}
    assert "queued 4" in outcome["notices"].summary
    assert "e-mails sent 3" in outcome["notices"].summary
    assert sorted(mail(inbox)) == [
        ("ana@example.org", "Due soon at North Elementary library"),
        ("dee@example.org", "Your library card expires on September 20, 2026"),
        ("rosa@example.org", "Pronto vence su préstamo en la biblioteca de North Elementary"),
    ]
    beto_mail = next(m for m in inbox.received if m["To"] == "rosa@example.org")
    assert "Hola, Beto:" in text_part(beto_mail)
    assert "vence el 10 de septiembre de 2026" in text_part(beto_mail)
    assert any(p.get_content_type() == "text/html" for p in beto_mail.walk())

    # The same night again: nothing.
    again = night(tue)
    assert all(o.done_before for o in again)
    assert "nothing to do, done at" in again[0].line()
    assert len(inbox.received) == 3

    # Wednesday: first overdue notices (Ana by e-mail, Cy to print), Ana's fines notice (a
    # 2.00 charge a week old). Cy brings his book back a day late; it is trapped for Dee.
    night(wed)
    check_in(actor=school["tech"], item_barcode="B3", at=local(wed, 10))
    # Thursday: Dee's hold is ready. Beto returns on time.
    night(thu)
    check_in(actor=school["tech"], item_barcode="B2", at=local(thu, 10))
    # Friday: Ana's second notice; the mail server is down.
    inbox_port = _mail_port_down()
    down = {o.job: o for o in night(fri)}
    assert "to retry 1" in down["notices"].summary
    assert "ConnectionRefusedError" in down["notices"].summary
    failed = Notice.objects.get(kind="overdue_2")
    assert (failed.status, failed.attempts, failed.sent_at) == ("queued", 1, None)
    assert "ConnectionRefusedError" in failed.last_error
    _mail_port_back(inbox_port)
    # Saturday: the server is back: Friday's notice goes out, once.
    sat_run = {o.job: o for o in night(sat)}
    assert "e-mails sent 1" in sat_run["notices"].summary
    # Sunday: Ana's final notice; Dee's hold is on the shelf until Monday.
    night(sun)
    # Monday: Ana's book is billed as lost (15.00 + 5.00), and she is told.
    monday = {o.job: o for o in night(mon)}
    assert "billed 1 loan(s) as lost, charged 20.00" in monday["lost"].summary
    assert Loan.objects.get(item__barcode="B1").status == "lost"
    assert balance(school["ana"].pk) == Decimal("22.00")

    assert notices() == [
        ("2026-09-08", "card_expiring", "Dee", "email", "en"),
        ("2026-09-08", "courtesy", "Ana", "email", "en"),
        ("2026-09-08", "courtesy", "Beto", "email", "es"),
        ("2026-09-08", "courtesy", "Cy", "print", "en"),
        ("2026-09-09", "fines", "Ana", "email", "en"),
        ("2026-09-09", "overdue_1", "Ana", "email", "en"),
        ("2026-09-09", "overdue_1", "Cy", "print", "en"),
        ("2026-09-10", "hold_ready", "Dee", "email", "en"),
        ("2026-09-11", "overdue_2", "Ana", "email", "en"),
        ("2026-09-13", "hold_expiring", "Dee", "email", "en"),
        ("2026-09-13", "overdue_final", "Ana", "email", "en"),
        ("2026-09-14", "billed", "Ana", "email", "en"),
    ]
    assert set(Notice.objects.filter(channel="email").values_list("status", flat=True)) == {"sent"}
    sent = mail(inbox)
    assert len(sent) == 10 and len(set(sent)) == 10  # each e-mail once
    by_subject = {subject(message): message for message in inbox.received}
    billed = text_part(by_subject["Billed as lost: North Elementary library"])
    assert "Frog and Toad (B1): $20.00" in billed
    ready = text_part(by_subject["Your hold is ready at North Elementary library"])
    assert "Owl at Home: pick it up by September 14, 2026" in ready
    assert "Library account: $2.00 owed" in by_subject
    final = text_part(by_subject["Final notice: overdue at North Elementary library"])
    assert "was due September 8, 2026, 5 days ago" in final


def _mail_port_down() -> int:
    from django.conf import settings

    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = _free_port()  # nothing listens there
    return int(port)


def _mail_port_back(port: int) -> None:
    from django.conf import settings

    settings.EMAIL_PORT = port


def test_the_printable_stack_holds_patrons_without_an_address_by_homeroom(school, inbox) -> None:
    lend(school, "P3", "B3", local(date(2026, 9, 1), 8))
    night(date(2026, 9, 8))
    night(date(2026, 9, 9))
    stack = Notice.objects.filter(channel="print")
    assert [(n.kind, n.patron.first_name) for n in stack.order_by("day")] == [
        ("courtesy", "Cy"),
        ("overdue_1", "Cy"),
    ]
    assert [m["To"] for m in inbox.received] == ["dee@example.org"]  # her card, by e-mail
    pdf = print_stack(
        actor=school["tech"],
        site_code="NES",
        day=date(2026, 9, 9),
        homeroom="Mr. Park",
        at=local(date(2026, 9, 9), 8),
        currency="USD",
    )
    assert pdf.startswith(b"%PDF")
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") >= 2  # divider + notice
    printed = Notice.objects.get(kind="overdue_1")
    assert (printed.status, printed.printed_at is not None) == ("printed", True)
    assert Notice.objects.get(kind="courtesy").status == "queued"  # Tuesday's stack: not yet


def test_an_email_never_taken_fails_after_three_nights_and_joins_the_stack(school, inbox) -> None:
    lend(school, "P1", "B1", local(date(2026, 9, 1), 8))
    port = _mail_port_down()
    for day in (8, 9, 10):
        night(date(2026, 9, day), only=["notices"])
    _mail_port_back(port)
    courtesy = Notice.objects.get(kind="courtesy")
    assert (courtesy.status, courtesy.attempts, courtesy.sent_at) == ("failed", 3, None)
    assert courtesy.day == date(2026, 9, 10)  # on the stack of the night it failed
    assert "ConnectionRefusedError" in courtesy.last_error
    overdue = Notice.objects.get(kind="overdue_1")  # queued on the 9th, tried twice so far
    assert (overdue.status, overdue.attempts) == ("queued", 2)
    night(date(2026, 9, 11), only=["notices"])
    assert sorted(subject(m) for m in inbox.received if m["To"] == "ana@example.org") == [
        "Overdue at North Elementary library",  # its third try
        "Second notice: overdue at North Elementary library",  # due today
    ]
    assert Notice.objects.get(kind="courtesy").status == "failed"  # never sent after failing


class Bouncing(Inbox):
    """Refuses one mailbox, as a server does for an address that does not exist."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("gone@"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_refused_address_fails_at_once_and_is_printed(school, settings) -> None:
    from aiosmtpd.controller import Controller

    box = Bouncing()
    server = Controller(box, hostname="127.0.0.1", port=_free_port())
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    try:
        Patron.objects.filter(pk=school["ana"].pk).update(email="gone@example.org")
        lend(school, "P1", "B1", local(date(2026, 9, 1), 8))
        outcome = {o.job: o for o in night(date(2026, 9, 8), only=["notices"])}
    finally:
        server.stop()
    assert "failed 1" in outcome["notices"].summary
    courtesy = Notice.objects.get(kind="courtesy")
    assert (courtesy.status, courtesy.attempts) == ("failed", 1)
    assert "gone@example.org: 550" in courtesy.last_error
    assert [m["To"] for m in box.received] == ["dee@example.org"]  # her card notice only


def test_a_catch_up_run_sends_only_the_highest_overdue_notice_reached(school, inbox) -> None:
    lend(school, "P1", "B1", local(date(2026, 9, 1), 8))  # due 8 Sept
    Item.objects.filter(barcode="B1").update(price=None)
    night(date(2026, 9, 12), only=["notices"])  # 4 days overdue: the second notice, not the first
    assert [n for n in notices() if n[2] == "Ana"] == [
        ("2026-09-12", "overdue_2", "Ana", "email", "en")
    ]
