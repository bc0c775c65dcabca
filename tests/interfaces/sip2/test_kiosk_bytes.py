"""SIP2 exchanges over a real TCP socket, byte for byte: what a self-check kiosk, a book drop
and a security gate send, and what Octavo answers (issue #5)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.hashers import make_password
from django.db.models import F

from octavo.circulation.models import CirculationEvent, Loan
from octavo.district.models import Site
from octavo.fines.models import LedgerEntry
from octavo.fines.services import charge
from octavo.fines.states import ChargeType
from octavo.holdings.models import Item
from octavo.holds.models import Hold
from octavo.interfaces.sip2.accounts import add_account
from octavo.interfaces.sip2.codec import checksum
from octavo.patrons.models import Patron
from octavo.patrons.services import PinOutcome, verify_pin
from octavo.shared.clock import now

from .conftest import KIOSK_PASSWORD, PIN, Kiosk

pytestmark = pytest.mark.usefixtures("sip2_world")

ANA, BEN, CARLA = "P1001", "P1002", "P1003"
FROG1, FROG2, FROG3, OWL_NES, OWL_SES = (
    "T2001",
    "T2002",
    "T2003",
    "T2004",
    "T3001",
)
DATE = "20261201    093000"  # any well-formed transaction date
BLANK_DATE = " " * 18


def sealed(text: str, sequence: int | None = None, encoding: str = "utf-8") -> bytes:
    """A request with error detection (AY, AZ) as a kiosk sends it."""
    if sequence is not None:
        text += f"AY{sequence}"
    text += "AZ"
    return (text + checksum(text, encoding=encoding) + "\r").encode(encoding)


# The length of each answer's fixed part (SIP2 2.00), read here independently of the codec.
FIXED = {"94": 1, "96": 0, "98": 34, "24": 35, "64": 59, "12": 22, "30": 22, "10": 22, "66": 27,
         "18": 24, "20": 19, "36": 19, "38": 19, "16": 20}  # fmt: skip


def fields(answer: bytes, encoding: str = "utf-8") -> dict[str, list[str]]:
    """The variable fields of an answer, its checksum checked first."""
    text = answer.decode(encoding)
    assert text.endswith("\r")
    text = text[:-1]
    body, found = text[:-4], text[-4:]
    assert body.endswith("AZ")
    assert checksum(body, encoding=encoding) == found, f"bad checksum on {text!r}"
    variable = text[2 + FIXED[text[:2]] :]
    out: dict[str, list[str]] = {}
    for piece in variable.split("|"):
        if piece.startswith(("AY", "AZ")) or not piece:
            continue
        out.setdefault(piece[:2], []).append(piece[2:])
    return out


def account(actor, name: str, **options) -> None:
    """Another kiosk account at North Elementary, with the test password."""
    add_account(
        actor=actor, name=name, password=KIOSK_PASSWORD, site_code="NES", at=now(), **options
    )


def log_in(kiosk: Kiosk, name: str = "kiosk1", password: str = KIOSK_PASSWORD) -> None:
    assert kiosk.ask(sealed(f"9300CN{name}|CO{password}|CPNES|", 0)).startswith(b"941")


def checkout(
    kiosk: Kiosk, patron: str, item: str, seq: int, pin: str = PIN, flags: str = "NN"
) -> bytes:
    return kiosk.ask(
        sealed(f"11{flags}{DATE}{BLANK_DATE}AONES|AA{patron}|AB{item}|AC|AD{pin}|BON|BIN|", seq)
    )


# --- logging in -------------------------------------------------------------------------------


def test_a_kiosk_logs_in_and_is_told_what_the_server_supports(kiosk):
    assert kiosk.ask(sealed("9900302.00", 1)).startswith(b"98")  # status before login is allowed
    log_in(kiosk)
    answer = kiosk.ask(sealed("9900302.00", 2))
    assert answer.startswith(b"98YYYYY")  # on line; check in, check out, renew, status update
    got = fields(answer)
    assert got["AO"] == ["NES"]
    assert got["AM"] == ["North Elementary"]
    assert got["BX"] == ["YYYYYYYYYYYYNYYY"]  # every message but patron enable
    assert b"AY2AZ" in answer  # the request's sequence number comes back


def test_nothing_but_login_and_status_before_logging_in(kiosk):
    answer = kiosk.ask(sealed(f"63000{DATE}Y         AONES|AA{ANA}|AD{PIN}|", 1))
    assert answer.startswith(b"64")
    got = fields(answer)
    assert got["AE"] == [""]  # no name, no items
    assert "AU" not in got and "AS" not in got
    assert got["AF"]


def test_a_client_that_never_logs_in_is_closed_after_ten_requests(kiosk):
    for sequence in range(10):
        answer = kiosk.ask(sealed(f"17{DATE}AONES|AB{FROG1}|", sequence))
        assert answer.startswith(b"18") and "AJ" in fields(answer)
        assert fields(answer)["AJ"] == [""]  # no title for a stranger
    assert kiosk.closed()


def test_three_wrong_passwords_close_the_connection(kiosk):
    assert kiosk.ask(sealed("9300CNkiosk1|COwrong-one|", 1)).startswith(b"940")
    assert kiosk.ask(sealed("9300CNkiosk1|COwrong-two|", 2)).startswith(b"940")
    assert kiosk.ask(sealed("9300CNnobody|COwrong-three|", 3)).startswith(b"940")
    assert kiosk.closed()


def test_a_login_from_an_address_not_allowed_fails(kiosk, cli_actor):
    account(cli_actor, "far", allow="10.20.0.0/16")
    assert kiosk.ask(sealed(f"9300CNfar|CO{KIOSK_PASSWORD}|", 1)).startswith(b"940")
    log_in(kiosk)  # the same connection may still log in as an account it is allowed


def test_the_password_is_never_written_to_the_log(kiosk, caplog):
    kiosk.ask(sealed("9300CNkiosk1|COsuper-secret-9|", 1))
    assert "login failed" in caplog.text
    assert "super-secret-9" not in caplog.text


# --- a patron at the kiosk ---------------------------------------------------------------------


def test_a_student_checks_out_sees_her_loans_and_returns_them(kiosk):
    log_in(kiosk)
    info = kiosk.ask(sealed(f"63000{DATE}          AONES|AA{ANA}|AD{PIN}|", 1))
    assert info.startswith(b"64" + b" " * 14 + b"001")  # no blocks; English
    got = fields(info)
    assert got["AE"] == ["Ana Reyes"] and got["BL"] == ["Y"] and got["CQ"] == ["Y"]

    answer = checkout(kiosk, ANA, FROG1, 2)
    assert answer.startswith(b"121NNY")  # ok, not a renewal, no magnetic media, desensitize
    got = fields(answer)
    assert got["AB"] == [FROG1] and got["AJ"] == ["Frog and Toad"]
    assert re.fullmatch(r"\d{8} {4}\d{6}", got["AH"][0])  # the spec's 18-character date
    assert got["AF"][0].startswith("Checked out. Due ")
    loan = Loan.objects.get(item__barcode=FROG1, status="open")
    assert loan.patron.barcode == ANA

    checkout(kiosk, ANA, FROG2, 3)
    charged = kiosk.ask(sealed(f"63000{DATE}  Y       AONES|AA{ANA}|AD{PIN}|BP1|BQ5|", 4))
    assert charged[2 + 14 + 3 + 18 + 8 : 2 + 14 + 3 + 18 + 12] == b"0002"  # charged items count
    assert sorted(fields(charged)["AU"]) == [FROG1, FROG2]

    back = kiosk.ask(sealed(f"09N{DATE}{BLANK_DATE}APNES|AONES|AB{FROG1}|AC|", 5))
    assert back.startswith(b"101YNN")  # ok, resensitize, no magnetic media, no alert
    got = fields(back)
    assert got["AQ"] == ["NES"] and got["CS"] == ["E LOB"]
    assert "CV" not in got  # back on the shelf here: nothing for the sorter
    assert Item.objects.get(barcode=FROG1).status == "available"
    assert kiosk.ask(sealed(f"35{DATE}AONES|AA{ANA}|", 6)).startswith(b"36Y")


def test_a_blank_due_date_and_no_error_detection_are_accepted(kiosk):
    log_in(kiosk)
    plain = f"11NN{DATE}{BLANK_DATE}AONES|AA{ANA}|AB{FROG1}|AC|AD{PIN}|\r".encode()
    answer = kiosk.ask(plain)
    assert answer.startswith(b"121")
    assert b"AY" not in answer and b"AZ" in answer  # a checksum always, a sequence only if sent


def test_a_wrong_checksum_gets_a_96_and_changes_nothing(kiosk):
    log_in(kiosk)
    good = sealed(f"11NN{DATE}{BLANK_DATE}AONES|AA{ANA}|AB{FROG1}|AC|AD{PIN}|", 1)
    broken = good[:-5] + (b"0000" if good[-5:-1] != b"0000" else b"1111") + b"\r"
    assert kiosk.ask(broken).startswith(b"96")
    assert Item.objects.get(barcode=FROG1).status == "available"
    assert not Loan.objects.exists()


def test_a_resent_checkout_gets_the_same_answer_and_lends_once(kiosk, sip2_server):
    log_in(kiosk)
    request = sealed(f"11NN{DATE}{BLANK_DATE}AONES|AA{ANA}|AB{FROG1}|AC|AD{PIN}|", 7)
    first = kiosk.ask(request)
    kiosk.close()  # the answer was "lost": the kiosk reconnects and sends it again
    again = Kiosk(sip2_server)
    log_in(again)
    second = again.ask(request)
    again.close()
    assert first == second and first.startswith(b"121")
    assert Loan.objects.filter(item__barcode=FROG1).count() == 1
    assert CirculationEvent.objects.filter(kind="check_out").count() == 1


def test_a_resent_checkin_has_no_second_effect(kiosk):
    log_in(kiosk)
    checkout(kiosk, ANA, FROG1, 1)
    request = sealed(f"09N{DATE}{BLANK_DATE}APNES|AONES|AB{FROG1}|", 2)
    assert kiosk.ask(request) == kiosk.ask(request)
    assert CirculationEvent.objects.filter(kind="check_in").count() == 1


def test_97_asks_for_the_last_answer_again(kiosk):
    log_in(kiosk)
    answer = checkout(kiosk, ANA, FROG1, 1)
    assert kiosk.ask(sealed("97")) == answer
    assert Loan.objects.count() == 1


def test_a_wrong_pin_is_refused_and_counts_with_the_desk_and_opac(kiosk):
    log_in(kiosk)
    for attempt in range(5):
        answer = checkout(kiosk, ANA, FROG1, attempt % 10, pin="0000")
        assert answer.startswith(b"120")
    assert fields(answer)["AF"] == ["Wrong PIN. Please try again."]  # the fifth, still counted
    answer = checkout(kiosk, ANA, FROG1, 6)  # the right PIN, too late: locked for everyone
    assert answer.startswith(b"120") and "Too many" in fields(answer)["AF"][0]
    patron = Patron.objects.get(barcode=ANA)
    assert verify_pin(patron=patron, pin=PIN, at=now()).outcome is PinOutcome.LOCKED
    assert not Loan.objects.exists()


def test_a_missing_pin_is_refused_unless_the_account_allows_it(kiosk):
    log_in(kiosk)
    answer = kiosk.ask(sealed(f"11NN{DATE}{BLANK_DATE}AONES|AA{ANA}|AB{FROG1}|AC|", 1))
    assert answer.startswith(b"120") and fields(answer)["AF"] == ["Please enter your PIN."]
    answer = kiosk.ask(sealed(f"11NN{DATE}{BLANK_DATE}AONES|AA{ANA}|AB{FROG1}|AC|AD|", 2))
    assert answer.startswith(b"120")
    assert not Loan.objects.exists()


def test_the_pin_is_never_written_to_the_log(kiosk, caplog):
    log_in(kiosk)
    kiosk.ask(sealed(f"11NN{DATE}{BLANK_DATE}AONES|AA{ANA}|AB{FROG1}|AC|AD98765|", 1)[:-3] + b"\r")
    assert "refused" in caplog.text
    assert "98765" not in caplog.text


def test_a_refusal_says_why_in_the_kiosks_language(kiosk, cli_actor):
    from octavo.patrons.services import block_patron

    block_patron(
        actor=cli_actor, patron_id=Patron.objects.get(barcode=BEN).pk, note="card misuse", at=now()
    )
    log_in(kiosk)
    answer = checkout(kiosk, BEN, FROG1, 1)
    assert answer.startswith(b"120")
    assert fields(answer)["AF"] == ["Your card is blocked. Please see the librarian."]
    status = kiosk.ask(sealed(f"23000{DATE}AONES|AA{BEN}|AD{PIN}|", 2))
    assert status[2:6] == b"YY Y"  # charge, renewal and hold privileges denied


def test_spanish_screens_in_code_page_850(sip2_server):
    es = Kiosk(sip2_server)
    answer = es.ask(sealed(f"9300CNes-kiosk|CO{KIOSK_PASSWORD}|", 1, encoding="cp850"))
    assert answer.startswith(b"941")
    answer = es.ask(sealed(f"63000{DATE}          AONES|AA{CARLA}|AD{PIN}|", 2, encoding="cp850"))
    assert "Carla Núñez" in fields(answer, "cp850")["AE"][0]
    assert "Ú".encode("cp850") in answer or "ú".encode("cp850") in answer
    answer = es.ask(sealed(f"11NN{DATE}{BLANK_DATE}AONES|AA{CARLA}|AB{FROG1}|AD{PIN}|", 3, "cp850"))
    assert fields(answer, "cp850")["AF"][0].startswith("Prestado. Devuélvelo el ")
    es.close()


def test_no_email_or_phone_unless_the_account_allows(kiosk, cli_actor):
    log_in(kiosk)
    answer = kiosk.ask(sealed(f"63000{DATE}          AONES|AA{ANA}|AD{PIN}|", 1))
    assert b"ana@example.org" not in answer and b"555-0100" not in answer
    assert "BE" not in fields(answer) and "BF" not in fields(answer)

    account(cli_actor, "office", personal_data=True)
    log_in(kiosk, "office")
    got = fields(kiosk.ask(sealed(f"63000{DATE}          AONES|AA{ANA}|AD{PIN}|", 2)))
    assert got["BE"] == ["ana@example.org"] and got["BF"] == ["555-0100"]


# --- renewals, holds, fines --------------------------------------------------------------------


def test_renew_and_renew_all(kiosk):
    log_in(kiosk)
    checkout(kiosk, ANA, FROG1, 1)
    checkout(kiosk, ANA, FROG2, 2)
    answer = kiosk.ask(sealed(f"29NN{DATE}{BLANK_DATE}AONES|AA{ANA}|AB{FROG1}|AD{PIN}|", 3))
    assert answer.startswith(b"301Y")  # ok, renewed
    assert Loan.objects.get(item__barcode=FROG1, status="open").renewals == 1
    # Someone else's item is not renewed by this patron.
    answer = kiosk.ask(sealed(f"29NN{DATE}{BLANK_DATE}AONES|AA{BEN}|AB{FROG2}|AD{PIN}|", 4))
    assert answer.startswith(b"300")
    answer = kiosk.ask(sealed(f"65{DATE}AONES|AA{ANA}|AD{PIN}|", 5))
    assert answer.startswith(b"661")
    got = fields(answer)
    assert sorted(got.get("BM", []) + got.get("BN", [])) == [FROG1, FROG2]


def test_checkout_of_an_item_already_yours_renews_when_the_kiosk_asks(kiosk):
    log_in(kiosk)
    checkout(kiosk, ANA, FROG1, 1)
    same = checkout(kiosk, ANA, FROG1, 2)  # renewal policy N: the loan as it stands
    assert same.startswith(b"121N")
    assert Loan.objects.get(item__barcode=FROG1, status="open").renewals == 0
    renewed = checkout(kiosk, ANA, FROG1, 3, flags="YN")
    assert renewed.startswith(b"121Y")
    assert Loan.objects.get(item__barcode=FROG1, status="open").renewals == 1


def test_an_item_checked_out_long_ago_to_the_same_patron_is_already_theirs(kiosk):
    """Not a double scan (the loan is an hour old): the desk's service refuses a second loan,
    and the kiosk says the item is already the patron's, or renews it when asked."""
    log_in(kiosk)
    checkout(kiosk, ANA, FROG1, 1)
    Loan.objects.filter(item__barcode=FROG1).update(
        checked_out_at=F("checked_out_at") - timedelta(hours=1)
    )
    same = checkout(kiosk, ANA, FROG1, 2)
    assert same.startswith(b"121N")
    assert fields(same)["AF"][0].startswith("You already have this item.")
    assert Loan.objects.filter(item__barcode=FROG1).count() == 1
    renewed = checkout(kiosk, ANA, FROG1, 3, flags="YN")
    assert renewed.startswith(b"121Y")
    assert Loan.objects.get(item__barcode=FROG1, status="open").renewals == 1


