"""The reads of lending, always from a site or organisation the caller was allowed (see
`accounts.permissions.site_for`): a device, loan or borrower of another organisation is not found
(a 404 in the views)."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404

from core.links import token_hash
from lending.models import Booking, Borrower, Device, DeviceEvent, Hold, Loan
from network.models import Organisation, Site


def devices_at(site: Site) -> QuerySet[Device]:
    return Device.objects.filter(site=site).order_by("asset_tag")


def device_at_site(site: Site, device_id: int) -> Device:
    device = Device.objects.filter(site=site, pk=device_id).select_related("site").first()
    if device is None:
        raise Http404
    return device


def device_with_tag(site: Site, tag: str) -> Device | None:
    return Device.objects.filter(site=site, asset_tag=tag).first()


def open_loan_of(device: Device) -> Loan | None:
    return (
        Loan.objects.filter(device=device, status=Loan.Status.OPEN)
        .select_related("borrower")
        .first()
    )


def history_of(device: Device, limit: int = 50) -> list[DeviceEvent]:
    return list(DeviceEvent.objects.filter(device=device).select_related("loan")[:limit])


def open_loans_at(site: Site) -> QuerySet[Loan]:
    """The site's devices out on loan, the first due first."""
    return (
        Loan.objects.filter(site=site, status=Loan.Status.OPEN)
        .select_related("device", "borrower")
        .order_by("due_on", "pk")
    )


def overdue_loans_at(site: Site, today: date) -> QuerySet[Loan]:
    """Open loans past their date, the longest overdue first: the staff's follow-up list."""
    return (
        open_loans_at(site)
        .filter(due_on__lt=today)
        .select_related("followed_up_by")
        .order_by("due_on", "pk")
    )


def loans_due_by(site: Site, day: date) -> QuerySet[Loan]:
    """Open loans due on or before `day` (overdue ones included): the "today" panel."""
    return open_loans_at(site).filter(due_on__lte=day)


def loan_at_site(site: Site, loan_id: int) -> Loan:
    loan = (
        Loan.objects.filter(site=site, pk=loan_id)
        .select_related("device", "borrower", "site")
        .first()
    )
    if loan is None:
        raise Http404
    return loan


def loan_by_token(token: str) -> Loan | None:
    """The loan of a borrower's private link, or None for an unknown or malformed secret."""
    if not token or len(token) > 64:
        return None
    return (
        Loan.objects.filter(token_hash=token_hash(token))
        .select_related("device", "site", "site__municipality")
        .first()
    )


def borrowers_of(organisation: Organisation) -> QuerySet[Borrower]:
    return Borrower.objects.filter(organisation=organisation, erased_at__isnull=True)


# Up to this many borrowers, the lending form lists them all; beyond, it asks for a search.
BORROWERS_LISTED = 15
BORROWERS_FOUND = 20


def borrowers_matching(organisation: Organisation, query: str) -> list[Borrower]:
    """The organisation's borrowers whose name, contact person or email holds `query`, or whose
    phone number holds its digits (typed as 0470 12 34 56 or +32 470…), at most
    `BORROWERS_FOUND`, by name. An empty query gives them all when they are few (up to
    `BORROWERS_LISTED`), else none."""
    words = " ".join((query or "").split())[:100]
    found = borrowers_of(organisation)
    if not words:
        few = list(found[: BORROWERS_LISTED + 1])
        return few if len(few) <= BORROWERS_LISTED else []
    digits = "".join(c for c in words if c.isdigit()).lstrip("0")
    match = Q(name__icontains=words) | Q(contact_person__icontains=words)
    match |= Q(email__icontains=words)
    if len(digits) >= 4:
        match |= Q(phone__contains=digits)
    return list(found.filter(match)[:BORROWERS_FOUND])


def borrower_of(organisation: Organisation, borrower_id: int) -> Borrower:
    borrower = borrowers_of(organisation).filter(pk=borrower_id).first()
    if borrower is None:
        raise Http404
    return borrower


def loans_of(borrower: Borrower, site: Site, limit: int = 50) -> list[Loan]:
    """A borrower's loans at `site`, the latest first."""
    return list(Loan.objects.filter(borrower=borrower, site=site).select_related("device")[:limit])


def bookable_devices_at(site: Site) -> QuerySet[Device]:
    """Devices that may be booked ahead: every one still in lending."""
    return devices_at(site).exclude(status__in=Device.OUT_OF_LENDING)


def upcoming_bookings_at(site: Site, today: date) -> QuerySet[Booking]:
    return (
        Booking.objects.filter(site=site, status=Booking.Status.BOOKED, ends_on__gte=today)
        .select_related("borrower")
        .prefetch_related("items__device")
        .order_by("starts_on", "pk")
    )


def booking_at_site(site: Site, booking_id: int) -> Booking:
    booking = Booking.objects.filter(site=site, pk=booking_id).first()
    if booking is None:
        raise Http404
    return booking


def waiting_list_at(site: Site) -> QuerySet[Hold]:
    """Who waits at the site, and for whom a device is set aside, first come first."""
    return (
        Hold.objects.filter(site=site, status__in=[Hold.Status.WAITING, Hold.Status.READY])
        .select_related("borrower", "device")
        .order_by("kind", "created_at", "pk")
    )


def hold_at_site(site: Site, hold_id: int) -> Hold:
    hold = Hold.objects.filter(site=site, pk=hold_id).first()
    if hold is None:
        raise Http404
    return hold


def devices_to_wipe_at(site: Site) -> QuerySet[Device]:
    """Devices brought back and waiting for their wipe: nobody can borrow them until then."""
    return devices_at(site).filter(status=Device.Status.TO_WIPE)
