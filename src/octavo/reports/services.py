"""Reports mailed on a schedule (issue #7): the only code that writes ScheduledReport and
ReportDelivery.

A schedule names a report, a site (or the whole district), how often (each day, each Monday,
the first of each month), the days it covers and the file (CSV or XLSX). The nightly `reports`
job (octavo.interfaces.jobs) calls send_scheduled_reports for its day: each running schedule
whose due day (rules.due_on) has no sending yet is run as its owner, with the owner's rights
that night, and mailed with the file attached. A mail server that is down or refuses for now
is tried again on the next runs, MAX_ATTEMPTS in all; a refused address, an owner no longer
active or no longer allowed the site fails at once. Either way the failure is in the job's
summary and on the scheduled reports page, and nothing is marked sent that the server did not
take.
"""

from __future__ import annotations

import contextlib
import smtplib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from octavo.accounts.models import User
from octavo.audit.services import record as audit
from octavo.reports.definitions import Report
from octavo.reports.export import render_report
from octavo.reports.models import ReportDelivery, ScheduledReport
from octavo.reports.registry import report_named
from octavo.reports.rules import Covers, Every, due_on, period_before, recipients
from octavo.reports.selectors import readable_site
from octavo.shared.actor import Actor, Source
from octavo.shared.errors import InvalidInput, NotFound, OctavoError

SCHEDULED_FORMATS = ("csv", "xlsx")
MAX_ATTEMPTS = 3  # nights a sending is tried while the mail server does not take it
SMTP_TIMEOUT_S = 30

SENT, RETRYING, FAILED = "sent", "retrying", "failed"


def _every(value: str) -> Every:
    try:
        return Every(value)
    except ValueError:
        raise InvalidInput(f"{value!r}: one of day, week, month", field="every") from None


def _covers(value: str) -> Covers:
    try:
        return Covers(value)
    except ValueError:
        raise InvalidInput(f"{value!r}: one of last, usual", field="covers") from None


def schedule_report(
    *,
    actor: Actor,
    report: str,
    site_code: str,
    every: str,
    covers: str,
    fmt: str,
    to: str,
    at: datetime,
) -> ScheduledReport:
    """Mail `report` for the site with `site_code` (blank: the whole district) to the addresses
    in `to`, every day, week or month, from the next time it is due."""
    if actor.user_id is None:
        raise InvalidInput("a scheduled report belongs to a staff user: sign in to schedule one")
    definition = report_named(report)
    site = readable_site(actor=actor, report=definition, site_code=site_code)
    how_often = _every(every)
    days = _covers(covers)
    if definition.period is None:
        days = Covers.USUAL  # a picture of the night it is sent: there are no days to choose
    if fmt not in SCHEDULED_FORMATS:
        raise InvalidInput(f"{fmt!r}: one of {', '.join(SCHEDULED_FORMATS)}", field="format")
    addresses = recipients(to)
    with transaction.atomic():
        schedule = ScheduledReport.objects.create(
            report=definition.name,
            site=site,
            every=how_often.value,
            covers=days.value,
            fmt=fmt,
            recipients=", ".join(addresses),
            owner_id=actor.user_id,
            created_at=at,
        )
        audit(
            actor=actor,
            action="report.schedule",
            object_type="scheduled_report",
            object_id=schedule.pk,
            object_repr=f"{definition.name} every {how_often.value}",
            at=at,
            site_id=site.pk if site else None,
            changes={"recipients": ["", schedule.recipients], "format": ["", fmt]},
        )
    return schedule


def stop_schedule(*, actor: Actor, schedule_id: int, at: datetime) -> ScheduledReport:
    """Stop a scheduled report: its owner's or a district admin's to stop; anyone else is told
    there is no such schedule."""
    with transaction.atomic():
        found = ScheduledReport.objects.select_for_update().filter(pk=schedule_id, stopped_at=None)
        if not actor.is_district_admin:
            found = found.filter(owner_id=actor.user_id)
        schedule = found.first()
        if schedule is None:
            raise NotFound(f"no running scheduled report {schedule_id}", field="schedule")
        schedule.stopped_at = at
        schedule.save(update_fields=["stopped_at"])
        audit(
            actor=actor,
            action="report.unschedule",
            object_type="scheduled_report",
            object_id=schedule.pk,
            object_repr=f"{schedule.report} every {schedule.every}",
            at=at,
            site_id=schedule.site_id,
        )
    return schedule


