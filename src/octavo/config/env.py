"""Reading Octavo's configuration from the environment (the only place it comes from)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def var_dir() -> Path:
    """`./var/` under the directory Octavo is started from: the SQLite file and the secret key."""
    path = Path(os.environ.get("OCTAVO_VAR_DIR", "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key() -> str:
    """OCTAVO_SECRET_KEY, or a key generated once and kept in ./var/secret_key (mode 600)."""
    value = os.environ.get("OCTAVO_SECRET_KEY", "").strip()
    if value:
        return value
    key_file = var_dir() / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(50)
    tmp = key_file.with_name(f"secret_key.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    try:
        # link() fails if another process won the race; then everyone uses the winner's key.
        os.link(tmp, key_file)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return key_file.read_text().strip()
