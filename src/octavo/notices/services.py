"""Notices (issue #7): queue what is due, send the e-mails, print the stacks, keep the templates.
The only code that writes the notice log and the templates.

A night's run (run_notices, called by the `notices` job) first queues every notice due as of
its day (selectors.due_notices: set-based SQL, only what the log lacks), each with where it
goes: the patron's mail addresses (patrons.selectors.mail_addresses_of, the one rule for where
a patron's mail goes), else the printable stack of the patron's home site. Then it sends the
queued e-mails, one per patron, kind, site and day, HTML with a plain-text part.

Retries: an e-mail the server does not take (server down, timed out, a temporary refusal)
stays queued with its error and is tried again on the next night's run; after
Schedule.max_attempts runs it is failed, reported, and joins that day's printable stack, so a
notice is never lost. An address the server refuses outright (a bounce at send time) fails at
once and is printed. A notice is marked sent only once the server has taken it.
"""

from __future__ import annotations

import contextlib
import smtplib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address
from django.db import connection, transaction
from django.db.models import Max

from octavo.audit.services import record as audit
from octavo.district.models import Site
from octavo.notices import selectors
from octavo.notices.composing import (
    ROW_COLUMNS,
    Message,
    Templates,
    context_of,
    messages_of,
    read_facts,
    row_of,
)
from octavo.notices.models import NoticeTemplate
from octavo.notices.printing import StackWords, stack_pdf
from octavo.notices.rendering import Rendered, Source, check
from octavo.notices.rules import (
    LANGUAGES,
    Channel,
    NoticeKind,
    Schedule,
    sample_context,
)
from octavo.patrons.selectors import mail_addresses_of
from octavo.shared.actor import Actor
from octavo.shared.errors import InvalidInput, NotFound

WRITE_BATCH = 1000  # notices written per transaction: short, so the desks are not held up
SEND_BATCH = 500  # messages composed at once
SMTP_TIMEOUT_S = 30


# --- queueing ---------------------------------------------------------------------------------


@dataclass
class Queued:
    by_kind: Counter[str] = field(default_factory=Counter)
    email: int = 0
    printed: int = 0  # to the printable stack: no address for the patron or a guardian


_INSERT = (
    "INSERT INTO notices_notice (patron_id, kind, object_type, object_id, occasion, site_id, "
    "day, channel, addresses, language, status, attempts, last_error, template_id, queued_at) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'queued', 0, '', %s, %s) "
    "ON CONFLICT DO NOTHING"
)


