"""Two factors: the code step, replays, recovery codes, setting up the app, and enforcement."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from accounts.auth import two_factor
from accounts.auth.services import PENDING_SIGN_IN, SETUP_SESSION_KEY
from accounts.decorators import staff_view
from accounts.models import FailedLogin, Membership, RecoveryCode, Role, TOTPDevice
from accounts.sessions import TWO_FACTOR_VERIFIED, start_session
from audit.models import AuditEntry
from tests.cast import PASSWORD, TOTP_SECRET, current_code, is_signed_in, sign_in, user

VERIFY = "accounts:two-factor-verify"
RECOVERY = "accounts:recovery-verify"
SETUP = "accounts:two-factor-setup"
CODES = "accounts:recovery-codes"


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    """Fast hashes for the cast (see test_login.py); Argon2 stays for the recovery codes."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def _english():
    """The pages in English (/en/...), so that tests can read the messages."""
    translation.activate("en")


def password_step(client: Client, email: str = "volunteer@example.org"):
    return client.post(reverse("accounts:login"), {"email": email, "password": PASSWORD})


def password_only(client: Client, person) -> Client:
    """Signed in with the password (a live staff session) but past no second factor."""
    client.force_login(person)
    session = client.session
    start_session(type("Holder", (), {"session": session})())  # type: ignore[arg-type]
    session.save()
    return client


def new_volunteer(cast, email: str = "nieuw@example.org"):
    person = user(email, "Nina Nieuw", two_factor=False)
    Membership.objects.create(user=person, site=cast.gent_a, role=Role.VOLUNTEER)
    return person


# -- the code step -------------------------------------------------------------------------------


def test_code_step_without_the_password_step_is_refused(cast, client):
    response = client.post(reverse(VERIFY), {"code": current_code()})

    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    assert not is_signed_in(client)
    assert TOTPDevice.objects.get(user=cast.volunteer).last_used_step == 0


def test_code_page_without_the_password_step_sends_back_to_sign_in(cast, client):
    response = client.get(reverse(VERIFY))
    assert response.url == reverse("accounts:login")


def test_code_step_ends_five_minutes_after_the_password_step(cast, client):
    password_step(client)
    session = client.session
    session[PENDING_SIGN_IN]["until"] = int(time.time()) - 1
    session.save()

    response = client.post(reverse(VERIFY), {"code": current_code()})

    assert response.url == reverse("accounts:login")
    assert not is_signed_in(client)


def test_code_step_of_one_session_is_useless_in_another(cast, client):
    password_step(client)
    other = Client()
    response = other.post(reverse(VERIFY), {"code": current_code()})
    assert response.url == reverse("accounts:login")
    assert not is_signed_in(other)


def test_wrong_code_is_refused_and_counted(cast, client):
    password_step(client)
    wrong = f"{(int(current_code()) + 1) % 1_000_000:06d}"

    response = client.post(reverse(VERIFY), {"code": wrong})

    assert response.status_code == 200
    assert "This code is not right." in response.content.decode()
    assert not is_signed_in(client)
    assert FailedLogin.objects.filter(email="volunteer@example.org").count() == 1


def test_code_that_is_not_six_digits_gets_a_hint_and_is_not_counted(cast, client):
    password_step(client)
    response = client.post(reverse(VERIFY), {"code": "12ab"})
    assert "Type the 6 digits that your app shows." in response.content.decode()
    assert FailedLogin.objects.count() == 0


def test_code_with_a_space_in_the_middle_is_fine(cast, client):
    password_step(client)
    code = current_code()
    response = client.post(reverse(VERIFY), {"code": f"{code[:3]} {code[3:]}"})
    assert response.url == reverse("workspace:home")


def test_totp_code_is_never_accepted_twice(cast, client):
    code = current_code()
    password_step(client)
    assert client.post(reverse(VERIFY), {"code": code}).url == reverse("workspace:home")
    client.post(reverse("accounts:logout"))

    password_step(client)
    response = client.post(reverse(VERIFY), {"code": code})

    assert response.status_code == 200
    assert "This code is not right." in response.content.decode()
    assert not is_signed_in(client)


