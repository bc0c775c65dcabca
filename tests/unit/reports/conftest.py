"""The reports' unit tests read English words and English number formats: pin the language, so
a test elsewhere that switched to Spanish (a page rendered in Spanish leaves it active in the
thread) cannot change what these see."""

from __future__ import annotations

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield
