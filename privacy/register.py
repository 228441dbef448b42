"""The register of processing (GDPR art. 30), the retention periods and the privacy notice, made
from the registry of personal data (`privacy.registry`) and the retention settings.

One description per kind of data (`Kind`), read by the staff pages (the register, the retention
periods), the public privacy notice and `manage.py privacy_register`, which writes the register in
Markdown for docs/privacy.md. So what the platform says about a kind of data is written once, next
to the code that keeps it, and a changed retention setting shows everywhere at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.text import capfirst, get_text_list
from django.utils.translation import gettext as _

from privacy.registry import PersonalData, personal_data
from privacy.retention import retention_days

# The commands that erase on schedule (docs/operations.md).
RETENTION_COMMAND = "purge_personal_data"


@dataclass(frozen=True)
class Kind:
    """One kind of residents' personal data, as the register and the notice describe it."""

    entry: PersonalData
    label: str
    subjects: str
    data: list[str]  # what is kept: the personal fields as people read them
    purpose: str
    legal_basis: str
    recipients: str
    setting: str
    days: int
    retention: str  # how long, in words, with the days
    at_the_end: str  # what the retention run does


def kinds() -> list[Kind]:
    """Every registered kind that describes its processing, in the registry's order, in the
    active language."""
    described = []
    for entry in personal_data:
        processing = entry.processing
        if processing is None:
            continue
        days = retention_days(entry)
        data = [entry.field_label(name) for name in entry.fields]
        described.append(
            Kind(
                entry=entry,
                label=str(processing.label),
                subjects=str(processing.subjects),
                data=data,
                purpose=str(processing.purpose),
                legal_basis=str(processing.legal_basis),
                recipients=str(processing.recipients),
                setting=entry.setting,
                days=days,
                retention=processing.retention(days),
                at_the_end=_(
                    "%(fields)s are erased. The rest of the record stays, without them, so every "
                    "count and figure stays the same."
                )
                % {"fields": capfirst(get_text_list(data, _("and")))},
            )
        )
    return described


def register_markdown() -> str:
    """The register of processing as a Markdown table, one row per kind (for docs/privacy.md)."""
    lines = [
        "| data | whose | what is kept | why | legal basis | who sees it | how long (setting) |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind in kinds():
        cells = [
            kind.label,
            kind.subjects,
            ", ".join(kind.data),
            kind.purpose,
            kind.legal_basis,
            kind.recipients,
            f"{kind.retention}; `{kind.setting}`",
        ]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"