def test_a_checkout_of_an_unknown_item_or_a_card_says_so(kiosk):
    log_in(kiosk)
    for seq, barcode in enumerate(("T9999", BEN, ""), start=1):
        answer = checkout(kiosk, ANA, barcode, seq)
        assert answer.startswith(b"120")
        assert fields(answer)["AF"] == ["We do not know this item. Please take it to the desk."]
    assert not Loan.objects.filter(patron__barcode=ANA).exists()


def test_an_item_out_to_someone_else_is_refused(kiosk):
    log_in(kiosk)
    checkout(kiosk, ANA, FROG1, 1)
    answer = checkout(kiosk, BEN, FROG1, 2)
    assert answer.startswith(b"120")
    assert "someone else" in fields(answer)["AF"][0]


def test_a_hold_placed_and_cancelled_from_the_kiosk(kiosk, sip2_world):
    log_in(kiosk)
    checkout(kiosk, ANA, OWL_NES, 1)
    answer = kiosk.ask(sealed(f"15+{DATE}BSNES|AONES|AA{BEN}|AD{PIN}|AB{OWL_NES}|", 2))
    assert answer.startswith(b"161")
    got = fields(answer)
    assert got["BR"] == ["1"] and got["BS"] == ["NES"] and got["AJ"] == ["Owl at Home"]
    hold = Hold.objects.get(patron__barcode=BEN)
    assert hold.status == "waiting"
    info = kiosk.ask(sealed(f"63000{DATE}     Y    AONES|AA{BEN}|AD{PIN}|", 3))
    assert fields(info)["CD"] == ["Owl at Home"]  # unavailable hold items
    answer = kiosk.ask(sealed(f"15-{DATE}AONES|AA{BEN}|AD{PIN}|AB{OWL_NES}|", 4))
    assert answer.startswith(b"161")
    hold.refresh_from_db()
    assert hold.status == "cancelled"


