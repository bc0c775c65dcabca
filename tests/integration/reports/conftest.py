"""The report tests' small district (world.py), and the real SMTP server the scheduled reports
are mailed to."""

from tests.integration.reports.world import report_world  # noqa: F401 - the fixture
from tests.interfaces.staff.test_desk_receipt_email import inbox  # noqa: F401 - the fixture