# --- the nightly sending ------------------------------------------------------------------------


@dataclass
class Mailed:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        text = f"mailed {self.sent} scheduled report(s)"
        if self.retrying:
            text += f", {self.retrying} to try again on the next run"
        if self.failed:
            text += f", {self.failed} FAILED"
        if self.errors:
            text += " (" + "; ".join(f"{n} x {e}" for e, n in self.errors.most_common()) + ")"
        return text


class _NotMailable(Exception):
    """This sending cannot succeed however often it is tried (the reason is the message)."""


class _ServerDown(Exception):
    """The mail server cannot be reached now: the sending is tried again on the next run."""


@dataclass(frozen=True)
class _Sending:
    schedule: ScheduledReport
    due: date
    delivery: ReportDelivery | None  # an earlier try, when there was one


def _due_sendings(day: date) -> list[_Sending]:
    """Each running schedule's sending due on or before `day` that did not go yet: earlier
    tries still to be retried, then what is newly due."""
    zone = ZoneInfo(settings.TIME_ZONE)
    found: list[_Sending] = []
    retries = ReportDelivery.objects.filter(
        status=RETRYING, schedule__stopped_at=None, due_on__lte=day
    ).select_related("schedule", "schedule__site", "schedule__owner")
    seen = set()
    for delivery in retries.order_by("due_on", "id"):
        found.append(_Sending(delivery.schedule, delivery.due_on, delivery))
        seen.add((delivery.schedule_id, delivery.due_on))
    running = ScheduledReport.objects.filter(stopped_at=None).select_related("site", "owner")
    due = {schedule: due_on(Every(schedule.every), day) for schedule in running.order_by("id")}
    # What went (or was tried) already, read at once: one query, not one per schedule.
    tried = set(
        ReportDelivery.objects.filter(
            schedule__in=list(due), due_on__in=set(due.values())
        ).values_list("schedule_id", "due_on")
    )
    for schedule, when in due.items():
        if when < schedule.created_at.astimezone(zone).date():
            continue  # due before it was made: the first sending is the next one
        if (schedule.pk, when) not in seen | tried:
            found.append(_Sending(schedule, when, None))
    return found


def _period(schedule: ScheduledReport, report: Report, due: date) -> tuple[date, date] | None:
    if report.period is None or schedule.covers != Covers.LAST.value:
        return None
    return period_before(Every(schedule.every), due)


def _message(
    schedule: ScheduledReport, report: Report, due: date, from_email: str
) -> tuple[EmailMessage, tuple[date, date] | None]:
    owner: User = schedule.owner
    if not owner.is_active:
        raise _NotMailable(f"its owner {owner.username} is no longer active")
    period = _period(schedule, report, due)
    moment = datetime.combine(due, time(0), ZoneInfo(settings.TIME_ZONE))
    try:
        rendered = render_report(
            actor=owner.actor(source=Source.SYSTEM),
            name=report.name,
            fmt=schedule.fmt,
            at=moment,
            site_code=schedule.site.code if schedule.site else "",
            start=period[0] if period else None,
            end=period[1] if period else None,
        )
    except OctavoError as error:
        raise _NotMailable(f"{owner.username} may no longer run it: {error}") from error
    where = f"{schedule.site.code} {schedule.site.name}" if schedule.site else _("Whole district")
    words = {"title": report.title, "where": where}
    subject = _("%(title)s, %(where)s") % words
    lines = [str(report.title), str(report.description), "", _("Site: %(where)s") % words]
    if period:
        shown = {"start": period[0].isoformat(), "end": period[1].isoformat()}
        subject += ", " + _("%(start)s to %(end)s") % shown
        lines.append(_("Period: %(start)s to %(end)s") % shown)
    lines += [
        _("The report is attached: %(file)s.") % {"file": rendered.filename},
        "",
        _(
            "%(owner)s asked Octavo to send this report %(when)s. To stop it, open Reports, "
            "then Scheduled reports."
        )
        % {"owner": owner.get_full_name() or owner.username, "when": how_often(schedule.every)},
    ]
    to = [a.strip() for a in schedule.recipients.split(",") if a.strip()]
    email = EmailMessage(subject, "\n".join(lines) + "\n", from_email, to)
    email.attach(rendered.filename, rendered.content, rendered.content_type)
    return email, period


