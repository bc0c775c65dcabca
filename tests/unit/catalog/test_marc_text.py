"""The MARC editor's text: what a cataloger types, and the line an error points at."""

from __future__ import annotations

import pymarc
import pytest

from octavo.catalog.marc_text import from_text, to_text
from octavo.shared.errors import InvalidInput

TEXT = """=LDR  00000nam a2200000 a 4500
=001  ocm12345
=245  14$aThe cat in the hat /$cby Dr. Seuss.
=650  \\0$aCats$vJuvenile fiction.
=500  \\\\$aPrice was {dollar}3.95."""


def test_text_reads_into_fields_and_back_unchanged() -> None:
    record = from_text(TEXT)
    assert record["245"].indicators == pymarc.Indicators("1", "4")
    assert record["650"].get_subfields("v") == ["Juvenile fiction."]
    assert record["500"]["a"] == "Price was $3.95."
    assert to_text(record) == TEXT


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("=24  10$aShort tag", "line 2: expected '=TAG  ...'"),
        ("=245  10Title without a subfield", "line 2: field 245 needs two indicators"),
        ("=245  1X$aBad indicator", "line 2: field 245: indicator 'X'"),
        ("=245  10$aTitle$", "line 2: field 245: empty subfield"),
        ("=245  10$A Upper-case code", "line 2: field 245: subfield code 'A'"),
        ("=008  ", "line 2: control field 008 is empty"),
    ],
)
def test_each_mistake_names_its_line(line, message) -> None:
    with pytest.raises(InvalidInput) as err:
        from_text("=LDR  00000nam a2200000 a 4500\n" + line)
    assert message in err.value.message
    assert err.value.field == "marc"


def test_a_leader_and_a_title_are_required() -> None:
    with pytest.raises(InvalidInput, match="leader"):
        from_text("=245  10$aNo leader")
    with pytest.raises(InvalidInput, match="245"):
        from_text("=LDR  00000nam a2200000 a 4500\n=100  1\\$aAuthor only")
    with pytest.raises(InvalidInput, match="24 characters"):
        from_text("=LDR  short")