def test_a_book_drop_tells_the_sorter_where_each_item_goes(kiosk, sip2_world):
    log_in(kiosk)
    checkout(kiosk, ANA, FROG1, 1)
    # Ben asks for the Frog title; the first copy back is trapped for him here.
    kiosk.ask(sealed(f"15+{DATE}BSNES|AONES|AA{BEN}|AD{PIN}|AB{FROG1}|", 2))
    log_in(kiosk, "dropbox")
    # An item of South Elementary returned here goes home.
    answer = kiosk.ask(sealed(f"09N{DATE}{BLANK_DATE}APNES|AONES|AB{OWL_SES}|", 3))
    got = fields(answer)
    assert answer.startswith(b"101YNY")  # alert: not for this shelf
    assert got["CT"] == ["SES"] and got["CV"] == ["04"]
    # FROG2 is on the shelf here; FROG1 comes back and is trapped for Ben's hold.
    for barcode in (FROG2, FROG3):
        Item.objects.filter(barcode=barcode).update(status="missing")
    answer = kiosk.ask(sealed(f"09N{DATE}{BLANK_DATE}APNES|AONES|AB{FROG1}|", 4))
    got = fields(answer)
    assert answer.startswith(b"101YNY")
    assert got["CV"] == ["01"] and got["CT"] == ["NES"]
    assert "hold shelf" in got["AF"][0]
    assert BEN not in answer.decode() and "Ben" not in answer.decode()  # no patron named


