"""Public booking pages: choose a time, give your details, see the confirmation; later see,
move or cancel the appointment through the secret link.

Everything works without JavaScript: the week of free times is a list of radio buttons in a plain
GET form, and every change is a POST answered with a redirect (post/redirect/get). Views stay
thin: `appointments.slots` lists the times, `appointments.services` books,
`appointments.changes` moves and cancels, and any refusal comes back next to what the resident
typed.

A second submission of the same booking form (a double click, the back button) is recognised by
the form's random `submission` token and answered with the same confirmation; the service
refuses a duplicate anyway, so there is never a second appointment.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from appointments import changes, resident_messages, selectors, services
from appointments.models import Appointment, BookingSettings
from appointments.public.forms import (
    PublicAppointmentForm,
    new_submission_token,
    parse_day,
    parse_slot_code,
    slot_code,
)
from appointments.slots import Week, find_slot, free_week, week_to_show
from core.client import client_ip
from core.forms import add_service_errors
from network.models import Site
from notifications.phones import can_receive_sms
from throttling import services as throttling

# How long a finished booking form is remembered (so its second submission finds the booking).
SUBMISSION_SECONDS = 60 * 60


def _submission_key(token: str) -> str:
    return f"appointments:submission:{token}"


def retention_days() -> int | None:
    """How many days after the appointment personal data is erased, when configured."""
    return getattr(settings, "RETENTION_APPOINTMENT_DAYS", None)


def _initial_language(site: Site) -> str:
    current = (get_language() or "nl")[:2]
    codes = site.language_codes or ["nl"]
    return current if current in codes else codes[0]


def _week_context(week: Week, chosen: str = "") -> dict[str, Any]:
    return {
        "week": week,
        "week_days": [
            (day, [(slot_code(slot.starts_at), slot) for slot in day_slots])
            for day, day_slots in week.days
        ],
        "chosen": chosen,
    }


def _no_store(response: HttpResponse) -> HttpResponse:
    """Pages with a resident's personal data or their secret link are never cached."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, slug: str) -> HttpResponse:
    """Step 1 (GET): a week of free times. Step 2 (GET with `time`): your details. POST books."""
    site, booking = selectors.booking_enabled_site(slug)
    if request.method == "POST":
        return _book_post(request, site, booking)
    chosen = parse_slot_code(request.GET.get("time", ""))
    now = timezone.now()
    problem = ""
    if chosen is not None:
        slot = find_slot(site, booking, chosen, now=now)
        if slot is not None and slot.free > 0:
            form = PublicAppointmentForm(
                site=site,
                initial={
                    "starts_at": slot_code(slot.starts_at),
                    "submission": new_submission_token(),
                    "language": _initial_language(site),
                },
            )
            return _details_page(request, site, booking, form, chosen=slot.starts_at)
        problem = "gone"
    elif request.GET.get("time"):
        problem = "unknown"
    elif request.GET.get("step"):
        problem = "choose"  # "Next" without choosing a time
    week = week_to_show(site, booking, parse_day(request.GET.get("week")), now=now)
    context = {"site": site, "booking": booking, "problem": problem, **_week_context(week)}
    response = render(request, "appointments/public/book.html", context)
    # The free times change with every booking: never kept by a browser or a proxy.
    patch_cache_control(response, private=True, no_store=True)
    return response


def _details_page(
    request: HttpRequest,
    site: Site,
    booking: BookingSettings,
    form: PublicAppointmentForm,
    *,
    chosen: Any = None,
    week: Week | None = None,
) -> HttpResponse:
    """Step 2: the details form, with the chosen time, or with the week's free times when the
    time has to be chosen again (it was taken or is no longer bookable)."""
    context: dict[str, Any] = {
        "site": site,
        "booking": booking,
        "form": form,
        "chosen_at": chosen,
        "retention_days": retention_days(),
    }
    if week is not None:
        typed = form.data if form.is_bound else form.initial
        context.update(_week_context(week, typed.get("starts_at", "")))
    return render(request, "appointments/public/details.html", context)


