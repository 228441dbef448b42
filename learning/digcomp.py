"""DigComp 2.2, the European framework of digital competences (`learning/data/digcomp-2.2.csv`):
five areas and their 21 competences, with titles translated through the catalogues.

A course names the competences it teaches by code ("4.2"), stored with the framework's version
(`Course.digcomp_version`); the area is the code's first digit. The titles below are the msgids
of the translations; `tests/learning/test_digcomp.py` checks them against the CSV file.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

VERSION = "2.2"
DATA_FILE = Path(__file__).resolve().parent / "data" / "digcomp-2.2.csv"

AREAS: dict[str, Promise] = {
    "1": _("Information and data literacy"),
    "2": _("Communication and collaboration"),
    "3": _("Digital content creation"),
    "4": _("Safety"),
    "5": _("Problem solving"),
}

COMPETENCES: dict[str, Promise] = {
    "1.1": _("Browsing, searching and filtering data, information and digital content"),
    "1.2": _("Evaluating data, information and digital content"),
    "1.3": _("Managing data, information and digital content"),
    "2.1": _("Interacting through digital technologies"),
    "2.2": _("Sharing through digital technologies"),
    "2.3": _("Engaging in citizenship through digital technologies"),
    "2.4": _("Collaborating through digital technologies"),
    "2.5": _("Netiquette"),
    "2.6": _("Managing digital identity"),
    "3.1": _("Developing digital content"),
    "3.2": _("Integrating and re-elaborating digital content"),
    "3.3": _("Copyright and licences"),
    "3.4": _("Programming"),
    "4.1": _("Protecting devices"),
    "4.2": _("Protecting personal data and privacy"),
    "4.3": _("Protecting health and well-being"),
    "4.4": _("Protecting the environment"),
    "5.1": _("Solving technical problems"),
    "5.2": _("Identifying needs and technological responses"),
    "5.3": _("Creatively using digital technologies"),
    "5.4": _("Identifying digital competence gaps"),
}


@dataclass(frozen=True)
class Row:
    code: str
    area: str
    competence: str


def read_file() -> list[Row]:
    """The framework as the data file has it (English titles)."""
    with DATA_FILE.open(encoding="utf-8", newline="") as handle:
        return [Row(r["code"], r["area"], r["competence"]) for r in csv.DictReader(handle)]


def area_of(code: str) -> str:
    return code.split(".", 1)[0]


def competence_choices() -> list[tuple[str, str]]:
    return [(code, f"{code} {title}") for code, title in COMPETENCES.items()]


def area_choices() -> list[tuple[str, str]]:
    return [(code, str(title)) for code, title in AREAS.items()]
