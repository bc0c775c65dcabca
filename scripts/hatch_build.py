"""Compile the translation catalogs (.po -> .mo) when Octavo is installed."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CompileMessagesHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        sys.path.insert(0, str(root / "src" / "octavo" / "shared"))
        try:
            from catalogs import compile_catalogs  # the same code `octavo messages` runs
        finally:
            sys.path.pop(0)
        for mo_path in compile_catalogs(root / "src" / "octavo" / "locale"):
            build_data.setdefault("artifacts", []).append(str(mo_path.relative_to(root)))
