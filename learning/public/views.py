"""Public course pages: the course finder, a course with its dates (and JSON-LD), registering
for a date without an account, the participant's private page to cancel, and the iCalendar
files (one session; a Digipunt's feed).

Everything works without JavaScript. Registering answers the POST with the confirmation page
itself, so the secret of the private link never stands in an address that reaches a log; the
participant gets the link by email or SMS. A second submission of the same form (a double click,
the back button) is refused by the service as a duplicate and answered with what was done.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core.client import client_ip
from core.forms import add_service_errors
from learning import calendar, digcomp, help_cards, selectors, services
from learning import self_check as self_checks
from learning.models import Course, HelpCard, Registration, Session
from learning.public.forms import CourseFinderForm, RegistrationForm, SelfCheckForm
from network.models import Site
from territory.selectors import resolve_place
from throttling import services as throttling


def _language() -> str:
    return get_language() or settings.LANGUAGE_CODE


@require_GET
def finder(request: HttpRequest) -> HttpResponse:
    """Courses near a place (or everywhere), by dates, subject, question, language, level."""
    form = CourseFinderForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "result": None, "resolution": None}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        origin = None
        if data["q"]:
            resolution = resolve_place(data["q"])
            context["resolution"] = resolution
            if resolution.status != "found" or resolution.place is None:
                return render(request, "learning/public/finder.html", context)
            origin = resolution.place
        filters = selectors.CourseFilters(
            starts_from=data["starts_from"],
            starts_until=data["starts_until"],
            area=data["area"],
            theme=data["theme"],
            language=data["language"],
            beginners=data["beginners"],
        )
        page = data["page"] or 1
        context["result"] = selectors.find_sessions(origin, filters, now=timezone.now(), page=page)
        context["page"] = page
        context["origin"] = origin
        query = request.GET.copy()
        query["page"] = str(page + 1)
        context["next_query"] = query.urlencode()
    elif not form.is_bound:
        context["result"] = selectors.find_sessions(
            None, selectors.CourseFilters(), now=timezone.now()
        )
        context["page"] = 1
    return render(request, "learning/public/finder.html", context)


def _json_ld(request: HttpRequest, course: Course, sessions: list[Session]) -> str:
    """schema.org Course with its CourseInstances, for search engines and other tools."""
    page = request.build_absolute_uri(reverse("learning:course", kwargs={"slug": course.slug}))
    instances = []
    for session in sessions:
        instance: dict[str, Any] = {
            "@type": "CourseInstance",
            "courseMode": "online" if session.site is None else "onsite",
            "startDate": session.starts_at.isoformat(),
            "endDate": session.ends_at.isoformat(),
            "inLanguage": course.language,
            "maximumAttendeeCapacity": session.capacity,
            "remainingAttendeeCapacity": session.places_left,
            "courseSchedule": {
                "@type": "Schedule",
                "repeatCount": len(session.meetings.all()),
                "startDate": session.starts_at.date().isoformat(),
                "endDate": session.ends_at.date().isoformat(),
            },
        }
        if session.trainer_name:
            instance["instructor"] = {"@type": "Person", "name": session.trainer_name}
        if session.site is not None:
            site = session.site
            instance["location"] = {
                "@type": "Place",
                "name": site.name,
                "address": {
                    "@type": "PostalAddress",
                    "streetAddress": site.street,
                    "postalCode": site.postal_code,
                    "addressLocality": site.locality,
                    "addressCountry": "BE",
                },
                "geo": {
                    "@type": "GeoCoordinates",
                    "latitude": site.latitude,
                    "longitude": site.longitude,
                },
            }
        instances.append(instance)
    data = {
        "@context": "https://schema.org",
        "@type": "Course",
        "name": course.title,
        "description": course.summary,
        "url": page,
        "inLanguage": course.language,
        "educationalLevel": str(course.get_level_display()),
        "isAccessibleForFree": course.cost_euros == 0,
        "provider": {"@type": "Organization", "name": course.organisation.name},
        "teaches": [str(digcomp.COMPETENCES[c]) for c in course.competence_codes],
        "offers": {
            "@type": "Offer",
            "price": f"{course.cost_euros:.2f}",
            "priceCurrency": "EUR",
            "category": "Free" if course.cost_euros == 0 else "Paid",
        },
        "hasCourseInstance": instances,
    }
    # In a <script> element: "<" escaped so that no text of the course can close it.
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


@require_GET
def course(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.course_by_slug(slug)
    sessions = selectors.upcoming_sessions_of(found, timezone.now())
    context = {
        "course": found,
        "sessions": sessions,
        "competences": [(c, digcomp.COMPETENCES[c]) for c in found.competence_codes],
        "json_ld": mark_safe(_json_ld(request, found, sessions)),  # "<" escaped in _json_ld
        "now": timezone.now(),
    }
    return render(request, "learning/public/course.html", context)


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, session_id: int) -> HttpResponse:
    """Join a session: name, a phone number or an email, what would help; a place, or the
    waiting list when it is full."""
    session = selectors.public_session(session_id)
    if request.method == "POST":
        form = RegistrationForm(request.POST)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            free_at = throttling.attempt_take(
                [
                    (throttling.rule("registration-address"), client_ip(request)),
                    (throttling.rule("registration-address-day"), client_ip(request)),
                    (throttling.rule("registration-contact"), data["phone"]),
                    (throttling.rule("registration-contact"), data["email"]),
                ]
            )
            if free_at is not None:
                form.add_error(None, _too_many(free_at))
                status = 429
        if form.is_valid():
            data = form.cleaned_data
            try:
                registration, token = services.registration_register(
                    session=session,
                    name=data["name"],
                    phone=data["phone"],
                    email=data["email"],
                    accessibility_needs=data["accessibility_needs"],
                    age_band=data["age_band"],
                    language=_language(),
                )
            except services.AlreadyRegistered as already:
                return _no_store(
                    render(
                        request,
                        "learning/public/registered.html",
                        _registered_context(already.registration, token=None, again=True),
                    )
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                context = _registered_context(registration, token=token)
                return _no_store(render(request, "learning/public/registered.html", context))
    else:
        form = RegistrationForm()
        status = 200
    context = {
        "session": session,
        "course": session.course,
        "form": form,
        "open": _is_open(session),
        "retention_days": getattr(settings, "RETENTION_PARTICIPANT_DAYS", None),
    }
    return render(request, "learning/public/register.html", context, status=status)


def _too_many(free_at: Any) -> str:
    return _(
        "We received too many registrations from this connection or for these contact details. "
        "Please try again at %(time)s, or call the Digipunt."
    ) % {"time": formats.time_format(timezone.localtime(free_at), "H:i")}


def _is_open(session: Session) -> bool:
    now = timezone.now()
    return (
        session.status == Session.Status.SCHEDULED
        and session.starts_at > now
        and session.registration_closes_at > now
    )


def _registered_context(
    registration: Registration, *, token: str | None, again: bool = False
) -> dict[str, Any]:
    session = registration.session
    manage_url = ""
    if token:
        manage_url = settings.SITE_URL + reverse("learning:manage", kwargs={"token": token})
    return {
        "registration": registration,
        "session": session,
        "course": session.course,
        "manage_url": manage_url,
        "again": again,
        "position": selectors.waiting_position(registration)
        if registration.status == Registration.Status.WAITING
        else None,
    }


def _no_store(response: HttpResponse) -> HttpResponse:
    """Pages with a participant's details or their secret link are never cached or indexed (the
    site-wide same-origin referrer policy keeps the link from other sites)."""
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """The participant's own page: their registration, and cancelling it."""
    registration = selectors.registration_by_token(token)
    if registration is None:
        return _no_store(render(request, "learning/public/unknown.html", status=404))
    context: dict[str, Any] = {**_registered_context(registration, token=token), "errors": []}
    if request.method == "POST" and request.POST.get("action") == "cancel":
        try:
            services.registration_cancel(registration=registration)
        except ValidationError as error:
            context["errors"] = error.messages
        else:
            registration.refresh_from_db()
            context = {**_registered_context(registration, token=token), "cancelled_now": True}
    context["can_cancel"] = (
        registration.status != Registration.Status.CANCELLED
        and registration.session.starts_at > timezone.now()
    )
    return _no_store(render(request, "learning/public/manage.html", context))


