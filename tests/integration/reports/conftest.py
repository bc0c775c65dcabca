"""The report tests' small district (world.py)."""

from tests.integration.reports.world import report_world  # noqa: F401 - the fixture
