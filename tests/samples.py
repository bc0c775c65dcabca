"""Where the real MARC records live: ../shared/marc-samples beside the repository (CI puts
shared/ there too). Missing samples fail the tests that need them instead of skipping them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = (
    Path(os.environ.get("MARC_SAMPLES_DIR") or ROOT.parent / "shared" / "marc-samples")
    / "openlibrary"
)


@pytest.fixture
def marc_samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.fail(
            f"the real MARC samples are missing: expected them at {SAMPLES} "
            "(../shared/marc-samples beside the repository, or set MARC_SAMPLES_DIR)"
        )
    return SAMPLES


needs_samples = pytest.mark.usefixtures("marc_samples")
