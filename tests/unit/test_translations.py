"""The Spanish catalog translates every string Octavo shows, and the check notices when not."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from django.utils.translation import trans_real

from octavo.interfaces.cli.messages_check import (
    SOURCE_DIR,
    Message,
    check_catalog,
    extract_messages,
    update_catalog,
)
from octavo.shared.catalogs import LOCALE_DIR, compile_catalogs

SPANISH = LOCALE_DIR / "es" / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module", autouse=True)
def _fresh_catalogs() -> None:
    # The .mo is a build product (gitignored); a .po edited since the last build must count.
    if compile_catalogs(only_stale=True):
        trans_real._translations = {}
        trans_real._default = None


def test_every_string_in_octavo_has_a_spanish_translation() -> None:
    messages = extract_messages(SOURCE_DIR)
    problems = check_catalog(SPANISH, messages)
    assert not problems, "untranslated strings:\n" + "\n".join(str(p) for p in problems)


def test_extraction_finds_python_model_and_template_strings() -> None:
    ids = {m.msgid for m in extract_messages(SOURCE_DIR)}
    assert "District administrator" in ids  # accounts/models.py ROLE_LABELS
    assert "time zone" in ids  # district/models.py verbose_name
    assert "Skip to main content" in ids  # {% translate %} in staff/base.html
    assert "Logged in as %(username)s" in ids  # {% blocktranslate with %}
    assert "Please wait %(minutes)s minute and try again." in ids  # {% blocktranslate count %}


def test_compiled_catalog_is_what_django_uses() -> None:
    with translation.override("es"):
        assert translation.gettext("Sites") == "Sedes"
        assert str(translation.gettext_lazy("District administrator")) == (
            "Administrador(a) del distrito"
        )
        assert translation.ngettext("%(total)s entry", "%(total)s entries", 2) % {"total": 2} == (
            "2 entradas"
        )


SYNTHETIC_TEMPLATE = """{% load i18n %}
<h1>{% translate "Shelves" %}</h1>
  <p>{% blocktranslate with n=count %}{{ n }} books{% endblocktranslate %}</p>
    <p>{% translate "Due" context "loan" %}</p>
"""
SYNTHETIC_PYTHON = """from django.utils.translation import gettext_lazy as _
LABEL = _("Barcode")
"""
SYNTHETIC_PO = """msgid ""
msgstr ""
"Language: es\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

msgid "Shelves"
msgstr "Estantes"

msgid "%(n)s books"
msgstr "%(count)s libros"

msgctxt "loan"
msgid "Due"
msgstr ""
"""


@pytest.fixture
def synthetic(tmp_path: Path) -> tuple[Path, Path]:
    source = tmp_path / "app"
    (source / "templates").mkdir(parents=True)
    (source / "templates" / "page.html").write_text(SYNTHETIC_TEMPLATE)
    (source / "labels.py").write_text(SYNTHETIC_PYTHON)
    po_path = tmp_path / "django.po"
    po_path.write_text(SYNTHETIC_PO)
    return source, po_path


def test_the_check_reports_missing_untranslated_and_broken_strings(synthetic) -> None:
    source, po_path = synthetic
    messages = extract_messages(source)
    assert {(m.msgid, m.context) for m in messages} == {
        ("Shelves", ""),
        ("%(n)s books", ""),
        ("Due", "loan"),
        ("Barcode", ""),
    }
    problems = {p.message.msgid: p.why for p in check_catalog(po_path, messages)}
    assert problems == {
        "Barcode": "missing from the catalog",
        "Due": "not translated",
        "%(n)s books": "placeholders differ from the original",
    }


def test_the_check_passes_a_complete_catalog(synthetic) -> None:
    source, po_path = synthetic
    po_path.write_text(
        SYNTHETIC_PO.replace('"%(count)s libros"', '"%(n)s libros"').replace(
            'msgid "Due"\nmsgstr ""', 'msgid "Due"\nmsgstr "Vence"'
        )
        + '\nmsgid "Barcode"\nmsgstr "Código de barras"\n'
    )
    assert check_catalog(po_path, extract_messages(source)) == []


def test_update_adds_new_strings_untranslated_and_keeps_translations(synthetic) -> None:
    source, po_path = synthetic
    added = update_catalog(po_path, extract_messages(source))
    assert added == 1
    problems = {p.message.msgid: p.why for p in check_catalog(po_path, extract_messages(source))}
    assert problems["Barcode"] == "not translated"
    assert "Shelves" not in problems


def test_messages_check_command_fails_when_a_string_lacks_a_translation(monkeypatch) -> None:
    from octavo.interfaces.cli.management.commands import messages as command

    untranslated = Message("A string nobody translated", where="nowhere.py")
    monkeypatch.setattr(
        command, "extract_messages", lambda root: [*extract_messages(root), untranslated]
    )
    with pytest.raises(CommandError) as failure:
        call_command("messages", "check")
    assert failure.value.returncode == 1


def test_messages_check_command_passes_on_the_real_catalog(capsys) -> None:
    call_command("messages", "check")
    assert "strings translated" in capsys.readouterr().out
