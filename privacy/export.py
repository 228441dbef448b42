"""Everything the platform keeps about one resident, for a request to see one's data (GDPR art. 15).

It looks through every domain's registered personal data (`privacy.registry`) by phone number or
email address, the only ways a resident can be recognised here, so that a new domain's data is in
the answer as soon as it is registered.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from privacy.registry import personal_data


def personal_data_of(*, phone: str = "", email: str = "") -> dict[str, list[dict[str, Any]]]:
    """For each kind of personal data, the rows that hold this phone number or email address,
    with their personal fields (and id and `erased_at`). Empty values find nothing."""
    found: dict[str, list[dict[str, Any]]] = {}
    for entry in personal_data:
        match = Q()
        for field, value in (("phone", phone.strip()), ("email", email.strip())):
            if value and field in entry.contact_fields:
                lookup = "iexact" if field == "email" else "exact"
                match |= Q(**{f"{field}__{lookup}": value})
        if not match:
            found[entry.name] = []
            continue
        rows = entry.model._default_manager.filter(match).order_by("pk")
        found[entry.name] = list(rows.values("pk", *entry.fields, "erased_at"))
    return found
