"""Importing the district's roster from the staff side: the dry run shows the diff and changes
nothing, applying changes what it showed and can be run again, and a bad file or bad lines are
named (issue #4, "Patrons" and "Bad input")."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.integration.patrons.oneroster_files import org, user, write_roster, zip_roster

from octavo.patrons.models import Patron
from octavo.shared.actor import Role

pytestmark = pytest.mark.django_db

NES = org("org-nes", "North Elementary", "NES")


def _zip(tmp_path, users) -> SimpleUploadedFile:
    folder = write_roster(tmp_path / "roster", orgs=[NES], users=users)
    path = zip_roster(folder, tmp_path / "roster.zip")
    return SimpleUploadedFile("roster.zip", path.read_bytes(), content_type="application/zip")


def _read(client, upload):
    return client.post("/staff/patrons/roster/", {"roster": upload})


def _token(response) -> str:
    found = re.search(r'name="upload" value="([0-9a-f]{32})"', response.content.decode())
    assert found, "no Apply button"
    return found.group(1)


def test_the_dry_run_shows_the_diff_and_changes_nothing(client_as, tmp_path) -> None:
    client = client_as(Role.TECHNICIAN)
    upload = _zip(tmp_path, [user("u1", "Iris", "Vale", "S900", grades="04")])
    response = _read(client, upload)
    text = response.content.decode()
    assert response.status_code == 200
    assert "roster.zip read, nothing changed yet: 1 new, 0 changed, 0 leaving" in text
    assert "Vale, Iris" in text and "S900" in text
    assert not Patron.objects.filter(barcode="S900").exists()


def test_applying_changes_what_the_dry_run_showed_and_again_changes_nothing(
    client_as, tmp_path
) -> None:
    client = client_as(Role.TECHNICIAN)
    token = _token(_read(client, _zip(tmp_path, [user("u1", "Iris", "Vale", "S900")])))
    applied = client.post("/staff/patrons/roster/apply/", {"upload": token})
    assert "Roster applied: 1 new, 0 changed, 0 expired as leaving" in applied.content.decode()
    assert Patron.objects.get(barcode="S900").last_name == "Vale"
    again = client.post("/staff/patrons/roster/apply/", {"upload": token})
    assert "Roster applied: 0 new, 0 changed, 0 expired as leaving" in again.content.decode()
    assert Patron.objects.filter(barcode="S900").count() == 1


def test_a_bad_line_is_named_and_skipped_and_the_rest_applies(client_as, tmp_path) -> None:
    client = client_as(Role.TECHNICIAN)
    users = [user("u1", "Iris", "Vale", "S900"), user("u2", "Noor", "Haddad", "")]
    response = _read(client, _zip(tmp_path, users))
    text = response.content.decode()
    assert "1 lines with errors will be skipped" in text
    assert "users.csv line 3: identifier (the card barcode) is blank" in text
    client.post("/staff/patrons/roster/apply/", {"upload": _token(response)})
    assert list(Patron.objects.values_list("barcode", flat=True)) == ["S900"]


def test_a_file_that_is_not_a_roster_is_refused_with_why(client_as) -> None:
    client = client_as(Role.TECHNICIAN)
    response = _read(client, SimpleUploadedFile("photo.zip", b"not a zip at all"))
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert "Apply the roster" not in response.content.decode()
    assert Patron.objects.count() == 0