def test_a_fee_paid_twice_with_one_transaction_id_is_applied_once(kiosk, cli_actor):
    patron = Patron.objects.get(barcode=ANA)
    charge(
        actor=cli_actor,
        patron=patron,
        charge_type=ChargeType.MANUAL,
        amount=Decimal("3.50"),
        site=Site.objects.get(code="NES"),
        at=now(),
        note="torn page",
    )
    log_in(kiosk)
    info = kiosk.ask(sealed(f"63000{DATE}   Y      AONES|AA{ANA}|AD{PIN}|", 1))
    got = fields(info)
    assert got["BV"] == ["3.50"] and got["BH"] == ["USD"]
    assert got["AV"] == ["3.50 manual"]
    pay = f"37{DATE}0100USDBV2.00|AONES|AA{ANA}|AD{PIN}|BKTX-991|"
    first = kiosk.ask(sealed(pay, 2))
    second = kiosk.ask(sealed(pay, 3))  # sent again with a new sequence number
    assert first.startswith(b"38Y") and second.startswith(b"38Y")
    assert fields(second)["BK"] == ["TX-991"]
    payments = LedgerEntry.objects.filter(patron=patron, kind="payment")
    assert [str(p.amount) for p in payments] == ["2.00"]
    assert payments[0].reference == "SIP2 kiosk1 TX-991"


