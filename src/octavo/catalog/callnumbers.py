"""Call numbers: reading Dewey and LC call numbers and putting them in shelf order. No Django.

A call number is read as optional shelf prefixes (`REF`, `E`, `J FIC`), a classification
(Dewey `599.75` or LC `QA76.73`), cutters (`SMI`; `.P98 L877`) and extras (years, `v.2`,
`pt.1`, `c.3`). `shelf_key` turns any text, readable or not, into a key that puts call numbers
in the order a librarian shelves them. docs/librarians/call-numbers.md explains that order in
librarians' words; keep the two in step.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TypeAlias

from octavo.shared.errors import InvalidInput


class Scheme(StrEnum):
    AUTO = "auto"  # decide line by line
    DEWEY = "dewey"
    LC = "lc"


# Shelving prefixes a school or public library puts before the class number: collection (REF,
# J, YA), format (DVD, LP) or a section shelved by author (FIC, E, SC, B). Each prefix (or run of
# prefixes, `J FIC`) is a shelf section of its own.
KNOWN_PREFIXES = frozenset(
    {
        "AB", "AUD", "AV", "B", "BB", "BIO", "BIOG", "BOARD", "BRL", "CD", "CDROM", "DVD", "E",
        "EASY", "ER", "ESL", "ESP", "F", "FIC", "GN", "J", "JUV", "KIT", "LP", "MAG", "MYS",
        "OS", "OVER", "OVERSIZE", "PB", "PER", "PROF", "R", "REF", "SC", "SF", "SPAN", "TEXT",
        "VHS", "YA",
    }
)  # fmt: skip

# `92 WAS`: the abridged Dewey notation for an individual biography, shelved where schools shelve
# individual biography: after collective biography (920) and together with 921 (the choice is
# explained in docs/librarians/call-numbers.md). Change this one value to shelve 92 elsewhere.
BIOGRAPHY_92_SHELVED_AS = Decimal(921)

# LC classes and subclasses (the LC Classification Outline). Used only to tell `QA 76.73` (LC,
# written with a space) from a local prefix before a Dewey number (`ESL 428`) when the scheme is
# decided line by line; with `--scheme lc` any one to three letters are a class.
_LC_SUBCLASSES = {
    "A": "CEGIMNPSYZ", "B": "CDFHJLMPQRSTVX", "C": "BCDEJNRST", "D": "ABCDEFGHJKLPQRSTUX",
    "E": "", "F": "", "G": "ABCEFNRTV", "H": "ABCDEFGJMNQSTVX", "J": "ACFJKLNQSVXZ",
    "K": "BDEFGHJKLMNPQRSTUVWZ", "L": "ABCDEFGHJT", "M": "LT", "N": "ABCDEKX",
    "P": "ABCDEFGHJKLMNQRSTZ", "Q": "ABCDEHKLMPR", "R": "ABCDEFGJKLMSTVXZ", "S": "BDFHK",
    "T": "ACDEFGHJKLNPRSTX", "U": "ABCDEFGH", "V": "ABCDEFGKM", "Z": "A",
}  # fmt: skip

# Enumeration and copy labels: `v.2`, `vol 2`, `c.3`, `copy 3`, `pt.1`, `no.12`. A one-letter
# label (and `no`, `ed`) needs its full stop, so that the LC cutter `V2` is not read as a volume.
_LABEL = r"(?:(?:V|C|T|NO|ED)\.|(?:VOL|COP|COPY|PT|BK|DISC|DISK|SER|SUPPL)\.?)"
_ENUMERATION = re.compile(rf"^({_LABEL})(\d+)$", re.ASCII)
_SPACED_ENUMERATION = re.compile(rf"\b({_LABEL}) (?=\d)", re.ASCII)
_LABELS = {
    "V": "v.", "VOL": "v.", "C": "c.", "COP": "c.", "COPY": "c.", "PT": "pt.", "NO": "no.",
    "BK": "bk.", "T": "t.", "ED": "ed.", "DISC": "disc.", "DISK": "disc.", "SER": "ser.",
    "SUPPL": "suppl.",
}  # fmt: skip
_COPY = "c."

_DEWEY = re.compile(r"^(\d{1,3})(?:\.(\d*))?$", re.ASCII)
_DEWEY_MARKS = str.maketrans("", "", "/'\u2019\u2032")  # segmentation and prime marks
_LC_GLUED = re.compile(r"^([A-Z]{1,3})(\d{1,4}(?:\.\d+)?)(?!\d)(.*)$", re.ASCII)
_LC_LETTERS = re.compile(r"^[A-Z]{1,3}$", re.ASCII)
_LC_NUMBER = re.compile(r"^(\d{1,4}(?:\.\d+)?)(?!\d)(.*)$", re.ASCII)
_LC_CUTTER_DOT = re.compile(r"\.(?=[A-Z])", re.ASCII)
_LC_GLUED_CUTTERS = re.compile(r"(?<=\d)(?=[A-Z]\d)", re.ASCII)
_NUMBER = re.compile(r"^(\d+)(.*)$", re.ASCII)
_PREFIX_WORD = re.compile(r"^[^\W\d_]{1,10}\.?$")
_WORD = re.compile(r"^[^\W\d_]")
_LEADING = ".#(["
_TRAILING = ".,;:)]"

# A key part: (rank, number, text). Numbers and years (rank 0) come before volume-like
# enumerations (1), which come before cutters and words (2): "numbers before letters" and
# "nothing before something" (ALA filing rules), which is how tuples compare.
Part: TypeAlias = tuple[int, Decimal, str]
SectionKey: TypeAlias = tuple[int, int, tuple[str, ...]]
ShelfKey: TypeAlias = tuple[SectionKey, int, tuple[Part, ...], tuple[Decimal, ...], str, str]

_NUMBER_RANK, _ENUMERATION_RANK, _TEXT_RANK = 0, 1, 2
# Within a section: the prefix alone (`E`), then Dewey, LC, author-only (`E SEU`), unread lines.
_SECTION_ONLY_RANK = -1
_KIND_RANK = {Scheme.DEWEY: 0, Scheme.LC: 1, None: 2}
_UNREAD_RANK = 3
_ZERO = Decimal(0)


def _prefix_name(token: str) -> str:
    return token.upper().removesuffix(".")


class InvalidCallNumber(InvalidInput):
    """A call number that cannot be read; `prefixes` are the shelf prefixes that could be."""

    def __init__(self, message: str, *, prefixes: tuple[str, ...] = ()) -> None:
        super().__init__(message, field="call_number")
        self.prefixes = prefixes


@dataclass(frozen=True, slots=True)
class ShelfRules:
    """A library's shelving choices: which words are prefixes, and the order of the sections.

    `section_order` names sections by their prefixes joined with one space (`"J FIC"`); `""`
    is the main collection (no prefix). Listed sections come first, in the order given; the
    others follow in alphabetical order of their prefixes.
    """

    prefixes: frozenset[str] = KNOWN_PREFIXES
    section_order: tuple[str, ...] = ("",)

    def __post_init__(self) -> None:
        object.__setattr__(self, "prefixes", frozenset(_prefix_name(p) for p in self.prefixes))
        object.__setattr__(
            self, "section_order", tuple(" ".join(s.upper().split()) for s in self.section_order)
        )


DEFAULT_RULES = ShelfRules()


@dataclass(frozen=True, slots=True)
class CallNumber:
    """A call number read into its parts (upper case, spacing normalized); `text` as given.

    `scheme` is DEWEY or LC, or None for a section shelved by author only (`FIC ROW`).
    `cutters` have no leading full stop (`P98`, `SMI`); `extras` are years and numbers
    (`2013`) and enumerations in a normal form (`v.2`, `pt.1`, `c.3`), in the order written.
    """

    text: str
    scheme: Scheme | None
    prefixes: tuple[str, ...] = ()
    classification: str = ""
    cutters: tuple[str, ...] = ()
    extras: tuple[str, ...] = ()

    @property
    def prefix(self) -> str:
        return " ".join(self.prefixes)

    @property
    def cutter(self) -> str:
        return " ".join(self.cutters)

    @property
    def volume(self) -> str:
        """The first enumeration that is not a copy number (`v.2`, `pt.1`), or ""."""
        return next((e for e in self.extras if _is_enumeration(e) and not _is_copy(e)), "")

    @property
    def copy(self) -> str:
        """The copy number as written in normal form (`c.2`), or ""."""
        return next((e for e in self.extras if _is_copy(e)), "")

    def __str__(self) -> str:
        cutters = list(self.cutters)
        if cutters and self._dot_first_cutter():
            cutters[0] = f".{cutters[0]}"
        parts = [*self.prefixes, self.classification, *cutters, *self.extras]
        return " ".join(part for part in parts if part)

    def _dot_first_cutter(self) -> bool:
        # The dot before the first LC cutter, and before an author cutter that would otherwise
        # read as an LC class or a prefix (`REF .A1`, `B .B`), keeps the normal form readable
        # as the same call number (with the default prefixes).
        if self.scheme is Scheme.LC:
            return True
        first = self.cutters[0].upper()
        return self.scheme is None and (
            _LC_GLUED.match(first) is not None or _prefix_name(first) in KNOWN_PREFIXES
        )


@dataclass(frozen=True, slots=True)
class UnreadLine:
    """A line kept in the output but not read as a call number: where, what, and why.

    `section` is the prefix it is shelved under (at the end of that section), or "" when it
    goes at the end of the list.
    """

    line_number: int
    text: str
    reason: str
    section: str = ""


@dataclass(frozen=True, slots=True)
class ShelfOrder:
    lines: tuple[str, ...]
    unread: tuple[UnreadLine, ...]


def parse_call_number(
    text: str, *, scheme: Scheme = Scheme.AUTO, rules: ShelfRules = DEFAULT_RULES
) -> CallNumber:
    """Read `text` under `scheme`; raise InvalidCallNumber saying what could not be read."""
    tokens = text.upper().split()
    if not tokens:
        raise InvalidCallNumber("no call number")
    known = 0
    while known < len(tokens) and _prefix_name(tokens[known]) in rules.prefixes:
        # With --scheme lc, `B 105 .A35` is the LC class B105, not the biography section.
        if scheme is Scheme.LC and _lc_class_at(tokens, known, strict=False, spaced=True):
            break
        known += 1
    prefixes = tuple(_prefix_name(t) for t in tokens[:known])

    start = known
    found = _class_at(tokens, start, scheme)
    if found is None and known == 0:
        # Local prefixes the library has not listed (`PROF 372.4 SMI`) count when a class
        # number follows them; after a known prefix, the words are an author (`FIC ROW 3`).
        while found is None and start < len(tokens) and _PREFIX_WORD.match(tokens[start]):
            start += 1
            found = _class_at(tokens, start, scheme)
    if found is None:
        if known == 0:
            raise InvalidCallNumber(f"{text.strip()!r}: {_no_class_reason(scheme)}")
        kind: Scheme | None = None
        classification = ""
        tail = " ".join(tokens[known:])
    else:
        kind, classification, after = found
        prefixes = tuple(_prefix_name(t) for t in tokens[:start])
        tail = " ".join([after, *tokens[start + _class_width(tokens, start, kind) :]])
        if kind is Scheme.DEWEY and _dewey_value(classification) is None:
            raise InvalidCallNumber(
                f"{text.strip()!r}: a Dewey class number has three digits before the point "
                "(e.g. 016, 599.75)",
                prefixes=prefixes[:known],
            )
    cutters, extras = _read_tail(tail, lc=kind is Scheme.LC, text=text, prefixes=prefixes)
    return CallNumber(
        text=text,
        scheme=kind,
        prefixes=prefixes,
        classification=classification,
        cutters=cutters,
        extras=extras,
    )


def detect_scheme(text: str, *, rules: ShelfRules = DEFAULT_RULES) -> Scheme | None:
    """DEWEY or LC, read line by line; None for author-only sections and unreadable text."""
    try:
        return parse_call_number(text, scheme=Scheme.AUTO, rules=rules).scheme
    except InvalidCallNumber:
        return None


def shelf_key(
    call_number: str | CallNumber,
    *,
    scheme: Scheme = Scheme.AUTO,
    rules: ShelfRules = DEFAULT_RULES,
) -> ShelfKey:
    """A key that orders any two call numbers, readable or not, as they stand on the shelf."""
    if isinstance(call_number, CallNumber):
        return _key(call_number, rules)
    try:
        return _key(parse_call_number(call_number, scheme=scheme, rules=rules), rules)
    except InvalidCallNumber as unread:
        return _unread_key(call_number, unread.prefixes, rules)


def sort_call_numbers(
    lines: Iterable[str], *, scheme: Scheme = Scheme.AUTO, rules: ShelfRules = DEFAULT_RULES
) -> list[str]:
    """`lines` in shelf order, each as given."""
    return sorted(lines, key=lambda line: shelf_key(line, scheme=scheme, rules=rules))


def shelf_order(
    lines: Iterable[str], *, scheme: Scheme = Scheme.AUTO, rules: ShelfRules = DEFAULT_RULES
) -> ShelfOrder:
    """Blank lines dropped, the rest in shelf order; unreadable lines kept and listed.

    An unreadable line stays in its section when its prefix could be read (`REF ???` at the end
    of REF), and otherwise goes after every section; unreadable lines sort among themselves in
    plain text order. `line_number` counts from 1 and includes the blank lines.
    """
    keyed: list[tuple[ShelfKey, str]] = []
    unread: list[UnreadLine] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            key = _key(parse_call_number(line, scheme=scheme, rules=rules), rules)
        except InvalidCallNumber as problem:
            key = _unread_key(line, problem.prefixes, rules)
            unread.append(UnreadLine(number, line, problem.message, " ".join(problem.prefixes)))
        keyed.append((key, line))
    keyed.sort(key=lambda pair: pair[0])
    return ShelfOrder(tuple(line for _, line in keyed), tuple(unread))


def _lc_class_at(
    tokens: list[str], i: int, *, strict: bool, spaced: bool
) -> tuple[str, str, str] | None:
    """(letters, number, the rest of the token) if an LC class starts at `tokens[i]`.

    `strict` admits only the classes of the LC outline; `spaced` admits `QA 76.73`.
    """
    if i >= len(tokens):
        return None
    glued = _LC_GLUED.match(tokens[i])
    if glued is not None:
        letters, number, rest = glued.groups()
    elif spaced and _LC_LETTERS.match(tokens[i]) and i + 1 < len(tokens):
        following = _LC_NUMBER.match(tokens[i + 1])
        if following is None:
            return None
        letters, (number, rest) = tokens[i], following.groups()
    else:
        return None
    if strict and not _is_lc_class(letters):
        return None
    return letters, number, rest


def _is_lc_class(letters: str) -> bool:
    subclasses = _LC_SUBCLASSES.get(letters[0])
    if subclasses is None:
        return False
    if len(letters) == 1:
        return True
    if len(letters) == 2:
        return letters[1] in subclasses
    # Three-letter subclasses exist only in D (DAW, DJK) and K (KBM, KDZ, KFA-KFZ...).
    return letters in {"DAW", "DJK"} or (letters[0] == "K" and letters[1] in subclasses)


def _class_at(tokens: list[str], i: int, scheme: Scheme) -> tuple[Scheme, str, str] | None:
    """(scheme, classification, the rest of its last token) if a class starts at `tokens[i]`."""
    if i >= len(tokens):
        return None
    if scheme is not Scheme.DEWEY:
        # Read line by line, `QA 76.73` with a space is LC only at the start of the line:
        # after a prefix, `FIC HE 3` is an author and a number.
        auto = scheme is Scheme.AUTO
        lc = _lc_class_at(tokens, i, strict=auto, spaced=not auto or i == 0)
        if lc is not None:
            letters, number, rest = lc
            return Scheme.LC, f"{letters}{number}", rest
    if scheme is not Scheme.LC:
        dewey = tokens[i].translate(_DEWEY_MARKS)
        if _DEWEY.match(dewey):
            return Scheme.DEWEY, dewey.rstrip("."), ""
    return None


def _class_width(tokens: list[str], i: int, kind: Scheme) -> int:
    if kind is Scheme.LC and _LC_GLUED.match(tokens[i]) is None:
        return 2  # `QA 76.73`
    return 1


def _dewey_value(classification: str) -> Decimal | None:
    match = _DEWEY.match(classification)
    if match is None:
        return None
    whole, fraction = match.groups()
    if len(whole) < 3:
        if whole == "92" and not fraction:
            return BIOGRAPHY_92_SHELVED_AS
        return None
    return Decimal(f"{whole}.{fraction or '0'}")


def _no_class_reason(scheme: Scheme) -> str:
    if scheme is Scheme.DEWEY:
        return "no Dewey class number (e.g. 599.75) and no known shelf prefix (REF, E, FIC...)"
    if scheme is Scheme.LC:
        return "no LC class (letters and a number, e.g. QA76.73) and no known shelf prefix"
    return "no Dewey or LC class number and no known shelf prefix (REF, E, FIC...)"


def _read_tail(
    tail: str, *, lc: bool, text: str, prefixes: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Cutters and extras from what follows the class number (or the prefixes)."""
    if lc:
        tail = _LC_GLUED_CUTTERS.sub(" ", _LC_CUTTER_DOT.sub(" ", tail))
    tail = _SPACED_ENUMERATION.sub(lambda m: m.group(1), " ".join(tail.split()))
    cutters: list[str] = []
    extras: list[str] = []
    for raw in tail.split():
        token = raw.lstrip(_LEADING).rstrip(_TRAILING) or raw
        enumeration = _ENUMERATION.match(token)
        if enumeration is not None:
            label, number = enumeration.groups()
            extras.append(f"{_LABELS[label.removesuffix('.')]}{number.lstrip('0') or '0'}")
        elif _NUMBER.match(token):
            extras.append(token)
        elif _WORD.match(token):
            cutters.append(token)
        else:
            raise InvalidCallNumber(
                f"{text.strip()!r}: cannot read {raw!r} in a call number", prefixes=prefixes
            )
    return tuple(cutters), tuple(extras)


