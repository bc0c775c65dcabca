"""The district's roster from the staff side: upload the student system's OneRoster 1.1 export
(a .zip), read what it would change (the dry run: new, changed, leaving, errors by file and
line), then apply it (issue #4, "Patrons"). The same service as `octavo import-roster`.

The upload is kept under the var directory between the two steps (for a day), named by a random
token that the page posts back, so "Apply" applies exactly the file that was read; applying is
re-runnable, like the command.
"""

from __future__ import annotations

import re
import secrets
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from octavo.accounts.rules import Action, may_ever
from octavo.interfaces.staff.access import page, staff_page
from octavo.interfaces.staff.forms import StaffForm
from octavo.patrons.roster import PatronDiff, RosterReport, import_roster
from octavo.shared.actor import Actor
from octavo.shared.clock import now
from octavo.shared.errors import NotFound, OctavoError, PermissionDenied

SHOWN = 200  # lines of each list on the page; the counts say how many in all
KEEP_FOR = timedelta(days=1)
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


class RosterForm(StaffForm):
    roster = forms.FileField(
        label=_("OneRoster 1.1 export (.zip)"),
        help_text=_("The zip the student information system exports: manifest.csv, orgs.csv, "
                    "users.csv, classes.csv and enrollments.csv."),
    )  # fmt: skip


def _uploads() -> Path:
    folder = Path(settings.VAR_DIR) / "rosters"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _keep(upload: UploadedFile) -> str:
    """Keep the upload for the Apply step; rosters hold students' data, so uploads older than
    KEEP_FOR are removed whenever another comes in."""
    folder = _uploads()
    cutoff = time.time() - KEEP_FOR.total_seconds()
    for old in folder.glob("*.zip"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    with (folder / f"{token}.zip").open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return token


def _kept(token: str) -> Path:
    path = _uploads() / f"{token}.zip"
    if not _TOKEN.match(token) or not path.is_file():
        raise NotFound("that roster upload is gone: upload the file again", field="upload")
    return path


def _require(actor: Actor) -> None:
    if not may_ever(actor, Action.PATRON_EDIT):
        raise PermissionDenied(f"role {actor.role.value} may not import rosters")


def _lines(diffs: list[PatronDiff]) -> list[dict[str, Any]]:
    return [
        {
            "diff": d,
            "changes": [
                (name, "" if was is None else was, "" if will is None else will)
                for name, (was, will) in sorted(d.changes.items())
            ],
        }
        for d in diffs[:SHOWN]
    ]


def _context(report: RosterReport) -> dict[str, Any]:
    return {
        "report": report,
        "counts": report.counts(),
        "new": _lines(report.new),
        "changed": _lines(report.changed),
        "leaving": _lines(report.leaving),
        "errors": report.errors[:SHOWN],
        "warnings": report.warnings[:SHOWN],
        "shown": SHOWN,
    }


@require_http_methods(["GET", "POST"])
@staff_page
def patron_roster(request: HttpRequest, actor: Actor) -> HttpResponse:
    _require(actor)
    form = RosterForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        token = _keep(form.cleaned_data["roster"])
        try:
            report = import_roster(actor=actor, path=_kept(token), at=now(), dry_run=True)
        except OctavoError as error:
            form.add_error("roster", error.message)
        else:
            context.update(_context(report), upload=token, name=form.cleaned_data["roster"].name)
    return page(request, "staff/patron_roster.html", context, actor=actor)


@require_POST
@staff_page
def patron_roster_apply(request: HttpRequest, actor: Actor) -> HttpResponse:
    _require(actor)
    path = _kept(request.POST.get("upload", ""))
    context: dict[str, Any] = {"form": RosterForm(), "applied": True}
    try:
        report = import_roster(actor=actor, path=path, at=now())
    except OctavoError as error:
        context["failed"] = error.message
    else:
        context.update(_context(report))
    return page(request, "staff/patron_roster.html", context, actor=actor)
