"""Staff pages of appointments: a site's agenda per day, booking for a caller, the booking
settings, and the agenda's actions (helped: register as a contact; did not come; cancel).

Views stay thin: `accounts.permissions.site_for` decides who may work at the site (another
site's id is a 404), `appointments.selectors` reads (an appointment of another site is a 404),
`appointments.services` (booking), `appointments.changes` (cancel, mark) and
`appointments.contacts` (helped: register the contact) write, and refusals come back as clear
messages.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import staff_view
from accounts.permissions import Can, site_for, sites_for
from appointments import changes, contacts, selectors, services
from appointments.models import Appointment
from appointments.public.forms import new_submission_token, parse_day, slot_code
from appointments.slots import week_to_show
from appointments.staff.forms import BookingSettingsForm, CallerAppointmentForm
from core.dates import clock
from core.forms import add_service_errors
from network.models import Site

ACTIONS = ("register", "no-show", "cancel")


def _agenda_url(site: Site, day: date) -> str:
    url = reverse("appointments:agenda", kwargs={"site_id": site.pk})
    return f"{url}?{urlencode({'date': day.isoformat()})}"


@staff_view
@require_GET
def agenda(request: HttpRequest, site_id: int) -> HttpResponse:
    """One day of the site's appointments (today unless `?date=YYYY-MM-DD`), with the actions."""
    site = site_for(request.user, site_id, Can.MANAGE_APPOINTMENTS)
    now = timezone.now()
    today = timezone.localdate(now)
    asked = request.GET.get("date")
    day = parse_day(asked)
    if day is None:
        if asked:
            messages.error(request, _("This is not a date. Here is today's agenda."))
        day = today
    booking = services.booking_settings_of(site)
    context: dict[str, Any] = {
        "current_site": site,
        "site": site,
        "day": day,
        "today": today,
        "now": now,
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "appointments": selectors.appointments_on(site, day),
        "booking": booking,
        "can_edit": sites_for(request.user, Can.EDIT_SITE).filter(pk=site.pk).exists(),
    }
    return render(request, "appointments/staff/agenda.html", context)


@staff_view
@require_POST
def action(request: HttpRequest, site_id: int, appointment_id: int, action: str) -> HttpResponse:
    """An action on one appointment of the agenda (POST), then back to its day."""
    site = site_for(request.user, site_id, Can.MANAGE_APPOINTMENTS)
    appointment = selectors.appointment_at_site(site, appointment_id)
    if action not in ACTIONS:
        raise Http404
    day = timezone.localdate(appointment.starts_at)
    if action == "cancel" and request.POST.get("confirm") != "yes":
        context = {"current_site": site, "site": site, "appointment": appointment, "day": day}
        return render(request, "appointments/staff/cancel.html", context)
    try:
        if action == "register":
            contacts.appointment_register_contact(actor=request.user, appointment=appointment)
            done = _("%(name)s is registered as a contact (reference %(reference)s).")
        elif action == "no-show":
            changes.appointment_mark(
                actor=request.user, appointment=appointment, status=Appointment.Status.NO_SHOW
            )
            done = _("%(name)s is marked as not come (reference %(reference)s).")
        else:
            changes.appointment_cancel(actor=request.user, appointment=appointment)
            done = _("The appointment of %(name)s is cancelled (reference %(reference)s).")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, done % {"name": appointment.name, "reference": appointment.reference}
        )
    return redirect(_agenda_url(site, day))


@staff_view
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, site_id: int) -> HttpResponse:
    """Book for someone who calls: a week of free times and their details, on one page.

    Staff may book any time that has not started (no notice period), also when online booking
    is off.
    """
    site = site_for(request.user, site_id, Can.MANAGE_APPOINTMENTS)
    booking = services.booking_settings_of(site)
    if request.method == "POST" and "show_week" not in request.POST:
        form = CallerAppointmentForm(request.POST, site=site)
        if form.is_valid():
            data = form.cleaned_data
            try:
                appointment, _token = services.appointment_book(
                    actor=request.user,
                    site=site,
                    starts_at=data["starts_at"],
                    name=data["name"],
                    phone=data["phone"],
                    email=data["email"],
                    theme=data["theme"],
                    language=data["language"],
                    by_staff=True,
                )
            except services.AlreadyBooked as already:
                # A double click, or this person was booked at this time before.
                earlier = already.appointment
                messages.info(
                    request,
                    _(
                        "%(name)s was already booked at this time (reference %(reference)s). "
                        "Nothing was booked twice."
                    )
                    % {"name": earlier.name, "reference": earlier.reference},
                )
                return redirect(_agenda_url(site, timezone.localdate(earlier.starts_at)))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _booked_message(appointment))
                return redirect(_agenda_url(site, timezone.localdate(appointment.starts_at)))
        starts_at = form.cleaned_data.get("starts_at") if hasattr(form, "cleaned_data") else None
        day = timezone.localdate(starts_at) if starts_at else None
        chosen = request.POST.get("starts_at", "")
    elif request.method == "POST":
        # Another week, keeping what was typed (nothing is booked).
        form = CallerAppointmentForm(site=site, initial=request.POST.dict())
        day, chosen = parse_day(request.POST.get("show_week")), request.POST.get("starts_at", "")
    else:
        current = (get_language() or "nl")[:2]
        form = CallerAppointmentForm(
            site=site,
            initial={
                "submission": new_submission_token(),
                "language": current if current in site.language_codes else "",
            },
        )
        day, chosen = parse_day(request.GET.get("week")), ""
    week = week_to_show(site, booking, day, by_staff=True)
    context = {
        "current_site": site,
        "site": site,
        "booking": booking,
        "form": form,
        "week": week,
        "week_days": [
            (each, [(slot_code(slot.starts_at), slot) for slot in slots])
            for each, slots in week.days
        ],
        "chosen": chosen,
    }
    return render(request, "appointments/staff/book.html", context)


def _booked_message(appointment: Appointment) -> str:
    moment = timezone.localtime(appointment.starts_at)
    return _(
        "Booked for %(name)s on %(day)s at %(time)s. Reference %(reference)s: the confirmation "
        "goes to their phone or email."
    ) % {
        "name": appointment.name,
        "day": formats.date_format(moment, "l j F"),
        "time": clock(moment),
        "reference": appointment.reference,
    }


@staff_view
@require_http_methods(["GET", "POST"])
def settings(request: HttpRequest, site_id: int) -> HttpResponse:
    """Whether residents can book online, the length of an appointment, how many at once."""
    site = site_for(request.user, site_id, Can.EDIT_SITE)
    current = services.booking_settings_of(site)
    form = BookingSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.SETTINGS_FIELDS}
        try:
            services.booking_settings_update(actor=request.user, site=site, data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The booking settings are saved."))
            return redirect("appointments:agenda", site_id=site.pk)
    context = {"current_site": site, "site": site, "form": form}
    return render(request, "appointments/staff/settings.html", context)