def _ics(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=calendar.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def session_ics(request: HttpRequest, session_id: int) -> HttpResponse:
    session = selectors.public_session(session_id)
    return _ics(calendar.session_ics(session, _language()), f"{session.course.slug}.ics")


@require_GET
def site_feed(request: HttpRequest, slug: str) -> HttpResponse:
    """A Digipunt's courses as a calendar to subscribe to."""
    site = Site.objects.filter(slug=slug, is_published=True).first()
    if site is None:
        raise Http404
    since, until = calendar.feed_window(timezone.now())
    sessions = selectors.site_feed_sessions(site, since, until)
    content = calendar.sessions_ics(site.name, sessions, _language())
    response = HttpResponse(content, content_type=calendar.CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{site.slug}.ics"'
    return response


# --- help cards -------------------------------------------------------------------------------


@require_GET
def cards(request: HttpRequest) -> HttpResponse:
    """Every help card, by theme, in the page's language where it has one."""
    rows = help_cards.cards_with_titles(_language())
    groups: dict[str, list[Any]] = {}
    for card, version in rows:
        name = str(card.theme.name) if card.theme else ""
        groups.setdefault(name, []).append((card, version))
    context = {"groups": sorted(groups.items(), key=lambda item: (item[0] == "", item[0]))}
    return render(request, "learning/public/cards.html", context)


@require_GET
def card(request: HttpRequest, slug: str) -> HttpResponse:
    """One help card, on a phone or printed on one A4 or A5 page (`?paper=a5`)."""
    found = (
        HelpCard.objects.filter(slug=slug, is_published=True)
        .select_related("organisation", "theme")
        .first()
    )
    if found is None:
        raise Http404
    version = help_cards.current_version(found, _language())
    if version is None:
        raise Http404
    help_cards.card_opened(found)
    context = {
        "card": found,
        "version": version,
        "other_language": version.language != _language(),
        "paper": "a5" if request.GET.get("paper") == "a5" else "a4",
    }
    return render(request, "learning/public/card.html", context)


# --- the skills self-check --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def self_check(request: HttpRequest) -> HttpResponse:
    """Ten questions, the result in words, and where to go further. Anonymous."""
    if request.method == "POST":
        form = SelfCheckForm(request.POST)
        status = 400
        if form.is_valid():
            free_at = throttling.attempt_take(
                [(throttling.rule("self-check-address"), client_ip(request))]
            )
            if free_at is None:
                return _self_check_result(request, form)
            form.add_error(None, _too_many_answers(free_at))
            status = 429
    else:
        form = SelfCheckForm(
            initial={"session": request.GET.get("session"), "moment": request.GET.get("moment")}
        )
        status = 200
    return render(request, "learning/public/self_check.html", {"form": form}, status=status)


def _too_many_answers(free_at: Any) -> str:
    return _("We received many answers from this connection. Please try again at %(time)s.") % {
        "time": formats.time_format(timezone.localtime(free_at), "H:i")
    }


def _self_check_result(request: HttpRequest, form: SelfCheckForm) -> HttpResponse:
    data = form.cleaned_data
    session = None
    if data.get("session"):
        session = Session.objects.filter(pk=data["session"], course__is_published=True).first()
    answers = form.answers()
    self_checks.self_check_record(
        answers=answers, language=_language(), session=session, moment=data.get("moment") or ""
    )
    areas = self_checks.result(answers)
    weakest = [area.code for area in areas[:2]]
    origin = None
    if data["place"]:
        resolution = resolve_place(data["place"])
        if resolution.status == "found":
            origin = resolution.place
    suggested: list[Any] = []
    for code in weakest:
        found = selectors.find_sessions(
            origin,
            selectors.CourseFilters(area=code, beginners=True),
            now=timezone.now(),
        )
        suggested.extend(hit for hit in found.hits if hit not in suggested)
    themes = {self_checks.AREA_THEMES[code] for code in weakest}
    cards_found = [
        (card, version)
        for card, version in help_cards.cards_with_titles(_language())
        if card.theme and card.theme.code in themes
    ]
    context = {
        "areas": areas,
        "sessions": suggested[:5],
        "cards": cards_found[:5],
        "place": data["place"],
        "origin": origin,
    }
    return render(request, "learning/public/self_check_result.html", context)