def test_five_wrong_codes_pause_the_account_even_for_the_right_code(cast, client):
    password_step(client)
    wrong = f"{(int(current_code()) + 1) % 1_000_000:06d}"
    for _ in range(5):
        client.post(reverse(VERIFY), {"code": wrong})

    response = client.post(reverse(VERIFY), {"code": current_code()})

    assert "signing in is paused" in response.content.decode()
    assert not is_signed_in(client)


def test_session_gets_a_new_key_after_each_step(cast, client):
    client.get(reverse("accounts:login"))
    client.session.save()
    before = client.session.session_key
    password_step(client)
    half_way = client.session.session_key
    assert half_way != before

    client.post(reverse(VERIFY), {"code": current_code()})

    assert is_signed_in(client)
    assert client.session.session_key != half_way


@pytest.mark.parametrize(
    ("offset", "accepted"), [(-60, False), (-30, True), (0, True), (30, True), (60, False)]
)
def test_codes_one_step_early_or_late_are_accepted_but_no_further(offset, accepted):
    now = 1_700_000_015.0
    code = pyotp.TOTP(TOTP_SECRET).at(now + offset)
    step = two_factor.totp_matching_step(TOTP_SECRET, code, now=now)
    assert (step is not None) is accepted


# -- two factors are enforced --------------------------------------------------------------------


