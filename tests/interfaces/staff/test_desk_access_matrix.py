"""Every role (and an anonymous visitor) against every desk and patron URL, GET and POST.

The expected statuses are written out by hand from issue #4 and the role table in MISSION.md,
not computed from octavo.accounts.rules: a wrong rule must fail here. Student helpers,
technicians, site librarians and district admins run the desk; only technicians, librarians
and admins override a block, waive a charge, or add or change a patron; a student helper takes
payments; teachers, students and parents have no desk and see no patron. Patrons are seen at
their home sites only (a district admin: everywhere).
"""

from __future__ import annotations

import pytest
from tests.interfaces.staff.conftest import DESK_MORNING

from octavo.circulation.services import check_in, check_out
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
# patron at SES; S1 (an SES item) is in transit to SES, B2 is on the shelf.
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
"""

# What each form is sent: valid input, so only permission decides the answer. (Sam owes
# nothing: the admin's payment is refused on the form, 200, after the permission check.)
POSTED = {
    "/staff/desk/": {"barcode": "P100"},
    "/staff/desk/checkin/": {"barcode": "B2"},
    "/staff/desk/override/": {"action": "checkout", "item": "B1", "reasons": ["patron_expired"]},
    "/staff/desk/renew/": {"item": "B1"},
    "/staff/desk/renew-all/": {},
    "/staff/desk/finish/": {"mode": "checkout"},
    "/staff/desk/site/": {"site": "NES", "mode": "checkout"},
    "/staff/patrons/{BEN}/pay/": {"pay-amount": "1.00", "pay-method": "cash"},
    "/staff/patrons/{SAM}/pay/": {"pay-amount": "1.00", "pay-method": "cash"},
    "/staff/patrons/{BEN}/waive/": {"waive-amount": "1.00", "waive-reason": "Hardship"},
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
    """S1, an SES item, lent at SES and returned at NES: on its way home."""
    admin = district.users[Role.DISTRICT_ADMIN].actor()
    check_out(
        actor=admin, patron_barcode="P300", item_barcode="S1", at=DESK_MORNING, site_code="SES"
    )
    check_in(actor=admin, item_barcode="S1", at=DESK_MORNING, site_code="NES")
    return desk_day


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
