"""Running Octavo under gunicorn (sync workers), the production server behind `octavo serve`.

Chosen over uvicorn after measuring a trivial Django view here: gunicorn sync workers served
3,455 requests/s, uvicorn 273 (issue #2; docs/adr/0003-gunicorn.md).
"""

from __future__ import annotations

import os
from typing import Any

from gunicorn.app.base import BaseApplication


def default_workers() -> int:
    configured = os.environ.get("OCTAVO_WORKERS", "").strip()
    if configured:
        return max(1, int(configured))
    return min(2 * (os.cpu_count() or 1) + 1, 9)


class OctavoServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from django.core.wsgi import get_wsgi_application

        return get_wsgi_application()


def serve(*, host: str, port: int, workers: int | None = None) -> None:
    OctavoServer(
        {
            "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
            "workers": workers or default_workers(),
            "worker_class": "sync",
            "timeout": 60,
            "graceful_timeout": 10,
            "accesslog": os.environ.get("OCTAVO_ACCESS_LOG") or None,
            "errorlog": "-",
            "loglevel": "info",
            "proc_name": "octavo",
            # Load the app in the master once, so a broken configuration fails before forking.
            "preload_app": True,
        }
    ).run()
