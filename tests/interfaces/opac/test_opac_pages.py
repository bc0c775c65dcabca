"""The OPAC's pages through the test client: search, a record, the account, and what a
student may and may not do there. The browser and accessibility checks are in
test_opac_browser.py."""

from __future__ import annotations

import html as htmllib
import re
from urllib.parse import unquote

import pytest
from django.test import Client
from tests.interfaces.opac.conftest import PIN

from octavo.circulation.models import Loan
from octavo.holds.models import Hold
from octavo.holds.selectors import active_holds
from octavo.patrons.models import Patron

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    """The page's visible words, tags dropped and spaces collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"</?(i|em|strong|b|span)\b[^>]*>", "", html)  # inline: no word break
    return htmllib.unescape(" ".join(re.sub(r"<[^>]+>", " ", html).split()))


# --- anonymous search -------------------------------------------------------------------------


def test_search_shows_each_title_with_its_copies_in_per_school(client: Client, opac_world):
    response = client.get("/search", {"q": "frog"})
    assert response.status_code == 200
    words = text_of(response)
    assert "Frog and Toad Are Friends" in words
    # F1 is out, F2 in, at North; F3 in at South.
    assert "1 of 2 available at North Elementary" in words
    assert "1 of 1 available at South Elementary" in words
    assert "Lobel, Arnold" in words and "1970" in words


def test_search_in_the_author_field_finds_all_of_an_authors_books(client, opac_world):
    words = text_of(client.get("/search", {"q": "lobel", "by": "author"}))
    assert "2 titles" in words
    assert "Owl at Home" in words and "Frog and Toad" in words


def test_a_facet_link_narrows_the_results_and_can_be_removed(client, opac_world):
    response = client.get("/search", {"q": "juvenile fiction", "by": "subject"})
    words = text_of(response)
    assert "3 titles" in words
    spanish = re.search(r'href="(\?[^"]*language=spa[^"]*)"', response.content.decode())
    assert spanish, "a Spanish facet link"
    narrowed = client.get("/search" + spanish.group(1).replace("&amp;", "&"))
    words = text_of(narrowed)
    assert "1 title" in words and "Los gatos del barrio" in words
    assert "Owl at Home" not in words
    assert "remove" in words


def test_on_the_shelf_now_leaves_out_titles_with_every_copy_out(client, opac_world):
    words = text_of(client.get("/search", {"q": "lobel", "available": "on"}))
    assert "Frog and Toad" in words
    assert "Owl at Home" not in words  # its one copy is out


@pytest.mark.parametrize(
    "query", ['"unbalanced', "AND OR NOT", "title:", ":::", "((frog", "*", "frog -", "\u0000x"]
)
def test_search_syntax_errors_get_a_results_page(client, opac_world, query):
    response = client.get("/search", {"q": query})
    assert response.status_code == 200
    assert "Search the catalog" in text_of(response)


def test_an_empty_search_asks_for_words(client, opac_world):
    response = client.get("/search", {"q": "   "})
    assert response.status_code == 200
    assert "Type a word or two to search for." in text_of(response)


def test_a_ten_thousand_character_query_is_cut_and_said_so(client, opac_world):
    response = client.get("/search", {"q": "frog " * 2000})
    assert response.status_code == 200
    words = text_of(response)
    assert "only its beginning was used" in words
    assert "Frog and Toad Are Friends" in words


def test_search_works_without_javascript_as_a_plain_get_form(client, opac_world):
    html = client.get("/").content.decode()
    assert re.search(r'<form[^>]*method="get"[^>]*action="/search"', html)
    assert "<script" not in html


def test_too_many_searches_from_one_address_get_a_friendly_wait_page(
    client, opac_world, monkeypatch
):
    from types import SimpleNamespace

    import django_ratelimit.core

    from octavo.interfaces.opac import access

    # The limit counts in fixed one-minute windows: hold the limiter's clock inside one, so a
    # slow machine's 305 requests cannot straddle two windows and each count under the limit.
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: 1_800_000_030))
    pages = [client.get("/search", {"q": f"frog {n}"}).status_code for n in range(305)]
    assert pages[:300] == [200] * 300
    assert pages[-1] == 429
    last = client.get("/search", {"q": "frog"}, REMOTE_ADDR="10.9.9.9")
    assert last.status_code == 200  # another address is not held back
    assert access.SEARCH_RATE == "300/m"


# --- a record ---------------------------------------------------------------------------------


def test_a_record_page_reads_as_a_description(client, opac_world):
    frog = opac_world.records["frog"]
    response = client.get(f"/record/{frog.pk}")
    assert response.status_code == 200
    words = text_of(response)
    assert "Five stories about two friends" in words
    assert "Reading level 2.5" in words
    # Subjects and series are links to searches.
    html = response.content.decode()
    assert 'href="/search?by=subject&amp;q=%22Frogs%20--%20Juvenile%20fiction%22"' in html
    assert "by=series" in html
    # Copies per site, with call numbers and the one out with its due date.
    assert "North Elementary 1 of 2 available" in words
    assert "South Elementary 1 of 1 available" in words
    assert "Checked out · due" in words
    # Citations.
    assert "Lobel, Arnold. Frog and Toad Are Friends. Harper & Row, 1970." in words
    assert "Lobel, A. (1970). Frog and toad are friends. Harper & Row." in words


def test_an_unknown_record_is_a_friendly_page_with_a_search_box(client, opac_world):
    response = client.get("/record/999999")
    assert response.status_code == 404
    words = text_of(response)
    assert "We could not find that page" in words
    assert 'name="q"' in response.content.decode()


def test_an_unknown_address_is_the_same_friendly_page(client, opac_world):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "We could not find that page" in text_of(response)


def test_the_sites_page_shows_hours_closures_and_borrowing_rules(client, opac_world):
    words = text_of(client.get("/sites"))
    assert "North Elementary" in words and "South Elementary" in words
    assert "Opening hours" in words and "Borrowing" in words


# --- language ---------------------------------------------------------------------------------


def test_spanish_is_one_click_and_sticks_across_pages(client, opac_world):
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/search?q=frog"})
    assert response.status_code == 302
    assert response["Location"] == "/search?q=frog"
    words = text_of(client.get("/search", {"q": "frog"}))
    assert "disponible" in words
    assert "Buscar" in words
    assert "Iniciar sesión" in text_of(client.get("/"))


# --- logging in -------------------------------------------------------------------------------


def test_a_student_logs_in_with_card_and_pin_and_sees_their_account(client, opac_world, logged_in):
    logged_in("P100")
    response = client.get("/account")
    assert response.status_code == 200
    words = text_of(response)
    assert "Ana Reyes" in words
    assert "Frog and Toad Are Friends" in words  # the loan
    assert "3.50" in words  # the damage charge


def test_account_pages_are_never_stored(client, opac_world, logged_in):
    logged_in("P100")
    for url in ("/account", "/account/history", f"/record/{opac_world.records['owl'].pk}/hold"):
        response = client.get(url)
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url


def test_the_account_asks_for_a_login_and_comes_back(client, opac_world):
    response = client.get("/account")
    assert response.status_code == 302
    assert unquote(response["Location"]) == "/account/login?next=/account"
    back = client.post("/account/login", {"card": "P100", "pin": PIN, "next": "/account"})
    assert back["Location"] == "/account"


def test_a_wrong_pin_says_nothing_about_whether_the_card_exists(client, opac_world):
    wrong = text_of(client.post("/account/login", {"card": "P100", "pin": "0000"}))
    unknown = text_of(client.post("/account/login", {"card": "P999", "pin": "0000"}))
    message = "That card number and PIN do not match."
    assert message in wrong and message in unknown


def test_pin_failures_are_shared_with_the_desk_and_kiosks_limit(client, opac_world):
    for _ in range(5):
        client.post("/account/login", {"card": "P100", "pin": "0000"})
    locked = client.post("/account/login", {"card": "P100", "pin": PIN})
    assert locked.status_code == 200  # not logged in, even with the right PIN
    assert "Too many wrong PINs" in text_of(locked)
    assert client.get("/account").status_code == 302


def test_a_login_from_another_site_is_not_followed(client, opac_world):
    response = client.post(
        "/account/login", {"card": "P100", "pin": PIN, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/account"


def test_forms_need_the_csrf_token(opac_world):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/account/login", {"card": "P100", "pin": PIN})
    assert response.status_code == 403


def test_logging_out_ends_the_session(client, opac_world, logged_in):
    logged_in("P100")
    client.post("/account/logout")
    assert client.get("/account").status_code == 302


# --- renewing, holds --------------------------------------------------------------------------


def test_a_student_renews_their_loan(client, opac_world, logged_in):
    logged_in("P100")
    before = Loan.objects.get(item__barcode="F1", status="open").due_at
    response = client.post("/account/renew", {"item": "F1"}, follow=True)
    assert "Renewed Frog and Toad Are Friends" in text_of(response)
    loan = Loan.objects.get(item__barcode="F1", status="open")
    assert loan.renewals == 1 and loan.due_at > before


def test_renewing_another_patrons_loan_is_not_found_and_changes_nothing(
    client, opac_world, logged_in
):
    logged_in("P100")
    response = client.post("/account/renew", {"item": "O1"}, follow=True)  # Lee's loan
    words = text_of(response)
    assert "We could not find that." in words
    assert "Owl at Home" not in words
    assert Loan.objects.get(item__barcode="O1", status="open").renewals == 0


def test_a_renewal_the_rules_refuse_says_why(client, opac_world, logged_in):
    # Sam waits for the owl book; Lee cannot renew it.
    logged_in("P400")
    words = text_of(client.post("/account/renew", {"item": "O1"}, follow=True))
    assert "Someone else is waiting for this item" in words
    assert Loan.objects.get(item__barcode="O1", status="open").renewals == 0


def test_a_student_places_and_cancels_a_hold(client, opac_world, logged_in):
    logged_in("P100")
    owl = opac_world.records["owl"]
    form = client.get(f"/record/{owl.pk}/hold")
    assert "North Elementary" in text_of(form)
    placed = client.post(f"/record/{owl.pk}/hold", {"pickup": "NES"}, follow=True)
    assert "Your hold on Owl at Home is placed" in text_of(placed)
    ana = opac_world.patrons["ana"]
    (hold,) = active_holds(ana.pk)
    assert hold.pickup_site.code == "NES"
    assert "number 2 in line" in text_of(client.get("/account"))
    cancelled = client.post(f"/account/holds/{hold.pk}/cancel", follow=True)
    assert "Your hold on Owl at Home is cancelled" in text_of(cancelled)
    assert active_holds(ana.pk) == []


def test_a_second_hold_on_the_same_title_is_refused_in_the_readers_words(
    client, opac_world, logged_in
):
    logged_in("P300")
    owl = opac_world.records["owl"]
    response = client.post(f"/record/{owl.pk}/hold", {"pickup": "SES"})
    assert "You already have this." in text_of(response)
    assert Hold.objects.filter(patron=opac_world.patrons["sam"]).count() == 1


def test_cancelling_another_patrons_hold_is_not_found_and_leaves_it(client, opac_world, logged_in):
    logged_in("P100")
    sams = opac_world.hold
    response = client.post(f"/account/holds/{sams.pk}/cancel", follow=True)
    words = text_of(response)
    assert "We could not find that." in words
    assert "Sam" not in words and "Owl at Home" not in words
    assert Hold.objects.get(pk=sams.pk).status == "waiting"


def test_the_account_never_shows_another_patrons_data(client, opac_world, logged_in):
    logged_in("P100")
    words = text_of(client.get("/account"))
    assert "Lee" not in words and "Sam" not in words
    assert "Owl at Home" not in words


# --- reading history --------------------------------------------------------------------------


def test_a_teenager_turns_their_reading_history_on_and_sees_it(client, opac_world, logged_in):
    logged_in("P400")  # grade 9: chooses for themselves
    page = text_of(client.get("/account/history"))
    assert "Keep a list of what I have borrowed" in page
    client.post("/account/history", {"keep": "on"})
    assert Patron.objects.get(barcode="P400").keeps_reading_history
    client.post("/account/history", {})
    assert not Patron.objects.get(barcode="P400").keeps_reading_history


def test_a_young_childs_history_is_chosen_by_the_parent_not_the_child(
    client, opac_world, logged_in
):
    logged_in("P100")  # grade 3
    page = text_of(client.get("/account/history"))
    assert "A parent or guardian chooses" in page
    client.post("/account/history", {"keep": "on"})
    assert not Patron.objects.get(barcode="P100").keeps_reading_history
