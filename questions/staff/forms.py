"""The fast registration form (and its correction form), and the visitor cards form.

The forms only parse what a helper chose and typed into a `ContactInput`; the rules (a referral
says to whom, no personal data in the note, which visitor codes a site accepts, ...) live in
`questions.services` and come back as errors at the fields. Themes and concerns are given to the
form as lists (already read for the page), so checking a choice costs no query.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from network.models import SITE_LANGUAGES, Theme
from questions.models import (
    AgeBand,
    Channel,
    Concern,
    Contact,
    Duration,
    Gender,
    Outcome,
    PartnerKind,
    Situation,
)
from questions.services import MAX_PEOPLE, MAX_VISITOR_CODES, ContactInput, QuestionInput
from questions.visitor_codes import display

# The first question has big theme buttons; these extra rows ("Another question") are compact.
QUESTION_ROWS = 3
NOTE_LENGTH = Contact._meta.get_field("note").max_length
FIRST_VISIT_CHOICES = (("", _("Not asked")), ("yes", _("Yes")), ("no", _("No")))
FIRST_VISIT_VALUES = {"": None, "yes": True, "no": False}


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


def number_messages(maximum: int) -> dict[str, str]:
    """One clear message for every way a number can be wrong (read in the active language)."""
    message = gettext("Enter a number from 1 to %(max)d.") % {"max": maximum}
    return dict.fromkeys(("min_value", "max_value", "invalid", "required"), message)


class ContactForm(forms.Form):
    """One contact: its questions, how it went and, optionally, an anonymous visitor profile.

    `themes` (in the order the page shows them) and `concerns` are the choices. `rows` is the
    number of question rows (at least 3; a correction of a contact with more questions shows
    them all). `registration` adds the number of people and the one-time token, and makes the
    date and time optional (unchanged means "now").
    """

    theme = forms.ChoiceField(
        label=_("What was the question about?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what the question was about.")},
    )
    concern = forms.ChoiceField(label=_("Which organisation or app? (optional)"), required=False)
    outcome = forms.ChoiceField(
        label=_("How did it end?"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    referred_to = forms.ChoiceField(
        label=_("Referred to (only when referred to a partner)"),
        choices=_blank(_("Choose a partner")) + list(PartnerKind.choices),
        required=False,
    )
    channel = forms.ChoiceField(
        label=_("How did you help?"), choices=Channel.choices, widget=forms.RadioSelect
    )
    duration = forms.ChoiceField(
        label=_("How long did it take?"), choices=Duration.choices, widget=forms.RadioSelect
    )
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    time = forms.TimeField(
        label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    age_band = forms.ChoiceField(
        label=_("Age"),
        choices=_blank(_("Not asked")) + list(AgeBand.choices),
        widget=forms.RadioSelect,
        required=False,
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=_blank(_("Not asked")) + list(Gender.choices),
        widget=forms.RadioSelect,
        required=False,
    )
    visitor_language = forms.ChoiceField(
        label=_("Language of the visitor"),
        choices=_blank(_("Not asked")) + list(SITE_LANGUAGES),
        required=False,
    )
    first_visit = forms.ChoiceField(
        label=_("First visit here?"),
        choices=FIRST_VISIT_CHOICES,
        widget=forms.RadioSelect,
        required=False,
    )
    situation = forms.ChoiceField(
        label=_("Situation"),
        choices=_blank(_("Not asked")) + list(Situation.choices),
        required=False,
    )
    visitor_code = forms.CharField(
        label=_("Visitor code"),
        help_text=_("Only when the visitor shows a card, for example 7K3M-9QXA."),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        help_text=_(
            "No personal data: no names, phone numbers, email addresses or national register "
            "numbers."
        ),
        max_length=NOTE_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("Keep the note under 280 characters.")},
    )

    def __init__(
        self,
        *args: Any,
        themes: Sequence[Theme],
        concerns: Sequence[Concern],
        rows: int = QUESTION_ROWS,
        registration: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.registration = registration
        self.rows = max(rows, QUESTION_ROWS)
        self._themes = {str(theme.pk): theme for theme in themes}
        self._concerns = {str(concern.pk): concern for concern in concerns}
        theme_choices = [(str(theme.pk), theme.name) for theme in themes]
        concern_choices = _blank(_("Not said")) + [
            (str(concern.pk), concern.name) for concern in concerns
        ]
        self.fields["theme"].choices = theme_choices
        self.fields["concern"].choices = concern_choices
        for n in range(2, self.rows + 1):
            self.fields[f"theme_{n}"] = forms.ChoiceField(
                label=_("Theme"),
                choices=_blank(_("No other question")) + theme_choices,
                required=False,
            )
            self.fields[f"concern_{n}"] = forms.ChoiceField(
                label=_("Which organisation or app? (optional)"),
                choices=concern_choices,
                required=False,
            )
            # Not required: an unused row is ignored, and a used one without it counts as solved.
            self.fields[f"outcome_{n}"] = forms.ChoiceField(
                label=_("How did it end?"),
                choices=Outcome.choices,
                initial=Outcome.SOLVED,
                required=False,
            )
            self.fields[f"referred_to_{n}"] = forms.ChoiceField(
                label=_("Referred to (only when referred to a partner)"),
                choices=self.fields["referred_to"].choices,
                required=False,
            )
        if registration:
            self.fields["people"] = forms.IntegerField(
                label=_("Number of people"),
                help_text=_("For a busy session: the same questions for this many people."),
                min_value=1,
                max_value=MAX_PEOPLE,
                initial=1,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                error_messages=number_messages(MAX_PEOPLE),
            )
            self.fields["form_token"] = forms.CharField(widget=forms.HiddenInput, required=False)
            # Left empty, the date and time mean "now": the moment of saving, not the moment a
            # tablet that waited an hour opened the form.
            for name in ("date", "time"):
                self.fields[name].required = False

    # --- the rows of questions, for the template ---

    def question_rows(self) -> list[dict[str, Any]]:
        """The extra question rows (2, 3, ...) as {number, theme, concern, outcome, referred_to}."""
        return [
            {
                "number": n,
                "theme": self[f"theme_{n}"],
                "concern": self[f"concern_{n}"],
                "outcome": self[f"outcome_{n}"],
                "referred_to": self[f"referred_to_{n}"],
            }
            for n in range(2, self.rows + 1)
        ]

    def extra_rows_have_content(self) -> bool:
        """Whether "Another question" should be open (it holds a choice or an error)."""
        for n in range(2, self.rows + 1):
            if self[f"theme_{n}"].value() or any(
                self[f"{name}_{n}"].errors
                for name in ("theme", "concern", "outcome", "referred_to")
            ):
                return True
        return False

    def visitor_has_content(self) -> bool:
        names = (
            "age_band",
            "gender",
            "visitor_language",
            "first_visit",
            "situation",
            "visitor_code",
        )
        return any(self[name].value() or self[name].errors for name in names)

    # --- the result ---

    def occurred_at(self) -> datetime | None:
        """The moment chosen; None for "now" (a registration with no date and time given)."""
        data = self.cleaned_data
        if data.get("time") is None:
            return None
        day = data.get("date") or timezone.localdate()
        return timezone.make_aware(datetime.combine(day, data["time"]))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        missing_time = data.get("date") and data.get("time") is None and "time" not in self.errors
        if self.registration and missing_time:
            self.add_error("time", _("Fill in the time too, or leave the date empty for now."))
        return data

    def _question(self, suffix: str) -> QuestionInput | None:
        data = self.cleaned_data
        theme = self._themes.get(data.get(f"theme{suffix}") or "")
        if theme is None:
            return None
        return QuestionInput(
            theme=theme,
            outcome=data.get(f"outcome{suffix}") or Outcome.SOLVED,
            concern=self._concerns.get(data.get(f"concern{suffix}") or ""),
            referred_to=data.get(f"referred_to{suffix}") or "",
        )

    def questions(self) -> list[QuestionInput]:
        found = [self._question("")] + [self._question(f"_{n}") for n in range(2, self.rows + 1)]
        return [question for question in found if question is not None]

    def contact_input(self) -> ContactInput:
        data = self.cleaned_data
        return ContactInput(
            channel=data["channel"],
            duration=data["duration"],
            questions=self.questions(),
            occurred_at=self.occurred_at(),
            note=data.get("note", ""),
            people=data.get("people") or 1,
            visitor_code=data.get("visitor_code", ""),
            age_band=data.get("age_band", ""),
            gender=data.get("gender", ""),
            visitor_language=data.get("visitor_language", ""),
            first_visit=FIRST_VISIT_VALUES.get(data.get("first_visit", "")),
            situation=data.get("situation", ""),
        )

    # --- errors from the service ---

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """Put what `contact_register`/`contact_update` refused next to the field it is about.

        The service speaks of the contact as a whole; a referral without a partner is shown at
        each question row that is referred without one.
        """
        for name, messages in errors.items():
            if name == "questions":
                self.add_error("theme", messages)
            elif name == "occurred_at":
                self.add_error("date", messages)
            elif name in {"referred_to", "outcome", "concern"}:
                rows = [
                    suffix
                    for suffix in [""] + [f"_{n}" for n in range(2, self.rows + 1)]
                    if self._question(suffix) is not None
                    and (name != "referred_to" or self._missing_partner(suffix))
                ]
                for suffix in rows or [""]:
                    self.add_error(f"{name}{suffix}", messages)
            elif name in self.fields and name != "form_token":
                self.add_error(name, messages)
            else:
                self.add_error(None, messages)

    def show_themes_in(self, themes: Sequence[Theme]) -> None:
        """Offer the same themes in another order (the page's order, when the form comes back
        with errors after it was checked against the plain list)."""
        choices = [(str(theme.pk), theme.name) for theme in themes]
        self.fields["theme"].choices = choices
        for n in range(2, self.rows + 1):
            self.fields[f"theme_{n}"].choices = _blank(_("No other question")) + choices

    def submission(self) -> uuid.UUID | None:
        """The form's one-time key, or None when it is missing or not one we made."""
        try:
            return uuid.UUID(self.cleaned_data.get("form_token") or "")
        except ValueError:
            return None

    def _missing_partner(self, suffix: str) -> bool:
        data = self.cleaned_data
        return data.get(f"outcome{suffix}") == Outcome.REFERRED and not data.get(
            f"referred_to{suffix}"
        )


