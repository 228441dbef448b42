"""Staff pages of learning: a site's sessions, the organisation's course catalogue, planning a
session, and a session's roster (attendance on a tablet, walk-ins, cancelling).

Views stay thin: `accounts.permissions.site_for` decides who may work at the site (another
site's id is a 404), `learning.selectors` reads (a course or session of another organisation or
site is a 404), `learning.services` writes, and a refusal comes back next to what was typed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import staff_view
from accounts.permissions import Can, capabilities_at, site_for
from core.forms import add_service_errors
from learning import selectors, self_check, services
from learning.figures import MONTH_CHOICES, learning_figures
from learning.models import Registration, Session
from learning.staff.forms import (
    AttendanceForm,
    CancelSessionForm,
    CourseForm,
    SessionForm,
    WalkInForm,
)
from network.models import Theme


@staff_view
@require_GET
def sessions(request: HttpRequest, site_id: int) -> HttpResponse:
    """The site's sessions still to come (and today's), and the way to plan one."""
    site = site_for(request.user, site_id, Can.RUN_SESSIONS)
    since = timezone.now() - timedelta(hours=12)
    context = {
        "site": site,
        "current_site": site,
        "sessions": selectors.sessions_at(site, since),
        "can": capabilities_at(request.user, site),
    }
    return render(request, "learning/staff/sessions.html", context)


@staff_view
@require_GET
def courses(request: HttpRequest, site_id: int) -> HttpResponse:
    site = site_for(request.user, site_id, Can.MANAGE_COURSES)
    context = {
        "site": site,
        "current_site": site,
        "courses": selectors.courses_of(site.organisation),
    }
    return render(request, "learning/staff/courses.html", context)


def _themes(codes: list[str]) -> list[Theme]:
    return list(Theme.objects.filter(code__in=codes))


@staff_view
@require_http_methods(["GET", "POST"])
def course_add(request: HttpRequest, site_id: int) -> HttpResponse:
    site = site_for(request.user, site_id, Can.MANAGE_COURSES)
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_create(
                actor=request.user,
                organisation=site.organisation,
                data=form.service_data(),
                themes=_themes(form.cleaned_data["themes"]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The course is in the catalogue. Now plan a date."))
            return redirect("learning:session-add", site_id=site.pk, course_id=course.pk)
    status = 400 if form.is_bound else 200
    context = {"site": site, "current_site": site, "form": form, "course": None}
    return render(request, "learning/staff/course_form.html", context, status=status)


@staff_view
@require_http_methods(["GET", "POST"])
def course_edit(request: HttpRequest, site_id: int, course_id: int) -> HttpResponse:
    site = site_for(request.user, site_id, Can.MANAGE_COURSES)
    course = selectors.course_of(site.organisation, course_id)
    form = CourseForm(request.POST or None, instance=course)
    if request.method == "POST" and form.is_valid():
        try:
            services.course_update(
                actor=request.user,
                course=course,
                data=form.service_data(),
                themes=_themes(form.cleaned_data["themes"]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("learning:courses", site_id=site.pk)
    status = 400 if form.is_bound else 200
    context = {"site": site, "current_site": site, "form": form, "course": course}
    return render(request, "learning/staff/course_form.html", context, status=status)


@staff_view
@require_http_methods(["GET", "POST"])
def session_add(request: HttpRequest, site_id: int, course_id: int) -> HttpResponse:
    site = site_for(request.user, site_id, Can.MANAGE_COURSES)
    course = selectors.course_of(site.organisation, course_id)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.session_create(
                actor=request.user,
                course=course,
                site=None if data["online"] else site,
                meetings=form.meeting_times(),
                capacity=data["capacity"],
                registration_closes_at=form.closes_at(),
                trainer_name=data["trainer_name"],
                online_note=data["online_note"],
            )
        except ValidationError as error:
            add_service_errors(form, _renamed(error))
        else:
            messages.success(request, _("The date is planned and open for registration."))
            if session.site_id is None:
                return redirect("learning:sessions", site_id=site.pk)
            return redirect("learning:session", site_id=site.pk, session_id=session.pk)
    status = 400 if form.is_bound else 200
    context = {"site": site, "current_site": site, "form": form, "course": course}
    return render(request, "learning/staff/session_form.html", context, status=status)


def _renamed(error: ValidationError) -> ValidationError:
    """The service's field names as the form has them."""
    names = {
        "meetings": "first_day",
        "site": "online",
        "registration_closes_at": "closes_days_before",
    }
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError({names.get(k, k): v for k, v in error.message_dict.items()})