def test_a_gate_asks_item_status(kiosk):
    log_in(kiosk, "gate")
    answer = kiosk.ask(sealed(f"17{DATE}AONES|AB{FROG1}|", 1))
    assert answer.startswith(b"1803")  # available
    got = fields(answer)
    assert got["AJ"] == ["Frog and Toad"] and got["AQ"] == ["NES"]
    log_in(kiosk)
    checkout(kiosk, ANA, FROG1, 2)
    log_in(kiosk, "gate")
    answer = kiosk.ask(sealed(f"17{DATE}AONES|AB{FROG1}|", 3))
    assert answer.startswith(b"1804") and "AH" in fields(answer)  # charged, with its due date
    # The gate may not check anything out.
    assert checkout(kiosk, ANA, FROG2, 4).startswith(b"120")
    unknown = kiosk.ask(sealed(f"17{DATE}AONES|AB99999|", 5))
    assert unknown.startswith(b"1801")


def test_item_status_update_keeps_the_properties(kiosk, cli_actor):
    account(cli_actor, "sorter", may="status")
    log_in(kiosk, "sorter")
    answer = kiosk.ask(sealed(f"19{DATE}AONES|AB{FROG1}|AC|CHbin 4|", 1))
    assert answer.startswith(b"201")
    assert Item.objects.get(barcode=FROG1).properties == "bin 4"
    assert fields(kiosk.ask(sealed(f"17{DATE}AONES|AB{FROG1}|", 2)))["CH"] == ["bin 4"]


