"""The kiosk exchanges that depend on a connection's session, run again against the server as
`octavo sip2` runs it on SQLite: each request handed to the answering process, which holds
the sessions, while the connection's own process compares PINs ahead and keeps what it needs
of the session (the kiosk logged in, the patron whose PIN was accepted). Same tests, same
bytes; only the server differs (answering.py)."""

from __future__ import annotations

import pytest

from .conftest import Running
from .test_kiosk_bytes import (  # noqa: F401 - collected here again, against this server
    test_97_asks_for_the_last_answer_again,
    test_a_missing_pin_is_refused_unless_the_account_allows_it,
    test_a_resent_checkin_has_no_second_effect,
    test_a_resent_checkout_gets_the_same_answer_and_lends_once,
    test_a_wrong_pin_is_refused_and_counts_with_the_desk_and_opac,
    test_no_email_or_phone_unless_the_account_allows,
    test_renew_and_renew_all,
    test_spanish_screens_in_code_page_850,
)

pytestmark = pytest.mark.usefixtures("sip2_world")


@pytest.fixture
def sip2_server(sip2_answering_server: Running) -> Running:
    return sip2_answering_server