def _is_enumeration(extra: str) -> bool:
    return _ENUMERATION.match(extra.upper()) is not None


def _is_copy(extra: str) -> bool:
    match = _ENUMERATION.match(extra.upper())
    return match is not None and _LABELS[match.group(1).removesuffix(".")] == _COPY


def _fold(text: str) -> str:
    """Text for comparing: accents, case and punctuation ignored (ALA filing rules)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isalnum()).upper()


def _section(prefixes: tuple[str, ...], rules: ShelfRules) -> SectionKey:
    name = " ".join(prefixes)
    if name in rules.section_order:
        position = rules.section_order.index(name)
    else:
        position = len(rules.section_order)
    return (0, position, tuple(_fold(p) for p in prefixes))


def _extra_part(extra: str) -> Part | Decimal:
    """A key part for one extra, or the copy number (a Decimal) for a copy."""
    token = extra.upper().lstrip(_LEADING).rstrip(_TRAILING)
    enumeration = _ENUMERATION.match(token)
    if enumeration is not None:
        label = _LABELS[enumeration.group(1).removesuffix(".")]
        number = Decimal(enumeration.group(2))
        return number if label == _COPY else (_ENUMERATION_RANK, number, label)
    numeric = _NUMBER.match(token)
    if numeric is not None:
        return (_NUMBER_RANK, Decimal(numeric.group(1)), _fold(numeric.group(2)))
    return (_TEXT_RANK, _ZERO, _fold(extra))


def _key(call: CallNumber, rules: ShelfRules) -> ShelfKey:
    body: list[Part] = []
    if call.scheme is Scheme.DEWEY:
        value = _dewey_value(call.classification.translate(_DEWEY_MARKS))
        body.append((_NUMBER_RANK, _ZERO if value is None else value, ""))
    elif call.scheme is Scheme.LC:
        lc = _LC_GLUED.match(call.classification.replace(" ", "").upper())
        letters, number = (
            (lc.group(1), Decimal(lc.group(2))) if lc else (call.classification, _ZERO)
        )
        body += [(_NUMBER_RANK, _ZERO, letters), (_NUMBER_RANK, number, "")]
    body += [(_TEXT_RANK, _ZERO, _fold(cutter)) for cutter in call.cutters]
    copies: list[Decimal] = []
    for extra in call.extras:
        part = _extra_part(extra)
        if isinstance(part, Decimal):
            copies.append(part)  # the copy number orders last: `v.1 c.2` before `v.2 c.1`
        else:
            body.append(part)
    kind = _KIND_RANK.get(call.scheme, _KIND_RANK[None]) if body or copies else _SECTION_ONLY_RANK
    return (
        _section(call.prefixes, rules),
        kind,
        tuple(body),
        tuple(copies),
        " ".join(call.text.upper().split()),
        call.text,
    )


def _unread_key(text: str, prefixes: tuple[str, ...], rules: ShelfRules) -> ShelfKey:
    section = _section(prefixes, rules) if prefixes else (1, 0, ())
    return (section, _UNREAD_RANK, (), (), " ".join(text.upper().split()), text)