def test_a_kiosk_allowed_to_block_stops_a_card(kiosk, cli_actor):
    account(cli_actor, "guard", may="block")
    log_in(kiosk)
    answer = kiosk.ask(sealed(f"01N{DATE}AONES|ALcard left in machine|AA{BEN}|AC|", 1))
    assert answer.startswith(b"24")
    assert Patron.objects.get(barcode=BEN).status == "active"  # kiosk1 may not block
    log_in(kiosk, "guard")
    answer = kiosk.ask(sealed(f"01Y{DATE}AONES|ALcard left in machine|AA{BEN}|AC|", 2))
    assert answer.startswith(b"24YY")
    ben = Patron.objects.get(barcode=BEN)
    assert ben.status == "blocked" and "card left in machine" in ben.block_note


def test_an_old_style_pin_hash_still_works_and_is_rehashed(kiosk):
    Patron.objects.filter(barcode=ANA).update(pin_hash=make_password(PIN, hasher="md5"))
    log_in(kiosk)
    assert checkout(kiosk, ANA, FROG1, 1).startswith(b"121")
    assert Patron.objects.get(barcode=ANA).pin_hash.startswith("pbkdf2_sha256_pin$")


def test_an_offline_checkout_sent_with_no_block_is_recorded_past_the_blocks(kiosk, cli_actor):
    """A kiosk that lent a book while the server was down sends it later with no-block Y: an
    account allowed `offline` records it past the card's block (an audited override); one
    that is not gets the usual refusal."""
    from octavo.audit.models import AuditEntry

    Patron.objects.filter(barcode=BEN).update(card_expires=date(2026, 1, 31))
    account(cli_actor, "offline-kiosk", may="checkout,offline")
    log_in(kiosk)
    assert checkout(kiosk, BEN, FROG1, 1, flags="NY").startswith(b"120")  # kiosk1: refused
    log_in(kiosk, "offline-kiosk")
    answer = checkout(kiosk, BEN, FROG1, 2, flags="NY")
    assert answer.startswith(b"121")
    assert Loan.objects.get(item__barcode=FROG1, status="open").patron.barcode == BEN
    override = AuditEntry.objects.get(action="loan.override")
    assert override.actor_username == "sip2:offline-kiosk" and override.source == "sip2"
    assert checkout(kiosk, BEN, FROG2, 3, flags="NN").startswith(b"120")  # online: refused


def test_a_checkin_sent_with_a_card_and_a_wrong_pin_counts_no_pin_failure(kiosk):
    """Some kiosks send the patron's card and PIN with every return; a check-in needs neither,
    so a mistyped PIN there is not held against the card."""
    from octavo.patrons.models import PinFailure

    log_in(kiosk)
    checkout(kiosk, ANA, FROG1, 1)
    answer = kiosk.ask(sealed(f"09N{DATE}{BLANK_DATE}APNES|AONES|AB{FROG1}|AA{ANA}|AD0000|", 2))
    assert answer.startswith(b"101")
    assert not PinFailure.objects.exists()
