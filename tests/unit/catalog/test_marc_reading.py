"""Reading MARC files: every sound record comes through, every broken one is named and why."""

from __future__ import annotations

import io
import unicodedata

import pymarc
import pytest
from tests.samples import SAMPLES, needs_samples

from octavo.catalog.marc import check_structure, read_iso2709, read_marc, read_marcxml

# The sample files whose directories really are broken (checked byte by byte), with the reason.
BROKEN = {
    "dasrmischepriv00rein_meta.mrc": "leader says the record is 1040 bytes but it is 1052",
    "lesabndioeinas00sche_meta.mrc": "leader says the record is 615 bytes but it is 619",
    "poganucpeoplethe00stowuoft_meta.mrc": "leader says the record is 515 bytes but it is 516",
    "new_poganucpeoplethe00stowuoft_meta.mrc": "leader says the record is 515 bytes but it is 516",
    "upei_short_008.mrc": "base address 157 does not follow the directory",
    "mytwocountries1954asto_meta.mrc": "field 903: expected 2 indicators, found 11",
    "wrapped_lines.mrc": "field 520: expected 2 indicators, found 1004",
}


def make_record(title: str, control: str, *, utf8: bool = True) -> bytes:
    record = pymarc.Record(force_utf8=utf8)
    record.add_field(pymarc.Field(tag="001", data=control))
    record.add_field(
        pymarc.Field(
            tag="245",
            indicators=pymarc.Indicators("1", "0"),
            subfields=[pymarc.Subfield("a", title)],
        )
    )
    return record.as_marc()


@needs_samples
def test_every_sound_sample_reads_and_every_broken_one_says_why() -> None:
    read, errors = 0, {}
    for path in sorted((SAMPLES / "bin_input").glob("*.mrc")):
        with path.open("rb") as handle:
            for outcome in read_iso2709(handle):
                if outcome.error:
                    errors[path.name] = outcome.error
                else:
                    assert outcome.record is not None and outcome.record.leader[9] == "a"
                    read += 1
    assert errors == BROKEN
    assert read == 60 - len(BROKEN)


@needs_samples
def test_every_marcxml_sample_reads() -> None:
    for path in sorted((SAMPLES / "xml_input").glob("*.xml")):
        with path.open("rb") as handle:
            outcomes = list(read_marc(handle))
        assert outcomes and all(o.record is not None for o in outcomes), path.name


@needs_samples
def test_marc8_text_is_converted_to_unicode() -> None:
    with (SAMPLES / "bin_input" / "memoirsofjosephf00fouc_meta.mrc").open("rb") as handle:
        (outcome,) = read_iso2709(handle)
    assert outcome.raw is not None and outcome.raw[9:10] == b" "  # MARC-8 in the file
    assert unicodedata.normalize("NFC", outcome.record["100"]["a"]) == "Fouch\u00e9, Joseph,"
    assert outcome.record.leader[9] == "a"


@needs_samples
def test_broken_record_is_named_by_its_control_number_when_it_has_one() -> None:
    with (SAMPLES / "bin_input" / "lesabndioeinas00sche_meta.mrc").open("rb") as handle:
        (outcome,) = read_iso2709(handle)
    assert outcome.control_number == "AET-2444"
    assert outcome.position == 1


def test_a_broken_record_in_the_middle_does_not_stop_the_batch() -> None:
    good1, good2 = make_record("First", "c1"), make_record("Third", "c3")
    bad = bytearray(make_record("Second", "c2"))
    bad[0:5] = b"00999"
    outcomes = list(read_iso2709(io.BytesIO(good1 + bytes(bad) + good2)))
    assert [o.position for o in outcomes] == [1, 2, 3]
    assert [o.error is None for o in outcomes] == [True, False, True]
    assert outcomes[1].control_number == "c2"
    assert "leader says the record is 999 bytes" in outcomes[1].error
    assert outcomes[1].offset == len(good1)
    assert outcomes[2].record["245"]["a"] == "Third"


def test_a_truncated_last_record_is_reported() -> None:
    whole = make_record("Whole", "w1")
    cut = make_record("Cut short", "c1")[:-20]
    outcomes = list(read_iso2709(io.BytesIO(whole + cut)))
    assert outcomes[0].record is not None
    assert "truncated" in outcomes[1].error


def test_invalid_utf8_is_rejected_not_mangled() -> None:
    data = bytearray(make_record("Caf\u00e9", "u1"))
    at = data.index("\u00e9".encode())
    data[at : at + 2] = b"\xff\xfe"
    (outcome,) = read_iso2709(io.BytesIO(bytes(data)))
    assert outcome.record is None
    assert "UTF-8" in outcome.error


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda b: b[:12] + b"0x024" + b[17:], "base address"),
        (lambda b: b[:24] + b"245" + b"00AB" + b[31:], "not numeric"),
    ],
)
def test_bad_leaders_and_directories_are_named(mutate, reason) -> None:
    assert reason in check_structure(mutate(make_record("T", "x")))


def test_oversize_record_is_refused() -> None:
    huge = make_record("x" * 100_000, "big")
    assert "at most 99999" in check_structure(huge)


def test_marcxml_entity_bomb_and_external_entities_are_refused() -> None:
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>
<collection xmlns="http://www.loc.gov/MARC21/slim"><record><leader>00000nam a2200000 a 4500</leader>
<datafield tag="245" ind1="1" ind2="0"><subfield code="a">&lol2;</subfield></datafield>
</record></collection>"""
    external = bomb.replace(b'<!ENTITY lol "lol">', b'<!ENTITY lol SYSTEM "file:///etc/passwd">')
    for doc in (bomb, external):
        outcomes = list(read_marcxml(io.BytesIO(doc)))
        assert len(outcomes) == 1 and outcomes[0].record is None
        assert "refused" in outcomes[0].error


def test_marcxml_syntax_error_keeps_the_records_before_it() -> None:
    doc = b"""<collection xmlns="http://www.loc.gov/MARC21/slim">
<record><leader>00000nam a2200000 a 4500</leader><controlfield tag="001">x1</controlfield>
<datafield tag="245" ind1="1" ind2="0"><subfield code="a">Fine</subfield></datafield></record>
<record><leader>00000nam a2200000 a 4500</leader><datafield tag="245" ind1="1" """
    outcomes = list(read_marcxml(io.BytesIO(doc)))
    assert outcomes[0].control_number == "x1"
    assert outcomes[1].record is None and "past record 1" in outcomes[1].error


def test_format_is_sniffed() -> None:
    xml_doc = b'\xef\xbb\xbf<?xml version="1.0"?><collection/>'
    assert list(read_marc(io.BytesIO(xml_doc))) == []
    (outcome,) = read_marc(io.BytesIO(make_record("T", "x")))
    assert outcome.control_number == "x"