def test_volunteer_with_the_password_only_cannot_reach_a_staff_page(cast, client):
    password_only(client, cast.volunteer)

    response = client.get(reverse("workspace:home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse(VERIFY))


def test_staff_gate_sends_someone_without_an_app_to_set_one_up():
    """The decorator on its own, with a request that is signed in but past no second factor."""
    person = type(
        "Person",
        (),
        {"is_authenticated": True, "is_active": True, "is_superuser": True, "is_staff": True},
    )()
    request = RequestFactory().get("/nl/staff/somewhere/")
    request.user = person
    request.session = {}

    response = staff_view(lambda request: None)(request)  # type: ignore[arg-type,return-value]

    assert response.status_code == 302
    assert response.url.startswith(reverse(SETUP))


def test_signed_in_with_the_password_only_the_code_page_finishes_the_second_factor(cast, client):
    """Someone signed in to set up the app on one tablet, who set it up elsewhere since."""
    password_only(client, cast.volunteer)
    before = client.session.session_key

    response = client.post(reverse(VERIFY), {"code": current_code()})

    assert response.url == reverse("workspace:home")
    assert client.session[TWO_FACTOR_VERIFIED] is True
    assert client.session.session_key != before


# -- setting up the app --------------------------------------------------------------------------


def test_setup_shows_a_qr_code_and_the_key_and_then_ten_recovery_codes_once(cast, client):
    person = new_volunteer(cast)
    assert password_step(client, person.email).url == reverse(SETUP)

    page = client.get(reverse(SETUP))
    secret = client.session[SETUP_SESSION_KEY]
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html
    assert 'role="img"' in html
    assert two_factor.secret_grouped(secret) in html
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", two_factor.secret_grouped(secret))

    response = client.post(reverse(SETUP), {"code": pyotp.TOTP(secret).now()})

    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == len(set(codes)) == 10
    html = response.content.decode()
    assert all(code in html for code in codes)
    assert "no-store" in response.headers["Cache-Control"]
    device = TOTPDevice.objects.get(user=person)
    assert device.secret == secret
    assert device.confirmed_at is not None
    hashes = list(RecoveryCode.objects.filter(user=person).values_list("code_hash", flat=True))
    assert len(hashes) == 10
    assert not any(code.replace("-", "") in h for code in codes for h in hashes)
    assert check_password(codes[0].replace("-", ""), hashes[0]) or any(
        check_password(codes[0].replace("-", ""), h) for h in hashes
    )
    assert client.session[TWO_FACTOR_VERIFIED] is True
    assert SETUP_SESSION_KEY not in client.session
    assert AuditEntry.objects.filter(action="two_factor_set_up", object_id=str(person.pk)).exists()
    assert client.get(reverse("workspace:home"), follow=True).status_code == 200
    # The codes are not shown again.
    assert not any(code in client.get(reverse(SETUP)).content.decode() for code in codes)


def test_setup_with_a_wrong_code_keeps_the_same_key_and_saves_nothing(cast, client):
    person = new_volunteer(cast)
    password_step(client, person.email)
    client.get(reverse(SETUP))
    secret = client.session[SETUP_SESSION_KEY]

    response = client.post(reverse(SETUP), {"code": "000000"})

    assert response.status_code == 200
    assert "This code does not match." in response.content.decode()
    assert client.session[SETUP_SESSION_KEY] == secret
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert TWO_FACTOR_VERIFIED not in client.session


def test_setup_page_needs_a_signed_in_person(client, db):
    response = client.get(reverse(SETUP))
    assert response.url.startswith(reverse("accounts:login"))


def test_password_only_session_cannot_replace_an_existing_app(cast, client):
    password_only(client, cast.volunteer)

    response = client.get(reverse(SETUP))

    assert response.url.startswith(reverse(VERIFY))
    assert SETUP_SESSION_KEY not in client.session


def test_someone_past_two_factors_can_move_the_app_to_a_new_phone(cast, client):
    sign_in(client, cast.volunteer)
    client.get(reverse(SETUP))
    secret = client.session[SETUP_SESSION_KEY]
    assert secret != TOTP_SECRET

    response = client.post(reverse(SETUP), {"code": pyotp.TOTP(secret).now()})

    assert response.status_code == 200
    assert TOTPDevice.objects.get(user=cast.volunteer).secret == secret


# -- recovery codes ------------------------------------------------------------------------------


def test_recovery_code_signs_in_once(cast, client):
    codes = two_factor.recovery_codes_issue(user=cast.volunteer)
    password_step(client)
    assert client.get(reverse(RECOVERY)).status_code == 200

    response = client.post(reverse(RECOVERY), {"code": codes[3].upper()})

    assert response.url == reverse(CODES), "first to where a lost phone is replaced"
    assert client.session[TWO_FACTOR_VERIFIED] is True
    assert AuditEntry.objects.filter(action="recovery_code_used").count() == 1
    client.post(reverse("accounts:logout"))

    password_step(client)
    again = client.post(reverse(RECOVERY), {"code": codes[3]})
    assert again.status_code == 200
    assert "This recovery code is not right, or it was used before." in again.content.decode()
    assert not is_signed_in(client)
    assert client.post(reverse(RECOVERY), {"code": codes[4]}).url == reverse(CODES)


def test_recovery_code_step_without_the_password_step_is_refused(cast, client):
    codes = two_factor.recovery_codes_issue(user=cast.volunteer)
    response = client.post(reverse(RECOVERY), {"code": codes[0]})
    assert response.url == reverse("accounts:login")
    assert RecoveryCode.objects.filter(used_at__isnull=False).count() == 0


def test_recovery_code_sign_in_says_how_many_are_left_and_offers_a_new_phone(cast, client):
    codes = two_factor.recovery_codes_issue(user=cast.volunteer)
    password_step(client)
    target = reverse("workspace:today", kwargs={"site_id": cast.gent_a.pk})
    response = client.post(reverse(RECOVERY), {"code": codes[0], "next": target}, follow=True)
    html = response.content.decode()
    assert "You have 9 codes left." in html
    assert reverse(SETUP) in html
    assert f'href="{target}"' in html


def test_new_recovery_codes_need_a_current_code_and_replace_the_old_ones(cast, client):
    old = two_factor.recovery_codes_issue(user=cast.volunteer)
    sign_in(client, cast.volunteer)
    page = client.get(reverse(CODES))
    assert page.status_code == 200
    assert "You have 10 recovery codes" in page.content.decode()

    refused = client.post(reverse(CODES), {"code": "000000"})
    assert "This code is not right." in refused.content.decode()
    assert two_factor.recovery_code_use(user=cast.volunteer, code=old[0])

    response = client.post(reverse(CODES), {"code": current_code()})

    new = response.context["codes"]
    assert len(new) == 10
    assert not set(new) & set(old)
    assert not two_factor.recovery_code_use(user=cast.volunteer, code=old[1])
    assert two_factor.recovery_code_use(user=cast.volunteer, code=new[0])
    assert AuditEntry.objects.filter(action="recovery_codes_renewed").exists()


def test_recovery_codes_page_is_behind_the_staff_gate(cast, client):
    password_only(client, cast.volunteer)
    response = client.get(reverse(CODES))
    assert response.url.startswith(reverse(VERIFY))