def _fingerprint(data: Any) -> str:
    """What makes two submissions the same booking: the time and the person's details."""
    fields = ("starts_at", "name", "phone", "email")
    text = "\n".join(" ".join(str(data.get(name, "")).split()).casefold() for name in fields)
    return hashlib.sha256(text.encode()).hexdigest()


def _already_booked(request: HttpRequest, submission: str) -> str | None:
    """The link secret of the booking this same form already made with the same details."""
    done = cache.get(_submission_key(submission)) if submission else None
    if done is not None and done["fingerprint"] == _fingerprint(request.POST):
        return done["token"]
    return None


def _book_post(request: HttpRequest, site: Site, booking: BookingSettings) -> HttpResponse:
    form = PublicAppointmentForm(request.POST, site=site)
    submission = request.POST.get("submission", "")[:64]
    done = _already_booked(request, submission)
    if done is not None:
        return _confirmation_page(request, done, again=True)
    if "show_week" in request.POST:
        # Another week of times, keeping everything typed (nothing is booked).
        typed = PublicAppointmentForm(site=site, initial=request.POST.dict())
        week = free_week(site, booking, parse_day(request.POST.get("show_week")))
        return _details_page(request, site, booking, typed, week=week)
    if form.is_valid():
        data = form.cleaned_data
        free_at = throttling.attempt_take(
            [
                (throttling.rule("booking-address"), client_ip(request)),
                (throttling.rule("booking-address-day"), client_ip(request)),
                (throttling.rule("booking-contact"), data["phone"]),
                (throttling.rule("booking-contact"), data["email"]),
            ]
        )
        if free_at is not None:
            form.add_error(None, _too_many_bookings(free_at))
            return _refused(request, site, booking, form, status=429)
        try:
            _appointment, token = services.appointment_book(
                actor=None,
                site=site,
                starts_at=data["starts_at"],
                name=data["name"],
                phone=data["phone"],
                email=data["email"],
                theme=data["theme"],
                language=data["language"],
            )
        except ValidationError as error:
            # A double click: the first submission may have finished while this one waited.
            done = _already_booked(request, submission)
            if done is not None:
                return _confirmation_page(request, done, again=True)
            add_service_errors(form, error)
        else:
            if submission:
                remembered = {"token": token, "fingerprint": _fingerprint(request.POST)}
                cache.set(_submission_key(submission), remembered, SUBMISSION_SECONDS)
            return _confirmation_page(request, token)
    return _refused(request, site, booking, form)


def _too_many_bookings(free_at: Any) -> str:
    return _(
        "We received too many bookings from this connection or for these contact details. "
        "Please try again at %(time)s, or call the Digipunt."
    ) % {"time": formats.time_format(timezone.localtime(free_at), "H:i")}


def _refused(
    request: HttpRequest,
    site: Site,
    booking: BookingSettings,
    form: PublicAppointmentForm,
    *,
    status: int = 200,
) -> HttpResponse:
    """The details form again, with the messages and everything typed; when the time is the
    problem, with the free times of that week to choose from in the same form."""
    chosen = form.cleaned_data.get("starts_at") if hasattr(form, "cleaned_data") else None
    if "starts_at" in form.errors or chosen is None:
        day = timezone.localdate(chosen) if chosen is not None else None
        week = week_to_show(site, booking, day)
        response = _details_page(request, site, booking, form, week=week)
    else:
        response = _details_page(request, site, booking, form, chosen=chosen)
    response.status_code = status
    return response


def _confirmation_page(request: HttpRequest, token: str, *, again: bool = False) -> HttpResponse:
    """The confirmation, as the answer to the booking itself: the secret link is on the page
    and in the messages, never in a URL the browser is sent to (which access logs and browser
    histories keep). Sending the form again shows it again (`again`)."""
    found = _appointment_or_404(request, token)
    if isinstance(found, HttpResponse):
        return found
    context = {**_appointment_context(found, token), "again": again}
    return _no_store(render(request, "appointments/public/confirmation.html", context))


