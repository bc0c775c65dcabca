"""Parents and guardians in the OPAC: a link by e-mail (through a real SMTP server) to set a
password, then each child's loans, holds and fines, and nobody else's."""

from __future__ import annotations

import re

import pytest
from tests.interfaces.opac.conftest import PARENT_PASSWORD as PASSWORD
from tests.interfaces.opac.conftest import ROSA
from tests.interfaces.opac.test_opac_pages import text_of
from tests.interfaces.staff.test_desk_receipt_email import _wait_for, inbox  # noqa: F401

from octavo.circulation.models import Loan
from octavo.holds.models import Hold
from octavo.patrons.models import ParentAccount, Patron

pytestmark = pytest.mark.django_db


def _link_from(message) -> str:
    body = message.get_payload(decode=True).decode()
    (link,) = re.findall(r"https?://\S+", body)
    return link.split("testserver", 1)[1]


def _set_up_rosa(client, inbox) -> None:  # noqa: F811
    client.post("/account/parent/link", {"email": "Rosa.Reyes@Example.org"})
    (message,) = _wait_for(inbox, 1)
    path = _link_from(message)
    response = client.post(path, {"password": PASSWORD, "again": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/account"


def test_a_parent_sets_a_password_from_the_link_and_sees_both_children(
    client,
    family,
    inbox,  # noqa: F811
):
    response = client.post("/account/parent/link", {"email": "Rosa.Reyes@Example.org"})
    assert "Check your e-mail" in text_of(response)
    (message,) = _wait_for(inbox, 1)
    assert message["To"] == ROSA
    path = _link_from(message)
    assert "Set your password" in text_of(client.get(path))
    client.post(path, {"password": PASSWORD, "again": PASSWORD})
    words = text_of(client.get("/account"))
    assert "Ana Reyes" in words and "Mia Reyes" in words
    assert "Frog and Toad Are Friends" in words  # Ana's loan and Mia's hold
    assert "3.50" in words  # Ana's charge
    assert "Lee" not in words and "Sam" not in words and "Owl at Home" not in words


def test_an_address_not_on_file_gets_the_same_answer_and_no_mail(client, family, inbox):  # noqa: F811
    response = client.post("/account/parent/link", {"email": "stranger@example.org"})
    assert "Check your e-mail" in text_of(response)
    # send_mail returns once the SMTP server has taken the message: nothing to wait for.
    assert inbox.received == []
    assert not ParentAccount.objects.filter(email="stranger@example.org").exists()


def test_a_used_link_no_longer_works(client, family, inbox):  # noqa: F811
    client.post("/account/parent/link", {"email": ROSA})
    (message,) = _wait_for(inbox, 1)
    path = _link_from(message)
    client.post(path, {"password": PASSWORD, "again": PASSWORD})
    client.post("/account/logout")
    again = client.get(path)
    assert again.status_code == 404
    assert "This link no longer works" in text_of(again)


def test_a_weak_password_is_refused_with_the_reason(client, family, inbox):  # noqa: F811
    client.post("/account/parent/link", {"email": ROSA})
    (message,) = _wait_for(inbox, 1)
    response = client.post(_link_from(message), {"password": "12345678", "again": "12345678"})
    assert response.status_code == 200
    assert "too short" in text_of(response)
    assert ParentAccount.objects.get(email=ROSA).password_hash == ""


def test_a_parent_logs_in_with_email_and_password(client, family, inbox):  # noqa: F811
    _set_up_rosa(client, inbox)
    client.post("/account/logout")
    response = client.post("/account/parent/login", {"email": ROSA, "password": PASSWORD})
    assert response["Location"] == "/account"
    assert "Mia Reyes" in text_of(client.get("/account"))


def test_wrong_passwords_lock_the_parent_login_like_a_pin(client, family, inbox):  # noqa: F811
    _set_up_rosa(client, inbox)
    client.post("/account/logout")
    for _ in range(5):
        client.post("/account/parent/login", {"email": ROSA, "password": "not it at all"})
    locked = client.post("/account/parent/login", {"email": ROSA, "password": PASSWORD})
    assert "Too many wrong passwords" in text_of(locked)
    assert client.get("/account").status_code == 302


def test_a_parent_cannot_renew_or_cancel_for_a_child(client, family, inbox):  # noqa: F811
    _set_up_rosa(client, inbox)
    client.post("/account/renew", {"item": "F1"})
    assert Loan.objects.get(item__barcode="F1", status="open").renewals == 0
    client.post(f"/account/holds/{family['mias_hold'].pk}/cancel")
    assert Hold.objects.get(pk=family["mias_hold"].pk).status == "waiting"
    page = client.get("/account").content.decode()
    assert 'name="item"' not in page  # no renew buttons are offered


def test_a_parent_chooses_a_young_childs_reading_history(client, family, inbox):  # noqa: F811
    _set_up_rosa(client, inbox)
    ana = family["ana"]
    client.post(f"/account/children/{ana.pk}/history", {"keep": "on"})
    assert Patron.objects.get(pk=ana.pk).keeps_reading_history
    client.post(f"/account/children/{ana.pk}/history", {})
    assert not Patron.objects.get(pk=ana.pk).keeps_reading_history


def test_a_parent_cannot_reach_another_childs_history(client, family, inbox):  # noqa: F811
    _set_up_rosa(client, inbox)
    lee = family["lee"]
    response = client.post(f"/account/children/{lee.pk}/history", {"keep": "on"}, follow=True)
    assert "We could not find that." in text_of(response)
    assert not Patron.objects.get(pk=lee.pk).keeps_reading_history


def test_a_child_moved_to_another_family_disappears_at_once(client, family, inbox):  # noqa: F811
    _set_up_rosa(client, inbox)
    family["mia"].guardians.all().delete()
    words = text_of(client.get("/account"))
    assert "Ana Reyes" in words and "Mia Reyes" not in words
