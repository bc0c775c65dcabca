"""Shared fixtures: a small district (three sites) and one account per role.

Every test that touches the database runs on SQLite and, in the second pass of the test
command, on PostgreSQL (see scripts/test).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from octavo.shared.actor import Actor, Role

pytest_plugins = ["tests.samples"]  # the marc_samples fixture

PASSWORD = "correct-horse-battery-staple"  # 28 characters, not in the common list
T0 = datetime(2026, 9, 1, 15, 0, tzinfo=UTC)


@dataclass(frozen=True)
class District:
    north: object  # Site
    south: object
    high: object
    users: dict[Role, object]  # one account per role, all at `north` (admin: no site)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(tmp_path_factory) -> None:
    """SQLite tests use a file, as Octavo does, not Django's shared in-memory database: in
    shared-cache mode a second connection waiting for a lock fails at once ("database table
    is locked") instead of waiting, so desks racing in threads could not be tested."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3") and not db.get("TEST", {}).get("NAME"):
        db.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(scope="session", autouse=True)
def _fresh_catalogs() -> None:
    """The .mo is a build product (gitignored); a .po edited since the last build must count,
    for the staff side's and the OPAC's Spanish pages alike."""
    from django.utils.translation import trans_real

    from octavo.shared.catalogs import compile_catalogs

    if compile_catalogs(only_stale=True):
        trans_real._translations = {}  # drop catalogs a test may have loaded before
        trans_real._default = None


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # PBKDF2's real cost (about 0.3 s a hash) would dominate the suite; hashing is Django's.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "octavo.patrons.pins.PinHasher",
    ]


@pytest.fixture
def cli_actor() -> Actor:
    return Actor.command_line("test-operator")


@pytest.fixture
def district(db, cli_actor: Actor) -> District:
    from octavo.accounts.services import create_user
    from octavo.district.services import create_site

    north = create_site(actor=cli_actor, code="NES", name="North Elementary", at=T0)
    south = create_site(actor=cli_actor, code="SES", name="South Elementary", at=T0)
    high = create_site(actor=cli_actor, code="CHS", name="Central High", at=T0)
    users = {}
    for role in Role:
        users[role] = create_user(
            actor=cli_actor,
            username=role.value.replace("_", "-"),
            role=role,
            site_codes=[] if role is Role.DISTRICT_ADMIN else ["NES"],
            password=PASSWORD,
            at=T0,
        )
    return District(north=north, south=south, high=high, users=users)


def student(actor: Actor, barcode: str, first: str, last: str, *, at: datetime = T0) -> None:
    """A student of North Elementary, through the patrons service (no PIN, no contact)."""
    from octavo.patrons.services import PatronFields, create_patron

    create_patron(
        actor=actor,
        fields=PatronFields(
            barcode=barcode, first_name=first, last_name=last, patron_type="student",
            site_code="NES",
        ),
        at=at,
    )  # fmt: skip


# --- tests that commit (live server, threads racing) --------------------------------------
# The audit log and the fines ledger refuse UPDATE and DELETE on purpose (database triggers);
# a test that commits ends by emptying every table. Such a test module uses
# `flushable_append_only`: the triggers are dropped just before the flush (this fixture's
# teardown runs first) and put back once the module's last flush has run.
_APPEND_ONLY = (
    "octavo.audit.migrations.0002_append_only_triggers",
    "octavo.fines.migrations.0002_append_only",
)


def append_only_triggers(*, install: bool) -> None:
    """Drop (install=False) or put back what stops a flush: the append-only triggers, and on
    PostgreSQL the search index's foreign key (a table Django does not know, which its
    TRUNCATE of catalog records would leave behind)."""
    import importlib

    from django.db import connection

    for name in _APPEND_ONLY:
        migration = importlib.import_module(name)
        with connection.schema_editor() as editor:
            migration.backwards(None, editor)  # idempotent: IF EXISTS
            if install:
                migration.forwards(None, editor)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "ALTER TABLE catalog_search DROP CONSTRAINT IF EXISTS catalog_search_record_id_fkey"
            )
            if install:
                cursor.execute("DELETE FROM catalog_search")
                cursor.execute(
                    "ALTER TABLE catalog_search ADD CONSTRAINT catalog_search_record_id_fkey "
                    "FOREIGN KEY (record_id) REFERENCES catalog_record (id) ON DELETE CASCADE "
                    "DEFERRABLE INITIALLY DEFERRED"
                )


@pytest.fixture(scope="module")
def _append_only_back(django_db_blocker):
    yield
    with django_db_blocker.unblock():
        append_only_triggers(install=True)


_SEEDS = (
    "octavo.patrons.migrations.0002_default_patron_types",
    "octavo.holdings.migrations.0004_default_material_types",
    "octavo.policy.migrations.0002_default_rule",
)


def seed_defaults() -> None:
    """The rows a fresh database starts with (patron types, material types, the default policy
    row), put back after an earlier committing test's flush emptied every table."""
    import importlib

    from django.apps import apps

    for name in _SEEDS:
        importlib.import_module(name).forwards(apps, None)


@pytest.fixture
def flushable_append_only(_append_only_back, transactional_db):
    seed_defaults()
    yield
    append_only_triggers(install=False)
