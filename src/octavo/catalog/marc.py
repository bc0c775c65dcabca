"""Reading MARC 21 safely: ISO 2709 and MARCXML in, one outcome per record, never a crash.

Pure (no Django). pymarc does the decoding; this module first checks each ISO 2709 record's
structure itself, because pymarc repairs bad directories and indicators silently (it logs and
carries on), which would import a damaged record as if it were whole. Records are split on the
record terminator (0x1D), not on the leader's length, so one record with a wrong length is
rejected alone and the next one still reads (MARC 21 specifications, "Record structure").
"""

from __future__ import annotations

import io
import xml.sax
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, cast

import defusedxml.sax
import pymarc
from pymarc.marcxml import XmlHandler

RECORD_TERMINATOR = 0x1D
FIELD_TERMINATOR = 0x1E
SUBFIELD_DELIMITER = 0x1F
LEADER_LENGTH = 24
ENTRY_LENGTH = 12
MAX_RECORD_LENGTH = 99_999  # five digits in leader/00-04
_READ_SIZE = 1 << 16


@dataclass(frozen=True, slots=True)
class ReadOutcome:
    """One record read from a file: either `record` or `error`, with where it was."""

    position: int  # 1-based record number within the file
    offset: int | None  # byte offset of the record in an ISO 2709 file
    record: pymarc.Record | None
    error: str | None = None
    raw: bytes | None = None  # the record's bytes exactly as they were in the file
    control_number: str | None = None


def mark_utf8(record: pymarc.Record) -> pymarc.Record:
    """Set leader/09 to 'a' (UCS/Unicode) and keep the leader 24 ASCII characters.

    A MARCXML leader can carry non-ASCII or be the wrong length; ISO 2709 cannot hold that,
    so such characters become blanks (they have no defined meaning in a leader).
    """
    text = "".join(c if " " <= c <= "~" else " " for c in str(record.leader))
    text = text[:LEADER_LENGTH].ljust(LEADER_LENGTH)
    record.leader = pymarc.Leader(text[:9] + "a" + text[10:])
    return record


def _ascii_codes(record: pymarc.Record) -> str | None:
    """Make indicators and subfield codes single ASCII characters, or say which one is not.

    MARCXML from some systems writes a blank indicator as a no-break space; that is a blank.
    Anything else outside ASCII cannot be written to ISO 2709, so the record is refused.
    """
    for field in record.get_fields():
        if field.is_control_field():
            continue
        indicators = []
        for n, value in enumerate((field.indicator1, field.indicator2), start=1):
            value = " " if value in ("\u00a0", "") else value
            if len(value) != 1 or not " " <= value <= "~":
                return f"field {field.tag}: indicator {n} {value!r} is not one ASCII character"
            indicators.append(value)
        field.indicators = pymarc.Indicators(*indicators)
        for sub in field.subfields:
            if len(sub.code) != 1 or not "!" <= sub.code <= "~":
                return f"field {field.tag}: subfield code {sub.code!r} is not one ASCII character"
    return None


def control_number(record: pymarc.Record) -> str | None:
    field = record.get("001")
    return (field.data or "").strip() or None if field is not None else None