def _languages(patron_ids: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    ids = sorted(patron_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join(["%s"] * len(chunk))
        sql = f"SELECT id, language FROM patrons_patron WHERE id IN ({marks})"  # noqa: S608
        for pk, language in _table(sql, chunk):
            found[int(pk)] = language if language in LANGUAGES else "en"
    return found


def _joined(addresses: list[str]) -> str:
    text = ""
    for address in addresses:
        candidate = f"{text}, {address}" if text else address
        if len(candidate) > 500:
            break
        text = candidate
    return text


def queue_due(*, day: date, at: datetime, schedule: Schedule) -> Queued:
    """Add to the log every notice due as of `day` that it lacks; say how many of each."""
    return _queue(selectors.due_notices(day=day, at=at, schedule=schedule), day=day, at=at)


def _queue(due: Sequence[selectors.Due], *, day: date, at: datetime) -> Queued:
    patron_ids = {d.patron_id for d in due}
    addresses = mail_addresses_of(patron_ids)
    languages = _languages(patron_ids)
    templates = selectors.current_template_ids()
    moment = connection.ops.adapt_datetimefield_value(at)
    params = []
    report = Queued()
    for d in due:
        language = languages.get(d.patron_id, "en")
        to = _joined(addresses.get(d.patron_id, []))
        channel = Channel.EMAIL if to else Channel.PRINT
        template = templates.get((d.site_id, d.kind.value, language))
        params.append(
            (
                d.patron_id,
                d.kind.value,
                d.about.value,
                d.object_id,
                d.occasion,
                d.site_id,
                day,
                channel.value,
                to,
                language,
                template,
                moment,
            )
        )
        report.by_kind[d.kind.value] += 1
        if channel is Channel.EMAIL:
            report.email += 1
        else:
            report.printed += 1
    for start in range(0, len(params), WRITE_BATCH):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(_INSERT, params[start : start + WRITE_BATCH])
    return report


# --- sending ----------------------------------------------------------------------------------


@dataclass
class Sent:
    sent: int = 0  # e-mails the server took
    retrying: int = 0  # not taken, to be tried again on the next run
    failed: int = 0  # refused, or out of attempts: on the printable stack
    errors: Counter[str] = field(default_factory=Counter)  # what went wrong, how often


class _ServerDown(Exception):
    """The mail server cannot be reached: nothing more is tried this run."""


def _update(sql: str, params: Sequence[Any], ids: Sequence[int]) -> None:
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ", ".join(["%s"] * len(chunk))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"{sql} WHERE id IN ({marks})", [*params, *chunk])


def _mark_sent(ids: Sequence[int], at: datetime, partial: str = "") -> None:
    _update(
        "UPDATE notices_notice SET status = 'sent', attempts = attempts + 1, sent_at = %s, "
        "last_error = %s",
        [connection.ops.adapt_datetimefield_value(at), partial[:500]],
        ids,
    )


def _mark_failed_attempt(
    ids: Sequence[int], error: str, *, day: date, schedule: Schedule, permanent: bool
) -> None:
    """One more attempt that did not go through: still queued, or failed (and on `day`'s
    printable stack) when it was the last attempt or the address was refused."""
    last = 1 if permanent else schedule.max_attempts
    _update(
        "UPDATE notices_notice SET attempts = attempts + 1, last_error = %s, "
        "status = CASE WHEN attempts + 1 >= %s THEN 'failed' ELSE 'queued' END, "
        "day = CASE WHEN attempts + 1 >= %s THEN %s ELSE day END",
        [error[:500], last, last, day],
        ids,
    )


def _queued_email_rows(kinds: Sequence[NoticeKind] = ()) -> list[Any]:
    """The queued e-mails; of `kinds` only, never tried yet, when kinds are given."""
    only, params = "", [Channel.EMAIL.value]
    if kinds:
        only = f" AND attempts = 0 AND kind IN ({', '.join(['%s'] * len(kinds))})"
        params += [k.value for k in kinds]
    return [
        row_of(values)
        for values in _table(
            f"SELECT {ROW_COLUMNS} FROM notices_notice WHERE status = 'queued' AND channel = %s"  # noqa: S608
            f"{only} ORDER BY patron_id, kind, site_id, day, id",
            params,
        )
    ]


def _table(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(r) for r in cursor.fetchall()]


def _email(message: Message, rendered: Rendered, from_email: str) -> EmailMultiAlternatives:
    to = [a.strip() for a in message.addresses.split(",") if a.strip()]
    email = EmailMultiAlternatives(rendered.subject, rendered.text, from_email, to)
    if rendered.html.strip():
        email.attach_alternative(rendered.html, "text/html")
    return email


def _deliver(backend: Any, email: EmailMultiAlternatives) -> dict[str, Any]:
    """Hand one message to the server; the addresses it refused (of several), if any. Through
    SMTP directly so that a partial refusal is seen (Django's backend ignores it)."""
    if isinstance(backend, SmtpBackend):
        if backend.connection is None:
            raise _ServerDown("the mail server connection closed")
        encoding = email.encoding or "utf-8"
        sender = sanitize_address(email.from_email, encoding)
        recipients = [sanitize_address(a, encoding) for a in email.recipients()]
        refused = backend.connection.sendmail(
            sender, recipients, email.message().as_bytes(linesep="\r\n")
        )
        return dict(refused or {})
    backend.send_messages([email])
    return {}


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        parts = [
            f"{address}: {code} {_text(reply)}"
            for address, (code, reply) in error.recipients.items()
        ]
        return "refused " + "; ".join(parts)
    text = str(error) or type(error).__name__
    return f"{type(error).__name__}: {text}"


def send_waiting(
    *,
    day: date,
    at: datetime,
    schedule: Schedule,
    currency: str,
    from_email: str,
    kinds: Sequence[NoticeKind] = (),
) -> Sent:
    """Send every queued e-mail notice (new ones and earlier runs' retries), or the new ones
    of `kinds` only."""
    report = Sent()
    waiting = messages_of(_queued_email_rows(kinds))
    if not waiting:
        return report
    backend = get_connection(fail_silently=False)
    if isinstance(backend, SmtpBackend) and backend.timeout is None:
        backend.timeout = SMTP_TIMEOUT_S
    templates = Templates()
    handled: set[int] = set()  # the first notice id of each message dealt with
    try:
        try:
            backend.open()
        except (OSError, smtplib.SMTPException) as error:
            raise _ServerDown(_describe(error)) from error
        for start in range(0, len(waiting), SEND_BATCH):
            batch = waiting[start : start + SEND_BATCH]
            _send_batch(
                batch, backend, templates, report, handled, day, at, schedule, currency, from_email
            )
    except _ServerDown as down:
        rest = [m for m in waiting if m.ids[0] not in handled]
        _give_up_for_now(rest, str(down), report, day, schedule)
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            backend.close()
    return report


def _give_up_for_now(
    messages: Sequence[Message], error: str, report: Sent, day: date, schedule: Schedule
) -> None:
    ids = [i for m in messages for i in m.ids]
    _mark_failed_attempt(ids, error, day=day, schedule=schedule, permanent=False)
    for m in messages:
        if m.attempts + 1 >= schedule.max_attempts:
            report.failed += 1
        else:
            report.retrying += 1
    report.errors[error] += len(messages)


def _send_batch(
    batch: Sequence[Message],
    backend: Any,
    templates: Templates,
    report: Sent,
    handled: set[int],
    day: date,
    at: datetime,
    schedule: Schedule,
    currency: str,
    from_email: str,
) -> None:
    facts = read_facts(batch)
    templates.load(batch)
    sent: list[int] = []
    try:
        for message in batch:
            try:
                rendered = templates.render(message, context_of(message, facts, currency=currency))
                refused = _deliver(backend, _email(message, rendered, from_email))
            except smtplib.SMTPRecipientsRefused as error:
                _mark_failed_attempt(
                    message.ids, _describe(error), day=day, schedule=schedule, permanent=True
                )
                report.failed += 1
                report.errors[_describe(error)] += 1
            except (smtplib.SMTPServerDisconnected, OSError) as error:
                raise _ServerDown(_describe(error)) from error
            except smtplib.SMTPException as error:
                _mark_failed_attempt(
                    message.ids, _describe(error), day=day, schedule=schedule, permanent=False
                )
                if message.attempts + 1 >= schedule.max_attempts:
                    report.failed += 1
                else:
                    report.retrying += 1
                report.errors[_describe(error)] += 1
            else:
                if refused:
                    _mark_sent(message.ids, at, _describe(smtplib.SMTPRecipientsRefused(refused)))
                else:
                    sent += message.ids
                report.sent += 1
            handled.add(message.ids[0])
    finally:
        _mark_sent(sent, at)


# --- a night's run ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeRun:
    queued: Queued
    sent: Sent

    def summary(self) -> str:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.queued.by_kind.items())) or "none"
        text = (
            f"queued {sum(self.queued.by_kind.values())} ({kinds}): {self.queued.email} by "
            f"e-mail, {self.queued.printed} to print; e-mails sent {self.sent.sent}, "
            f"to retry {self.sent.retrying}, failed {self.sent.failed}"
        )
        for error, count in self.sent.errors.most_common(3):
            text += f"; {count} x {error}"
        return text


