"""`Idempotency-Key` on every POST: a retry with the same key gets the first answer, and the
action happens once (issue #4: a desk or a kiosk that lost the answer to a check-out or a
payment sends it again).

The key is looked up, the action run and its answer stored with the key in one transaction.
A second request with the key finds the first one's answer (SQLite runs one writer at a time),
or, racing it on PostgreSQL, fails to store its own (the key is unique per account): its
transaction, the action included, is rolled back and the first answer replayed. A failure
that is not an answer (a 5xx) stores nothing, so the client may retry.
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
    try:
        with transaction.atomic():
            _purge_now_and_then(at)
            if rows.one(IdempotentRequest, "user_id = %s AND key = %s", [user.pk, key]):
                raise _KeyTaken
            response = _answer(action)
            if response.status_code >= 500:
                transaction.set_rollback(True)  # nothing was done: the client may retry
                return response
            claim = IdempotentRequest(
                user=user,
                key=key,
                method=request.method or "",
                path=request.path[:500],
                body_sha256=digest,
                created_at=at,
                status=response.status_code,
                response=_body(response),
            )
            try:
                rows.create(claim)
            except IntegrityError as error:
                # Another request with this key committed while this one worked (PostgreSQL;
                # SQLite runs one writer at a time): this one's work is rolled back, its
                # answer replayed.
                raise _KeyTaken from error
    except _KeyTaken:
        return _replay(user, key, request, digest)
    return response


class _KeyTaken(Exception):
    """The key has an answer already."""


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