def _appointment_or_404(request: HttpRequest, token: str) -> Appointment | HttpResponse:
    appointment = selectors.appointment_for_token(token)
    if appointment is None:
        response = render(request, "appointments/public/unknown.html", status=404)
        return _no_store(response)
    return appointment


def _appointment_context(appointment: Appointment, token: str) -> dict[str, Any]:
    site = appointment.site
    changeable = (
        appointment.status == Appointment.Status.BOOKED and appointment.starts_at > timezone.now()
    )
    booking_open = _booking_enabled(site)
    return {
        "appointment": appointment,
        "site": site,
        "token": token,
        "manage_url": resident_messages.manage_url(token, get_language() or "nl"),
        "changeable": changeable,
        # Cancelling is always possible; moving only while the site takes bookings online.
        "can_move": changeable and booking_open,
        "can_book_again": booking_open,
        "sms_sent": bool(appointment.phone) and can_receive_sms(appointment.phone),
    }


def _booking_enabled(site: Site) -> bool:
    try:
        return site.is_published and site.booking_settings.is_enabled
    except BookingSettings.DoesNotExist:
        return False


@never_cache
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """The resident's own page of the appointment: see it, move it, cancel it (with a check)."""
    found = _appointment_or_404(request, token)
    if isinstance(found, HttpResponse):
        return found
    appointment = found
    context = _appointment_context(appointment, token)
    context["done"] = request.GET.get("done", "")
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "cancel":
            return _cancel(request, appointment, token, context)
        if action == "move":
            return _move(request, appointment, token, context)
    elif request.GET.get("move") and context["changeable"]:
        return _move_page(request, appointment, context, parse_day(request.GET.get("week")))
    return _no_store(render(request, "appointments/public/manage.html", context))


def _manage_url(token: str, done: str) -> str:
    manage = reverse("appointments:online-manage", kwargs={"token": token})
    return f"{manage}?{urlencode({'done': done})}"


def _cancel(
    request: HttpRequest, appointment: Appointment, token: str, context: dict[str, Any]
) -> HttpResponse:
    if request.POST.get("confirm") != "yes":
        context["confirm_cancel"] = True
        return _no_store(render(request, "appointments/public/manage.html", context))
    try:
        changes.appointment_cancel(actor=None, appointment=appointment)
    except ValidationError as error:
        context["errors"] = error.messages
        return _no_store(render(request, "appointments/public/manage.html", context))
    return redirect(_manage_url(token, "cancelled"))


def _move_page(
    request: HttpRequest,
    appointment: Appointment,
    context: dict[str, Any],
    day: Any,
    *,
    errors: list[str] | None = None,
) -> HttpResponse:
    site = appointment.site
    booking = services.booking_settings_of(site)
    if booking.pk is None or not booking.is_enabled:
        context["errors"] = [_("Appointments cannot be changed online here. Call the Digipunt.")]
        return _no_store(render(request, "appointments/public/manage.html", context))
    week = week_to_show(site, booking, day, leave_out=appointment.starts_at)
    context.update(_week_context(week))
    context["moving"] = True
    context["errors"] = errors or []
    return _no_store(render(request, "appointments/public/manage.html", context))


def _move(
    request: HttpRequest, appointment: Appointment, token: str, context: dict[str, Any]
) -> HttpResponse:
    text = request.POST.get("starts_at", "")
    starts_at = parse_slot_code(text)
    try:
        changes.appointment_move(actor=None, appointment=appointment, starts_at=starts_at)
    except ValidationError as error:
        day = timezone.localdate(starts_at) if starts_at is not None else None
        return _move_page(request, appointment, context, day, errors=error.messages)
    return redirect(_manage_url(token, "moved"))
