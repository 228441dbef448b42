"""The skills self-check: ten plain questions mapped to the DigComp areas, answered from "not
yet" to "I could show someone else". The result is said in words per area, with courses, help
cards and Digipunten to go further. Anonymous: only the answers are kept (`SelfCheck`), and a
course's before-and-after comparison is shown only when enough people took both
(`MIN_GROUP`), never per person.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import mean

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from learning import digcomp
from learning.models import SelfCheck, Session

# (area code, question): the area each question tells about.
QUESTIONS: tuple[tuple[str, Promise], ...] = (
    ("1", _("I can search the internet and find what I need.")),
    ("1", _("I can tell whether a website or a message can be trusted.")),
    ("2", _("I can send a message or a photo to family or friends.")),
    ("2", _("I can make a video call.")),
    ("2", _("I can sign in to a public service with itsme or my eID.")),
    ("3", _("I can fill in a form online and add a document to it.")),
    ("4", _("I can recognise a fake message that asks for my details.")),
    ("4", _("I can make a strong password and keep it safe.")),
    ("5", _("I can update the apps on my phone or computer.")),
    ("5", _("When something does not work, I know where to find help.")),
)
ANSWERS: tuple[tuple[int, Promise], ...] = (
    (0, _("Not yet")),
    (1, _("With help")),
    (2, _("On my own")),
    (3, _("I could show someone else")),
)
# A before-and-after comparison is shown only with at least this many answers on each side.
MIN_GROUP = 5
# The theme of the help cards that suit each area.
AREA_THEMES = {"1": "safety", "2": "eid-itsme", "3": "ebox", "4": "safety", "5": "contact"}


@dataclass(frozen=True)
class AreaResult:
    code: str
    title: str
    score: float  # 0 to 3
    words: str


def _words(score: float) -> str:
    if score >= 2:
        return str(_("You can already do a lot here."))
    if score >= 1:
        return str(_("You are on your way: a course or a help card takes you further."))
    return str(_("A good place to start: a Digipunt helps you with the first steps."))


def scores(answers: list[int]) -> dict[str, float]:
    """The mean answer per area."""
    by_area: dict[str, list[int]] = {}
    for (area, _question), answer in zip(QUESTIONS, answers, strict=True):
        by_area.setdefault(area, []).append(answer)
    return {area: mean(values) for area, values in by_area.items()}


def result(answers: list[int]) -> list[AreaResult]:
    """Each area in words, the weakest first."""
    found = scores(answers)
    rows = [
        AreaResult(code, str(digcomp.AREAS[code]), score, _words(score))
        for code, score in found.items()
    ]
    return sorted(rows, key=lambda row: (row.score, row.code))


def self_check_record(
    *, answers: list[int], language: str, session: Session | None, moment: str
) -> SelfCheck:
    """Keep the answers, anonymously (for a session's before-and-after, when given)."""
    if len(answers) != len(QUESTIONS) or any(a not in (0, 1, 2, 3) for a in answers):
        raise ValueError("one answer from 0 to 3 per question")
    if moment not in SelfCheck.Moment.values:
        session, moment = None, ""
    return SelfCheck.objects.create(
        taken_on=timezone.localdate(),
        language=language[:4],
        answers=answers,
        session=session,
        moment=moment if session is not None else "",
    )


@dataclass(frozen=True)
class Comparison:
    before: int
    after: int
    rows: list[tuple[str, float, float]]  # (area title, mean before, mean after)


def comparison(session: Session) -> Comparison | None:
    """The session's before-and-after means per area, or None when either side has fewer than
    `MIN_GROUP` answers (small groups are not shown: they could point at a person)."""
    checks = list(session.self_checks.values_list("moment", "answers"))
    before = [answers for moment, answers in checks if moment == SelfCheck.Moment.BEFORE]
    after = [answers for moment, answers in checks if moment == SelfCheck.Moment.AFTER]
    if len(before) < MIN_GROUP or len(after) < MIN_GROUP:
        return None

    def means(group: list[list[int]]) -> dict[str, float]:
        per = [scores(answers) for answers in group]
        return {area: round(mean(p[area] for p in per), 1) for area in per[0]}

    b, a = means(before), means(after)
    rows = [(str(digcomp.AREAS[code]), b[code], a[code]) for code in sorted(b)]
    return Comparison(before=len(before), after=len(after), rows=rows)
