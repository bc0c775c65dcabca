"""The data-quality report a cataloger works through after a migration."""

from __future__ import annotations

import pymarc
import pytest
from tests.conftest import T0
from tests.integration.catalog.test_marc_import_export import book, holding, run_import

from octavo.catalog.selectors import data_quality
from octavo.district.services import add_location
from octavo.shared.actor import Role
from octavo.shared.errors import NotFound, PermissionDenied

pytestmark = pytest.mark.django_db


def test_report_lists_each_kind_of_problem(district, cli_actor) -> None:
    add_location(actor=cli_actor, site=district.north, code="FIC", name="Fiction", at=T0)
    bad_isbn = pymarc.Field(
        tag="020",
        indicators=pymarc.Indicators(" ", " "),
        subfields=[pymarc.Subfield("a", "0-306-40615-3")],
    )
    bare_852 = pymarc.Field(
        tag="852", indicators=pymarc.Indicators(" ", " "), subfields=[pymarc.Subfield("p", "B2")]
    )
    broken = bytearray(book("c9", "Broken"))
    broken[0:5] = b"00999"
    run_import(
        cli_actor,
        book("c1", "Owner", holding("B1"))
        + book("c2", "No copies", bad_isbn)
        + book("c3", "Thief", holding("B1"))
        + book("c4", "Bare", bare_852)
        + bytes(broken),
    )
    report = data_quality(actor=cli_actor)
    assert report["invalid_isbns"].count == 1
    assert report["invalid_isbns"].rows[0]["invalid_isbns"] == ["0-306-40615-3"]
    assert {r["title"] for r in report["records_without_items"].rows} == {"No copies", "Thief"}
    assert [r["barcode"] for r in report["items_without_call_number"].rows] == ["B2"]
    assert report["duplicate_barcodes_attempted"].rows[0]["barcode"] == "B1"
    failed = report["failed_imports"].rows
    assert [(r["position"], r["control_number"]) for r in failed] == [(5, "c9")]
    north = data_quality(actor=cli_actor, site_code="NES")
    assert north["records_without_items"].count == 0
    assert north["items_without_call_number"].count == 1


def test_only_cataloging_roles_read_it_and_unknown_sites_are_named(district, cli_actor):
    with pytest.raises(PermissionDenied):
        data_quality(actor=district.users[Role.TEACHER].actor())
    with pytest.raises(NotFound, match="ZZZ"):
        data_quality(actor=cli_actor, site_code="ZZZ")
