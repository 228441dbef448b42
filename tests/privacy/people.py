"""One resident's data in every domain, for the tests of requests to see or erase it.

Marie Peeters (+32470123456, marie@example.org) booked an appointment at Digipunt Gent A, was
referred to it, borrowed a laptop from Stad Gent and took a course there, all of it over and done
with, so nothing of it is still needed. She also booked at Digipunt Aalst (another organisation),
and a namesake, Jan Janssens, has an appointment at Gent A.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from appointments.models import Appointment
from learning.models import Registration, Session
from lending.models import Borrower, Loan
from referrals.models import Referral
from tests.appointments.helpers import stored_appointment
from tests.cast import Cast
from tests.clock import MONDAY
from tests.learning.helpers import course, register, session
from tests.lending.helpers import borrower, device, lend
from tests.referrals.helpers import stored_referral

NAME = "Marie Peeters"
PHONE = "+32470123456"
EMAIL = "marie@example.org"
MARIE = {"name": NAME, "phone": PHONE, "email": EMAIL}


@dataclass
class Marie:
    appointment: Appointment
    referral: Referral
    borrower: Borrower
    loan: Loan
    registration: Registration
    elsewhere: Appointment  # at Aalst, another organisation
    someone_else: Appointment  # Jan Janssens at Gent A


def marie(cast: Cast) -> Marie:
    """Marie's records (the clock at MONDAY): all in the past, none still needed."""
    appointment, _token = stored_appointment(
        cast.gent_a, MONDAY - timedelta(days=10), status=Appointment.Status.DONE, **MARIE
    )
    referral = stored_referral(
        cast.gent_a,
        cast.gent,
        cast.referrer,
        status=Referral.Status.HELPED,
        closed_at=MONDAY - timedelta(days=5),
        question="Help with the eBox",
        **MARIE,
    )
    who = borrower(cast.gent_a, NAME, phone=PHONE, email=EMAIL, postal_code="9000")
    loan, _token = lend(None, cast.gent_a, device(cast.gent_a, "LAP-M1"), who)
    Loan.objects.filter(pk=loan.pk).update(
        status=Loan.Status.RETURNED,
        checked_out_at=MONDAY - timedelta(days=30),
        returned_at=MONDAY - timedelta(days=20),
    )
    loan.refresh_from_db()
    Borrower.objects.filter(pk=who.pk).update(created_at=MONDAY - timedelta(days=40))
    who.refresh_from_db()
    item = session(cast.gent_a, course(cast.gent_a))
    registration = register(item, NAME, phone=PHONE, email=EMAIL, accessibility_needs="Large print")
    ended = MONDAY - timedelta(days=3)
    Session.objects.filter(pk=item.pk).update(
        starts_at=ended - timedelta(hours=2), ends_at=ended, registration_closes_at=ended
    )
    elsewhere, _token = stored_appointment(cast.aalst, MONDAY - timedelta(days=8), **MARIE)
    someone_else, _token = stored_appointment(
        cast.gent_a, MONDAY - timedelta(days=9), name="Jan Janssens", phone="+32470999888"
    )
    return Marie(appointment, referral, who, loan, registration, elsewhere, someone_else)
