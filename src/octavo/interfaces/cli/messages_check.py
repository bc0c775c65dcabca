"""Finding every translatable string in Octavo and checking a catalog translates each one.

Python files are read with Babel's Python extractor; templates are first turned into Python-like
text by Django's own `templatize` (what `makemessages` does), so `{% translate %}` and
`{% blocktranslate %}` give exactly the msgids Django looks up at run time (docs/adr/0007).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract, extract_from_file
from babel.messages.pofile import read_po, write_po
from django.utils.translation.template import templatize

import octavo

SOURCE_DIR = Path(octavo.__file__).resolve().parent

# Django's names for the gettext functions, besides Babel's defaults (_, gettext, ngettext...).
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext_lazy": (1, 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
TEMPLATE_SUFFIXES = (".html", ".txt")
_SKIP_DIRS = {"migrations", "__pycache__"}
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


@dataclass(frozen=True, order=True)
class Message:
    """One msgid as gettext knows it: singular, plural (or ""), context (or "")."""

    msgid: str
    plural: str = ""
    context: str = ""
    where: str = ""  # the first file that uses it, relative to the source root

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.msgid, self.plural, self.context)


@dataclass(frozen=True)
class Problem:
    message: Message
    why: str

    def __str__(self) -> str:
        context = f" (context {self.message.context!r})" if self.message.context else ""
        return f"{self.message.where}: {self.message.msgid!r}{context}: {self.why}"


def _files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if not path.is_file() or _SKIP_DIRS & set(path.relative_to(root).parts):
            continue
        if path.suffix == ".py" or (
            path.suffix in TEMPLATE_SUFFIXES and "templates" in path.relative_to(root).parts
        ):
            yield path


def _from_python(path: Path) -> Iterator[tuple[object, str | None]]:
    for _lineno, message, _comments, context in extract_from_file(
        "python", path, keywords=KEYWORDS, options={"encoding": "utf-8"}
    ):
        yield message, context


def _from_template(path: Path) -> Iterator[tuple[object, str | None]]:
    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    # templatize keeps the template's indentation, which Python's tokenizer rejects; each
    # gettext call it writes sits on one line, so dropping leading blanks loses nothing.
    code = "\n".join(line.lstrip() for line in code.splitlines())
    for _lineno, message, _comments, context in extract(
        "python", io.BytesIO(code.encode("utf-8")), keywords=KEYWORDS, options={"encoding": "utf-8"}
    ):
        yield message, context


def extract_messages(root: Path = SOURCE_DIR) -> list[Message]:
    """Every msgid used under `root` (Python files and templates), once each, sorted."""
    found: dict[tuple[str, str, str], Message] = {}
    for path in _files(root):
        reader = _from_python if path.suffix == ".py" else _from_template
        where = path.relative_to(root).as_posix()
        for raw, context in reader(path):
            if isinstance(raw, tuple | list):
                msgid, plural = str(raw[0] or ""), str(raw[1] or "")
            else:
                msgid, plural = str(raw or ""), ""
            if not msgid:
                continue
            message = Message(msgid, plural, context or "", where)
            found.setdefault(message.key, message)
    return sorted(found.values())


def _placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def check_catalog(po_path: Path, messages: Iterable[Message]) -> list[Problem]:
    """The messages the catalog at `po_path` leaves untranslated, fuzzy or mistranslated."""
    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    problems = []
    for message in messages:
        entry = catalog.get(message.msgid, context=message.context or None)
        if entry is None:
            problems.append(Problem(message, "missing from the catalog"))
            continue
        translated = entry.string
        plural_forms = isinstance(translated, tuple | list)
        if isinstance(translated, tuple | list):
            strings = [str(s or "") for s in translated]
        else:
            strings = [translated or ""]
        original = _placeholders(message.msgid) | _placeholders(message.plural)
        if not all(strings):
            problems.append(Problem(message, "not translated"))
        elif entry.fuzzy:
            problems.append(Problem(message, "marked fuzzy (needs review)"))
        elif message.plural and not plural_forms:
            problems.append(Problem(message, "the catalog has no plural forms for it"))
        elif any(_placeholders(s) != original for s in strings):
            problems.append(Problem(message, "placeholders differ from the original"))
    return problems


def update_catalog(po_path: Path, messages: Iterable[Message]) -> int:
    """Add the missing msgids to the catalog (untranslated) and drop unused ones.

    Returns how many entries were added. Existing translations are kept.
    """
    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    template = Catalog(creation_date=catalog.creation_date)  # no header churn
    for m in messages:
        msgid: str | tuple[str, str] = (m.msgid, m.plural) if m.plural else m.msgid
        template.add(msgid, locations=[(m.where, 0)], context=m.context or None)
    before = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in catalog if m.id}
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
    after = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in catalog if m.id}
    with po_path.open("wb") as handle:
        write_po(handle, catalog, ignore_obsolete=True, include_lineno=False, width=100)
    return len(after - before)
