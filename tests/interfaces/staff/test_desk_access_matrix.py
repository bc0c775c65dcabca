"""Every role (and an anonymous visitor) against every desk and patron URL, GET and POST.
Importing the roster is adding and changing patrons: technicians, librarians and admins.

The expected statuses are written out by hand from issue #4 and the role table in MISSION.md,
not computed from octavo.accounts.rules: a wrong rule must fail here. Student helpers,
technicians, site librarians and district admins run the desk; only technicians, librarians
and admins override a block, waive a charge, or add or change a patron; a student helper takes
payments; teachers, students and parents have no desk and see no patron. Patrons are seen at
their home sites only (a district admin: everywhere).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.interfaces.staff.conftest import DESK_MORNING

from octavo.circulation.services import check_in, check_out
from octavo.fines.services import charge, credit_charge, pay
from octavo.fines.states import ChargeType
from octavo.holdings.models import Item
from octavo.holds.services import place_hold
from octavo.shared.actor import Role

pytestmark = pytest.mark.django_db

ANON = None
# Column order of the table below.
WHO = [
    ANON,
    Role.STUDENT,
    Role.PARENT,
    Role.STUDENT_HELPER,
    Role.TEACHER,
    Role.TECHNICIAN,
    Role.SITE_LIBRARIAN,
    Role.DISTRICT_ADMIN,
]

# Expected status for each visitor. {ANA} and {BEN} are patrons at NES (Ben owes 12.00), {SAM} a
# patron at SES; S1 (an SES item) is in transit to SES, B2 is on the shelf. Ana has B1 out, a
# credit of 5.00 and {HOLD}, a hold on Owl at Home to pick up at NES; {FROG} is Frog and Toad.
# Marking a loan lost charges the patron, so like a refund or a waiver it is not a student
# helper's (the page explaining the charge is shown; doing it is refused). (Sam has no credit: the
# admin's refund is refused on the form, 200, after the permission check.)
TABLE = """
                                        anon student parent helper teacher tech lib admin