def initial_for_registration(*, channel: str) -> dict[str, Any]:
    """The defaults of a new registration: most contacts take two choices, a theme and Save."""
    return {
        "channel": channel,
        "duration": Duration.FROM_15_TO_30,
        "outcome": Outcome.SOLVED,
        "people": 1,
        "form_token": uuid.uuid4().hex,
    }


def initial_for_contact(contact: Contact) -> dict[str, Any]:
    """The correction form filled in with what `contact` says (its questions prefetched)."""
    local = timezone.localtime(contact.occurred_at)
    first_visit = {True: "yes", False: "no"}.get(contact.first_visit, "")  # type: ignore[arg-type]
    initial: dict[str, Any] = {
        "channel": contact.channel,
        "duration": contact.duration,
        "date": local.date(),
        "time": local.time().replace(second=0, microsecond=0),
        "note": contact.note,
        "visitor_code": display(contact.visitor.code) if contact.visitor else "",
        "age_band": contact.age_band,
        "gender": contact.gender,
        "visitor_language": contact.visitor_language,
        "first_visit": first_visit,
        "situation": contact.situation,
    }
    for index, question in enumerate(contact.questions.all()):
        suffix = "" if index == 0 else f"_{index + 1}"
        initial[f"theme{suffix}"] = str(question.theme_id)
        initial[f"concern{suffix}"] = str(question.concern_id or "")
        initial[f"outcome{suffix}"] = question.outcome
        initial[f"referred_to{suffix}"] = question.referred_to
    return initial


class VisitorCardsForm(forms.Form):
    count = forms.IntegerField(
        label=_("How many cards?"),
        min_value=1,
        max_value=MAX_VISITOR_CODES,
        initial=10,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        count = self.fields["count"]
        count.error_messages.update(number_messages(MAX_VISITOR_CODES))
        count.help_text = gettext("From 1 to %(max)d. Each card gets a new code.") % {
            "max": MAX_VISITOR_CODES
        }
