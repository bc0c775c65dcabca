"""The desk's receipt by e-mail (issue #4: "Receipts on screen, printable, and by e-mail"): the
lines of the printed receipt, in the patron's language, to the patron's e-mail address or, for
a patron without one (a young student), to the guardians who receive notices. Mail goes
through the server named by OCTAVO_EMAIL_URL."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.contrib import messages
from django.core.mail import send_mail
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from octavo.interfaces.staff.access import staff_page
from octavo.interfaces.staff.desk_lines import receipt_rows, site_zone
from octavo.interfaces.staff.desk_views import (
    current_patron,
    desk_site,
    desk_state,
    receipt_lines,
    require_desk,
)
from octavo.patrons.selectors import mail_addresses
from octavo.shared.actor import Actor


@require_POST
@staff_page
def desk_receipt_email(request: HttpRequest, actor: Actor) -> HttpResponse:
    require_desk(actor)
    site = desk_site(request, actor)
    state = desk_state(request)
    patron = current_patron(actor, state)
    lines = receipt_lines(state)
    if patron is None or not lines:
        messages.error(request, _("Nothing to send: no item was checked out or renewed yet."))
        return redirect("staff:desk_receipt")
    to = mail_addresses(patron)
    if not to:
        messages.error(
            request,
            _("No e-mail address for %(name)s or their guardians: print the receipt instead.")
            % {"name": f"{patron.first_name} {patron.last_name}"},
        )
        return redirect("staff:desk_receipt")
    zone = site_zone(site)
    with translation.override(patron.language or settings.LANGUAGE_CODE):
        context = {"patron": patron, "site": site, "rows": receipt_rows(lines, zone)}
        subject = _("Your library receipt from %(site)s") % {"site": site.name}
        body = render_to_string("staff/email/receipt.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    except (OSError, smtplib.SMTPException) as error:
        messages.error(request, _("The receipt could not be sent: %(error)s") % {"error": error})
    else:
        messages.success(request, _("Receipt sent to %(to)s.") % {"to": ", ".join(to)})
    return redirect("staff:desk_receipt")