GET  /staff/desk/                        302  403     403    200    403     200  200  200
POST /staff/desk/                        302  403     403    302    403     302  302  302
GET  /staff/desk/checkin/                302  403     403    200    403     200  200  200
POST /staff/desk/checkin/                302  403     403    302    403     302  302  302
POST /staff/desk/override/               302  403     403    403    403     302  302  302
POST /staff/desk/renew/                  302  403     403    302    403     302  302  302
POST /staff/desk/renew-all/              302  403     403    302    403     302  302  302
POST /staff/desk/finish/                 302  403     403    302    403     302  302  302
POST /staff/desk/site/                   302  403     403    302    403     302  302  302
GET  /staff/desk/receipt/                302  403     403    200    403     200  200  200
POST /staff/desk/receipt/email/          302  403     403    302    403     302  302  302
GET  /staff/desk/transit/S1/             302  403     403    200    403     200  200  200
GET  /staff/desk/transit/B2/             302  403     403    404    403     404  404  404
GET  /staff/desk/sounds/ok.wav           200  200     200    200    200     200  200  200
GET  /staff/patrons/                     302  403     403    200    403     200  200  200
GET  /staff/patrons/?q=reyes             302  403     403    200    403     200  200  200
GET  /staff/patrons/{ANA}/               302  403     403    200    403     200  200  200
GET  /staff/patrons/{SAM}/               302  403     403    403    403     403  403  200
GET  /staff/patrons/999999/              302  403     403    404    403     404  404  404
GET  /staff/patrons/new/                 302  403     403    403    403     200  200  200
POST /staff/patrons/new/                 302  403     403    403    403     302  302  302
GET  /staff/patrons/{ANA}/edit/          302  403     403    403    403     200  200  200
POST /staff/patrons/{ANA}/edit/          302  403     403    403    403     302  302  302
GET  /staff/patrons/{SAM}/edit/          302  403     403    403    403     403  403  200
POST /staff/patrons/{BEN}/pay/           302  403     403    302    403     302  302  302
POST /staff/patrons/{SAM}/pay/           302  403     403    403    403     403  403  200
POST /staff/patrons/{BEN}/waive/         302  403     403    403    403     302  302  302
GET  /staff/desk/loans/B1/lost/          302  403     403    200    403     200  200  200
POST /staff/desk/loans/B1/lost/          302  403     403    403    403     302  302  302
GET  /staff/desk/loans/B2/lost/          302  403     403    404    403     404  404  404
GET  /staff/desk/loans/B1/claim-returned/ 302 403     403    200    403     200  200  200
POST /staff/desk/loans/B1/claim-returned/ 302 403     403    302    403     302  302  302
POST /staff/patrons/{ANA}/holds/         302  403     403    302    403     302  302  302
POST /staff/patrons/{SAM}/holds/         302  403     403    403    403     403  403  302
POST /staff/patrons/{ANA}/refund/        302  403     403    403    403     302  302  302
POST /staff/patrons/{SAM}/refund/        302  403     403    403    403     403  403  200
POST /staff/catalog/{FROG}/hold/         302  403     403    302    403     302  302  302
POST /staff/catalog/999999/hold/         302  403     403    404    403     404  404  404
GET  /staff/holds/pull/                  302  403     403    200    403     200  200  200
GET  /staff/holds/pull/?site=SES         302  403     403    200    403     200  200  200
GET  /staff/holds/shelf/                 302  403     403    200    403     200  200  200
POST /staff/holds/shelf/expire/          302  403     403    302    403     302  302  302
POST /staff/holds/{HOLD}/cancel/         302  403     403    302    403     302  302  302
POST /staff/holds/{HOLD}/suspend/        302  403     403    302    403     302  302  302
POST /staff/holds/999999/cancel/         302  403     403    404    403     404  404  404
GET  /staff/patrons/roster/              302  403     403    403    403     200  200  200
POST /staff/patrons/roster/              302  403     403    403    403     200  200  200
POST /staff/patrons/roster/apply/        302  403     403    403    403     404  404  404
GET  /staff/patrons/{ANA}/merge/         302  403     403    403    403     200  200  200
POST /staff/patrons/{ANA}/merge/         302  403     403    403    403     302  302  302
GET  /staff/patrons/{SAM}/merge/         302  403     403    403    403     403  403  200
"""

# What each form is sent: valid input, so only permission decides the answer. (Sam owes
# nothing: the admin's payment is refused on the form, 200, after the permission check. No
# roster file is sent: the form says so, 200; an upload token that names nothing: 404.)
POSTED = {
    "/staff/desk/": {"barcode": "P100"},
    "/staff/desk/checkin/": {"barcode": "B2"},
    "/staff/desk/override/": {
        "action": "checkout",
        "item": "B1",
        "reasons": ["patron_expired"],
        "note": "Card renewed at the office",
    },
    "/staff/desk/renew/": {"item": "B1"},
    "/staff/desk/renew-all/": {},
    "/staff/desk/receipt/email/": {},
    "/staff/desk/finish/": {"mode": "checkout"},
    "/staff/desk/site/": {"site": "NES", "mode": "checkout"},
    "/staff/patrons/{BEN}/pay/": {"pay-amount": "1.00", "pay-method": "cash"},
    "/staff/patrons/{SAM}/pay/": {"pay-amount": "1.00", "pay-method": "cash"},
    "/staff/patrons/{BEN}/waive/": {"waive-amount": "1.00", "waive-reason": "Hardship"},
    "/staff/desk/loans/B1/lost/": {"back": "desk"},
    "/staff/desk/loans/B1/claim-returned/": {"back": "patron"},
    "/staff/patrons/{ANA}/holds/": {"hold-item": "B2", "hold-pickup": "NES"},
    "/staff/patrons/{SAM}/holds/": {"hold-item": "B2", "hold-pickup": "NES"},
    "/staff/patrons/{ANA}/refund/": {"refund-amount": "1.00", "refund-method": "cash"},
    "/staff/patrons/{SAM}/refund/": {"refund-amount": "1.00", "refund-method": "cash"},
    "/staff/catalog/{FROG}/hold/": {"hold-patron": "P300", "hold-pickup": "NES", "hold-item": ""},
    "/staff/catalog/999999/hold/": {"hold-patron": "P300", "hold-pickup": "NES", "hold-item": ""},
    "/staff/holds/shelf/expire/": {},
    "/staff/holds/{HOLD}/cancel/": {},
    "/staff/holds/{HOLD}/suspend/": {"until": "2026-09-20"},
    "/staff/holds/999999/cancel/": {},
    "/staff/patrons/roster/": {},
    "/staff/patrons/roster/apply/": {"upload": "0" * 32},
    "/staff/patrons/{ANA}/merge/": {"duplicate": "P200"},
    "/staff/patrons/new/": {
        "barcode": "P900",
        "first_name": "Pat",
        "last_name": "Newman",
        "patron_type": "community",
        "site": "NES",
        "language": "en",
    },
    "/staff/patrons/{ANA}/edit/": {
        "barcode": "P100",
        "first_name": "Ana",
        "last_name": "Reyes",
        "patron_type": "student",
        "site": "NES",
        "grade": "4",
        "homeroom": "Ms. Lee",
        "student_id": "S-555",
        "email": "ana.family@example.org",
        "language": "en",
    },
}


@pytest.fixture
def in_transit(desk_day, district):
    """S1, an SES item, lent at SES and returned at NES: on its way home. B1 out to Ana, who
    waits for Owl at Home and has a credit of 5.00 (a lost charge paid, then taken back)."""
    admin = district.users[Role.DISTRICT_ADMIN].actor()
    check_out(
        actor=admin, patron_barcode="P300", item_barcode="S1", at=DESK_MORNING, site_code="SES"
    )
    check_in(actor=admin, item_barcode="S1", at=DESK_MORNING, site_code="NES")
    check_out(actor=admin, patron_barcode="P100", item_barcode="B1", at=DESK_MORNING)
    owl = Item.objects.get(barcode="B3").record
    hold = place_hold(
        actor=admin,
        patron_barcode="P100",
        record_id=owl.pk,
        pickup_site_code="NES",
        at=DESK_MORNING,
    )
    ana = desk_day["ana"]
    lost = charge(
        actor=admin,
        patron=ana,
        charge_type=ChargeType.LOST,
        amount=Decimal("5.00"),
        site=district.north,
        at=DESK_MORNING,
    )
    pay(
        actor=admin,
        patron_id=ana.pk,
        amount=Decimal("5.00"),
        method="cash",
        site_code="NES",
        at=DESK_MORNING,
    )
    credit_charge(lost, site=district.north, at=DESK_MORNING, by="test", note="found")
    return {**desk_day, "hold": hold, "frog": Item.objects.get(barcode="B1").record}


def _cases():
    for line in TABLE.strip().splitlines()[1:]:
        method, url, *statuses = line.split()
        assert len(statuses) == len(WHO), line
        for who, status in zip(WHO, statuses, strict=True):
            name = who.value if who else "anonymous"
            yield pytest.param(method, url, who, int(status), id=f"{method} {url} {name}")


@pytest.mark.parametrize(("method", "url", "who", "expected"), list(_cases()))
def test_desk_url_answers_each_role_as_the_table_says(
    method, url, who, expected, client_as, in_transit
):
    client = client_as(who)
    ids = {k.upper(): p.pk for k, p in in_transit.items()}
    target = url.format(**ids)
    response = client.get(target) if method == "GET" else client.post(target, POSTED[url])
    assert response.status_code == expected, f"{method} {target} as {who}"
    if who is ANON and "sounds" not in url:
        assert response["Location"].startswith("/staff/login/")
    if expected == 403:
        assert "Not available" in response.content.decode()