def run_notices(
    *, day: date, at: datetime, sent_at: datetime, currency: str, from_email: str
) -> NoticeRun:
    """The nightly notices: queue what is due as of `day` (the run's moment `at`), then send
    every e-mail waiting (stamped `sent_at`, the clock)."""
    schedule = selectors.schedule()
    queued = queue_due(day=day, at=at, schedule=schedule)
    sent = send_waiting(
        day=day, at=sent_at, schedule=schedule, currency=currency, from_email=from_email
    )
    return NoticeRun(queued, sent)


def run_hold_notices(*, day: date, at: datetime, currency: str, from_email: str) -> NoticeRun:
    """Through the day (the `hold-notices` job, every few minutes): queue the "ready for
    pickup" notices of the holds put on the shelf by `at` and send them, and only them, each
    tried once: one the mail server did not take waits for the night's run and its retries,
    so a server down for an afternoon does not use up its tries. A reader hears that their
    book is in the same day."""
    schedule = selectors.schedule()
    queued = _queue(selectors.holds_ready_due(at=at), day=day, at=at)
    sent = send_waiting(
        day=day,
        at=at,
        schedule=schedule,
        currency=currency,
        from_email=from_email,
        kinds=(NoticeKind.HOLD_READY,),
    )
    return NoticeRun(queued, sent)


# --- templates --------------------------------------------------------------------------------


def _kind(value: str) -> NoticeKind:
    try:
        return NoticeKind(value)
    except ValueError:
        raise InvalidInput(f"no kind of notice {value!r}", field="kind") from None


def _language(value: str) -> str:
    if value not in LANGUAGES:
        raise InvalidInput(
            f"no language {value!r} (one of {', '.join(LANGUAGES)})", field="language"
        )
    return value


