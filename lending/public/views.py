"""The borrower's private page: their loan, when to bring it back, how to renew and where.

The link's secret is the only key (no account); an unknown secret is a plain 404 page. The page
holds personal data of one person: never cached, never indexed.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lending import selectors, services


@never_cache
@require_GET
def private(request: HttpRequest, token: str) -> HttpResponse:
    loan = selectors.loan_by_token(token)
    if loan is None:
        return render(request, "lending/public/unknown.html", status=404)
    rules = services.rules_of(loan.site.organisation)
    context = {
        "loan": loan,
        "site": loan.site,
        "today": timezone.localdate(),
        "renewals_left": max(rules.max_renewals - loan.renewals, 0),
    }
    response = render(request, "lending/public/loan.html", context)
    response.headers["X-Robots-Tag"] = "noindex"
    return response
