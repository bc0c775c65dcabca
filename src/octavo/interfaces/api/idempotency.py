"""`Idempotency-Key` on every POST: a retry with the same key gets the first answer, and the
action happens once (issue #4: a desk or a kiosk that lost the answer to a check-out or a
payment sends it again).

The key is claimed, the action run and its answer stored in one transaction: a second request
with the key waits for the first to commit (SQLite takes one writer at a time; on PostgreSQL
the claim's unique index makes it wait) and then gets the stored answer. A failure that is
not an answer (a 5xx) rolls the claim back with everything else, so the client may retry.
Answers are kept for KEEP_FOR, and keys older than that are removed now and then by whichever
process is writing (PURGE_EVERY), not on every request. A key reused for a different request
is refused.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse

from octavo.accounts.models import User
from octavo.db import rows
from octavo.interfaces.api.errors import STATUS, error_response
from octavo.interfaces.api.models import IdempotentRequest
from octavo.shared.clock import now
from octavo.shared.errors import OctavoError

KEEP_FOR = timedelta(hours=24)
PURGE_EVERY = timedelta(minutes=10)
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces


def respond(request: HttpRequest, action: Callable[[], tuple[int, dict[str, Any]]]) -> JsonResponse:
    """Run `action` (returning status and body) once per Idempotency-Key; without a key, run it.

    Refusals (an OctavoError) are answers too: a retried check-out that was refused is refused
    again with the same body, without asking the services a second time.
    """
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return _answer(action)
    if not _KEY.match(key):
        return error_response(
            422,
            "invalid",
            "Idempotency-Key: 1 to 255 printable characters without spaces",
            "Idempotency-Key",
        )
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)  # noqa: S101 - only authenticated routes call this
    digest = hashlib.sha256(request.body).hexdigest()
    at = now()
    response = None
    with transaction.atomic():
        _purge_now_and_then(at)
        try:
            with transaction.atomic():
                claim = rows.create(
                    IdempotentRequest(
                        user=user,
                        key=key,
                        method=request.method or "",
                        path=request.path[:500],
                        body_sha256=digest,
                        created_at=at,
                    )
                )
        except IntegrityError:
            claim = None  # the key was used before: its answer is replayed below
        if claim is not None:
            response = _answer(action)
            if response.status_code >= 500:
                transaction.set_rollback(True)  # nothing was done: the client may retry
            else:
                claim.status = response.status_code
                claim.response = _body(response)
                rows.update(claim, ["status", "response"])
    return response if response is not None else _replay(user, key, request, digest)


_last_purge: datetime | None = None


def _purge_now_and_then(at: datetime) -> None:
    global _last_purge
    if _last_purge is not None and at - _last_purge < PURGE_EVERY:
        return
    _last_purge = at
    IdempotentRequest.objects.filter(created_at__lt=at - KEEP_FOR).delete()


def _answer(action: Callable[[], tuple[int, dict[str, Any]]]) -> JsonResponse:
    try:
        status, body = action()
    except OctavoError as error:
        return error_response(
            STATUS.get(error.reason, 422), error.reason.value, error.message, error.field
        )
    return JsonResponse(body, status=status)


def _body(response: JsonResponse) -> Any:
    return json.loads(response.content)


def _replay(user: User, key: str, request: HttpRequest, digest: str) -> JsonResponse:
    first = IdempotentRequest.objects.filter(user=user, key=key).first()
    if first is None:  # expired and removed between the two statements
        return error_response(409, "idempotency_retry", "retry the request")
    if (first.method, first.path, first.body_sha256) != (
        request.method,
        request.path[:500],
        digest,
    ):
        return error_response(
            422,
            "idempotency_key_reused",
            "this Idempotency-Key was used for a different request",
            "Idempotency-Key",
        )
    if first.status == 0:
        return error_response(
            409, "idempotency_in_progress", "the first request with this key is still running"
        )
    return JsonResponse(first.response, status=first.status, safe=False)
