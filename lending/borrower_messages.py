"""Messages to borrowers, by email and/or SMS through the notification service, in the
borrower's language: the loan with its private link, their turn on the waiting list, and the
reminders (`lending.reminders`). Call inside the transaction of the change: `notify` sends after
the commit and never fails the change."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from lending.models import Borrower
from network.models import Site
from notifications.services import notify_rendered


def language_of(borrower: Borrower, preferred: str = "") -> str:
    codes = dict(settings.LANGUAGES)
    for language in (preferred, borrower.language):
        if language in codes:
            return language
    return settings.LANGUAGE_CODE


def absolute(name: str, language: str, **kwargs: Any) -> str:
    with translation.override(language):
        return settings.SITE_URL + reverse(name, kwargs=kwargs)


def tell(
    borrower: Borrower, base: str, site: Site, context: dict[str, Any], *, language: str = ""
) -> bool:
    """Send `lending/messages/<base>` by email and `<base>_sms` by SMS, to what the borrower
    gave; False when they gave neither (or their data was erased)."""
    if borrower.erased_at is not None or not (borrower.email or borrower.phone):
        return False
    language = language_of(borrower, language)
    full = {
        **context,
        "site": site,
        "site_url": absolute("network:site", language, slug=site.slug),
    }
    notify_rendered(
        to_email=borrower.email,
        to_phone=borrower.phone,
        template_base=f"lending/messages/{base}",
        context=full,
        language=language,
    )
    return True