def how_often(every: str) -> str:
    """When a schedule sends, in the reader's language: "every Monday"."""
    words = {
        Every.DAY.value: _("every day"),
        Every.WEEK.value: _("every Monday"),
        Every.MONTH.value: _("on the first day of every month"),
    }
    return words.get(every, every)


def _record(
    sending: _Sending,
    period: tuple[date, date] | None,
    status: str,
    error: str,
    sent_at: datetime | None,
) -> str:
    """Write this try's outcome; the status written (a retry out of tries has failed)."""
    attempts = (sending.delivery.attempts if sending.delivery else 0) + 1
    if status == RETRYING and attempts >= MAX_ATTEMPTS:
        status = FAILED
    ReportDelivery.objects.update_or_create(
        schedule=sending.schedule,
        due_on=sending.due,
        defaults={
            "start": period[0] if period else None,
            "end": period[1] if period else None,
            "status": status,
            "attempts": attempts,
            "last_error": error[:500],
            "sent_at": sent_at,
        },
    )
    return status


def send_scheduled_reports(*, day: date, sent_at: datetime, from_email: str) -> Mailed:
    """Mail every scheduled report due on or before `day` that did not go yet (see the module
    docstring); `sent_at` is the clock, stamped on what the server took."""
    outcome = Mailed()
    sendings = _due_sendings(day)
    if not sendings:
        return outcome
    backend = get_connection(fail_silently=False)
    if getattr(backend, "timeout", 0) is None:
        backend.timeout = SMTP_TIMEOUT_S
    down = ""
    with translation.override(settings.LANGUAGE_CODE):
        try:
            for sending in sendings:
                schedule = sending.schedule
                period = None
                status, error = SENT, ""
                try:
                    report = report_named(schedule.report)
                    if down:
                        raise _ServerDown(down)
                    email, period = _message(schedule, report, sending.due, from_email)
                    email.connection = backend
                    _send(email)
                except (NotFound, _NotMailable) as reason:
                    status, error = FAILED, str(reason)
                except smtplib.SMTPRecipientsRefused as refused:
                    status, error = FAILED, _refused(refused)
                except _ServerDown as reason:
                    down = str(reason)
                    status, error = RETRYING, down
                status = _record(
                    sending, period, status, error, sent_at if status == SENT else None
                )
                _count(outcome, sending, status, error)
        finally:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                backend.close()
    return outcome


def _send(email: EmailMessage) -> None:
    try:
        email.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused:
        raise
    except (OSError, smtplib.SMTPException) as error:
        raise _ServerDown(f"{type(error).__name__}: {error}".strip()) from error


def _refused(error: smtplib.SMTPRecipientsRefused) -> str:
    parts = []
    for address, (code, reply) in error.recipients.items():
        text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        parts.append(f"{address}: {code} {text}")
    return "refused " + "; ".join(parts)


def _count(outcome: Mailed, sending: _Sending, status: str, error: str) -> None:
    if status == SENT:
        outcome.sent += 1
        return
    if status == RETRYING:
        outcome.retrying += 1
    else:
        outcome.failed += 1
    outcome.errors[f"{sending.schedule.report} #{sending.schedule.pk}: {error}"] += 1