def site_by_code(code: str) -> Site:
    site = Site.objects.filter(code=code.strip().upper()).first()
    if site is None:
        raise NotFound(f"no site with code {code!r}", field="site")
    return site


def preview_template(*, source: Source, language: str) -> Rendered:
    """The template checked and rendered with the sample values (TemplateRefused: where)."""
    context = sample_context(_language(language))
    return check(source, context).render(context)


def save_template(
    *, actor: Actor, site_code: str, kind: str, language: str, source: Source, at: datetime
) -> NoticeTemplate:
    """Save a new version of a site's template; refused (TemplateRefused, with the part and
    line) unless it compiles and renders the sample values."""
    site = site_by_code(site_code)
    selectors.require_template_site(actor, site)
    notice_kind, lang = _kind(kind), _language(language)
    check(source, sample_context(lang))
    with transaction.atomic():
        latest = (
            NoticeTemplate.objects.select_for_update()
            .filter(site=site, kind=notice_kind.value, language=lang)
            .aggregate(v=Max("version"))["v"]
        )
        template = NoticeTemplate.objects.create(
            site=site,
            kind=notice_kind.value,
            language=lang,
            version=(latest or 0) + 1,
            subject=source.subject.strip(),
            text=source.text,
            html=source.html,
            created_at=at,
            created_by=actor.username,
        )
        audit(
            actor=actor,
            action="notice_template.save",
            object_type="notice_template",
            object_id=template.pk,
            object_repr=f"{site.code} {notice_kind.value} {lang} v{template.version}",
            site_id=site.id,
            changes={"version": [latest, template.version]},
            at=at,
        )
    return template


# --- the printable stacks ---------------------------------------------------------------------


def print_stack(
    *,
    actor: Actor,
    site_code: str,
    day: date,
    homeroom: str | None,
    at: datetime,
    currency: str,
    words: StackWords | None = None,
) -> bytes:
    """A site's printable notices for `day` as a PDF, grouped by homeroom teacher (one teacher's
    class when `homeroom` is given; "" is the patrons without one), a page per message, in the
    patron's language; the notices in it are marked printed."""
    site = site_by_code(site_code)
    selectors.require_stack_site(actor, site)
    notices = selectors.stack_notices(site.id, day)
    if homeroom is not None:
        notices = notices.filter(patron__homeroom=homeroom)
    ids = list(notices.values_list("id", flat=True))
    found = [
        row_of(values)
        for start in range(0, len(ids), 500)
        for values in _table(
            f"SELECT {ROW_COLUMNS} FROM notices_notice WHERE id IN "  # noqa: S608
            f"({', '.join(['%s'] * len(ids[start : start + 500]))})",
            ids[start : start + 500],
        )
    ]
    messages = messages_of(found)
    facts = read_facts(messages)
    templates = Templates()
    templates.load(messages)
    pages = []
    for message in messages:
        patron, _home, room = facts.patrons[message.patron_id]
        rendered = templates.render(message, context_of(message, facts, currency=currency))
        pages.append((room, patron, rendered))
    pdf = stack_pdf(site_name=site.name, day=day, pages=pages, words=words or StackWords())
    moment = connection.ops.adapt_datetimefield_value(at)
    _update(
        "UPDATE notices_notice SET printed_at = %s, "
        "status = CASE WHEN status = 'queued' THEN 'printed' ELSE status END",
        [moment],
        ids,
    )
    return pdf


# --- privacy ----------------------------------------------------------------------------------


def forget_old_notices(*, day: date, keep_days: int) -> int:
    """Delete the log's notices older than `keep_days` (docs/librarians/notices.md, "Privacy"),
    except those about a loan still out or a hold still waiting: the desk may need them, and
    without them the notices would be sent again."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM notices_notice WHERE day < %s AND NOT ("
            "(object_type = 'loan' AND EXISTS (SELECT 1 FROM circulation_loan l "
            "WHERE l.id = notices_notice.object_id AND l.status = 'open')) OR "
            "(object_type = 'hold' AND EXISTS (SELECT 1 FROM holds_hold h "
            "WHERE h.id = notices_notice.object_id "
            "AND h.status IN ('waiting', 'in_transit', 'ready'))))",
            [day - timedelta(days=keep_days)],
        )
        return int(cursor.rowcount)


__all__ = [
    "NoticeRun",
    "Queued",
    "Sent",
    "forget_old_notices",
    "preview_template",
    "print_stack",
    "queue_due",
    "run_notices",
    "save_template",
    "send_waiting",
]
