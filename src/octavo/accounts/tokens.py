"""API token format: `oct_` + 43 URL-safe characters; only its SHA-256 digest is stored."""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "oct_"
TOKEN_BYTES = 32


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()
