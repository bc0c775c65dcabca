"""Cataloging one record at a time: the form, the MARC editor, duplicate warnings."""

from __future__ import annotations

import pymarc
import pytest
from tests.conftest import T0

from octavo.audit.models import AuditEntry
from octavo.catalog.errors import PossibleDuplicate
from octavo.catalog.marc_text import to_text
from octavo.catalog.models import Record
from octavo.catalog.records import RecordFields
from octavo.catalog.search import search
from octavo.catalog.services import create_record, update_record_fields, update_record_marc
from octavo.shared.actor import Role
from octavo.shared.errors import InvalidInput, PermissionDenied

pytestmark = pytest.mark.django_db

FROG = RecordFields(
    title="Frog and Toad are friends",
    responsibility="by Arnold Lobel",
    authors=("Lobel, Arnold",),
    publisher="Harper & Row",
    year=1970,
    isbns=("0-306-40615-2",),
    subjects=("Frogs", "Toads"),
    series=("I can read",),
    summary="Five stories about two friends.",
    reading_level="Grades 1-2",
    call_number="E LOB",
)


def marc(record: Record) -> pymarc.Record:
    return pymarc.Record(bytes(record.marc), force_utf8=True)


def test_the_form_writes_valid_marc_a_cataloger_would_recognize(district, cli_actor) -> None:
    saved = create_record(actor=cli_actor, fields=FROG, at=T0)
    rec = marc(saved)
    assert rec.leader[9] == "a"
    assert rec["245"].indicators == pymarc.Indicators("1", "0")
    assert rec["245"].get_subfields("a", "c") == ["Frog and Toad are friends", "by Arnold Lobel"]
    assert rec["100"]["a"] == "Lobel, Arnold"
    assert rec["020"]["a"] == "9780306406157"
    assert rec["264"].get_subfields("b", "c") == ["Harper & Row", "1970"]
    assert [f["a"] for f in rec.get_fields("650")] == ["Frogs", "Toads"]
    assert rec["008"].data[7:11] == "1970" and rec["008"].data[35:38] == "eng"
    assert (saved.title, saved.year, saved.call_number) == (
        "Frog and Toad are friends",
        1970,
        "E LOB",
    )
    assert [r["title"] for r in search("toad").results] == ["Frog and Toad are friends"]
    assert AuditEntry.objects.filter(action="record.create").exists()


def test_leading_article_is_skipped_in_title_order(district, cli_actor) -> None:
    saved = create_record(actor=cli_actor, fields=RecordFields(title="The Hobbit"), at=T0)
    assert marc(saved)["245"].indicator2 == "4"
    assert saved.title_sort == "hobbit"


def test_same_isbn_or_same_title_and_author_warns_before_saving(district, cli_actor) -> None:
    create_record(actor=cli_actor, fields=FROG, at=T0)
    with pytest.raises(PossibleDuplicate) as err:
        create_record(
            actor=cli_actor, fields=RecordFields(title="Another", isbns=("9780306406157",)), at=T0
        )
    assert err.value.record_ids
    with pytest.raises(PossibleDuplicate):
        create_record(
            actor=cli_actor,
            fields=RecordFields(title="frog and toad are friends", authors=("Lobel, Arnold",)),
            at=T0,
        )
    assert Record.objects.count() == 1
    create_record(
        actor=cli_actor,
        fields=RecordFields(title="Another", isbns=("0306406152",)),
        confirm_duplicate=True,
        at=T0,
    )
    assert Record.objects.count() == 2


def test_a_bad_isbn_in_the_form_names_the_field(district, cli_actor) -> None:
    with pytest.raises(InvalidInput) as err:
        create_record(actor=cli_actor, fields=RecordFields(title="X", isbns=("123",)), at=T0)
    assert err.value.field == "isbns"
    with pytest.raises(InvalidInput) as err:
        create_record(actor=cli_actor, fields=RecordFields(title="  "), at=T0)
    assert err.value.field == "title"


def test_editing_the_title_leaves_detailed_subject_headings_alone(district, cli_actor) -> None:
    saved = create_record(actor=cli_actor, fields=FROG, at=T0)
    text = to_text(marc(saved)).replace(
        "=650  \\4$aFrogs", "=650  \\0$aFrogs$vJuvenile fiction.$0http://id.loc.gov/x"
    )
    update_record_marc(actor=cli_actor, record_id=saved.pk, marc_text=text, at=T0)
    saved.refresh_from_db()
    fields = RecordFields(
        **{**FROG.__dict__, "title": "Frog and Toad together", "subjects": tuple(saved.subjects)}
    )
    update_record_fields(actor=cli_actor, record_id=saved.pk, fields=fields, at=T0)
    rec = marc(Record.objects.get(pk=saved.pk))
    assert rec["245"]["a"] == "Frog and Toad together"
    first = rec.get_fields("650")[0]
    assert first.get_subfields("v", "0") == ["Juvenile fiction.", "http://id.loc.gov/x"]
    entry = AuditEntry.objects.filter(action="record.update").get()
    assert entry.changes["title"] == ["Frog and Toad are friends", "Frog and Toad together"]


def test_the_marc_editor_refuses_a_bad_line_and_changes_nothing(district, cli_actor) -> None:
    saved = create_record(actor=cli_actor, fields=FROG, at=T0)
    before = bytes(saved.marc)
    with pytest.raises(InvalidInput, match="line 3"):
        update_record_marc(
            actor=cli_actor,
            record_id=saved.pk,
            at=T0,
            marc_text="=LDR  00000nam a2200000 a 4500\n=245  10$aOk\n=650  X",
        )
    assert bytes(Record.objects.get(pk=saved.pk).marc) == before


@pytest.mark.parametrize("role", [Role.STUDENT_HELPER, Role.TEACHER, Role.STUDENT])
def test_only_cataloging_roles_catalog(district, role) -> None:
    with pytest.raises(PermissionDenied):
        create_record(actor=district.users[role].actor(), fields=FROG, at=T0)
