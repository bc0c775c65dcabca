"""The notices tests' school, and the real SMTP server the desk's receipt tests read mail from."""

from __future__ import annotations

import pytest
from tests.integration.notices.world import build_school
from tests.interfaces.staff.test_desk_receipt_email import inbox  # noqa: F401


@pytest.fixture
def school(district, cli_actor):
    return build_school(district, cli_actor)