def _chunks(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """(offset, bytes up to and including a record terminator); a trailing fragment too."""
    buffer = b""
    buffer_offset = 0
    while True:
        block = stream.read(_READ_SIZE)
        if not block:
            break
        buffer += block
        start = 0
        while True:
            end = buffer.find(RECORD_TERMINATOR, start)
            if end < 0:
                break
            yield buffer_offset + start, buffer[start : end + 1]
            start = end + 1
        buffer_offset += start
        buffer = buffer[start:]
    if buffer.strip():
        yield buffer_offset, buffer


def _guess_control_number(chunk: bytes) -> str | None:
    """The 001 of a record too damaged to parse, when its directory still points at it."""
    try:
        base = int(chunk[12:17])
        directory = chunk[LEADER_LENGTH : base - 1]
        for i in range(0, len(directory) - ENTRY_LENGTH + 1, ENTRY_LENGTH):
            entry = directory[i : i + ENTRY_LENGTH]
            if entry[:3] == b"001":
                length, start = int(entry[3:7]), int(entry[7:12])
                value = chunk[base + start : base + start + length - 1]
                return value.decode("ascii", "replace").strip() or None
    except (ValueError, IndexError):
        return None
    return None


def check_structure(chunk: bytes) -> str | None:
    """Why this ISO 2709 record is malformed, or None when its structure is sound."""
    if len(chunk) > MAX_RECORD_LENGTH:
        return f"record is {len(chunk)} bytes; ISO 2709 allows at most {MAX_RECORD_LENGTH}"
    if len(chunk) < LEADER_LENGTH + 2 or chunk[-1] != RECORD_TERMINATOR:
        return "truncated record: no record terminator (0x1D) at its end"
    declared = chunk[0:5]
    if not declared.isdigit():
        return f"leader/00-04 record length {declared!r} is not five digits"
    if int(declared) != len(chunk):
        return f"leader says the record is {int(declared)} bytes but it is {len(chunk)}"
    base_text = chunk[12:17]
    if not base_text.isdigit():
        return f"leader/12-16 base address {base_text!r} is not five digits"
    base = int(base_text)
    if base < LEADER_LENGTH + 1 or base >= len(chunk) or chunk[base - 1] != FIELD_TERMINATOR:
        return f"base address {base} does not follow the directory"
    directory = chunk[LEADER_LENGTH : base - 1]
    if len(directory) % ENTRY_LENGTH:
        return f"directory length {len(directory)} is not a multiple of {ENTRY_LENGTH}"
    if not directory:
        return "the record has no fields"
    data_length = len(chunk) - 1 - base
    for i in range(0, len(directory), ENTRY_LENGTH):
        entry = directory[i : i + ENTRY_LENGTH]
        tag = entry[:3].decode("ascii", "replace")
        if not entry[3:12].isdigit():
            return f"directory entry {i // ENTRY_LENGTH + 1} ({entry!r}) is not numeric"
        length, start = int(entry[3:7]), int(entry[7:12])
        if length < 1 or start + length > data_length:
            return f"field {tag}: directory points past the end of the record"
        if chunk[base + start + length - 1] != FIELD_TERMINATOR:
            return f"field {tag}: directory entry does not end on a field terminator"
        if not (tag < "010" and tag.isdigit()):
            body = chunk[base + start : base + start + length - 1]
            head = body.split(bytes([SUBFIELD_DELIMITER]), 1)[0]
            if len(head) != 2:
                return f"field {tag}: expected 2 indicators, found {len(head)}"
    return None


def parse_iso2709(chunk: bytes) -> pymarc.Record:
    """Decode a structurally sound record to Unicode; MARC-8 is converted and leader/09 = 'a'.

    Raises ValueError naming the field when its text cannot be decoded.
    """
    utf8 = chunk[9:10] == b"a"
    try:
        record = pymarc.Record(
            chunk, to_unicode=True, utf8_handling="strict", hide_utf8_warnings=True
        )
    except UnicodeDecodeError as exc:
        raise ValueError(f"invalid UTF-8 at byte {exc.start} of a field") from exc
    if not utf8:
        for field in record.get_fields():
            if field.is_control_field():
                text = field.data or ""
            else:
                text = " ".join(sub.value for sub in field.subfields)
            if "\ufffd" in text:
                raise ValueError(f"field {field.tag}: MARC-8 text that does not decode")
    return mark_utf8(record)


def read_iso2709(stream: BinaryIO) -> Iterator[ReadOutcome]:
    position = 0
    for offset, chunk in _chunks(stream):
        stripped = chunk.lstrip(b"\r\n\t \x00")
        offset += len(chunk) - len(stripped)
        chunk = stripped
        position += 1
        problem = check_structure(chunk)
        if problem is None:
            try:
                record = parse_iso2709(chunk)
            except (ValueError, pymarc.exceptions.PymarcException) as exc:
                problem = str(exc) or type(exc).__name__
            else:
                yield ReadOutcome(
                    position, offset, record, raw=chunk, control_number=control_number(record)
                )
                continue
        yield ReadOutcome(
            position,
            offset,
            None,
            error=problem,
            raw=chunk,
            control_number=_guess_control_number(chunk),
        )


class _Collector(XmlHandler):
    def __init__(self) -> None:
        super().__init__(strict=False, normalize_form=None)  # type: ignore[no-untyped-call]
        self.ready: list[pymarc.Record] = []

    def process_record(self, record: pymarc.Record) -> None:
        self.ready.append(record)


def read_marcxml(stream: BinaryIO) -> Iterator[ReadOutcome]:
    """Stream MARCXML records. DTDs, entities and external references are refused (defusedxml),
    so an entity bomb or an external entity is reported instead of expanded or fetched."""
    parser = defusedxml.sax.make_parser()
    handler = _Collector()
    parser.setContentHandler(handler)
    parser.setFeature(xml.sax.handler.feature_namespaces, 1)
    position = 0
    try:
        while block := stream.read(_READ_SIZE):
            parser.feed(block)
            for record in handler.ready:
                position += 1
                problem = _ascii_codes(record)
                if problem is not None:
                    yield ReadOutcome(
                        position, None, None, error=problem, control_number=control_number(record)
                    )
                    continue
                mark_utf8(record)
                yield ReadOutcome(position, None, record, control_number=control_number(record))
            handler.ready.clear()
        parser.close()
    except (xml.sax.SAXException, ValueError) as exc:
        # Only the rest of an XML file is lost at a syntax error: what was read stays good.
        name = type(exc).__name__
        if name in {"EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden"}:
            reason = f"refused: the file declares {name.removesuffix('Forbidden').lower()}"
        elif isinstance(exc, xml.sax.SAXParseException):
            reason = f"line {exc.getLineNumber()}: {exc.getMessage()}"
        else:
            reason = str(exc)
        yield ReadOutcome(
            position + 1,
            None,
            None,
            error=f"MARCXML cannot be read past record {position}: {reason}",
        )


def sniff_format(head: bytes) -> str:
    """'marcxml' or 'iso2709' from the first bytes of a file."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return "marcxml" if text.startswith(b"<") else "iso2709"


class _Prepended(io.RawIOBase):
    """A stream with its first bytes already read back in front (for sniffing stdin)."""

    def __init__(self, head: bytes, rest: BinaryIO):
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        if self._head:
            n = min(len(view), len(self._head))
            view[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(view))
        view[: len(data)] = data
        return len(data)


def read_marc(stream: BinaryIO, *, fmt: str = "auto") -> Iterator[ReadOutcome]:
    """Read ISO 2709 or MARCXML; `fmt="auto"` looks at the first bytes."""
    if fmt == "auto":
        head = stream.read(64)
        fmt = sniff_format(head)
        stream = cast(BinaryIO, io.BufferedReader(_Prepended(head, stream), _READ_SIZE))
    return read_marcxml(stream) if fmt == "marcxml" else read_iso2709(stream)
