"""The SIP2 codec against messages as kiosks send them (issue #5, "Engineering": a pure codec).
The examples are the request layouts of the SIP2 2.00 specification; 97AZFEF5 is the
specification's resend request with its checksum, as other implementations test it too."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from octavo.interfaces.sip2.codec import (
    SipChecksumError,
    SipError,
    checksum,
    parse,
    parse_date,
    render,
    sip_date,
)

PACIFIC = ZoneInfo("America/Los_Angeles")
CHECKOUT = (
    b"11YY19700101    01000019700101    010000AApatronIdentifier|ABitemIdentifier|"
    b"ACterminalPassword|ADpatronPassword|AOinstitutionId|BIY|BOY|CHitemProperties|"
)


def test_the_checksum_of_the_resend_request_is_the_specifications() -> None:
    assert checksum("97AZ") == "FEF5"
    assert parse(b"97AZFEF5\r").code == "97"


def test_a_checkout_request_is_read_field_by_field() -> None:
    message = parse(CHECKOUT + b"\r")
    assert (message.code, message.name) == ("11", "checkout")
    assert message.fixed == {
        "sc_renewal_policy": "Y",
        "no_block": "Y",
        "transaction_date": "19700101    010000",
        "nb_due_date": "19700101    010000",
    }
    assert message.field("AA") == "patronIdentifier"
    assert message.field("AB") == "itemIdentifier"
    assert message.field("AD") == "patronPassword"
    assert message.field("AF") is None
    assert message.sequence is None


def test_a_blank_due_date_in_a_checkout_is_accepted() -> None:
    message = parse(b"11NN19700101    010000                  AApatron|ABitem|AC|AO|")
    assert message.fixed["nb_due_date"] == " " * 18
    assert parse_date(message.fixed["nb_due_date"], PACIFIC) is None
    assert message.field("AC") == ""


def test_error_detection_is_checked_and_the_sequence_kept() -> None:
    body = "9300CNkiosk1|COsecret|CPNES|AY4AZ"
    message = parse((body + checksum(body) + "\r").encode())
    assert message.code == "93" and message.sequence == "4"
    assert message.field("CN") == "kiosk1"
    assert message.fixed == {"uid_algorithm": "0", "pwd_algorithm": "0"}


def test_a_wrong_checksum_is_refused() -> None:
    body = "9300CNkiosk1|COsecret|AY4AZ"
    wrong = f"{(int(checksum(body), 16) + 1) & 0xFFFF:04X}"
    with pytest.raises(SipChecksumError):
        parse((body + wrong).encode())


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"11YY1970", r"message 11 \(checkout\): transaction_date is missing"),
        (b"XX", "unknown message type 'XX'"),
        (b"", "unknown message type ''"),
        (b"9900\xff\xfe", "not utf-8 text"),
        (b"9900802.00a|", "is not a field identifier"),
        (b"99" + b"0" * 20_000, "longer than 10,000 characters"),
        (b"1719700101    010000ABitem\x00|", "a NUL character"),
        (b"65AONES|AAP1001|AD4321|", r"65 \(renew_all\): transaction_date is not a date"),
    ],
)
def test_what_cannot_be_read_is_named(raw: bytes, words: str) -> None:
    with pytest.raises(SipError, match=words):
        parse(raw)


def test_a_response_carries_its_checksum_and_reads_back() -> None:
    sent = render("94", ["1"], [("AF", "Welcome"), ("AG", None)], sequence="4")
    assert sent.endswith(b"\r")
    text = sent.decode().rstrip("\r")
    assert text.startswith("941AFWelcome|AY4AZ")
    assert "AG" not in text  # absent, not blank
    assert checksum(text[:-4]) == text[-4:]


def test_a_value_cannot_break_the_message() -> None:
    sent = render("94", ["1"], [("AF", "a|b\rc")]).decode()
    assert "AFa/b c|" in sent


def test_dates_in_the_18_character_form() -> None:
    moment = datetime(2026, 9, 1, 15, 30, 5, tzinfo=UTC)
    text = sip_date(moment, PACIFIC)
    assert text == "20260901    083005"
    assert parse_date(text, PACIFIC) == moment
    assert parse_date("20260901   Z153005", PACIFIC) == moment
    with pytest.raises(SipError, match="YYYYMMDDZZZZHHMMSS"):
        parse_date("2026-09-01 15:30:0", PACIFIC)


def test_a_checksum_sent_without_its_leading_zeros_is_still_checked() -> None:
    """Some clients format the sum without padding (0x0FDF as "FDF"): the same number."""

    def body_of(size: int) -> str:
        return "17" + "19700101    010000" + "AOinst|AB" + "x" * size + "|AY3AZ"

    size = next(n for n in range(2_000) if checksum(body_of(n)).startswith("0"))
    body = body_of(size)
    full = checksum(body)
    short = full.lstrip("0")
    message = parse((body + short + "\r").encode())
    assert message.sequence == "3"
    wrong = f"{(int(full, 16) + 1) & 0xFFFF:X}"
    with pytest.raises(SipChecksumError):
        parse((body + wrong + "\r").encode())