def _session_context(request: HttpRequest, site: Any, session: Session, **forms: Any) -> dict:
    roster = selectors.roster_of(session)
    with_place = [r for r in roster if r.status == Registration.Status.CONFIRMED]
    present = [r.pk for r in with_place if r.attendance == Registration.Attendance.PRESENT]
    return {
        "site": site,
        "current_site": site,
        "session": session,
        "course": session.course,
        "roster": roster,
        "with_place": with_place,
        "waiting": [r for r in roster if r.status == Registration.Status.WAITING],
        "attendance_form": forms.get("attendance_form")
        or AttendanceForm(participants=with_place, initial={"present": present}),
        "walk_in_form": forms.get("walk_in_form") or WalkInForm(),
        "cancel_form": forms.get("cancel_form") or CancelSessionForm(),
        "can": capabilities_at(request.user, site),
        "now": timezone.now(),
        "comparison": self_check.comparison(session),
        "min_group": self_check.MIN_GROUP,
    }


@staff_view
@require_GET
def session(request: HttpRequest, site_id: int, session_id: int) -> HttpResponse:
    """A session's roster: who has a place, who waits, who came."""
    site = site_for(request.user, site_id, Can.RUN_SESSIONS)
    found = selectors.session_at_site(site, session_id)
    return render(request, "learning/staff/session.html", _session_context(request, site, found))


@staff_view
@require_POST
def session_action(
    request: HttpRequest, site_id: int, session_id: int, action: str
) -> HttpResponse:
    """Take attendance, add a walk-in (anyone who runs the session); cancel the session or one
    registration (the course's managers)."""
    capability = (
        Can.MANAGE_COURSES if action in ("cancel", "cancel-registration") else Can.RUN_SESSIONS
    )
    site = site_for(request.user, site_id, capability)
    found = selectors.session_at_site(site, session_id)
    back = redirect("learning:session", site_id=site.pk, session_id=found.pk)
    if action == "attendance":
        with_place = [
            r for r in selectors.roster_of(found) if r.status == Registration.Status.CONFIRMED
        ]
        form = AttendanceForm(request.POST, participants=with_place)
        if form.is_valid():
            present = set(form.cleaned_data["present"])
            try:
                services.attendance_record(
                    actor=request.user,
                    session=found,
                    present=present,
                    absent={r.pk for r in with_place} - present,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Attendance saved."))
                return back
        context = _session_context(request, site, found, attendance_form=form)
        return render(request, "learning/staff/session.html", context, status=400)
    if action == "walk-in":
        form = WalkInForm(request.POST)
        if form.is_valid():
            try:
                services.walk_in_add(
                    actor=request.user, session=found, name=form.cleaned_data["name"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Added as present."))
                return back
        context = _session_context(request, site, found, walk_in_form=form)
        return render(request, "learning/staff/session.html", context, status=400)
    if action == "cancel":
        form = CancelSessionForm(request.POST)
        if form.is_valid():
            try:
                services.session_cancel(
                    actor=request.user, session=found, note=form.cleaned_data["note"]
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request, _("The session is cancelled; everyone registered is told.")
                )
        return back
    if action == "cancel-registration":
        raw = request.POST.get("registration", "")
        registration = (
            found.registrations.filter(pk=int(raw)).first()
            if raw.isascii() and raw.isdigit()
            else None
        )
        if registration is not None:
            try:
                services.registration_cancel(registration=registration, actor=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("The registration is cancelled."))
        return back
    return back


@staff_view
@require_GET
def figures(request: HttpRequest, site_id: int) -> HttpResponse:
    """The site's learning figures over the last months (`?months=` 3, 6, 12 or 24)."""
    site = site_for(request.user, site_id, Can.RUN_SESSIONS)
    raw = request.GET.get("months", "")
    months = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 3 else 12
    context = {
        "site": site,
        "current_site": site,
        "figures": learning_figures(site, months),
        "months": months if months in MONTH_CHOICES else 12,
        "choices": MONTH_CHOICES,
        "can": capabilities_at(request.user, site),
    }
    return render(request, "learning/staff/figures.html", context)
