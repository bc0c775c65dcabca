"""The MARC editor's text form (MARCMaker style), both ways, with line-numbered errors. Pure.

    =LDR  00000nam a2200000 a 4500
    =001  ocm12345
    =245  14$aThe cat in the hat /$cby Dr. Seuss.

Blanks in indicators may be written as a space, `\\` or `#`; a literal `$` in data is written
`{dollar}` (the MARCMaker convention). Every line is checked before anything is saved.
"""

from __future__ import annotations

import re

import pymarc

from octavo.shared.errors import InvalidInput

_LINE = re.compile(r"^=(LDR|\d{3}) {2}(.*)$")
_BLANKS = {" ", "\\", "#"}


def to_text(record: pymarc.Record) -> str:
    lines = [f"=LDR  {record.leader}"]
    for field in record.get_fields():
        if field.is_control_field():
            lines.append(f"={field.tag}  {(field.data or '').replace('$', '{dollar}')}")
            continue
        ind = "".join("\\" if i in (" ", "") else i for i in (field.indicator1, field.indicator2))
        subs = "".join(f"${sf.code}{sf.value.replace('$', '{dollar}')}" for sf in field.subfields)
        lines.append(f"={field.tag}  {ind}{subs}")
    return "\n".join(lines)


def _error(number: int, message: str) -> InvalidInput:
    return InvalidInput(f"line {number}: {message}", field="marc")


def from_text(text: str) -> pymarc.Record:
    record = pymarc.Record(force_utf8=True)
    leader_seen = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        match = _LINE.match(line)
        if match is None:
            raise _error(number, "expected '=TAG  ...' (three digits or LDR, then two spaces)")
        tag, body = match.groups()
        if tag == "LDR":
            if len(body) != 24:
                raise _error(number, f"the leader must be 24 characters, not {len(body)}")
            record.leader = pymarc.Leader(body)
            leader_seen = True
            continue
        if tag < "010":
            if not body:
                raise _error(number, f"control field {tag} is empty")
            record.fields.append(pymarc.Field(tag=tag, data=body.replace("{dollar}", "$")))
            continue
        if len(body) < 3 or body[2] != "$":
            raise _error(number, f"field {tag} needs two indicators and then $ subfields")
        indicators = [" " if c in _BLANKS else c for c in body[:2]]
        for c in indicators:
            if not (c == " " or c.isdigit() or c.islower()):
                raise _error(
                    number,
                    f"field {tag}: indicator {c!r} must be a digit, a lower-case letter or blank",
                )
        subfields = []
        for chunk in body[3:].split("$"):
            if not chunk:
                raise _error(number, f"field {tag}: empty subfield ('$' with no code)")
            code, value = chunk[0], chunk[1:].replace("{dollar}", "$")
            if not (code.isdigit() or code.islower()):
                raise _error(
                    number,
                    f"field {tag}: subfield code {code!r} must be a digit or a lower-case letter",
                )
            if not value.strip():
                raise _error(number, f"field {tag}: subfield ${code} is empty")
            subfields.append(pymarc.Subfield(code, value))
        record.fields.append(
            pymarc.Field(tag=tag, indicators=pymarc.Indicators(*indicators), subfields=subfields)
        )
    if not leader_seen:
        raise InvalidInput("the record needs a leader line (=LDR)", field="marc")
    if not record.get_fields("245"):
        raise InvalidInput("the record needs a title (field 245)", field="marc")
    return record
